"""What every HTML page shares: the node's name, the language switch, domain errors in the page language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import get_language

from egov.core.errors import DomainError


def site(request: HttpRequest) -> dict[str, Any]:
    """Template context processor."""
    user = getattr(request, "user", None)
    return {
        "node_name": settings.EGOV["NODE_NAME"],
        "is_officer": bool(user and user.is_authenticated and getattr(user, "kind", "") == "officer"),
        "other_languages": [code for code, _name in settings.LANGUAGES if code != get_language()],
    }


def in_language(vi: str, en: str) -> str:
    """Pick the Vietnamese or English text for the active language (Vietnamese by default)."""
    return en if (get_language() or "vi").startswith("en") else vi


def error_message(request: HttpRequest, err: DomainError) -> str:
    return in_language(err.vi, err.en)


def flash_error(request: HttpRequest, err: DomainError) -> None:
    messages.error(request, error_message(request, err))


def flash_done(request: HttpRequest, vi: str, en: str) -> None:
    messages.success(request, in_language(vi, en))
