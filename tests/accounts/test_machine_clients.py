"""Machine clients: OAuth2 client credentials at /oauth/token/, scopes per API view, expiry, rotation,
revocation. Real HTTP through Django's test client, real tokens, no shortcuts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from egov.accounts import clients
from egov.accounts.models import ClientCredential, Role
from egov.core.calendar import reset_calendar_cache
from egov.dossiers.models import Dossier
from egov.testing.auth import basic_auth
from tests.accounts.conftest import PASSWORD, make_user
from tests.dossiers.factories import World, build_world

pytestmark = pytest.mark.django_db
TOKEN = "/oauth/token/"


@pytest.fixture
def world(db: None) -> World:
    reset_calendar_cache()
    return build_world()


def token_response(client_id: str, secret: str, **data: str) -> Any:
    body = {"grant_type": "client_credentials", **data}
    return Client().post(TOKEN, body, headers={"Authorization": basic_auth(client_id, secret)})


def new_client(world: World, scopes: list[str], name: str = "lgsp") -> clients.IssuedCredentials:
    _client, issued = clients.create_machine_client(
        None, name=name, scopes=scopes, roles=[(world.department, Role.DESK)]
    )
    return issued


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def get_token(issued: clients.IssuedCredentials, **data: str) -> str:
    response = token_response(issued.client_id, issued.client_secret, **data)
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def test_a_client_gets_an_expiring_token_with_its_scopes(world: World, settings: Any) -> None:
    issued = new_client(world, ["dossiers:read", "dossiers:act"])
    response = token_response(issued.client_id, issued.client_secret)
    body = response.json()
    assert response.status_code == 200 and body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600 and set(body["scope"].split()) == {"dossiers:read", "dossiers:act"}
    assert "refresh_token" not in body
    narrowed = token_response(issued.client_id, issued.client_secret, scope="dossiers:read").json()
    assert narrowed["scope"] == "dossiers:read"


@pytest.mark.parametrize(
    ("secret", "data", "error", "status"),
    [
        ("wrong-secret", {}, "invalid_client", 401),
        (None, {"scope": "dossiers:create"}, "invalid_scope", 400),
        (None, {"scope": "admin:everything"}, "invalid_scope", 400),
    ],
)
def test_bad_token_requests_get_an_oauth_error_with_a_bilingual_message(
    world: World, secret: str | None, data: dict[str, str], error: str, status: int
) -> None:
    issued = new_client(world, ["dossiers:read"])
    response = token_response(issued.client_id, secret or issued.client_secret, **data)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error and body["message"]["vi"] and body["message"]["en"]
    assert not AccessToken.objects.exists()


def test_an_officer_password_never_yields_a_token(world: World) -> None:
    """The password grant is refused even for a client that exists: people use sessions with 2FA."""
    issued = new_client(world, ["dossiers:read"])
    officer = make_user("canbo-token", "officer")
    response = Client().post(
        TOKEN,
        {"grant_type": "password", "username": officer.username, "password": PASSWORD},
        headers={"Authorization": basic_auth(issued.client_id, issued.client_secret)},
    )
    assert response.status_code in (400, 401) and "error" in response.json()
    assert not AccessToken.objects.exists()


def test_scopes_are_enforced_per_view(world: World) -> None:
    dossier = world.create().dossier
    read_only = get_token(new_client(world, ["dossiers:read"], name="reader"))
    refused = bearer(read_only).post(
        f"/api/v1/dossiers/{dossier.code}/receive", content_type="application/json"
    )
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "insufficient_scope" and error["detail"] == {"required_scopes": ["dossiers:act"]}
    assert set(error["message"]) == {"vi", "en"}
    dossier.refresh_from_db()
    assert dossier.received_at is None
    assert bearer(read_only).get(f"/api/v1/dossiers/{dossier.code}").status_code == 200
    actor = get_token(new_client(world, ["dossiers:read", "dossiers:act"], name="actor"))
    received = bearer(actor).post(f"/api/v1/dossiers/{dossier.code}/receive", content_type="application/json")
    assert received.status_code == 200, received.content  # its desk role at the department allows it
    assert Dossier.objects.get(pk=dossier.pk).received_at is not None


def test_public_endpoints_need_no_token(world: World) -> None:
    assert Client().get("/api/v1/procedures").status_code == 200
    assert Client().get("/api/v1/sectors").status_code == 200


def test_an_expired_token_is_refused(world: World) -> None:
    token = get_token(new_client(world, ["dossiers:read"]))
    assert bearer(token).get("/api/v1/worklists/mine").status_code == 200
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = bearer(token).get("/api/v1/worklists/mine")
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_invalid"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_rotation_keeps_the_old_credentials_for_the_grace_period_only(world: World, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "CLIENT_SECRET_GRACE_HOURS": 24}
    old = new_client(world, ["dossiers:read"])
    old_token = get_token(old)
    client = clients.machine_client("lgsp")
    new = clients.issue_credentials(None, client)
    assert new.client_id != old.client_id and new.previous_expire_at is not None
    assert timedelta(hours=23) < new.previous_expire_at - timezone.now() <= timedelta(hours=24)
    assert token_response(old.client_id, old.client_secret).status_code == 200  # still in the grace period
    assert bearer(get_token(new)).get("/api/v1/worklists/mine").status_code == 200
    ClientCredential.objects.filter(application__client_id=old.client_id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert token_response(old.client_id, old.client_secret).json()["error"] == "invalid_client"
    assert bearer(old_token).get("/api/v1/worklists/mine").status_code == 401
    assert bearer(get_token(new)).get("/api/v1/worklists/mine").status_code == 200


def test_revoking_a_client_stops_its_tokens_and_credentials_at_once(world: World) -> None:
    issued = new_client(world, ["dossiers:read"])
    token = get_token(issued)
    clients.revoke_machine_client(None, clients.machine_client("lgsp"))
    assert bearer(token).get("/api/v1/worklists/mine").status_code == 401
    assert token_response(issued.client_id, issued.client_secret).status_code == 401
    with pytest.raises(clients.ValidationFailed):
        clients.issue_credentials(None, clients.machine_client("lgsp"))


def test_a_client_revokes_its_own_token(world: World) -> None:
    issued = new_client(world, ["dossiers:read"])
    token = get_token(issued)
    response = Client().post(
        "/oauth/revoke/",
        {"token": token},
        headers={"Authorization": basic_auth(issued.client_id, issued.client_secret)},
    )
    assert response.status_code == 200
    assert bearer(token).get("/api/v1/worklists/mine").status_code == 401


def test_the_token_endpoint_is_limited_per_address(world: World, settings: Any) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "oauth_token": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    issued = new_client(world, ["dossiers:read"])
    for _ in range(2):
        token_response(issued.client_id, "wrong")
    response = token_response(issued.client_id, issued.client_secret)
    assert response.status_code == 429 and response.json()["error"] == "slow_down"


def test_unknown_scopes_are_refused_when_creating_a_client(world: World) -> None:
    with pytest.raises(clients.ValidationFailed):
        clients.create_machine_client(None, name="bad", scopes=["catalog:write"])
