"""Zalo ZNS against a local server that follows Zalo's OAuth and template-message API."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from egov.core.models import OutboxMessage
from egov.core.outbox import relay_until_idle
from egov.notifications import zalo as zns
from egov.notifications.models import Notification, ZaloToken
from tests.dossiers.factories import World
from tests.notifications.conftest import (
    APPLICANT,
    attempt_statuses,
    configure,
    make_due,
    outbox_for,
    receive,
)
from tests.notifications.zalo_server import FIRST_REFRESH_TOKEN, TEMPLATE_ID, ZaloServer

Status = Notification.Status
PARAMETERS = {"agency", "dossier_code", "due_date", "procedure"}  # what the seeded Zalo text names


@pytest.fixture
def approved(zalo: ZaloServer) -> ZaloServer:
    zalo.templates[TEMPLATE_ID] = set(PARAMETERS)
    return zalo


@pytest.mark.django_db
def test_a_receipt_is_sent_as_the_approved_template_with_its_data(
    world: World, approved: ZaloServer, settings: Any
) -> None:
    configure(settings, zalo=approved)
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    assert notification.channel == "zalo" and set(notification.data) == PARAMETERS
    relay_until_idle()
    [sent] = approved.accepted
    assert sent["phone"] == "84912345678" and sent["template_id"] == TEMPLATE_ID
    assert sent["template_data"]["dossier_code"] == dossier.code
    assert sent["template_data"]["agency"] == world.department.name
    assert sent["tracking_id"] == f"notification-{notification.pk}"
    assert [r["refresh_token"] for r in approved.refreshes] == [FIRST_REFRESH_TOKEN]
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED
    assert notification.attempt_log.get().detail.startswith("ZNS msg_id: ")


@pytest.mark.django_db
def test_tokens_are_kept_encrypted_and_the_rotated_refresh_token_is_used_next(
    world: World, approved: ZaloServer, settings: Any
) -> None:
    configure(settings, zalo=approved)
    receive(world)
    relay_until_idle()
    rotated = approved.refresh_token  # Zalo gave a new refresh token; the first one is spent
    row = ZaloToken.objects.get()
    assert rotated not in row.refresh_token and FIRST_REFRESH_TOKEN not in row.refresh_token
    assert not any(token in row.access_token for token in approved.access_tokens)

    approved.expire_access_tokens()
    second = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=second)
    assert notification.status == Status.DELIVERED and notification.attempts == 1
    assert [r["refresh_token"] for r in approved.refreshes] == [FIRST_REFRESH_TOKEN, rotated]
    used = [r["access_token"] for r in approved.requests]  # first, refused after expiry, fresh
    assert used[0] == used[1] != used[2] and used[2] in approved.access_tokens
    assert len(approved.accepted) == 2


@pytest.mark.django_db
def test_an_unknown_template_is_given_up_at_once(world: World, zalo: ZaloServer, settings: Any) -> None:
    configure(settings, zalo=zalo, zalo_templates="dossier.received=999999")
    dossier = receive(world)
    relay_until_idle()
    make_due()
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.status == Status.PERMANENT_FAILURE
    assert attempt_statuses(notification) == [Status.PERMANENT_FAILURE]
    assert "ZNS -109" in notification.attempt_log.get().detail
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.DEAD and message.attempts == 1
    assert len(zalo.requests) == 1


@pytest.mark.django_db
def test_template_data_missing_a_parameter_is_permanent(
    world: World, zalo: ZaloServer, settings: Any
) -> None:
    zalo.templates[TEMPLATE_ID] = {*PARAMETERS, "pin"}
    configure(settings, zalo=zalo)
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert (
        notification.status == Status.PERMANENT_FAILURE and "ZNS -112" in outbox_for(notification).last_error
    )


@pytest.mark.django_db
def test_an_exhausted_daily_quota_is_retried_and_sent_when_quota_is_back(
    world: World, approved: ZaloServer, settings: Any
) -> None:
    configure(settings, zalo=approved)
    approved.daily_quota = 0
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.PENDING and "ZNS -144" in message.last_error
    approved.daily_quota = 10
    make_due()
    relay_until_idle()
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED and len(approved.accepted) == 1
    assert attempt_statuses(notification) == [Status.TEMPORARY_FAILURE, Status.DELIVERED]


@pytest.mark.django_db
def test_a_refused_refresh_token_keeps_the_message_waiting(
    world: World, approved: ZaloServer, settings: Any
) -> None:
    configure(settings, zalo=approved)
    approved.refresh_token = "issued-to-someone-else"
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.PENDING
    assert "EGOV_ZALO_REFRESH_TOKEN" in message.last_error and approved.requests == []
    # the administrator authorises the OA again and sets the new refresh token
    settings.EGOV = {**settings.EGOV, "ZALO_REFRESH_TOKEN": "issued-to-someone-else"}
    make_due()
    relay_until_idle()
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED and len(approved.accepted) == 1


@pytest.mark.django_db
def test_kinds_without_a_zns_template_are_not_planned_for_zalo(
    world: World, approved: ZaloServer, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    configure(settings, zalo=approved, zalo_templates="")
    with caplog.at_level(logging.WARNING, logger="egov.notifications"):
        receive(world, dict(APPLICANT))
    assert not Notification.objects.filter(channel="zalo").exists()
    assert "no ZNS template id for dossier.received" in caplog.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_needing_a_token_at_once_refresh_it_once(approved: ZaloServer, settings: Any) -> None:
    configure(settings, zalo=approved)
    approved.refresh_delay = 0.5  # the first refresh is still on the wire when the second worker asks
    tokens: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connection

        try:
            tokens.append(zns.access_token())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert len(approved.refreshes) == 1, "the refresh token was spent twice"
    assert len(tokens) == 2 and tokens[0] == tokens[1] and tokens[0] in approved.access_tokens
