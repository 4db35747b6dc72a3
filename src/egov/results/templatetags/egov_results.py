"""Template tags of the results app: bilingual texts and the back office's result panel."""

from __future__ import annotations

from typing import Any

from django import template

from egov.core.ui import in_language as pick
from egov.dossiers.models import Dossier
from egov.results import selectors

register = template.Library()


@register.simple_tag
def in_language(vi: str, en: str) -> str:
    return pick(vi, en)


@register.simple_tag(takes_context=True)
def office_results(context: Any, dossier: Dossier) -> dict[str, Any]:
    """What the dossier page shows about results: issued ones, and the issue form when allowed."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return selectors.office_panel(user, dossier)
