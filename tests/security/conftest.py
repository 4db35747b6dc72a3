"""Fixtures of the security review tests: the dossier `world` with two document requirements, clients."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from egov.catalog.models import DocumentRequirement
from egov.core.calendar import reset_calendar_cache
from egov.testing.auth import sign_in
from tests.dossiers.factories import World, build_world


@pytest.fixture
def world(db: None) -> World:
    reset_calendar_cache()
    w = build_world()
    w.extra["form"] = DocumentRequirement.objects.create(
        version=w.version, code="TK", name="Tờ khai", required=True, position=1
    )
    return w


def client_for(user: Any = None, *, csrf: bool = False) -> Client:
    """English pages; signed in (second factor passed) unless `user` is None."""
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        sign_in(client, user)
    client.cookies["egov_language"] = "en"
    return client
