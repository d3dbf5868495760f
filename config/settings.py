"""Project settings: every value that differs between machines comes from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.oidc_key import signing_key
from config.portals import portal_hosts, portal_origin

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# ------------------------------------------------------------------ core
DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value, "
            "or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 (debug only)

# ------------------------------------------------------------------ the four sites
DEFENDER_PORTAL_URL = portal_origin(
    env.str("DEFENDER_PORTAL_URL", default="http://security.localhost:8000")
)
# The former portals: Defender for Identity's, and the Defender Security Center (Endpoint).
LEGACY_PORTAL_URL = portal_origin(
    env.str("LEGACY_PORTAL_URL", default="http://portal.atp.localhost:8000")
)
ENDPOINT_PORTAL_URL = portal_origin(
    env.str("ENDPOINT_PORTAL_URL", default="http://securitycenter.localhost:8000")
)

# The directory: the OpenID Connect provider every portal signs in through.
IDENTITY_URL = portal_origin(env.str("IDENTITY_URL", default="http://login.localhost:8000"))

# Extra host names (load balancers, health probes) answer the service pages only.
EXTRA_ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
DEBUG_START_HOSTS = ["localhost", "127.0.0.1"] if DEBUG else []

CSRF_TRUSTED_ORIGINS = [DEFENDER_PORTAL_URL, LEGACY_PORTAL_URL, ENDPOINT_PORTAL_URL, IDENTITY_URL]
ALLOWED_HOSTS = [*portal_hosts(*CSRF_TRUSTED_ORIGINS), *EXTRA_ALLOWED_HOSTS, *DEBUG_START_HOSTS]

# ------------------------------------------------------------------ applications
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "axes",
    "csp",
    "oauth2_provider",
]
LOCAL_APPS = [
    "config.apps.ProjectConfig",
    "web",
    "directory",
    "accounts",
    # Before settings_ui: its Support group is built after `migrate` has made the permissions
    # of the apps listed before it, the SIEM integrations' among them.
    "portal",
    "settings_ui",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the host check, so that the 400 for an unknown host carries it too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "web.middleware.PortalCSPMiddleware",
    # Outside every layer that may query the database (sessions, accounts, views).
    "web.middleware.DatabaseUnavailableMiddleware",
    "web.hosts.PortalHostMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before the account is read: a session of the other portal is replaced by an empty one.
    "accounts.middleware.PortalSessionMiddleware",
    # As soon as the session is known to be this portal's: a routed answer needs nothing else
    # (no CSRF token, no account, no message store).
    "portal.middleware.FormerPortalRedirectionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SignInRequiredMiddleware",
    "web.middleware.SignedInNoStoreMiddleware",
    # A view's Http404 gets the portal's own 404 page, in debug too.
    "web.errors.MissingObjectPageMiddleware",
    # Last, so that it sees the sign-in view's answer and can swap it for the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Messages live in the signed-in session they were written for (the only pages that write any
# are signed in), never in a cookie of their own; and the store costs nothing to open.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "config.urls_service"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DJANGO_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]
TEMPLATES = [
    # The portals' and the directory's pages: Jinja2 (web/templating.py), under templates/.
    {
        "NAME": "jinja2",
        "BACKEND": "web.templating.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "web.templating.environment",
            "context_processors": [
                *DJANGO_CONTEXT_PROCESSORS,
                "web.context_processors.portal",
                "settings_ui.context_processors.settings_links",
                "portal.context_processors.redirection_banner",
            ],
        },
    },
    # The support console (Django's admin, templates/admin/) and the other apps' own templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": DJANGO_CONTEXT_PROCESSORS},
    },
]

# ------------------------------------------------------------------ data
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections on every engine: opening one costs more than a warm request's queries
# (on SQLite a new connection also re-reads the schema before its first query).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# Off by default, as in Django: the check is a round trip of its own before the session read,
# a fifth of a routed legacy answer on PostgreSQL. Without it a connection the database
# dropped (a restart) fails its next request with a 503, and the worker reconnects at once.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # Write-ahead logging: the workers' reads never wait for a write, nor a write for
        # them; each statement outside a transaction still reads the latest commit.
        init_command="PRAGMA journal_mode=WAL",
        # A transaction takes the write lock when it begins, waiting its turn: one that read
        # first and then wrote after another worker's commit failed at once with "database
        # is locked" (the switch answered 503 while sign-ins were being written).
        transaction_mode="IMMEDIATE",
    )
# A database that hangs (accepts, never answers) must cost a request a few seconds and a 503
# (web/middleware.py), not the worker's whole timeout. 0 turns a bound off.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
DATABASE_STATEMENT_TIMEOUT = env.int("DATABASE_STATEMENT_TIMEOUT", default=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        # libpq's, per address tried: a server that never finishes the start-up handshake.
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        # An open connection whose server stops acknowledging what is sent (host gone, network
        # cut) is dropped after as long, and an idle one is probed after as long: the health
        # check of a kept connection, or a query, does not wait minutes for the kernel to give up.
        "tcp_user_timeout": DATABASE_CONNECT_TIMEOUT * 1000,
        "keepalives": 1,
        "keepalives_idle": DATABASE_CONNECT_TIMEOUT,
        "keepalives_interval": 1,
        "keepalives_count": 3,
        # The server cancels a statement that runs longer (a lock held elsewhere, an overloaded
        # server); it cannot when the server, or a proxy before it, answers nothing at all.
        "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}s",
        # A value in DATABASE_URL's query string replaces the one above.
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# After a failed cache call, skip Redis for this long and read from the database; then one
# background probe decides whether to use it again (web/cache.py). 0 turns the skip off.
REDIS_CIRCUIT_SECONDS = env.int("REDIS_CIRCUIT_SECONDS", default=10)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "web.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {
                # A failed call is a miss: the database is the source of truth. The circuit
                # logs once when it opens and once when it closes; django-redis's
                # LOG_IGNORED_EXCEPTIONS would log a traceback for every call in between.
                "IGNORE_EXCEPTIONS": True,
                # The first call to a hung Redis costs this much; the circuit spares the rest.
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal-redirection",
        }
    }
# Sessions live in the database only, on both back ends: whatever ends a sign-in deletes its
# rows, and no cached copy can say otherwise through any fault (accounts/sessions.py). The
# cache holds the switch's state only.
SESSION_ENGINE = "accounts.sessions"

# ------------------------------------------------------------------ accounts and sessions
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a paused sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountBackend",
]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:signin"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Recognised for the portals' client secret only (OAUTH2_PROVIDER CLIENT_SECRET_HASHER).
    "directory.hashers.ClientSecretHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Host-only cookies (no domain): each portal keeps its own session and CSRF token.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-password-1" if DEBUG else "")

# ------------------------------------------------------------------ sign-in throttling (axes)
# Failures are counted per account + address pair: guessing one account's password from one
# place pauses that account there, and nobody else. Behind a shared office address, made-up
# emails pause only themselves. A much higher limit per address, whatever the accounts,
# stops one password being sprayed over many accounts (directory.throttling). Either limit
# pauses sign-in for the cool-off; support can lift a pause in the support console.
SIGN_IN_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=50)
AXES_FAILURE_LIMIT = "directory.throttling.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "directory.forms.attempted_email"
AXES_LOCKOUT_CALLABLE = "directory.views.sign_in_locked_out"
AXES_RESET_ON_SUCCESS = True
# Successful sign-ins are already recorded, one SignInSession row each; axes keeps failures only.
AXES_DISABLE_ACCESS_LOG = True
# Attempts while paused do not extend the pause, so "try again in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The address is REMOTE_ADDR, as for the sign-in history: a forwarded header is the client's word.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# ------------------------------------------------------------------ portal redirection
REDIRECTION_PROPAGATION_SECONDS = env.int("REDIRECTION_PROPAGATION_SECONDS", default=0)
REDIRECTION_CACHE_SECONDS = env.int("REDIRECTION_CACHE_SECONDS", default=5)

# ------------------------------------------------------------------ sign-in through the directory
# Empty: the portals sign in through the embedded directory at IDENTITY_URL. Set, they sign in
# through that OpenID Connect provider instead, as the client OIDC_CLIENT_ID.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="defender-portals")
# The embedded directory's client needs no configured secret: it is derived from SECRET_KEY.
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
# Whether the portals are published over https: it decides transport security below too.
PORTALS_USE_HTTPS = all(
    url.startswith("https://")
    for url in (DEFENDER_PORTAL_URL, LEGACY_PORTAL_URL, ENDPOINT_PORTAL_URL)
)
# django-oauth-toolkit's own models, named as its swappable settings: the directory's tables
# refer to them (directory/models.py).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model name)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": IDENTITY_URL,
    "OIDC_RSA_PRIVATE_KEY": signing_key(env.str("OIDC_RSA_PRIVATE_KEY", default=""), debug=DEBUG),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    # Not every token of the account: that broke the sign-out of its other browsers, whose
    # `id_token_hint` no longer named a token. A sign-out ends its own sign-in, and that
    # sign-in's tokens with it (accounts.sign_ins, directory.logout).
    "OIDC_RP_INITIATED_LOGOUT_DELETE_TOKENS": False,
    "OAUTH2_VALIDATOR_CLASS": "directory.provider.DirectoryValidator",
    "OIDC_SERVER_CLASS": "directory.provider.DirectoryServer",
    "PKCE_REQUIRED": True,
    # Sign-in scopes for the portals, API scopes for SIEM clients (directory.scopes).
    "SCOPES": {
        "openid": "Sign you in",
        "profile": "Your name",
        "email": "Your email",
        "alerts.read": "Read the Security Center's alerts of one organization",
    },
    "DEFAULT_SCOPES": ["openid"],
    # The portals get the sign-in scopes, API clients (a tenant's SIEM) the API scopes only.
    "SCOPES_BACKEND_CLASS": "directory.provider.DirectoryScopes",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PORTALS_USE_HTTPS else ["http", "https"],
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "CLIENT_SECRET_HASHER": "pbkdf2_sha256_client_secret",
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
    "ID_TOKEN_EXPIRE_SECONDS": 300,
    # The OAuth 2.0 Security BCP (RFC 9700), all of it; plain-http redirect URIs only while
    # the portals are published over http (http://*.localhost).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": PORTALS_USE_HTTPS,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

# ------------------------------------------------------------------ e-mail
# Alert notifications go through Django's e-mail framework. Without EMAIL_URL (e.g.
# smtp://user:password@host:587) each message is written to a file under EMAIL_FILE_PATH for
# a person to read there: nothing leaves the machine.
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL",
    default="Microsoft Defender for Endpoint <noreply@securitycenter.localhost>",
)

# ------------------------------------------------------------------ security headers
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# No inline script or style anywhere: pages load their CSS and JS from /static/ only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        # On the legacy portal web.middleware.PortalCSPMiddleware adds the Defender portal.
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# ------------------------------------------------------------------ transport security
# Decided by how the portals are published, each with its own variable, never by DEBUG: a
# run without debug is not insecure by accident, nor a debug run different by accident.
# config.checks warns when a run without debug sends its cookies over plain http.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool(
    "DJANGO_SECURE_COOKIES", default=PORTALS_USE_HTTPS
)
if PORTALS_USE_HTTPS:
    # TLS ends at the proxy, which must set X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Browsers apply HSTS only to answers given over https; a plain-http server is unaffected.
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60 if PORTALS_USE_HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# Redirect http to https when the portals are published over https. `make serve` publishes
# them at http://*.localhost, where a redirect to https would lead nowhere.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PORTALS_USE_HTTPS)
# Load balancers probe over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# ------------------------------------------------------------------ static files
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed names from `collectstatic` (so browsers may keep them for ever), unless
# DJANGO_STATIC_MANIFEST=false: `make run` and the tests serve the files from the source
# folders, where there is no manifest to read.
STATIC_MANIFEST = env.bool("DJANGO_STATIC_MANIFEST", default=True)
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "web.static_files.HashedStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# ------------------------------------------------------------------ i18n
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# The pages are written in English and no translation ships. Strings stay marked for
# translation; the machinery itself stays off until a locale exists (a tenth of a page's
# time went to looking up translations that could only return the English text).
USE_I18N = False
# One date format everywhere (pages, support console): web/formats/en/formats.py.
FORMAT_MODULE_PATH = ["web.formats"]
USE_TZ = True

# ------------------------------------------------------------------ logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secrets": {"()": "web.logging.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # Failures and pauses are warnings; its per-sign-in housekeeping lines are noise.
        "axes": {"level": "WARNING"},
    },
}
