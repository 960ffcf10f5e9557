import os
from importlib import import_module

from django.conf import settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
application = get_wsgi_application()
# refuses to serve an unconfigured production (kernel.E002; the other deployment checks are for `check --deploy`)
call_command("check", "--deploy", "--tag", "production", "--fail-level", "ERROR")
# every view is imported as the worker starts, not during its first request (about 0.6 s at city scale)
import_module(settings.ROOT_URLCONF)
