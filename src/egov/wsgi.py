import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
application = get_wsgi_application()

# A server started without `egov serve` (gunicorn egov.wsgi) refuses unsafe settings too.
from egov.core.checks import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()
