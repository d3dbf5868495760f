"""Settings for the test suite: the project's own, with development defaults and fast hashing."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: F403

# Hashing is not under test; MD5 keeps a sign-in per test cheap.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
