"""The admin lists notifications read-only and resends the chosen ones."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.core.models import Event, OutboxMessage
from egov.dossiers import services as dossiers
from egov.notifications.models import Notification
from egov.testing.auth import sign_in
from tests.dossiers.factories import World
from tests.notifications.conftest import configure

pytestmark = pytest.mark.django_db


def test_admin_lists_read_only_and_resends(world: World, client: Client, settings: Any) -> None:
    configure(settings, sms_url="http://127.0.0.1:9/sms")
    created = world.create(applicant={"name": "Nguyễn Văn An", "phone": "0912345678"}).dossier
    dossier = dossiers.receive_dossier(world.desk, created)
    notification = Notification.objects.get(dossier=dossier)
    admin = User.objects.create(username="root", password="!", is_staff=True, is_superuser=True)
    sign_in(client, admin)
    listing = client.get("/admin/notifications/notification/", {"q": dossier.code})
    assert listing.status_code == 200 and "0912345678" in listing.content.decode()
    assert client.get(f"/admin/notifications/notification/{notification.pk}/change/").status_code == 200
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    assert client.get("/admin/notifications/messagetemplate/").status_code == 200
    action = {"action": "resend_action", "_selected_action": [str(notification.pk)]}
    still_pending = client.post("/admin/notifications/notification/", action, follow=True)
    assert "still being sent, not resent" in still_pending.content.decode()
    assert Notification.objects.count() == 1
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.PERMANENT_FAILURE)
    response = client.post("/admin/notifications/notification/", action)
    assert response.status_code == 302
    copy = Notification.objects.exclude(pk=notification.pk).get()
    assert copy.body == notification.body and copy.recipient == "0912345678"
    assert OutboxMessage.objects.filter(key=f"notification:{copy.pk}").exists()
    resent = Event.objects.get(kind="notification.resent")
    assert resent.actor_id == admin.pk
