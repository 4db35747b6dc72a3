"""Machine clients are managed through egov only: the OAuth toolkit's own admin pages are gone, so no
application, token or grant can be made or changed behind egov's back."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from egov.accounts.models import MachineClient

pytestmark = pytest.mark.django_db

TOOLKIT = (Application, AccessToken, RefreshToken, Grant, IDToken)


def test_the_admin_index_offers_machine_clients_not_the_toolkits_applications(admin_client: Client) -> None:
    admin_client.cookies["egov_language"] = "vi"
    html = admin_client.get("/admin/").content.decode()
    assert "/admin/accounts/machineclient/" in html
    assert "/admin/oauth2_provider/" not in html and "Mã truy cập API" not in html
    assert [model.__name__ for model in TOOLKIT if admin.site.is_registered(model)] == []
    assert admin.site.is_registered(MachineClient)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/oauth2_provider/application/add/",
        "/admin/oauth2_provider/application/",
        "/admin/oauth2_provider/accesstoken/",
        "/admin/oauth2_provider/refreshtoken/",
        "/admin/oauth2_provider/grant/",
        "/admin/oauth2_provider/idtoken/",
        "/admin/oauth2_provider/",
    ],
)
def test_the_toolkits_admin_pages_are_not_there(admin_client: Client, path: str) -> None:
    assert admin_client.get(path).status_code == 404


def test_posting_a_new_application_to_the_admin_creates_nothing(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/oauth2_provider/application/add/",
        {
            "name": "outside egov",
            "client_type": "confidential",
            "authorization_grant_type": "client-credentials",
            "client_id": "outside",
            "client_secret": "s3cret-s3cret-s3cret",
        },
    )
    assert response.status_code == 404 and not Application.objects.exists()
