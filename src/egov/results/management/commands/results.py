"""`egov results sample --out docs/samples`: write the latest signed result, the CA that verifies it and
the CA's current revocation list."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core.errors import DomainError
from egov.results.samples import make_sample


class Command(BaseCommand):
    help = "Electronic results: write the sample signed result and the node's CA certificate (sample)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sample = sub.add_parser("sample", help="Write result-signed.pdf, ca.pem and crl.pem into a folder.")
        sample.add_argument("--out", default="docs/samples", help="Folder to write (default: docs/samples).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            paths = make_sample(options["out"])
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.vi}\n{exc.en}") from exc
        self.stdout.write(f"Đã ghi / written: {', '.join(str(path) for path in paths)}")
