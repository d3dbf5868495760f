"""The directory's ID-token signing key: from the environment, or made once for development."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from jwcrypto import jwk

DEVELOPMENT_KEY_FILE = Path(__file__).resolve().parent.parent / ".oidc-signing-key.pem"


def signing_key(configured: str, *, debug: bool, path: Path = DEVELOPMENT_KEY_FILE) -> str:
    """The RSA private key (PEM) that signs ID tokens.

    Production sets OIDC_RSA_PRIVATE_KEY. In debug a key is made on first use and kept in a
    file beside the project, so every process of one checkout (runserver's reloader, test
    servers, gunicorn workers) signs with the same key and tokens survive a restart.
    """
    if configured:
        return configured.replace("\\n", "\n")
    if not debug:
        raise ImproperlyConfigured(
            "OIDC_RSA_PRIVATE_KEY is not set. Set it to an RSA private key in PEM form "
            "(openssl genrsa 2048), or set DJANGO_DEBUG=true for local development."
        )
    if not path.exists():
        pem = jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None)
        # Written aside and moved in one step: two processes starting at once keep one key.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".oidc-key-")
        with os.fdopen(handle, "wb") as file:
            file.write(pem)
        if not path.exists():
            os.replace(temporary, path)
        else:
            os.unlink(temporary)
    return path.read_text()
