"""The `contento` command: Django's manage.py for an installed Contento."""

import os
import sys


def main() -> None:
    """Run a Contento management command (`contento migrate`, `contento demo`, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contento.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
