import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
application = get_asgi_application()

# An ASGI server refuses unsafe settings like `egov serve` does (egov.core.checks).
from egov.core.checks import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()
