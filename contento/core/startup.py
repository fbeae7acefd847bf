"""What the long-running commands (`serve`, `worker`, `mailserver`) say when they start."""

import logging

from django.conf import settings

log = logging.getLogger("contento.startup")

CONSOLE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def start_up_warnings() -> list[str]:
    """Return what an operator must hear about this configuration before it serves anyone."""
    warnings = []
    if not settings.DEBUG and settings.EMAIL_BACKEND in CONSOLE_BACKENDS:
        warnings.append(
            "Mail is written to the log, not sent (EMAIL_BACKEND is "
            f"{settings.EMAIL_BACKEND}): customers receive nothing, and their addresses and "
            "personal links end up in the log. In production set EMAIL_BACKEND to "
            "django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST (see .env.example)."
        )
    return warnings


def warn_at_start() -> None:
    """Log each start-up warning (the log goes to the console the command writes to)."""
    for warning in start_up_warnings():
        log.warning(warning)
