"""A bare Django project: no apps, no database, only SecurityMiddleware and CommonMiddleware.

What any Django answer costs on the same gunicorn settings; the benchmark divides by it.
"""

from __future__ import annotations

import os

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "floor-only-answers-constants")
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.floor.urls"
INSTALLED_APPS: list[str] = []
DATABASES: dict = {}
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
USE_TZ = True
