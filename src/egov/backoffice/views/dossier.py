"""The dossier page of the back office: everything about one dossier, its actions, notes and prints."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_POST

from egov.accounts.models import Role
from egov.backoffice import actions as office_actions
from egov.backoffice import selectors as office_selectors
from egov.backoffice.forms import ActionForm, NoteForm, action_form
from egov.backoffice.permissions import officer_required
from egov.catalog.selectors import acting_agency
from egov.core.errors import DomainError
from egov.core.templatetags.egov_format import declaration_value, with_amount
from egov.core.ui import flash_done, flash_error, in_language
from egov.dossiers import selectors, services
from egov.dossiers.actions import ACTIONS
from egov.dossiers.errors import DossierNotFound
from egov.dossiers.files import files_of
from egov.dossiers.models import Dossier, DossierFile, DossierStep, OnlinePayment, Status, SupplementRequest
from egov.notifications.selectors import notifications_for
from egov.payments.models import Payment

PIN_SESSION_PREFIX = "egov_pin:"
PRINT_FORMS = ("01", "02", "03", "04", "05", "slip")


def bilingual(label: str) -> str:
    """'Tiếng Việt / English' choice labels shown in the page language."""
    vi, _sep, en = str(label).partition(" / ")
    return in_language(vi, en or vi)


def channel_label(dossier: Dossier) -> str:
    """'Trực tuyến' / 'Online': the submission channel in the page language."""
    return capfirst(bilingual(dossier.get_channel_display())) or ""


def load_dossier(user: Any, code: str) -> Dossier:
    try:
        return selectors.dossier_for(user, code)
    except DossierNotFound:
        raise Http404(code) from None


def declaration_rows(dossier: Dossier) -> list[tuple[str, Any]]:
    """The declaration as (title from the schema, value) pairs, in the schema's order."""
    schema = dossier.procedure_version.declaration_schema or {}
    props = schema.get("properties") or {}
    data = dossier.declaration or {}
    rows: list[tuple[str, Any]] = []
    for key in [*props, *(k for k in data if k not in props)]:
        if key not in data:
            continue
        spec = props.get(key) or {}
        title = spec.get("title") if isinstance(spec, dict) else None
        value = data[key]
        if isinstance(value, bool):
            value = in_language("Có", "Yes") if value else in_language("Không", "No")
        elif isinstance(value, dict):
            value = str(value)
        else:
            value = declaration_value(spec, value)
        rows.append((str(title or key), value))
    return rows


def file_rows(dossier: Dossier) -> list[dict[str, Any]]:
    rows = []
    for f in files_of(dossier):
        kind = "pdf" if f.content_type == "application/pdf" else ""
        if f.content_type.startswith("image/"):
            kind = "image"
        rows.append({"file": f, "preview": kind, "kind_label": bilingual(DossierFile.Kind(f.kind).label)})
    return rows


def step_rows(dossier: Dossier) -> list[dict[str, Any]]:
    rows = []
    for step in selectors.steps_of(dossier):
        role = bilingual(Role(step.role).label) if step.role in Role.values else step.role
        outcome = bilingual(DossierStep.Outcome(step.outcome).label) if step.outcome else ""
        rows.append({"step": step, "role": role, "outcome": outcome})
    return rows


EVENT_LABELS: dict[str, tuple[str, str]] = {
    "dossier.created": ("Đăng ký hồ sơ", "Registered"),
    "dossier.received": ("Tiếp nhận hồ sơ", "Received"),
    "dossier.refused": ("Từ chối hồ sơ", "Refused"),
    "dossier.supplement_requested": ("Yêu cầu bổ sung", "Supplement requested"),
    "dossier.supplement_received": ("Nhận hồ sơ bổ sung", "Supplement received"),
    "dossier.step_assigned": ("Phân công xử lý", "Step assigned"),
    "dossier.forwarded": ("Chuyển bước tiếp theo", "Forwarded"),
    "dossier.returned_to_previous_step": ("Trả lại bước trước", "Sent back"),
    "dossier.financial_obligation_requested": (
        "Yêu cầu nghĩa vụ tài chính",
        "Financial obligation requested",
    ),
    "dossier.financial_obligation_confirmed": ("Xác nhận nghĩa vụ tài chính", "Financial obligation met"),
    "dossier.stopped": ("Dừng xử lý", "Processing stopped"),
    "dossier.withdrawn": ("Rút hồ sơ", "Withdrawn"),
    "dossier.apologised": ("Xin lỗi, hẹn lại", "Apology, new appointment"),
    "dossier.finished": ("Hoàn thành xử lý", "Processing finished"),
    "dossier.result_returned": ("Trả kết quả", "Result returned"),
    "dossier.file_attached": ("Đính kèm tệp", "File attached"),
    "dossier.note_added": ("Thêm ghi chú", "Note added"),
    "notification.resent": ("Gửi lại thông báo", "Notification resent"),
    "payment.created": ("Tạo khoản thanh toán", "Payment created"),
    "payment.pending": ("Chờ thanh toán trực tuyến", "Online payment pending"),
    "payment.paid": ("Đã thanh toán trực tuyến", "Paid online"),
    "payment.duplicate": ("Thanh toán trùng: cần hoàn tiền khoản này", "Paid twice: refund this payment"),
    "payment.failed": ("Thanh toán không thành công", "Payment failed"),
    "payment.expired": ("Khoản thanh toán hết hạn", "Payment expired"),
    "payment.refunded": ("Hoàn tiền", "Refunded"),
    "payment.refund_requested": ("Đề nghị hoàn tiền", "Refund requested"),
    "payment.refund_refused": ("Nền tảng thanh toán từ chối hoàn tiền", "Refund refused by the platform"),
    "payment.exemption_recorded": ("Ghi nhận đối tượng miễn phí, lệ phí", "Fee exemption recorded"),
    "payment.exemption_cleared": ("Bỏ đối tượng miễn phí, lệ phí", "Fee exemption cleared"),
    "result.issued": ("Ban hành kết quả điện tử ký số", "Signed electronic result issued"),
    "result.revoked": ("Thu hồi kết quả điện tử", "Electronic result revoked"),
}


def timeline_rows(dossier: Dossier) -> list[dict[str, Any]]:
    """Recorded events and the notifications they caused, by time (a notification after its event)."""
    rows = []
    for entry in selectors.timeline(dossier):
        label = EVENT_LABELS.get(entry["kind"])
        note = with_amount(entry.get("note") or "", entry.get("amount"))
        rows.append({**entry, "note": note, "label": in_language(*label) if label else entry["kind"]})
    sent = [{"at": n.created_at, "notification": n} for n in notifications_for(dossier)]
    return sorted([*rows, *sent], key=lambda row: row["at"]) if sent else rows


def payment_rows(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {"payment": p, "status": bilingual(Payment.Status(p.status).label)}
        for p in office_selectors.dossier_payments(dossier)
    ]


def payment_desk(user: Any, dossier: Dossier) -> dict[str, Any]:
    from egov.backoffice.views.payments import payment_desk as desk_panel

    return desk_panel(user, dossier)


def available_prints(dossier: Dossier, supplements: list[SupplementRequest] | None = None) -> list[str]:
    """The forms this dossier can be printed on (form 02 once a supplement was ever requested)."""
    if supplements is None:
        supplements = selectors.supplement_requests_of(dossier)
    forms = []
    if dossier.received_at is not None:
        forms.append("01")
    if supplements:
        forms.append("02")
    if dossier.status == Status.REFUSED:
        forms.append("03")
    if dossier.apology_due_at is not None:
        forms.append("04")
    if dossier.status == Status.STOPPED:
        forms.append("05")
    forms.append("slip")
    return forms


def attach_form(user: Any, dossier: Dossier) -> Any:
    from egov.backoffice.views.attachments import AttachForm

    return AttachForm(auto_id="id_attach_%s") if office_actions.may_attach(user, dossier) else None


def _action_forms(user: Any, dossier: Dossier, bound: ActionForm | None, bound_name: str) -> list[Any]:
    items = []
    for action in office_actions.available_actions(user, dossier):
        if bound is not None and action.name == bound_name:
            form = bound
        else:
            assignees = office_actions.assignee_choices(action.name, dossier)
            form = action_form(action.name, action.fields, assignees=assignees)
        items.append(
            {
                "action": action,
                "label": in_language(action.label_vi, action.label_en),
                "form": form,
                "open": bound is not None and action.name == bound_name,
            }
        )
    return items


def render_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: ActionForm | None = None,
    bound_name: str = "",
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    supplements = selectors.supplement_requests_of(dossier)
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure_version.procedure,
        "status_label": bilingual(Status(dossier.status).label),
        "channel_label": channel_label(dossier),
        "applicant_type_label": bilingual(dossier.get_applicant_type_display()),
        "declaration": declaration_rows(dossier),
        "files": file_rows(dossier),
        "steps": step_rows(dossier),
        "supplements": supplements,
        "notes": selectors.notes_of(dossier),
        "timeline": timeline_rows(dossier),
        "actions": _action_forms(request.user, dossier, bound, bound_name),
        "note_form": note_form or NoteForm(),
        "may_note": office_actions.may_add_note(request.user, dossier),
        "prints": available_prints(dossier, supplements),
        "attach_form": attach_form(request.user, dossier),
        "payments": payment_rows(dossier),
        "online_payment_label": bilingual(OnlinePayment(dossier.online_payment).label),
        "payment_desk": payment_desk(request.user, dossier),
    }
    return render(request, "backoffice/dossier.html", context, status=status)


@require_GET
@officer_required
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    return render_page(request, load_dossier(request.user, code))


@require_POST
@officer_required
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Run one action through its core service, then back to the page (or to the form to print)."""
    dossier = load_dossier(request.user, code)
    if action == "note":
        return _add_note(request, dossier)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(action)
    form = action_form(
        action, spec.fields, request.POST, assignees=office_actions.assignee_choices(action, dossier)
    )
    if not form.is_valid():
        return render_page(request, dossier, bound=form, bound_name=action, status=400)
    try:
        spec.call(request.user, dossier, form.arguments())
    except DomainError as err:
        flash_error(request, err)
        return redirect("office:dossier", code=dossier.code)
    flash_done(request, spec.done_vi, spec.done_en)
    anchor = "#prints" if spec.prints else ""
    return redirect(reverse("office:dossier", args=[dossier.code]) + anchor)


def _add_note(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render_page(request, dossier, note_form=form, status=400)
    try:
        services.add_note(request.user, dossier, text=form.cleaned_data["text"])
    except DomainError as err:
        flash_error(request, err)
    else:
        flash_done(request, "Đã thêm ghi chú.", "The note was added.")
    return redirect("office:dossier", code=dossier.code)


def _event_note(dossier: Dossier, kind: str) -> dict[str, Any] | None:
    entries = [e for e in selectors.timeline(dossier) if e["kind"] == kind]
    return entries[-1] if entries else None


def print_context(request: HttpRequest, dossier: Dossier, form: str) -> dict[str, Any]:
    """`agency` issues the form (its header, where to collect the result): the agency acting for the
    receiving one on the print date; `receiving_agency` is whoever acted for it on the day of receipt
    (they differ once a reorganisation closed the receiving agency)."""
    printed_at = timezone.now()
    received_on = timezone.localdate(dossier.received_at or dossier.submitted_at or printed_at)
    context: dict[str, Any] = {
        "dossier": dossier,
        "procedure": dossier.procedure_version.procedure,
        "agency": acting_agency(dossier.agency, timezone.localdate(printed_at)),
        "receiving_agency": acting_agency(dossier.agency, received_on),
        "form": form,
        "printed_at": printed_at,
        "status_label": bilingual(Status(dossier.status).label),
        "files": file_rows(dossier),
    }
    if form == "01":
        context["pin"] = request.session.get(PIN_SESSION_PREFIX + dossier.code, "")
        context["received"] = _event_note(dossier, "dossier.received")
    elif form == "02":
        supplements = selectors.supplement_requests_of(dossier)
        context["supplement"] = supplements[-1] if supplements else None
    elif form == "03":
        context["event"] = _event_note(dossier, "dossier.refused")
    elif form == "04":
        context["event"] = _event_note(dossier, "dossier.apologised")
    elif form == "05":
        context["event"] = _event_note(dossier, "dossier.stopped")
    else:
        context["steps"] = step_rows(dossier)
    return context


@require_GET
@officer_required
def dossier_print(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """A printable form (Circular 01/2018 forms 01–04, the 2025 stop notice, the control slip)."""
    dossier = load_dossier(request.user, code)
    if form not in PRINT_FORMS or form not in available_prints(dossier):
        raise Http404(form)
    template = f"backoffice/print/{form}.html"
    return render(request, template, print_context(request, dossier, form))


urlpatterns = [
    path("dossiers/<str:code>/", dossier_page, name="dossier"),
    path("dossiers/<str:code>/print/<str:form>/", dossier_print, name="dossier_print"),
    path("dossiers/<str:code>/<str:action>/", dossier_action, name="dossier_action"),
]
