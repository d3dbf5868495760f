"""Log hygiene: secrets that can ride in a URL are cut out before a line is written."""

from __future__ import annotations

import logging
import re

# Authorization codes and ID tokens travel in query strings (the callback, the directory's
# end-session request); a request line logged by the server would carry one. Sign-in must
# never be replayable from a log file.
SECRET_IN_QUERY = re.compile(r"(?i)\b((?:code|token|id_token_hint)=)[^&\s\"']+")
SECRET_NAMES = ("code=", "token=")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        lowered = message.lower()
        if any(name in lowered for name in SECRET_NAMES):
            record.msg = SECRET_IN_QUERY.sub(r"\1[redacted]", message)
            record.args = ()
        return True
