from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "egov.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from egov.notifications import checks  # noqa: F401  (registers the channel checks)
