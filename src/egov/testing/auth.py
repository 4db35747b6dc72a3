"""Test helper: a Django test client signed in as someone who has passed the second factor."""

from __future__ import annotations

from typing import Any

from django.test import Client


def sign_in(client: Client, user: Any) -> Client:
    from egov.accounts.totp import SECOND_FACTOR_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client
