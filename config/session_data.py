"""A session's stored data, its signature checked once per process rather than per request.

Django signs what it stores for a session; every request that loads the row checks that
signature again (a key derivation and an HMAC, a sixth of a routed legacy answer). The stored
text of a session changes only when the session does, so a process that has checked one text
remembers the payload it carried; each request still decodes its own fresh copy of it.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core import signing

# Enough for every session a busy worker serves in a while; a text never seen again simply
# falls out.
REMEMBERED_TEXTS = 4096


class _Payload:
    """Hands back the checked bytes undecoded: each request decodes its own copy."""

    def loads(self, data: bytes) -> bytes:
        return data


@lru_cache(maxsize=REMEMBERED_TEXTS)
def _checked_payload(session_data: str, salt: str, secret_key: str) -> bytes:
    # The secret is part of the key: what was checked under one key says nothing of another.
    return signing.loads(session_data, salt=salt, serializer=_Payload)


class SignatureCheckedOnce:
    """For a session engine: decode() as Django's, with the signature check remembered."""

    def decode(self, session_data):
        try:
            payload = _checked_payload(session_data, self.key_salt, settings.SECRET_KEY)
            return self.serializer().loads(payload)
        except Exception:
            return super().decode(session_data)  # Django's own handling of a bad text
