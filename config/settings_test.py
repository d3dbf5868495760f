"""Settings for the test suite: the project's own, with development defaults and fast hashing."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
# Static files come from the source folders: the suite never runs collectstatic.
os.environ.setdefault("DJANGO_STATIC_MANIFEST", "false")

from config.settings import *  # noqa: F403

# Hashing is not under test; MD5 keeps a sign-in per test cheap.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "directory.hashers.ClientSecretHasher",
]

# The test runner turns DEBUG off while the suite serves plain http from the source folders:
# exactly what these warnings are for in a real run, and noise in every command under test.
SILENCED_SYSTEM_CHECKS = ["portals.W001", "portals.W002"]
