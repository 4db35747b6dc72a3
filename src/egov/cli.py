"""The `egov` command: every Django management command, plus egov's own (demo, serve, worker, calendar…).

egov demo                 migrate SQLite, load the demo data, serve with a worker
egov serve | egov worker  run the web server / the background worker
egov calendar due --start "2026-02-13 16:10" --days 5
egov config               print the configuration reference
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["egov", *argv])
    args[0] = "egov"
    if args[1:2] == ["demo"]:
        from egov.demo import run

        run(port=int(os.environ.get("PORT", "8000")))
        return
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
