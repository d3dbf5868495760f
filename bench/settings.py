"""Benchmark servers' settings: the production settings, plus a minimal view on bench.localhost.

Selected with DJANGO_SETTINGS_MODULE=bench.settings; nothing here is used by the product.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import global_settings

from config import hosts
from config.portals import SERVICE
from config.settings import *  # noqa: F403
from config.settings import CACHES, env

# Hosts outside the two portals (bench.localhost) answer the service pages plus /bench/ping,
# the floor of any Django answer on the same stack. Patched here so the product's host
# middleware runs unchanged.
hosts.URLCONFS[SERVICE] = "bench.urls_service"

# Two groups of servers may share one Redis; each group keeps its own keys.
CACHES["default"]["KEY_PREFIX"] = env.str("BENCH_CACHE_PREFIX", default="portal")

STATIC_ROOT = env.str(
    "BENCH_STATIC_ROOT", default=str(Path(tempfile.gettempdir()) / "portal-bench" / "staticfiles")
)

# The propagation pollers sign in every ~20 ms: a 0.5 s password hash would hide what is
# measured (how soon a server sees the switch). Only the propagation servers turn this on,
# and only for accounts created with this hasher.
if env.bool("BENCH_FAST_SIGNIN", default=False):
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *global_settings.PASSWORD_HASHERS,
    ]
