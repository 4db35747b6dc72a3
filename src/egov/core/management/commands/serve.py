"""`egov serve`: the node under gunicorn, one control socket per server."""

import os
import socket
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from egov.conf import SettingError

# sun_path of a Unix socket holds 108 bytes on Linux, including the final NUL.
UNIX_SOCKET_PATH_MAX = 107


class PortInUse(SettingError):
    """Another program (often another demo or node) listens on the address, or it is not this machine's."""

    code = "port_in_use"

    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"Không thể nhận kết nối tại {host}:{port}: cổng đang được một chương trình khác dùng (có thể là "
            f"một bản demo khác) hoặc địa chỉ không thuộc máy này. Chọn cổng khác, ví dụ PORT={port + 1}.",
            f"Cannot listen on {host}:{port}: another program (perhaps another demo) uses the port, or the "
            f"address is not this machine's. Choose another port, e.g. PORT={port + 1}.",
            detail={"host": host, "port": port},
        )


def ensure_port_free(host: str, port: int) -> None:
    """Refuse before starting anything when `host:port` cannot be listened on (as gunicorn would bind:
    a socket of a server that just stopped does not count, one that listens does)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except (OSError, OverflowError) as exc:
            raise PortInUse(host, port) from exc


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
        ensure_port_free(options["host"], options["port"])
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
