"""Fixtures of the back-office tests: the dossier `world` and `clock`, and signed-in browsers of officers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from egov.accounts.models import User
from tests.dossiers.conftest import clock, world  # noqa: F401  (fixtures shared with the dossier tests)
from tests.notifications.conftest import sms, smtp  # noqa: F401  (loopback SMTP and HTTP receivers)

SECOND_FACTOR_SESSION_KEY = "egov_second_factor"


def signed_in(user: User, *, second_factor: bool = True) -> Client:
    """A test client signed in as `user`, with the officer's second factor passed."""
    client = Client()
    client.force_login(user)
    if second_factor:
        session = client.session
        session[SECOND_FACTOR_SESSION_KEY] = True
        session.save()
    return client


@pytest.fixture
def office_client() -> Callable[..., Client]:
    return signed_in
