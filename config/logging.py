"""Log hygiene: secrets that can ride in a URL are cut out before a line is written."""

from __future__ import annotations

import logging
import re

# Hand-off tokens travel in a query string; a request line logged by the server would carry
# one. Sign-in must never be replayable from a log file.
SECRET_IN_QUERY = re.compile(r"(?i)\b(token=)[^&\s\"']+")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message.lower():
            record.msg = SECRET_IN_QUERY.sub(r"\1[redacted]", message)
            record.args = ()
        return True
