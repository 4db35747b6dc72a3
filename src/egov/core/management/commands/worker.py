from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker: tasks (outbox relay, …) from the database queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Process what is queued, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--batch"] if options["once"] else []
        call_command("db_worker", "--queue-name", "*", *extra)
