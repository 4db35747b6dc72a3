"""Fill a template's `{placeholders}` with a dossier's values; only the documented names are allowed."""

from __future__ import annotations

import re
import string
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from egov.catalog.selectors import acting_agency
from egov.core.models import Event
from egov.dossiers.models import Dossier

PLACEHOLDERS = frozenset(
    {
        "dossier_code",
        "applicant_name",
        "procedure",
        "agency",
        "due_date",
        "content",
        "amount",
        "link",
        "short_code",
        "transaction_no",
    }
)


# C0 controls (CR, LF, NUL, TAB…), DEL, C1 controls and the Unicode line/paragraph separators.
LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(text: str) -> str:
    """The text on one line: every run of control characters becomes one space.

    An applicant's name or an officer's wording may carry a CR/LF; in an email header that would be
    header injection ("Bcc: …"), refused by the mail library on every retry. Cleaned, it is sent once.
    """
    return LINE_BREAKING.sub(" ", text).strip()


class TemplateError(ValueError):
    """The template names a placeholder that does not exist, or is not a valid format string."""


def placeholders_of(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise TemplateError(str(exc)) from exc


def validate_template_text(text: str) -> None:
    unknown = placeholders_of(text) - PLACEHOLDERS
    if unknown:
        raise TemplateError(f"unknown placeholders: {', '.join(sorted(unknown))}")


def format_vnd(amount: Any) -> str:
    """1000000 → '1.000.000 đ' (Vietnamese grouping with dots)."""
    if amount in (None, ""):
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đ"


def my_dossier_link(dossier: Dossier) -> str:
    """The applicant's "My dossier" page on the public portal (EGOV_PUBLIC_URL)."""
    base = str(settings.EGOV.get("PUBLIC_URL") or "").rstrip("/")
    return base + reverse("portal:my_dossier", args=[dossier.code])


def payment_facts(dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
    """Amount and platform transaction number of the payment a `payment.*` event names (order_id)."""
    order_id = data.get("order_id")
    if not order_id:
        return {}
    found = dossier.payments.filter(order_id=str(order_id)).values("amount", "transaction_no").first()
    return dict(found or {})


def context_for(dossier: Dossier, event: Event) -> dict[str, str]:
    """The placeholders' values; `{agency}` is the agency acting for the receiving one on the day of
    the event (its successor once a reorganisation closed it)."""
    data = {**payment_facts(dossier, event.data or {}), **(event.data or {})}
    agency = acting_agency(dossier.agency, timezone.localdate(event.occurred_at))
    amount = data.get("amount")
    due = dossier.apology_due_at if event.kind == "dossier.apologised" else dossier.due_at
    due = due or dossier.apology_due_at or dossier.due_at
    return {
        "dossier_code": single_line(dossier.code),
        "applicant_name": single_line(dossier.applicant_name),
        "procedure": single_line(dossier.procedure_version.procedure.name),
        "agency": single_line(agency.name),
        "due_date": timezone.localtime(due).strftime("%d/%m/%Y") if due else "",
        "content": str(data.get("content") or data.get("reason") or data.get("note") or ""),
        "amount": format_vnd(amount),
        "link": my_dossier_link(dossier),
        "short_code": str(data.get("short_code") or ""),
        "transaction_no": str(data.get("transaction_no") or ""),
    }


def render(text: str, context: dict[str, str]) -> str:
    validate_template_text(text)
    try:
        return text.format_map(context)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise TemplateError(f"{exc.__class__.__name__}: {exc}") from exc
