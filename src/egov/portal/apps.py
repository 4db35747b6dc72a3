from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "egov.portal"
    verbose_name = _("Public service portal")

    def ready(self) -> None:
        from egov.core.periodic import register_periodic
        from egov.portal.services import expire_drafts

        register_periodic("portal.expire_drafts", 3600, expire_drafts)
