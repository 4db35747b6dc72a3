"""Notifications planned with the dossier event and delivered through the outbox to real loopback peers."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from egov.core.models import Event, OutboxMessage
from egov.core.outbox import relay_until_idle
from egov.dossiers import services as dossiers
from egov.notifications import services
from egov.notifications.models import DeliveryAttempt, MessageTemplate, Notification
from egov.notifications.outbox_handlers import deliver_notification
from egov.notifications.rendering import format_vnd
from tests.dossiers.factories import World
from tests.notifications.conftest import (
    APPLICANT,
    REFUSED,
    SMS_TOKEN,
    Mailbox,
    Receiver,
    attempt_statuses,
    configure,
    free_port,
    make_due,
    outbox_for,
    receive,
    start_receiver,
)
from tests.notifications.zalo_server import TEMPLATE_ID, ZaloServer

pytestmark = pytest.mark.django_db
Status = Notification.Status


def test_after_a_reorganisation_the_email_names_the_agency_that_received_the_dossier(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    """Submitted to a department that closed before its desk received it: the successor received it."""
    from tests.catalog.test_reorganised_dossiers import merge_department

    mailbox, port = smtp
    configure(settings, smtp_port=port)
    waiting = world.create(applicant=dict(APPLICANT)).dossier
    successor = merge_department(world, effective=timezone.localdate().isoformat())
    dossier = dossiers.receive_dossier(world.desk, waiting)
    relay_until_idle()

    body = mailbox.messages[-1].get_content()
    assert f"{successor.name} đã tiếp nhận hồ sơ {dossier.code}" in body
    assert world.department.name not in body


def test_the_receipt_email_arrives_in_vietnamese_utf8(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    mailbox, port = smtp
    configure(settings, smtp_port=port)
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    assert (notification.channel, notification.language, notification.status) == (
        "email",
        "vi",
        Status.PENDING,
    )
    relay_until_idle()
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    # Django folds the long encoded header; the parser keeps the folding space in front.
    assert mail["Subject"].strip() == f"Tiếp nhận hồ sơ {dossier.code}"
    assert mail["To"] == "an@example.vn"
    assert "mot-cua@example.vn" in mail["From"]
    assert mail.get_content_charset() == "utf-8"
    body = mail.get_content()
    due = timezone.localtime(dossier.due_at).strftime("%d/%m/%Y")
    assert "Kính gửi Nguyễn Văn An" in body
    assert f"{world.department.name} đã tiếp nhận hồ sơ {dossier.code}" in body
    assert "Đăng ký khai sinh" in body and f"Ngày hẹn trả kết quả: {due}." in body
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED and notification.delivered_at is not None
    assert attempt_statuses(notification) == [Status.DELIVERED]


def test_a_refused_recipient_is_a_permanent_failure(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    mailbox, port = smtp
    configure(settings, smtp_port=port)
    dossier = receive(world, {**APPLICANT, "email": REFUSED})
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.status == Status.PERMANENT_FAILURE
    assert outbox_for(notification).status == OutboxMessage.Status.DEAD
    assert mailbox.messages == []


def test_the_sms_carries_the_bearer_token_and_idempotency_key(
    world: World, sms: Receiver, settings: Any
) -> None:
    configure(settings, sms_url=sms.url)
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.channel == "sms" and notification.recipient == "0912345678"
    [request] = sms.requests
    assert request.headers["authorization"] == f"Bearer {SMS_TOKEN}"
    assert request.headers["idempotency-key"] == f"notification:{notification.pk}"
    assert request.body == {"to": "0912345678", "text": notification.body, "id": notification.pk}
    assert dossier.code in request.body["text"] and "đã tiếp nhận hồ sơ" in request.body["text"]
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED


def test_every_configured_channel_gets_its_own_notification(
    world: World, smtp: tuple[Mailbox, int], sms: Receiver, zalo: ZaloServer, settings: Any
) -> None:
    mailbox, port = smtp
    zalo.templates[TEMPLATE_ID] = {"dossier_code", "due_date"}
    configure(settings, smtp_port=port, sms_url=sms.url, zalo=zalo)
    dossier = receive(world)
    assert sorted(Notification.objects.filter(dossier=dossier).values_list("channel", flat=True)) == [
        "email",
        "sms",
        "zalo",
    ]
    relay_until_idle()
    assert len(mailbox.messages) == 1 and len(sms.accepted) == 1 and len(zalo.accepted) == 1
    assert not Notification.objects.exclude(status=Status.DELIVERED).exists()


def test_server_errors_are_retried_and_exactly_one_sms_is_accepted(
    world: World, sms: Receiver, settings: Any
) -> None:
    configure(settings, sms_url=sms.url)
    sms.script = [503, 503]
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    for _ in range(3):
        relay_until_idle()
        make_due()
    relay_until_idle()
    assert len(sms.requests) == 3 and len(sms.accepted) == 1
    assert {r.headers["idempotency-key"] for r in sms.requests} == {f"notification:{notification.pk}"}
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED and notification.attempts == 3
    assert attempt_statuses(notification) == [
        Status.TEMPORARY_FAILURE,
        Status.TEMPORARY_FAILURE,
        Status.DELIVERED,
    ]
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.DELIVERED and message.attempts == 3


def test_a_receiver_that_is_down_gets_the_sms_when_it_comes_back(world: World, settings: Any) -> None:
    port = free_port()
    configure(settings, sms_url=f"http://127.0.0.1:{port}/sms")
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    relay_until_idle()
    notification.refresh_from_db()
    assert notification.status == Status.TEMPORARY_FAILURE
    assert outbox_for(notification).status == OutboxMessage.Status.PENDING
    receiver = start_receiver(port)
    try:
        make_due()
        relay_until_idle()
        make_due()
        relay_until_idle()
        assert len(receiver.accepted) == 1
    finally:
        receiver.stop()
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED
    assert attempt_statuses(notification) == [Status.TEMPORARY_FAILURE, Status.DELIVERED]


def test_a_replayed_outbox_message_does_not_send_twice(world: World, sms: Receiver, settings: Any) -> None:
    configure(settings, sms_url=sms.url)
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    message = outbox_for(notification)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now()
    )
    relay_until_idle()
    deliver_notification(message)
    assert len(sms.requests) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1 and attempt_statuses(notification) == [Status.DELIVERED]


def test_a_client_error_is_permanent_and_not_retried(world: World, sms: Receiver, settings: Any) -> None:
    configure(settings, sms_url=sms.url)
    sms.status = 400
    dossier = receive(world)
    relay_until_idle()
    make_due()
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert len(sms.requests) == 1
    assert notification.status == Status.PERMANENT_FAILURE
    assert attempt_statuses(notification) == [Status.PERMANENT_FAILURE]
    assert "HTTP 400" in notification.attempt_log.get().detail
    assert outbox_for(notification).status == OutboxMessage.Status.DEAD


def test_planning_shares_the_transaction_of_the_state_change(
    world: World, sms: Receiver, settings: Any
) -> None:
    configure(settings, sms_url=sms.url)
    created = world.create(applicant=dict(APPLICANT)).dossier
    with pytest.raises(RuntimeError), transaction.atomic():
        dossiers.receive_dossier(world.desk, created)
        assert Notification.objects.count() == 1
        raise RuntimeError("the caller fails after the service")
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.filter(topic="notification.deliver").exists()
    created.refresh_from_db()
    assert created.status == "submitted" or created.received_at is None


def test_nothing_is_planned_without_email_or_phone(
    world: World, smtp: tuple[Mailbox, int], sms: Receiver, zalo: ZaloServer, settings: Any
) -> None:
    configure(settings, smtp_port=smtp[1], sms_url=sms.url, zalo=zalo)
    dossier = receive(world, {"name": "Trần Thị Bình"}, channel="counter")
    assert dossier.email == "" and dossier.phone == ""
    assert not Notification.objects.exists()


def test_nothing_is_planned_for_channels_that_are_not_configured(world: World, settings: Any) -> None:
    configure(settings)
    receive(world)
    assert not Notification.objects.exists()


def test_an_unknown_placeholder_skips_the_notification_not_the_state_change(
    world: World, sms: Receiver, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    configure(settings, sms_url=sms.url)
    MessageTemplate.objects.create(
        kind="dossier.received",
        channel="sms",
        language="vi",
        version=2,
        valid_from=date(2021, 1, 1),
        body="Hồ sơ {dossier_code} {unknown_field}",
    )
    with caplog.at_level(logging.WARNING, logger="egov.notifications"):
        dossier = receive(world)
    assert dossier.received_at is not None
    assert Event.objects.filter(kind="dossier.received", aggregate_id=dossier.code).exists()
    assert not Notification.objects.exists()
    assert "unknown_field" in caplog.text


def test_a_missing_template_is_logged_and_skipped(
    world: World, sms: Receiver, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    configure(settings, sms_url=sms.url)
    MessageTemplate.objects.filter(kind="dossier.received", channel="sms").delete()
    with caplog.at_level(logging.WARNING, logger="egov.notifications"):
        dossier = receive(world)
    assert dossier.received_at is not None and not Notification.objects.exists()
    assert "no sms template for dossier.received" in caplog.text


def test_the_template_in_force_is_the_latest_valid_version(
    world: World, sms: Receiver, settings: Any
) -> None:
    configure(settings, sms_url=sms.url)
    common = {"kind": "dossier.received", "channel": "sms", "language": "vi"}
    MessageTemplate.objects.create(**common, version=2, valid_from=date(2022, 1, 1), body="v2 {dossier_code}")
    MessageTemplate.objects.create(**common, version=3, valid_from=date(2999, 1, 1), body="v3 {dossier_code}")
    dossier = receive(world)
    assert Notification.objects.get().body == f"v2 {dossier.code}"


def test_a_payment_request_shows_the_amount_in_dong(world: World, sms: Receiver, settings: Any) -> None:
    configure(settings, sms_url=sms.url)
    dossier = world.at_step(2, applicant=dict(APPLICANT))
    dossiers.request_financial_obligation(
        world.specialist, dossier, content="Lệ phí đăng ký", amount=1_000_000
    )
    notification = Notification.objects.filter(event__kind="dossier.financial_obligation_requested").get()
    assert "1.000.000 đ" in notification.body and "Lệ phí đăng ký" in notification.body
    assert format_vnd(50000) == "50.000 đ"


def test_resend_creates_a_new_notification_and_sends_it_again(
    world: World, sms: Receiver, settings: Any
) -> None:
    configure(settings, sms_url=sms.url)
    dossier = receive(world)
    relay_until_idle()
    original = Notification.objects.get(dossier=dossier)
    copy = services.resend(original, world.desk)
    assert copy.pk != original.pk and copy.body == original.body and copy.status == Status.PENDING
    event = Event.objects.get(kind="notification.resent")
    assert event.aggregate_id == dossier.code and event.data["resend"] == copy.pk
    relay_until_idle()
    assert [r.headers["idempotency-key"] for r in sms.accepted] == [
        f"notification:{original.pk}",
        f"notification:{copy.pk}",
    ]
    assert DeliveryAttempt.objects.filter(notification=copy, status=Status.DELIVERED).count() == 1
