"""Run manage.py in a fresh interpreter, so the settings module reads the environment anew."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The project's own settings module, with only the given DJANGO_/DEMO_ variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEMO_"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
