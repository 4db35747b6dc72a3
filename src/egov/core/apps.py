from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = "Lõi hệ thống (Core)"

    def ready(self) -> None:
        from egov.core import checks  # noqa: F401  (registers the deployment checks)

        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="egov-core-cache-table")
