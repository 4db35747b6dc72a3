"""The admin shows dossiers and their steps but offers no way to change them."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.testing.auth import sign_in
from tests.dossiers.conftest import Clock
from tests.dossiers.factories import World

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_dossiers_read_only(world: World, clock: Clock, client: Client) -> None:
    dossier = world.at_step(2)
    admin = User.objects.create(username="root", password="!", is_staff=True, is_superuser=True)
    sign_in(client, admin)
    listing = client.get("/admin/dossiers/dossier/", {"q": dossier.code})
    assert listing.status_code == 200 and dossier.code in listing.content.decode()
    detail = client.get(f"/admin/dossiers/dossier/{dossier.pk}/change/")
    assert detail.status_code == 200
    assert "pin_digest" not in detail.content.decode()
    assert client.get("/admin/dossiers/dossier/add/").status_code == 403
