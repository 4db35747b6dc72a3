"""The `egov` command: every Django management command, plus egov's own (demo, serve, worker, calendar…).

egov demo                 migrate SQLite, load the demo data, serve with a worker (a demo node: EGOV_DEMO)
egov serve | egov worker  run the web server / the background worker
egov calendar due --start "2026-02-13 16:10" --days 5
egov config               print the configuration reference

Commands that serve or change data refuse to start outside demo mode while a default secret or the
payment sandbox is configured (egov.core.checks): the message says which variable to set.
"""

from __future__ import annotations

import os
import sys

# Commands that start a node or change its data: they refuse unsafe settings (egov.core.checks).
START_COMMANDS = frozenset({"serve", "worker", "migrate", "runserver"})


def refuse_unsafe_start() -> None:
    """Exit with status 2 (the reasons on stderr) when the node is not safe to start."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    django.setup()
    from egov.core.checks import refuse_unsafe_start as refuse

    try:
        refuse()
    except ImproperlyConfigured:
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> None:
    from egov.conf import SettingError

    try:
        run_command(argv)
    except SettingError as exc:
        # A set-up mistake, not a bug: say what to set, in both languages, without a traceback.
        sys.stderr.write(f"{exc}\n")
        raise SystemExit(2) from None


def run_command(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["egov", *argv])
    args[0] = "egov"
    if args[1:2] == ["demo"]:
        # Before the settings load: the demo runs with its published secrets and the payment sandbox.
        os.environ["EGOV_DEMO"] = "true"
        from egov.conf import read_int
        from egov.demo import run

        run(port=read_int("PORT", os.environ.get("PORT", "8000")))
        return
    if args[1:2] and args[1] in START_COMMANDS:
        refuse_unsafe_start()
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
