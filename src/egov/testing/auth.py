"""Test helpers: a client signed in with the second factor passed; a machine client's bearer token."""

from __future__ import annotations

import base64
from typing import Any

from django.test import Client


def sign_in(client: Client, user: Any) -> Client:
    from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def basic_auth(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode("ascii")


def machine_token(name: str, scopes: list[str], roles: list[tuple[Any, str]] | None = None) -> str:
    """A new machine client and an access token for it, from the real token endpoint (/oauth/token/)."""
    from egov.accounts.clients import create_machine_client

    _client, issued = create_machine_client(None, name=name, scopes=scopes, roles=roles or [])
    response = Client().post(
        "/oauth/token/",
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic_auth(issued.client_id, issued.client_secret)},
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])
