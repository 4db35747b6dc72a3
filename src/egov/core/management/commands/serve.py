"""`egov serve`: the node under gunicorn, one control socket per server."""

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

# sun_path of a Unix socket holds 108 bytes on Linux, including the final NUL.
UNIX_SOCKET_PATH_MAX = 107


def control_socket_args(data_dir: Path, port: int) -> list[str]:
    """Gunicorn's control socket for this server: in the node's data folder, named by the port.

    Gunicorn's default (~/.gunicorn/gunicorn.ctl) is one path for every server of a user: a second
    demo on the same machine took it over, and whichever stopped first removed the other's socket.
    A data folder too deep for a Unix socket path gets none (the control socket is optional).
    """
    path = data_dir / f"gunicorn-{port}.ctl"
    if len(os.fsencode(path)) > UNIX_SOCKET_PATH_MAX:
        return ["--no-control-socket"]
    return ["--control-socket", str(path)]


class Command(BaseCommand):
    help = "Serve the node over HTTP with gunicorn (production-grade WSGI server)."

    def add_arguments(self, parser: CommandParser) -> None:
        web = settings.EGOV
        parser.add_argument("--host", default=web["WEB_HOST"])
        parser.add_argument("--port", type=int, default=web["WEB_PORT"])
        parser.add_argument("--workers", type=int, default=web["WEB_WORKERS"])
        parser.add_argument("--threads", type=int, default=web["WEB_THREADS"])

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "egov.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            *control_socket_args(Path(settings.DATA_DIR), options["port"]),
        ]
        self.stdout.write(f"egov: serving on http://{bind}/")
        os.execv(sys.executable, argv)
