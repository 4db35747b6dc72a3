"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from egov.testing.auth import sign_in


@pytest.fixture
def admin_client(db: None, admin_user: Any) -> Client:
    """pytest-django's admin client, signed in with the second factor that staff accounts need."""
    return sign_in(Client(), admin_user)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Every test stores its uploaded files in its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)
