"""`{% pay_box dossier %}`: the fees and the pay button on the dossier's pages in My dossiers."""

from __future__ import annotations

from typing import Any

from django import template

from egov.dossiers.models import Dossier
from egov.portal.views.payments import pay_box_context

register = template.Library()


@register.inclusion_tag("portal/payments/_pay_box.html", takes_context=True)
def pay_box(context: template.Context, dossier: Dossier) -> dict[str, Any]:
    return {"box": pay_box_context(dossier), "csrf_token": context.get("csrf_token")}
