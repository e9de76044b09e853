import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
application = get_wsgi_application()
# Refuse to serve at all without a secret key rather than fail on the first login.
if not settings.SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (see docs/operations.md).")
