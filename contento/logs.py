"""Structured logging: one JSON object a line, with any `extra=` fields kept, and no secrets.

Customers reach their ticket, their rating and their personal survey through signed links
(`django.core.signing`: payload, timestamp and signature joined by colons). Whoever reads a
log must not be able to open them, so every log line, the web server's access log included,
passes through `redact` on its way out: a signed value anywhere in it, in a path, a query or a
referrer, becomes "[redacted]".
"""

import json
import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# A value made by django.core.signing: `<payload>:<timestamp>:<signature>`, the colons maybe
# percent-encoded; the signature is 43 URL-safe base64 characters (HMAC-SHA256).
_SIGNED = re.compile(
    r"[A-Za-z0-9_\-.]{4,}(?::|%3[Aa])[0-9A-Za-z]{4,}(?::|%3[Aa])[A-Za-z0-9_\-]{27,}"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """Return `text` with every signed link token in it replaced by "[redacted]"."""
    return _SIGNED.sub(REDACTED, text)


class JsonFormatter(logging.Formatter):
    """Format a record as JSON with its time, level, logger, message and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(payload, default=str, ensure_ascii=False))


class PlainFormatter(logging.Formatter):
    """Readable lines for development, redacted like the JSON ones."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class AccessLogger(GunicornLogger):
    """Gunicorn's logger with every access-log field redacted (request line, referrer...)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
