"""Real peers on loopback: an aiosmtpd SMTP server, an HTTP SMS gateway, an SMSC (SMPP), Zalo (ZNS)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from egov.core.calendar import reset_calendar_cache
from egov.core.models import OutboxMessage
from egov.dossiers import services as dossiers
from egov.dossiers.models import Dossier
from egov.notifications.models import Notification
from tests.dossiers.factories import World, build_world
from tests.notifications import smsc as test_smsc
from tests.notifications import zalo_server

SMS_TOKEN = "sms-secret-token"
REFUSED = "refused@example.vn"
APPLICANT = {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn"}


def free_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # the DATA exactly as the server received it
    envelopes: list[list[str]] = field(default_factory=list)  # RCPT TO addresses of each message
    refused: list[bytes] = field(default_factory=list)  # DATA the server received and refused
    refuse_data: str = ""  # e.g. "554 5.7.1 rejected": the server refuses every message
    stall_seconds: float = 0.0  # store the message, then wait this long before answering

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == REFUSED:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            self.refused.append(envelope.original_content)
            return self.refuse_data
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.raw.append(envelope.original_content)
        self.envelopes.append(list(envelope.rcpt_tos))
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
        return "250 Message accepted"


def start_smtp(mailbox: Mailbox, port: int) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ready_timeout=5)
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = start_smtp(mailbox, port)
    try:
        yield mailbox, port
    finally:
        controller.stop()


@dataclass
class Request:
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    """Records every POST; answers with the next status of `script`, then with `status`."""

    server: ThreadingHTTPServer
    status: int = 200
    script: list[int] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    accepted: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/sms"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_receiver(port: int = 0) -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = Request({k.lower(): v for k, v in self.headers.items()}, json.loads(raw))
            with receiver.lock:
                status = receiver.script.pop(0) if receiver.script else receiver.status
                receiver.requests.append(request)
                if status < 300:
                    receiver.accepted.append(request)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.timeout = 5
    receiver = Receiver(server=server)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return receiver


@pytest.fixture
def sms() -> Iterator[Receiver]:
    receiver = start_receiver()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture
def world(db: None) -> World:
    reset_calendar_cache()
    return build_world()


@pytest.fixture
def smsc() -> Iterator[test_smsc.Smsc]:
    yield from test_smsc.running_smsc()


@pytest.fixture
def zalo() -> Iterator[zalo_server.ZaloServer]:
    yield from zalo_server.running_zalo()


def configure(
    settings: Any,
    *,
    smtp_port: int | None = None,
    sms_url: str = "",
    smsc: test_smsc.Smsc | None = None,
    zalo: zalo_server.ZaloServer | None = None,
    zalo_templates: str = "dossier.received=" + zalo_server.TEMPLATE_ID,
) -> None:
    """Turn on the channels given (each off otherwise), pointed at the loopback peers."""
    settings.EMAIL_HOST = "127.0.0.1" if smtp_port else ""
    settings.EMAIL_PORT = smtp_port or 25
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "Một cửa <mot-cua@example.vn>"
    settings.EGOV = {
        **settings.EGOV,
        "SMS_PROTOCOL": "smpp" if smsc else "http",
        "SMS_URL": sms_url,
        "SMS_TOKEN": SMS_TOKEN,
        "SMPP_HOST": "127.0.0.1" if smsc else "",
        "SMPP_PORT": smsc.port if smsc else 2775,
        "SMPP_SYSTEM_ID": test_smsc.SYSTEM_ID,
        "SMPP_PASSWORD": test_smsc.PASSWORD,
        "SMPP_SOURCE_ADDR": "UBND-XA",
        "ZALO_APP_ID": zalo_server.APP_ID if zalo else "",
        "ZALO_SECRET": zalo_server.APP_SECRET,
        "ZALO_REFRESH_TOKEN": zalo_server.FIRST_REFRESH_TOKEN,
        "ZALO_TEMPLATES": [item for item in zalo_templates.split(",") if item],
        "ZALO_OAUTH_URL": f"{zalo.base}/v4/oa/access_token" if zalo else "",
        "ZALO_ZNS_URL": f"{zalo.base}/message/template" if zalo else "",
        "WEBHOOK_URLS": [],
    }


def make_due() -> None:
    """Instead of sleeping through the back-off: every pending outbox row is due now."""
    OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).update(next_attempt_at=timezone.now())


def receive(world: World, applicant: dict[str, str] | None = None, channel: str = "online") -> Dossier:
    created = world.create(channel=channel, applicant=applicant or dict(APPLICANT))
    return dossiers.receive_dossier(world.desk, created.dossier)


def outbox_for(notification: Notification) -> OutboxMessage:
    return OutboxMessage.objects.get(key=f"notification:{notification.pk}")


def attempt_statuses(notification: Notification) -> list[str]:
    return list(notification.attempt_log.order_by("id").values_list("status", flat=True))
