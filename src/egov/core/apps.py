from typing import Any

import django_tasks_db.apps as tasks_db_apps
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("System core")

    def ready(self) -> None:
        import egov.core.checks  # noqa: F401  (registers the deployment checks)
        from egov.core import reactions

        reactions.autodiscover()  # every app's flows.py declares how it reacts to the others
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="egov-core-cache-table")


class TasksDatabaseConfig(tasks_db_apps.TasksAppConfig):
    """django_tasks_db with a translatable admin name (the package writes a plain English string).

    Listed in INSTALLED_APPS as "egov.core.apps.TasksDatabaseConfig" instead of "django_tasks_db".
    """

    default = False
    verbose_name = _("Tasks Database Backend")  # type: ignore[assignment]
