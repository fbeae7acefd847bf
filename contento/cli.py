"""The `contento` command: Django's manage.py for an installed Contento."""

import os
import sys


def main() -> None:
    """Run a Contento management command (`contento migrate`, `contento demo`, ...)."""
    # The database, inbound mail, attachments and keys hold personal data: whatever this
    # process creates is for its own user only (files 0600, folders 0700).
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contento.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
