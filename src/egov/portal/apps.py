from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "egov.portal"
    verbose_name = "Cổng dịch vụ công"

    def ready(self) -> None:
        from egov.core.periodic import register_periodic
        from egov.portal.services import expire_drafts

        register_periodic("portal.expire_drafts", 3600, expire_drafts)
