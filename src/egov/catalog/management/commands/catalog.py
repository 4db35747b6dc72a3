"""`egov catalog export|import|reorganise`: move procedures between nodes as a JSON bundle, apply a
reorganisation plan (agencies closed, successors, procedures re-homed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.catalog import bundle, reorganisation, services
from egov.catalog.services_reorganisation import reorganise
from egov.core.errors import DomainError


class Command(BaseCommand):
    help = "Export the catalogue to a JSON bundle, or import one (with --dry-run to see the diff only)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write a bundle.")
        export.add_argument("--out", required=True, help="File to write ('-' for standard output).")
        export.add_argument("--procedure", action="append", default=[], help="Procedure code (repeatable).")
        load = sub.add_parser("import", help="Read a bundle and apply it in one transaction.")
        load.add_argument("file", help="Bundle file.")
        load.add_argument("--dry-run", action="store_true", help="Print the diff and change nothing.")
        load.add_argument("--json", action="store_true", help="Print the diff as JSON.")
        plan = sub.add_parser("reorganise", help="Apply a reorganisation plan in one transaction.")
        plan.add_argument("file", help="Plan file (format egov-reorganisation).")
        plan.add_argument(
            "--dry-run", action="store_true", help="Print what would change and change nothing."
        )
        plan.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "export":
                self._export(options["out"], options["procedure"])
            elif options["action"] == "reorganise":
                self._reorganise(Path(options["file"]), options["dry_run"], options["json"])
            else:
                self._import(Path(options["file"]), options["dry_run"], options["json"])
        except DomainError as exc:
            detail = f"\n{json.dumps(exc.detail, ensure_ascii=False, indent=2)}" if exc.detail else ""
            raise CommandError(f"[{exc.code}] {exc.vi}\n{exc.en}{detail}") from exc

    def _export(self, out: str, codes: list[str]) -> None:
        text = bundle.dump_bundle(bundle.export_bundle(codes or None))
        if out == "-":
            self.stdout.write(text, ending="")
            return
        Path(out).write_text(text, encoding="utf-8")
        self.stdout.write(f"Đã xuất / exported: {out}")

    def _read(self, path: Path) -> bytes:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp / cannot read the file: {path} ({exc.strerror})") from exc
        bundle.check_size(size)
        return path.read_bytes()

    def _import(self, path: Path, dry_run: bool, as_json: bool) -> None:
        data = bundle.parse_bundle(self._read(path))
        diff = bundle.diff_bundle(data) if dry_run else services.import_bundle(data)
        if as_json:
            self.stdout.write(json.dumps(diff.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(diff.render())
        if dry_run:
            self.stdout.write("Chạy thử: không thay đổi dữ liệu / dry run: nothing was changed.")
        else:
            self.stdout.write("Đã nhập / imported.")

    def _reorganise(self, path: Path, dry_run: bool, as_json: bool) -> None:
        plan = reorganisation.parse_plan(self._read(path))
        report = reorganise(plan, dry_run=dry_run)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report.render())
        if dry_run:
            self.stdout.write("Chạy thử: không thay đổi dữ liệu / dry run: nothing was changed.")
        elif report.changed:
            self.stdout.write("Đã áp dụng / applied.")
        else:
            self.stdout.write("Không có gì thay đổi / nothing to change.")
