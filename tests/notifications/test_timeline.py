"""Notifications as the timelines show them: masked address, plain words, status, attempts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from egov.core.outbox import relay_until_idle
from egov.notifications.selectors import mask_recipient, notifications_for
from tests.backoffice.conftest import signed_in
from tests.dossiers.factories import World
from tests.notifications.conftest import Mailbox, Receiver, configure, receive

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("an@example.vn", "a***@example.vn"),
        ("nguyen.van.an@mail.gov.vn", "n***@mail.gov.vn"),
        ("0912345678", "09*****678"),
        ("+84912345678", "+8*******678"),
        ("113", "***"),
        ("", ""),
    ],
)
def test_addresses_are_masked(address: str, masked: str) -> None:
    assert mask_recipient(address) == masked


def test_rows_carry_latest_status_attempts_and_plain_words(
    world: World, smtp: tuple[Mailbox, int], sms: Receiver, settings: Any
) -> None:
    configure(settings, smtp_port=smtp[1], sms_url=sms.url)
    sms.script = [503]
    dossier = receive(world)
    relay_until_idle()
    with translation.override("vi"):
        email, text = notifications_for(dossier)
    assert (email.channel_label, email.recipient, email.status_label) == (
        "thư điện tử",
        "a***@example.vn",
        "Đã gửi",
    )
    assert email.kind_label == "Tiếp nhận hồ sơ, hẹn trả kết quả" and email.attempts == 1
    assert (text.recipient, text.status, text.attempts) == ("09*****678", "temporary_failure", 1)
    assert "HTTP 503" in text.last_detail and not text.resendable and email.resendable
    with translation.override("en"):
        assert notifications_for(dossier)[1].status_label == "Temporary failure, will retry"


def test_the_applicant_sees_sent_emails_on_the_portal_timeline(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    configure(settings, smtp_port=smtp[1])
    dossier = receive(world)
    client = signed_in(world.citizen, second_factor=False)
    url = reverse("portal:my_dossier", args=[dossier.code])
    assert "Đã gửi thư điện tử" not in client.get(url).content.decode()  # planned, not sent yet
    relay_until_idle()
    html = client.get(url).content.decode()
    assert "Đã gửi thư điện tử: Tiếp nhận hồ sơ, hẹn trả kết quả" in html
    assert "tới a***@example.vn" in html and "an@example.vn" not in html.split("Đã gửi thư")[1]
    english = Client()
    english.force_login(world.citizen)
    english.cookies["egov_language"] = "en"
    assert "Email sent: Dossier received, appointment" in english.get(url).content.decode()
