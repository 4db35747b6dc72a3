"""Officers' worklists: my steps, my unit, due soon, overdue — search, filters, keyset pages.

Plain GET links and forms; HTMX (when loaded) swaps only the worklist region and pushes the URL.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from egov.accounts.models import Role
from egov.backoffice import selectors
from egov.backoffice.permissions import officer_required
from egov.core.errors import DomainError
from egov.core.ui import error_message, in_language
from egov.dossiers.models import Dossier, Status
from egov.dossiers.selectors import worklist

PAGE_SIZE = 25
TABS = (
    ("mine", _("My steps")),
    ("unassigned", _("Unassigned in my unit")),
    ("unit", _("My unit")),
    ("due_soon", _("Due soon")),
    ("overdue", _("Overdue")),
)
EMPTY = {
    "mine": _("No dossier is assigned to you right now."),
    "unassigned": _("Every dossier of your units has an officer."),
    "unit": _("No dossier is waiting in your units."),
    "due_soon": _("No dossier is due in the next 24 hours."),
    "overdue": _("No dossier is overdue. Well done."),
}
# The statuses a dossier can have while it is on a worklist.
LISTED_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL, Status.FINISHED)
# The status filter is offered once egov.dossiers.selectors.worklist accepts `status` (asked of the lead).
STATUS_FILTER = "status" in inspect.signature(worklist).parameters


def bilingual_label(label: str) -> str:
    """Choice labels are written "Tiếng Việt / English": keep the half of the page language."""
    vi, _sep, en = str(label).partition(" / ")
    return in_language(vi, en or vi)


@dataclass(frozen=True)
class Row:
    dossier: Dossier
    role: str
    status: str
    appointment: datetime | None
    overdue: bool
    due_soon: bool


def _row(dossier: Dossier, now: datetime, roles: dict[str, str], statuses: dict[str, str]) -> Row:
    due = dossier.step_due_at
    running = dossier.status not in selectors.CLOCK_STOPPED
    overdue = bool(running and due is not None and due < now)
    soon = bool(running and due is not None and now <= due < now + timedelta(hours=selectors.DUE_SOON_HOURS))
    return Row(
        dossier=dossier,
        role=roles.get(dossier.current_role, dossier.current_role),
        status=statuses.get(dossier.status, dossier.status),
        appointment=dossier.apology_due_at or dossier.due_at,
        overdue=overdue,
        due_soon=soon,
    )


def _filters(request: HttpRequest) -> dict[str, str]:
    view = request.GET.get("view", "mine")
    status = request.GET.get("status", "").strip()
    return {
        "view": view if view in dict(TABS) else "mine",
        "q": request.GET.get("q", "").strip()[:100],
        "procedure": request.GET.get("procedure", "").strip()[:40],
        "status": status if STATUS_FILTER and status in LISTED_STATUSES else "",
    }


def _page(
    request: HttpRequest, filters: dict[str, str], cursor: str
) -> tuple[list[Dossier], str | None, str]:
    extra: dict[str, Any] = {"status": filters["status"]} if filters["status"] else {}
    try:
        page = worklist(
            request.user,
            filters["view"],
            cursor=cursor or None,
            limit=PAGE_SIZE,
            procedure_code=filters["procedure"] or None,
            search=filters["q"] or None,
            due_within_hours=selectors.DUE_SOON_HOURS,
            **extra,
        )
    except DomainError as err:
        return [], None, error_message(request, err)
    return page.items, page.next_cursor, ""


def _query(filters: dict[str, str], **changes: str) -> str:
    """The worklist URL's query for these filters; empty values are left out."""
    values = {**filters, **changes}
    return "?" + urlencode({k: v for k, v in values.items() if v})


def _tabs(filters: dict[str, str], counts: dict[str, int]) -> list[dict[str, Any]]:
    cap = selectors.COUNT_CAP
    return [
        {
            "key": key,
            "label": label,
            "count": f"{cap}+" if counts[key] > cap else str(counts[key]),
            "query": _query(filters, view=key),
            "current": key == filters["view"],
        }
        for key, label in TABS
    ]


@require_GET
@officer_required
@vary_on_headers("HX-Request")
def worklists(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    cursor = request.GET.get("cursor", "")[:500]
    items, next_cursor, error = _page(request, filters, cursor)
    now = timezone.now()
    roles = {value: bilingual_label(label) for value, label in Role.choices}
    statuses = {value: bilingual_label(label) for value, label in Status.choices}
    context = {
        "filters": filters,
        "tabs": _tabs(filters, selectors.worklist_counts(request.user, now)),
        "rows": [_row(d, now, roles, statuses) for d in items],
        "next_cursor": next_cursor,
        "cursor": cursor,
        "next_query": _query(filters, cursor=next_cursor) if next_cursor else "",
        "first_query": _query(filters),
        "error": error,
        "empty_text": EMPTY[filters["view"]],
        "status_filter": STATUS_FILTER,
        "status_choices": [(s, statuses[s]) for s in LISTED_STATUSES],
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "backoffice/_worklist_table.html" if partial else "backoffice/worklists.html"
    return render(request, template, context)


urlpatterns = [path("", worklists, name="home")]
