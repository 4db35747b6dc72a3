"""Machine clients stay machines: no web session, no password check at the token endpoint, tokens bound
by the client's scopes of today and not kept in clear. Real HTTP through Django's test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken

from egov.accounts import clients
from egov.accounts.models import MachineClient, Role, User
from egov.core.models import Event
from egov.dossiers.models import Dossier
from egov.testing.auth import basic_auth, sign_in
from tests.accounts.conftest import PASSWORD, make_user
from tests.dossiers.factories import World

pytestmark = pytest.mark.django_db
TOKEN = "/oauth/token/"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def machine(world: World, scopes: list[str], name: str = "lgsp") -> tuple[MachineClient, Any]:
    return clients.create_machine_client(
        None, name=name, scopes=scopes, roles=[(world.department, Role.DESK)]
    )


def token_for(issued: Any, **data: str) -> str:
    response = Client().post(
        TOKEN,
        {"grant_type": "client_credentials", **data},
        headers={"Authorization": basic_auth(issued.client_id, issued.client_secret)},
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


# --- a machine account never gets a web session ----------------------------------------------------


def test_a_machine_account_with_a_password_cannot_sign_in_on_the_web(world: World) -> None:
    """An administrator may set a password on any user in the admin; a machine user must still not
    sign in: it would act with its roles without its scopes, its token expiry or a second factor."""
    client, _issued = machine(world, ["dossiers:read"])
    user = client.user
    user.set_password(PASSWORD)
    user.save()
    browser = Client()
    browser.cookies["egov_language"] = "en"
    response = browser.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in browser.session
    assert "The username or password is not correct." in response.content.decode()
    assert Event.objects.filter(kind="account.sign_in_failed", aggregate_id=str(user.pk)).exists()
    assert not Event.objects.filter(kind="account.signed_in", aggregate_id=str(user.pk)).exists()


def test_a_machine_session_made_any_other_way_is_ended(world: World) -> None:
    """A session that names a machine user (made outside the sign-in page) acts as nobody."""
    dossier = world.create().dossier
    client, _issued = machine(world, ["dossiers:read"])
    browser = sign_in(Client(), client.user)
    listed = browser.get("/api/v1/worklists/unassigned")
    assert listed.status_code in (401, 403)
    assert "_auth_user_id" not in browser.session
    acted = sign_in(Client(), client.user).post(
        f"/api/v1/dossiers/{dossier.code}/receive", content_type="application/json"
    )
    assert acted.status_code in (401, 403)
    assert Dossier.objects.get(pk=dossier.pk).received_at is None


# --- the token endpoint checks no person's password -----------------------------------------------


@pytest.mark.parametrize("password", [PASSWORD, "not-the-password"])
def test_the_token_endpoint_answers_a_password_grant_without_checking_the_password(
    world: World, password: str
) -> None:
    """Right or wrong, a person's password gets the same answer: the endpoint is no password oracle
    outside the sign-in page (its lock-outs, events and second factor)."""
    _client, issued = machine(world, ["dossiers:read"])
    officer = make_user("canbo-oracle", User.Kind.OFFICER)
    response = Client().post(
        TOKEN,
        {"grant_type": "password", "username": officer.username, "password": password},
        headers={"Authorization": basic_auth(issued.client_id, issued.client_secret)},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "unsupported_grant_type" and body["message"]["vi"] and body["message"]["en"]
    assert not AccessToken.objects.exists()


def test_parameters_in_the_query_string_are_refused_in_json_with_a_message(world: World) -> None:
    _client, issued = machine(world, ["dossiers:read"])
    officer = make_user("canbo-query", User.Kind.OFFICER)
    response = Client().post(
        f"{TOKEN}?grant_type=password&username={officer.username}&password={PASSWORD}",
        {},
        headers={"Authorization": basic_auth(issued.client_id, issued.client_secret)},
    )
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "invalid_request" and body["message"]["vi"] and body["message"]["en"]
    assert not AccessToken.objects.exists()


# --- scopes of today, tokens not kept in clear -----------------------------------------------------


def test_narrowing_a_clients_scopes_binds_the_tokens_it_already_holds(world: World) -> None:
    dossier = world.create().dossier
    client, issued = machine(world, ["dossiers:read", "dossiers:act"])
    token = token_for(issued)
    admin = User.objects.create_superuser("quantri", password=PASSWORD, kind=User.Kind.OFFICER)
    narrowed = change_scopes(sign_in(Client(), admin), client, "dossiers:read")
    assert narrowed.status_code == 302, narrowed.content
    refused = bearer(token).post(f"/api/v1/dossiers/{dossier.code}/receive", content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "insufficient_scope"
    assert Dossier.objects.get(pk=dossier.pk).received_at is None
    assert bearer(token).get(f"/api/v1/dossiers/{dossier.code}").status_code == 200
    event = Event.objects.get(kind="machine_client.scopes_changed")
    assert event.data == {"before": ["dossiers:act", "dossiers:read"], "after": ["dossiers:read"]}


def test_setting_unknown_scopes_is_refused_and_changes_nothing(world: World) -> None:
    client, _issued = machine(world, ["dossiers:read"])
    with pytest.raises(clients.ValidationFailed):
        clients.set_scopes(None, client, ["dossiers:reed"])
    client.refresh_from_db()
    assert client.scopes == "dossiers:read"


def change_scopes(browser: Client, client: MachineClient, scopes: str) -> Any:
    """The machine client's admin page, saved with new scopes (the credentials inline unchanged)."""
    return browser.post(
        f"/admin/accounts/machineclient/{client.pk}/change/",
        {
            "scopes": scopes,
            "credentials-TOTAL_FORMS": "1",
            "credentials-INITIAL_FORMS": "1",
            "credentials-MIN_NUM_FORMS": "0",
            "credentials-MAX_NUM_FORMS": "1000",
            "credentials-0-id": str(client.credentials.get().pk),
            "credentials-0-client": str(client.pk),
        },
    )


def test_the_admin_refuses_a_misspelt_scope(world: World, admin_client: Client) -> None:
    client, _issued = machine(world, ["dossiers:read"])
    response = change_scopes(admin_client, client, "dossiers:reed")
    assert response.status_code == 200  # the form again, with the error
    assert "dossiers:reed" in response.content.decode()
    client.refresh_from_db()
    assert client.scopes == "dossiers:read"


def test_access_tokens_are_not_stored_in_clear(world: World) -> None:
    """A copy of the database must not hand out live bearer tokens (RFC 9700 §4)."""
    _client, issued = machine(world, ["dossiers:read"])
    token = token_for(issued)
    stored = AccessToken.objects.get()
    assert stored.token != token and token not in str(stored.__dict__)
    assert bearer(token).get("/api/v1/worklists/mine").status_code == 200


def test_the_oauth_library_has_nothing_to_say_at_deployment() -> None:
    """Every RFC 9700 gate of django-oauth-toolkit is on: `egov check --deploy` shows none of its warnings."""
    from django.core.checks import run_checks

    messages = run_checks(include_deployment_checks=True)
    assert [m.id for m in messages if str(m.id).startswith("oauth2_provider.")] == []


@pytest.mark.parametrize("path", [TOKEN, "/oauth/revoke/"])
@pytest.mark.parametrize("credentials", ["Basic \xff\xfe==", "Basic é:ÿ"])
def test_client_credentials_that_are_not_base64_text_are_a_401_not_a_500(path: str, credentials: str) -> None:
    response = Client().post(
        path, {"grant_type": "client_credentials", "token": "x"}, HTTP_AUTHORIZATION=credentials
    )
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_client" and body["message"]["vi"] and body["message"]["en"]
    assert not AccessToken.objects.exists()


def test_a_refused_token_request_answers_json(world: World) -> None:
    """A NUL in the form is refused before any view (RequestGuardMiddleware): in JSON, like the endpoint."""
    _client, issued = machine(world, ["dossiers:read"])
    response = Client().post(
        TOKEN,
        "grant_type=client_credentials&scope=%00",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": basic_auth(issued.client_id, issued.client_secret)},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_characters"
    assert not AccessToken.objects.exists()
