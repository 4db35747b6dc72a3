"""Public catalogue pages: home, procedure list and page, public lookup. No account needed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.throttling import ScopedRateThrottle

from egov.catalog import selectors as catalog
from egov.catalog.errors import ProcedureNotFound, VersionNotInForce
from egov.catalog.models import Agency, Channel, ProcedureVersion
from egov.core.cursors import InvalidCursor
from egov.core.errors import DomainError
from egov.core.templatetags.egov_format import format_date, vnd
from egov.core.ui import error_message, in_language
from egov.portal import selectors
from egov.portal.views.catalogue_forms import DOSSIER_CODE, MAX_CURSOR_CHARS, LookupForm, ProcedureSearchForm

PAGE_SIZE = 20
APPLICANT_TYPES = {
    "citizen": ("Công dân Việt Nam", "Vietnamese citizens"),
    "foreigner": ("Người nước ngoài", "Foreigners"),
    "business": ("Doanh nghiệp", "Businesses"),
    "organisation": ("Tổ chức", "Organisations"),
}

LEVELS = dict(Agency.Level.choices)


def label(text: str) -> str:
    """Model choice labels are 'Tiếng Việt / English': the part of the page language."""
    vi, _sep, en = str(text).partition(" / ")
    return capfirst(in_language(vi, en or vi)) or ""


def safe_url(url: str) -> str:
    """Template links come from the catalogue: only web and site-relative addresses become links."""
    url = (url or "").strip()
    return url if url.startswith(("https://", "http://", "/")) and not url.startswith("//") else ""


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "form": ProcedureSearchForm(),
            "popular": selectors.popular_procedures(),
            "sectors": catalog.list_sectors(),
            "agencies": catalog.agency_tree(),
            "life_events": selectors.life_events(),
        },
    )


@require_GET
def procedures(request: HttpRequest) -> HttpResponse:
    form = ProcedureSearchForm(request.GET)
    cursor = request.GET.get("cursor", "")
    context: dict[str, Any] = {"form": form, "page": None, "error": None, "count": 0}
    status = 200
    if not form.is_valid():
        status = 400
    elif len(cursor) > MAX_CURSOR_CHARS:
        context["error"] = error_message(request, InvalidCursor())
        status = 400
    else:
        data = form.cleaned_data
        found = selectors.find_procedures(data["q"], data["sector"], data["agency"], data["event"])
        try:
            context["page"] = catalog.procedures_page(found, cursor or None, PAGE_SIZE)
        except InvalidCursor as err:
            context["error"] = error_message(request, err)
            status = 400
        else:
            context["count"] = found.count()
            context["next_query"] = _next_query(request, context["page"].next_cursor)
            context["first_query"] = _next_query(request, "") if cursor else None
    htmx = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "results"
    # htmx does not swap 4xx responses: the fragment carries the error message with a 200 instead.
    template = "portal/_procedure_results.html" if htmx else "portal/procedures.html"
    response = render(request, template, context, status=200 if htmx else status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _next_query(request: HttpRequest, cursor: str | None) -> str | None:
    """The current filters with another cursor ('' for the first page)."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query.pop("cursor", None)
    if cursor:
        query["cursor"] = cursor
    return query.urlencode()


@require_GET
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = catalog.get_procedure(code)
    except ProcedureNotFound as exc:
        raise Http404(code) from exc
    try:
        version: ProcedureVersion | None = catalog.version_for_display(found, timezone.localdate())
    except VersionNotInForce:
        version = None
    return render(request, "portal/procedure.html", _procedure_context(found, version))


def _procedure_context(found: Any, version: ProcedureVersion | None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "procedure": found,
        "version": version,
        "sector_name": in_language(found.sector.name, found.sector.name_en or found.sector.name),
        "name_en": in_language("", found.name_en or ""),
        "life_events": list(found.life_events.all()),
        "agencies": catalog.procedure_agencies(found, timezone.localdate()),
    }
    if version is None:
        return context
    channels = sorted(version.channels.all(), key=lambda c: Channel.values.index(c.channel))
    cases: dict[str, list[Any]] = {}
    for component in version.components.all():
        component.safe_template_url = safe_url(component.template_url)  # type: ignore[attr-defined]
        cases.setdefault(component.case, []).append(component)
    context.update(
        {
            "service_level": label(version.get_service_level_display()),
            "channels": [
                {
                    "name": label(c.get_channel_display()),
                    "time_limit": c.time_limit.normalize(),
                    "time_unit": label(c.get_time_unit_display()),
                    "fees": [{**fee, "amount_text": vnd(fee.get("amount", 0))} for fee in c.fees],
                    "total_fee": vnd(c.total_fee()),
                    "description": c.description,
                }
                for c in channels
            ],
            "legal_basis": [_legal_document(doc) for doc in version.legal_basis or []],
            "cases": sorted(cases.items(), key=lambda item: item[0] != ""),
            "applicants": [
                label(" / ".join(APPLICANT_TYPES.get(t, (t, t)))) for t in version.applicant_types
            ],
            "levels": [label(LEVELS.get(level, level)) for level in version.implementing_levels],
            "can_apply": version.service_level != ProcedureVersion.ServiceLevel.NONE
            and any(c.channel == Channel.ONLINE for c in channels),
        }
    )
    return context


def _legal_document(doc: Any) -> dict[str, Any]:
    """A legal-basis entry with its date written d/m/Y."""
    if not isinstance(doc, dict):
        return {"title": str(doc)}
    return {**doc, "date": format_date(doc.get("date")) if doc.get("date") else ""}


class _ClientThrottle(ScopedRateThrottle):
    """The API's `public_lookup` rate, keyed by client address only, like the API (which is anonymous)."""

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


_LOOKUP_VIEW = SimpleNamespace(throttle_scope="public_lookup")


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/lookup.html", {"form": LookupForm(initial=_code_from_query(request))})
    form = LookupForm(request.POST)
    context: dict[str, Any] = {"form": form, "result": None, "error": None}
    if not _ClientThrottle().allow_request(request, _LOOKUP_VIEW):  # type: ignore[arg-type]
        context["error"] = in_language(
            "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.",
            "Too many lookups from your connection. Please try again in a few minutes.",
        )
        return render(request, "portal/lookup.html", context, status=429)
    if not form.is_valid():
        return render(request, "portal/lookup.html", context, status=400)
    try:
        result = selectors.public_status(form.cleaned_data["code"], form.cleaned_data["pin"])
    except DomainError as err:
        context["error"] = error_message(request, err)
        context["locked"] = err.code == "lookup_locked"
        # A locked code answers 429 to browsers (the API keeps its documented 400).
        return render(request, "portal/lookup.html", context, status=429 if context["locked"] else err.status)
    result["status_label"] = label(result["status_label"])
    for step in result["timeline"]:
        step["status"] = label(step["status"])
    context["result"] = result
    context["form"] = LookupForm(initial={"code": result["code"]})
    # The language switch comes back here with the code (never the PIN) already in the form.
    context["lang_next"] = f"{reverse('portal:lookup')}?{urlencode({'code': result['code']})}"
    return render(request, "portal/lookup.html", context)


def _code_from_query(request: HttpRequest) -> dict[str, str]:
    """`/lookup/?code=…` fills in the code (a well-formed one only); the PIN is never taken from a URL."""
    code = request.GET.get("code", "").strip()
    try:
        DOSSIER_CODE(code)
    except ValidationError:
        return {}
    return {"code": code} if code and len(code) <= 60 else {}


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("procedures/", procedures, name="procedures"),
    path("procedures/<str:code>/", procedure, name="procedure"),
    path("lookup/", lookup, name="lookup"),
]
