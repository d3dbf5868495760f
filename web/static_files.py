"""The static files as production serves them: hashed, compressed, each URL worked out once.

Every page asks for the URLs of its stylesheets and scripts (the support console's list for
eight or more), and the manifest storage works each one out anew: more than 10 µs a file.
The manifest is read when the process starts and does not change while it runs, so each
answer is kept for the life of the storage (Django makes a new one if a setting changes).
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name, force: bool = False) -> str:
        if force:
            return super().url(name, force=True)
        key = (name, settings.DEBUG)  # debug serves the names as written
        found = self._urls.get(key)
        if found is None:
            found = self._urls[key] = super().url(name)
        return found
