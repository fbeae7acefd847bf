"""WSGI entry point: `gunicorn contento.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.umask(0o077)  # files this process creates are its user's only (see contento.cli)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contento.settings")
application = get_wsgi_application()
