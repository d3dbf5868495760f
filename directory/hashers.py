"""A hasher for client secrets: random 256-bit values need no password stretching."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class ClientSecretHasher(PBKDF2PasswordHasher):
    """PBKDF2 with few iterations, for the directory's client secrets only (never a password).

    Stretching protects guessable passwords; a secret of 64 random hex digits cannot be
    guessed, and a full password hash on every code exchange would cost each sign-in a second
    of a worker's time.
    """

    algorithm = "pbkdf2_sha256_client_secret"
    iterations = 1_000
