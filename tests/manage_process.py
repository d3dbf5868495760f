"""Run manage.py in a fresh interpreter, so the settings module reads the environment anew.

The one home for this and for finding a free port, used by the tests, `make screenshots`
and the benchmarks.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from config.oidc_key import signing_key

ROOT = Path(__file__).resolve().parent.parent


def manage_env(**env: str) -> dict[str, str]:
    """This process's environment with only the given DJANGO_/DEMO_/OIDC_ variables set.

    Outside debug the directory needs its signing key: the development one stands in, unless
    the test gives its own (an empty one to see start-up refuse).
    """
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEMO_", "OIDC_"))}
    clean["OIDC_RSA_PRIVATE_KEY"] = signing_key("", debug=True)
    clean.update(env)
    clean.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return clean


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The project's own settings module, with only the given DJANGO_/DEMO_ variables set."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=manage_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
