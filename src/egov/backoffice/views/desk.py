"""The reception desk: online submissions waiting for the desk's check, and counter/postal intake."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from egov.backoffice.forms import DeskApplicantForm, DeskStartForm, applicant_form, link_descriptions
from egov.backoffice.permissions import officer_required
from egov.backoffice.selectors import desk_agencies, waiting_at_desk
from egov.backoffice.views.dossier import PIN_SESSION_PREFIX, channel_label
from egov.catalog.models import Agency, DocumentRequirement, Procedure, ProcedureVersion
from egov.catalog.selectors import version_in_force
from egov.core.errors import DomainError
from egov.core.ui import error_message, flash_done, flash_error
from egov.dossiers import selectors, services
from egov.dossiers.forms import DeclarationForm, declaration_form_class
from egov.dossiers.models import Dossier


@require_http_methods(["GET"])
@officer_required
def desk(request: HttpRequest) -> HttpResponse:
    try:
        page = waiting_at_desk(request.user, cursor=request.GET.get("cursor") or None)
    except DomainError as err:
        flash_error(request, err)
        page = waiting_at_desk(request.user)
    rows = [{"dossier": d, "channel": channel_label(d)} for d in page.items]
    agencies = desk_agencies(request.user)
    context = {
        "rows": rows,
        "next_cursor": page.next_cursor,
        "is_desk": agencies.exists(),
        "start_form": DeskStartForm(agencies=agencies),
    }
    return render(request, "backoffice/desk.html", context)


def _version(procedure: Procedure) -> ProcedureVersion | None:
    return version_in_force(procedure, timezone.localdate())


def _requirements(version: ProcedureVersion | None) -> list[DocumentRequirement]:
    return selectors.requirements_of(version.pk) if version is not None else []


def _declaration_form(version: ProcedureVersion | None, data: Any) -> DeclarationForm | None:
    """The form generated from the version's JSON Schema (prefixed: its names may clash)."""
    schema = version.declaration_schema if version is not None else None
    if not schema:
        return None
    form = declaration_form_class(schema)(data, prefix="decl")
    link_descriptions(form)
    return form


def _create(
    request: HttpRequest,
    procedure: Procedure,
    agency: Agency,
    channel: str,
    form: DeskApplicantForm,
    declaration: dict[str, Any],
) -> Dossier:
    """Register the dossier and its scans in one service call: a rejected scan leaves nothing behind."""
    result = services.create_dossier_with_scans(
        request.user,
        scans=[services.Scan(upload=upload, requirement=requirement) for requirement, upload in form.scans()],
        procedure_code=procedure.code,
        agency_code=agency.code,
        channel=channel,
        applicant=form.applicant(),
        declaration=declaration,
        subject=form.cleaned_data.get("subject") or "",
    )
    if result.pin:
        request.session[PIN_SESSION_PREFIX + result.dossier.code] = result.pin
    return result.dossier


@require_http_methods(["GET", "POST"])
@officer_required
def desk_new(request: HttpRequest) -> HttpResponse:
    """Counter or postal intake: choose the procedure (GET), then the applicant, declaration and scans."""
    agencies = desk_agencies(request.user)
    start = DeskStartForm(request.GET or None, agencies=agencies)
    if not start.is_valid():
        return render(request, "backoffice/desk_new.html", {"start_form": start, "form": None})
    procedure: Procedure = start.cleaned_data["procedure"]
    agency: Agency = start.cleaned_data["agency"]
    channel: str = start.cleaned_data["channel"]
    version = _version(procedure)
    data = request.POST if request.method == "POST" else None
    decl_form = _declaration_form(version, data)
    form = applicant_form(
        _requirements(version), data, request.FILES or None, json_declaration=decl_form is None
    )
    context: dict[str, Any] = {
        "start_form": start,
        "form": form,
        "declaration_form": decl_form,
        "procedure": procedure,
        "agency": agency,
        "channel": channel,
        "error": "",
    }
    if request.method != "POST":
        return render(request, "backoffice/desk_new.html", context)
    decl_ok = decl_form is None or decl_form.is_valid()
    if not (form.is_valid() and decl_ok):
        return render(request, "backoffice/desk_new.html", context, status=400)
    declaration = decl_form.to_declaration() if decl_form is not None else form.cleaned_data["declaration"]
    try:
        dossier = _create(request, procedure, agency, channel, form, declaration)
    except DomainError as err:
        context["error"] = error_message(request, err)
        context["error_detail"] = _detail_lines(err)
        return render(request, "backoffice/desk_new.html", context, status=400)
    flash_done(request, f"Đã đăng ký hồ sơ {dossier.code}.", f"Dossier {dossier.code} was registered.")
    if form.cleaned_data.get("receive_now"):
        try:
            services.receive_dossier(request.user, dossier)
        except DomainError as err:
            flash_error(request, err)
            return redirect("office:dossier", code=dossier.code)
        flash_done(request, "Đã tiếp nhận hồ sơ; in phiếu hẹn.", "Received; print the receipt.")
        return redirect("office:dossier_print", code=dossier.code, form="01")
    return redirect("office:dossier", code=dossier.code)


def _detail_lines(err: DomainError) -> list[str]:
    """Field problems the core reported (declaration paths, applicant fields), one line each."""
    detail = err.detail
    if not isinstance(detail, dict):
        return []
    lines: list[str] = []
    for item in detail.get("fields") or []:
        if isinstance(item, dict):
            lines.append(f"{item.get('field') or '—'}: {item.get('message') or item.get('error')}")
    for key, value in detail.items():
        if key != "fields" and isinstance(value, str):
            lines.append(f"{key}: {value}")
    return lines


urlpatterns = [
    path("desk/", desk, name="desk"),
    path("desk/new/", desk_new, name="desk_new"),
]
