"""The public agency directory: agencies in force today, and each agency's page with its history.

Since the 2025 reorganisation many agencies a citizen knows (a district, an old ward) no longer
exist; their page stays, says since when, and links to the agency that took over their work, while
a new ward's page lists what it was formed from ("trước đây: …").
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from egov.catalog import selectors as catalog
from egov.catalog.errors import AgencyNotFound
from egov.catalog.models import Agency
from egov.core.ui import in_language


def level_label(agency: Agency) -> str:
    vi, _sep, en = str(agency.get_level_display()).partition(" / ")
    return in_language(vi, en or vi)


@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    """In force today as a tree; `?closed=1` adds the agencies no longer in force, each with its successor."""
    show_closed = request.GET.get("closed") == "1"
    closed: list[tuple[Agency, Agency | None]] = []
    if show_closed:
        today = timezone.localdate()
        gone = catalog.list_agencies(include_closed=True).exclude(catalog.in_force_q(today))
        closed = [(agency, catalog.current_successor(agency)) for agency in gone]
    context = {"tree": catalog.agency_tree(), "show_closed": show_closed, "closed": closed}
    return render(request, "portal/agencies/index.html", context)


@require_GET
def agency(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = catalog.get_agency(code)
    except AgencyNotFound as exc:
        raise Http404(code) from exc
    today = timezone.localdate()
    context = {
        "agency": found,
        "level": level_label(found),
        "in_force": found.in_force(today),
        "successor": catalog.current_successor(found),
        "predecessors": catalog.predecessors(found),
        "children": catalog.list_agencies(parent=found.code, on=today),
    }
    return render(request, "portal/agencies/agency.html", context)


urlpatterns: list[URLPattern] = [
    path("agencies/", agencies, name="agencies"),
    path("agencies/<str:code>/", agency, name="agency"),
]
