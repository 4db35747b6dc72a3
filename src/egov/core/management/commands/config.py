from typing import Any

from django.core.management.base import BaseCommand

from egov.conf import reference_markdown


class Command(BaseCommand):
    help = "Print the configuration reference (every EGOV_* environment variable) as Markdown."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(reference_markdown(), ending="")
