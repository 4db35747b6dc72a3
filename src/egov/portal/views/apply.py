"""Apply online: choose the agency (and case), then a four-step wizard, submit, receipt.

Every step posts and redirects (POST-redirect-GET); "save and continue later" keeps whatever was
typed without checking required fields. A draft is only ever found through its owner (404 for
anyone else). The PIN is shown once: it waits in the session until the receipt is first shown.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.catalog.errors import ProcedureNotFound
from egov.catalog.models import Channel
from egov.catalog.rules import version_rules
from egov.catalog.selectors import get_procedure, procedure_agencies, version_in_force
from egov.core.errors import DomainError, NotFound
from egov.core.templatetags.egov_format import declaration_value
from egov.core.ui import error_message, flash_done, flash_error
from egov.core.uploads import ACCEPT, check_upload
from egov.dossiers.forms import declaration_form_class, draft_values, schema_errors
from egov.portal import services
from egov.portal.drafts import (
    cases_of,
    draft_files,
    draft_for,
    missing_requirements,
    requirements_for,
    user_drafts,
)
from egov.portal.forms import ApplicantForm, applicant_initial
from egov.portal.models import Draft

STEPS: list[str] = [Draft.Step.APPLICANT, Draft.Step.DECLARATION, Draft.Step.FILES, Draft.Step.REVIEW]
STEP_LABELS: dict[str, Any] = {
    Draft.Step.APPLICANT: _("Applicant"),
    Draft.Step.DECLARATION: _("Declaration"),
    Draft.Step.FILES: _("Documents"),
    Draft.Step.REVIEW: _("Review"),
}
PIN_KEY = "egov_receipt_pin"


def _draft_or_404(request: HttpRequest, draft_id: UUID, **kwargs: Any) -> Draft:
    try:
        return draft_for(request.user, draft_id, **kwargs)
    except NotFound as exc:
        raise Http404 from exc


def _step_url(draft: Draft, step: str) -> str:
    return reverse("portal:draft_step", args=[draft.pk, step])


def _next(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def _saved(request: HttpRequest, draft: Draft) -> HttpResponse:
    flash_done(request, "Đã lưu hồ sơ nháp; bạn có thể tiếp tục sau.", "Draft saved; you can continue later.")
    return redirect("portal:drafts")


@login_required
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = get_procedure(code)
    except ProcedureNotFound:
        raise Http404 from None
    version = version_in_force(procedure, timezone.localdate())
    agencies = procedure_agencies(procedure, timezone.localdate())
    cases = cases_of(version) if version is not None else []
    error = ""
    online = version is not None and Channel.ONLINE in version_rules(version.pk).channels
    if request.method == "POST" and online:
        agency_code = request.POST.get("agency") or (agencies[0].code if len(agencies) == 1 else "")
        try:
            draft = services.start_draft(request.user, code, agency_code, request.POST.get("case", ""))
        except DomainError as err:
            error = error_message(request, err)
        else:
            return redirect(_step_url(draft, Draft.Step.APPLICANT))
    context = {
        "procedure": procedure,
        "version": version,
        "online": online,
        "agencies": agencies,
        "cases": cases,
        "error": error,
        "chosen_agency": request.POST.get("agency", ""),
        "chosen_case": request.POST.get("case", ""),
    }
    return render(request, "portal/apply/start.html", context, status=422 if error else 200)


@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/apply/drafts.html", {"drafts": list(user_drafts(request.user))})


@login_required
@require_POST
def draft_delete(request: HttpRequest, draft_id: UUID) -> HttpResponse:
    try:
        services.delete_draft(request.user, draft_id)
    except NotFound as exc:
        raise Http404 from exc
    flash_done(request, "Đã xoá hồ sơ nháp.", "Draft deleted.")
    return redirect("portal:drafts")


@login_required
@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, draft_id: UUID, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    draft = _draft_or_404(request, draft_id)
    handler = {
        Draft.Step.APPLICANT: _applicant_step,
        Draft.Step.DECLARATION: _declaration_step,
        Draft.Step.FILES: _files_step,
        Draft.Step.REVIEW: _review_step,
    }[Draft.Step(step)]
    return handler(request, draft)


def _render_step(
    request: HttpRequest, draft: Draft, step: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    position = STEPS.index(Draft.Step(step))
    steps = [
        {
            "label": STEP_LABELS[s],
            "state": _state(i, position),
        }
        for i, s in enumerate(STEPS)
    ]
    base = {
        "draft": draft,
        "step": step,
        "steps": steps,
        "position": position + 1,
        "total": len(STEPS),
        "current_label": steps[position]["label"],
        "procedure": draft.procedure_version.procedure,
        "previous_url": _step_url(draft, STEPS[position - 1]) if position else "",
    }
    return render(request, f"portal/apply/{step}.html", {**base, **context}, status=status)


def _state(index: int, current: int) -> str:
    if index < current:
        return "complete"
    return "current" if index == current else ""


def _applicant_step(request: HttpRequest, draft: Draft) -> HttpResponse:
    initial = draft.applicant or applicant_initial(request.user)
    if request.method == "POST":
        saving = request.POST.get("intent") == "save"
        form = ApplicantForm(request.POST)
        if form.is_valid():
            services.save_draft_step(
                request.user,
                draft.pk,
                applicant=form.cleaned_data,
                step=None if saving else Draft.Step.DECLARATION,
            )
            return _saved(request, draft) if saving else redirect(_step_url(draft, Draft.Step.DECLARATION))
        if saving:
            kept = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "")}
            services.save_draft_step(request.user, draft.pk, applicant=kept)
            return _saved(request, draft)
        return _render_step(request, draft, Draft.Step.APPLICANT, {"form": form}, status=422)
    return _render_step(request, draft, Draft.Step.APPLICANT, {"form": ApplicantForm(initial=initial)})


def _declaration_step(request: HttpRequest, draft: Draft) -> HttpResponse:
    schema = draft.procedure_version.declaration_schema or {}
    if request.method == "POST":
        if request.POST.get("intent") == "save":
            values = draft_values(declaration_form_class(schema, lenient=True), request.POST)
            services.save_draft_step(request.user, draft.pk, declaration=values)
            return _saved(request, draft)
        form = declaration_form_class(schema)(request.POST)
        if form.is_valid():
            services.save_draft_step(
                request.user, draft.pk, declaration=form.to_declaration(), step=Draft.Step.FILES
            )
            return redirect(_step_url(draft, Draft.Step.FILES))
        return _render_step(request, draft, Draft.Step.DECLARATION, {"form": form}, status=422)
    form = declaration_form_class(schema)(initial=draft.declaration)
    return _render_step(request, draft, Draft.Step.DECLARATION, {"form": form})


def _files_step(request: HttpRequest, draft: Draft) -> HttpResponse:
    errors: dict[int, str] = {}
    if request.method == "POST":
        requirements = requirements_for(draft)
        for requirement in requirements:
            upload = request.FILES.get(f"file_{requirement.pk}")
            if upload is None:
                continue
            try:
                services.add_draft_file(
                    request.user, draft.pk, requirement_id=requirement.pk, upload=check_upload(upload)
                )
            except DomainError as err:
                errors[requirement.pk] = error_message(request, err)
        action = request.POST.get("intent")
        if not errors and action == "save":
            return _saved(request, draft)
        if not errors and action == "continue":
            missing = missing_requirements(draft)
            if not missing:
                services.save_draft_step(request.user, draft.pk, step=Draft.Step.REVIEW)
                return redirect(_step_url(draft, Draft.Step.REVIEW))
            message = error_message(request, services.FilesMissing())
            errors.update({r.pk: message for r in missing})
        if not errors:
            return redirect(_step_url(draft, Draft.Step.FILES))
    return _render_step(
        request,
        draft,
        Draft.Step.FILES,
        {
            "components": _components(draft, errors),
            "accept": ACCEPT,
            "has_errors": bool(errors),
            "max_size": settings.EGOV["UPLOAD_MAX_BYTES"],
        },
        status=422 if errors else 200,
    )


def _components(draft: Draft, errors: dict[int, str]) -> list[dict[str, Any]]:
    by_requirement: dict[int | None, list[Any]] = {}
    for row in draft_files(draft):
        by_requirement.setdefault(row.requirement_id, []).append(row)
    return [
        {"requirement": r, "files": by_requirement.get(r.pk, []), "error": errors.get(r.pk, "")}
        for r in requirements_for(draft)
    ]


def _review_step(request: HttpRequest, draft: Draft) -> HttpResponse:
    if request.method == "POST":
        return redirect(_step_url(draft, Draft.Step.REVIEW))
    schema = draft.procedure_version.declaration_schema or {}
    props = schema.get("properties") or {}
    declaration = [
        {
            "label": (props.get(name) or {}).get("title") or name,
            "value": declaration_value(props.get(name), value),
        }
        for name, value in draft.declaration.items()
    ]
    problems: list[dict[str, str]] = []
    applicant_form = ApplicantForm(draft.applicant or {})
    if not draft.applicant or not applicant_form.is_valid():
        problems.append({"step": Draft.Step.APPLICANT, "url": _step_url(draft, Draft.Step.APPLICANT)})
    if schema_errors(schema, draft.declaration):
        problems.append({"step": Draft.Step.DECLARATION, "url": _step_url(draft, Draft.Step.DECLARATION)})
    if missing_requirements(draft):
        problems.append({"step": Draft.Step.FILES, "url": _step_url(draft, Draft.Step.FILES)})
    context = {
        "declaration": declaration,
        "components": _components(draft, {}),
        "problems": problems,
        "applicant_type": applicant_form.cleaned_data.get("type") if applicant_form.is_valid() else None,
        "step_urls": {s: _step_url(draft, s) for s in STEPS},
    }
    return _render_step(request, draft, Draft.Step.REVIEW, context)


@login_required
@require_POST
def draft_submit(request: HttpRequest, draft_id: UUID) -> HttpResponse:
    draft = _draft_or_404(request, draft_id, submitted=None)
    try:
        result = services.submit_draft(request.user, draft.pk)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as err:
        flash_error(request, err)
        return redirect(_step_url(draft, Draft.Step.REVIEW))
    if result.pin:
        request.session[f"{PIN_KEY}:{draft.pk}"] = result.pin
    return redirect("portal:receipt", draft_id=draft.pk)


@login_required
def receipt(request: HttpRequest, draft_id: UUID) -> HttpResponse:
    draft = _draft_or_404(request, draft_id, submitted=True)
    dossier = draft.submitted_dossier
    pin = request.session.pop(f"{PIN_KEY}:{draft.pk}", None)
    context = {"draft": draft, "dossier": dossier, "pin": pin, "procedure": draft.procedure_version.procedure}
    response = render(request, "portal/apply/receipt.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def draft_file_delete(request: HttpRequest, draft_id: UUID, token: str) -> HttpResponse:
    try:
        services.remove_draft_file(request.user, draft_id, token)
    except NotFound as exc:
        raise Http404 from exc
    flash_done(request, "Đã xoá tệp.", "File removed.")
    return redirect("portal:draft_step", draft_id=draft_id, step=Draft.Step.FILES)


urlpatterns = [
    path("apply/drafts/", drafts, name="drafts"),
    path("apply/d/<uuid:draft_id>/delete/", draft_delete, name="draft_delete"),
    path("apply/d/<uuid:draft_id>/submit/", draft_submit, name="draft_submit"),
    path("apply/d/<uuid:draft_id>/receipt/", receipt, name="receipt"),
    path("apply/d/<uuid:draft_id>/files/<str:token>/delete/", draft_file_delete, name="draft_file_delete"),
    path("apply/d/<uuid:draft_id>/<str:step>/", draft_step, name="draft_step"),
    path("apply/<str:code>/", apply_start, name="apply_start"),
]
