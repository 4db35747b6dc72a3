"""Shared fixtures for the core tests: a fresh calendar cache, a real HTTP receiver on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import connection

from egov.core.calendar import reset_calendar_cache


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    """Overrides written by one test are rolled back; make sure no cached calendar outlives them."""
    reset_calendar_cache()
    yield
    reset_calendar_cache()


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver that records every POST and answers with a chosen status."""

    server: ThreadingHTTPServer
    status: int = 200
    delay: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    accepted_keys: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/egov"

    def keys(self) -> list[str]:
        return [d.headers["idempotency-key"] for d in self.deliveries]


def start_receiver(port: int = 0) -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if receiver.delay:
                time.sleep(receiver.delay)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.deliveries.append(Delivery(self.path, headers, body))
                if receiver.status < 300:
                    receiver.accepted_keys.add(headers.get("idempotency-key", ""))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    receiver = Receiver(server=server)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = start_receiver()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


def closed_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """URL of the test database, for a real `egov` subprocess (PostgreSQL only)."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
