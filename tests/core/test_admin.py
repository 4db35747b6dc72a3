"""The admin pages of the shared kernel, as an administrator uses them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from egov.core.calendar import get_calendar
from egov.core.models import CalendarOverride, Event, OutboxMessage


@pytest.mark.django_db
def test_an_override_added_in_the_admin_is_used_and_recorded(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/core/calendaroverride/add/",
        {"date": "2026-01-03", "kind": "working_day", "note": "Làm bù 02/01"},
    )
    assert response.status_code == 302, response.content[:500]
    assert CalendarOverride.objects.get(date=dt.date(2026, 1, 3)).kind == "working_day"
    assert get_calendar().is_working_day(dt.date(2026, 1, 3))
    event = Event.objects.get(aggregate_type="calendar_override")
    assert event.actor is not None and event.actor.is_superuser


@pytest.mark.django_db
def test_deleting_an_override_in_the_admin_restores_the_standard_calendar(admin_client: Client) -> None:
    override = CalendarOverride.objects.create(date=dt.date(2026, 1, 5), kind="day_off")
    response = admin_client.post(f"/admin/core/calendaroverride/{override.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert get_calendar().is_working_day(dt.date(2026, 1, 5))
    assert Event.objects.filter(kind="calendar_override.removed").count() == 1


@pytest.mark.django_db
def test_retry_now_puts_a_dead_message_back_in_the_queue(admin_client: Client) -> None:
    now = timezone.now()
    dead = OutboxMessage.objects.create(
        created_at=now, topic="t", key="k:1", status="dead", attempts=12, next_attempt_at=now
    )
    listing = admin_client.get("/admin/core/outboxmessage/")
    assert listing.status_code == 200 and b"k:1" in listing.content
    admin_client.post("/admin/core/outboxmessage/", {"action": "retry_now", "_selected_action": [dead.pk]})
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    assert admin_client.get("/admin/core/outboxmessage/add/").status_code == 403
