"""SMS over SMPP to a protocol-following SMSC on loopback: what the carrier receives, and its refusals."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import smpplib.consts as c

from egov.core.models import OutboxMessage
from egov.core.outbox import relay_until_idle
from egov.notifications.models import MessageTemplate, Notification
from tests.dossiers.factories import World
from tests.notifications.conftest import attempt_statuses, configure, free_port, make_due, outbox_for, receive
from tests.notifications.smsc import PASSWORD, SYSTEM_ID, Smsc

pytestmark = pytest.mark.django_db
Status = Notification.Status


def test_a_vietnamese_sms_is_one_ucs2_submit_in_a_bound_session(
    world: World, smsc: Smsc, settings: Any
) -> None:
    configure(settings, smsc=smsc)
    MessageTemplate.objects.create(
        kind="dossier.received",
        channel="sms",
        language="vi",
        version=2,
        valid_from=date(2021, 1, 1),
        body="Hồ sơ {dossier_code} đã được tiếp nhận.",  # fits in one UCS-2 SMS (70 characters)
    )
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.channel == "sms" and "đã được tiếp nhận" in notification.body
    assert smsc.binds == [(SYSTEM_ID, PASSWORD)]
    [submit] = smsc.submits
    assert submit.data_coding == c.SMPP_ENCODING_ISO10646 and submit.esm_class == 0
    assert submit.short_message.decode("utf-16-be") == notification.body
    assert (submit.destination, submit.source, submit.source_ton) == ("84912345678", "UBND-XA", 5)
    assert smsc.enquire_link_answers == 1  # the SMSC's enquire_link was answered mid-session
    assert smsc.unbinds == 1
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED
    assert "smsc-1" in notification.attempt_log.get().detail


def test_a_long_sms_goes_in_concatenated_segments_that_reassemble(
    world: World, smsc: Smsc, settings: Any
) -> None:
    configure(settings, smsc=smsc)
    MessageTemplate.objects.create(
        kind="dossier.received",
        channel="sms",
        language="vi",
        version=2,
        valid_from=date(2021, 1, 1),
        body="{agency} đã tiếp nhận hồ sơ {dossier_code} về thủ tục {procedure}. "
        "Ngày hẹn trả kết quả: {due_date}. Ông/bà tra cứu tình trạng hồ sơ trên Cổng dịch vụ công "
        "bằng mã hồ sơ và mã PIN in trên giấy tiếp nhận.",
    )
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert len(notification.body) > 2 * 67  # more than two UCS-2 segments' worth
    assert len(smsc.submits) == len(notification.body) // 67 + 1
    assert {s.esm_class for s in smsc.submits} == {c.SMPP_GSMFEAT_UDHI}
    assert {s.data_coding for s in smsc.submits} == {c.SMPP_ENCODING_ISO10646}
    assert smsc.accepted_texts() == [notification.body]


def test_a_throttled_submit_is_retried_later_and_arrives_once(
    world: World, smsc: Smsc, settings: Any
) -> None:
    configure(settings, smsc=smsc)
    smsc.statuses = [c.SMPP_ESME_RTHROTTLED]
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
    assert "0x00000058" in message.last_error
    make_due()
    relay_until_idle()
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED
    assert attempt_statuses(notification) == [Status.TEMPORARY_FAILURE, Status.DELIVERED]
    assert len(smsc.submits) == 1 + len(smsc.accepted)  # the refused submit, then the whole text again
    assert smsc.accepted_texts() == [notification.body]


def test_an_invalid_destination_is_dead_at_once_and_not_retried(
    world: World, smsc: Smsc, settings: Any
) -> None:
    configure(settings, smsc=smsc)
    smsc.statuses = [c.SMPP_ESME_RINVDSTADR]
    dossier = receive(world)
    relay_until_idle()
    make_due()
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert len(smsc.submits) == 1 and smsc.accepted == []
    assert notification.status == Status.PERMANENT_FAILURE
    assert attempt_statuses(notification) == [Status.PERMANENT_FAILURE]
    assert "Invalid Destination Address" in notification.attempt_log.get().detail
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.DEAD and message.attempts == 1


def test_a_refused_bind_is_temporary_and_sends_nothing(world: World, smsc: Smsc, settings: Any) -> None:
    configure(settings, smsc=smsc)
    settings.EGOV = {**settings.EGOV, "SMPP_PASSWORD": "wrong"}
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert smsc.binds == [(SYSTEM_ID, "wrong")] and smsc.submits == []
    assert notification.status == Status.TEMPORARY_FAILURE
    assert "bind" in outbox_for(notification).last_error
    assert outbox_for(notification).status == OutboxMessage.Status.PENDING


def test_an_smsc_that_is_down_gets_the_sms_when_it_is_back(world: World, smsc: Smsc, settings: Any) -> None:
    configure(settings, smsc=smsc)
    settings.EGOV = {**settings.EGOV, "SMPP_PORT": free_port()}
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.status == Status.TEMPORARY_FAILURE and smsc.binds == []
    settings.EGOV = {**settings.EGOV, "SMPP_PORT": smsc.port}
    make_due()
    relay_until_idle()
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED and smsc.accepted_texts() == [notification.body]


def test_a_phone_that_is_not_a_number_is_a_permanent_failure(world: World, smsc: Smsc, settings: Any) -> None:
    configure(settings, smsc=smsc)
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    Notification.objects.filter(pk=notification.pk).update(recipient="không có số")
    relay_until_idle()
    notification.refresh_from_db()
    assert notification.status == Status.PERMANENT_FAILURE and smsc.binds == []
    assert outbox_for(notification).status == OutboxMessage.Status.DEAD
