"""The demo's mailbox: a real SMTP server on loopback that keeps every message as an .eml file.

`egov demo` starts it and points the worker's SMTP settings at it, so the notification email (with
the signed result attached) can be opened in any mail client. Never used outside the demo.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import logging
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class StoredMail:
    path: Path
    to: str
    subject: str
    attachments: tuple[str, ...]


class _Keep:
    """aiosmtpd handler: write each message to the folder, print one line about it."""

    def __init__(self, folder: Path, quiet: bool) -> None:
        self.folder = folder
        self.quiet = quiet
        self.counter = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self.counter):04d}.eml"
        path = self.folder / name
        path.write_bytes(envelope.original_content or envelope.content)
        if not self.quiet:
            mail = read_mail(path)
            extra = f" + {', '.join(mail.attachments)}" if mail.attachments else ""
            print(f"  ✉ {mail.to}: {mail.subject}{extra}  ({path})", flush=True)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_mailbox(folder: Path, port: int = 0, *, quiet: bool = False) -> Controller:
    """Start the SMTP server on 127.0.0.1 (a free port unless given); stop it with `.stop()`."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_Keep(folder, quiet), hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller


def read_mail(path: Path) -> StoredMail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    names = tuple(part.get_filename() or "" for part in message.iter_attachments())
    return StoredMail(path, str(message["To"] or "").strip(), str(message["Subject"] or "").strip(), names)


def mailbox(folder: Path) -> list[StoredMail]:
    """The stored messages, oldest first."""
    return [read_mail(path) for path in sorted(folder.glob("*.eml"))]
