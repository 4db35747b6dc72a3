"""The demo's mailbox: a real SMTP server on loopback that keeps each message as an .eml file."""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

from egov.demo_mail import mailbox, start_mailbox


def _wait_for(folder: Path, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(list(folder.glob("*.eml"))) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_mail_with_attachment_is_kept_as_eml(tmp_path: Path) -> None:
    controller = start_mailbox(tmp_path / "mail", quiet=True)
    try:
        message = EmailMessage()
        message["From"] = "egov@example.vn"
        message["To"] = "an.nguyen@example.vn"
        message["Subject"] = "Kết quả hồ sơ đã sẵn sàng"
        message.set_content("Xin chào")
        message.add_attachment(
            b"%PDF-1.7 test", maintype="application", subtype="pdf", filename="ket-qua.pdf"
        )
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=5) as smtp:
            smtp.send_message(message)
        _wait_for(tmp_path / "mail", 1)
    finally:
        controller.stop()
    [kept] = mailbox(tmp_path / "mail")
    assert kept.to == "an.nguyen@example.vn"
    assert kept.subject == "Kết quả hồ sơ đã sẵn sàng"
    assert kept.attachments == ("ket-qua.pdf",)


def test_empty_mailbox_lists_nothing(tmp_path: Path) -> None:
    assert mailbox(tmp_path) == []
