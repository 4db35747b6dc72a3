"""The one-stop forms 01–05 and the process-control slip as PDF, from the same builder as the results.

Same rights and the same context as the HTML print view (`dossier.print_context`); the PDF is the
official wording, so it is always in Vietnamese whatever the page language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from egov.backoffice.permissions import officer_required
from egov.backoffice.views.dossier import PRINT_FORMS, available_prints, load_dossier, print_context
from egov.core import pdf
from egov.results.wording import place_of

TITLES = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "05": "Thông báo dừng xử lý hồ sơ",
    "slip": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}
SIGN_HERE = "(Ký, ghi rõ họ tên)"


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


def _parties(ctx: dict[str, Any]) -> pdf.Table:
    dossier, procedure = ctx["dossier"], ctx["procedure"]
    rows = [
        ("Mã hồ sơ", dossier.code),
        ("Thủ tục", f"{procedure.name} ({procedure.code})"),
        ("Người nộp hồ sơ", dossier.applicant_name),
    ]
    rows += [
        (label, value)
        for label, value in (
            ("Địa chỉ", dossier.address),
            ("Điện thoại", dossier.phone),
            ("Email", dossier.email),
        )
        if value
    ]
    return pdf.Table(rows=rows)


def _received_intro(ctx: dict[str, Any]) -> str:
    return f"{ctx['receiving_agency'].name} đã tiếp nhận hồ sơ của:"


def _event(ctx: dict[str, Any]) -> dict[str, Any]:
    return ctx.get("event") or {}


def _form_01(ctx: dict[str, Any]) -> list[pdf.Block]:
    dossier, agency = ctx["dossier"], ctx["agency"]
    files = [
        (str(i), (f"{row['file'].requirement.name}: " if row["file"].requirement else "") + row["file"].name)
        for i, row in enumerate(ctx["files"], start=1)
    ]
    blocks: list[pdf.Block] = [_received_intro(ctx), _parties(ctx)]
    if ctx.get("pin"):
        blocks.append(f"Mã PIN tra cứu: {ctx['pin']} — giữ mã này để tra cứu hồ sơ không cần tài khoản.")
    blocks.append(pdf.Heading("Thành phần hồ sơ đã nhận"))
    blocks.append(pdf.Table(rows=files, widths=(8, 92)) if files else "Giấy tờ theo quy định của thủ tục.")
    place = agency.name + (f", {agency.address}" if agency.address else "")
    blocks.append(
        pdf.Table(
            rows=[
                ("Ngày tiếp nhận", _when(dossier.received_at)),
                ("Ngày hẹn trả kết quả", _when(dossier.due_at)),
                ("Nơi trả kết quả", place),
            ]
        )
    )
    return blocks


def _form_02(ctx: dict[str, Any]) -> list[pdf.Block]:
    supplement = ctx.get("supplement")
    blocks: list[pdf.Block] = [_received_intro(ctx), _parties(ctx), pdf.Heading("Nội dung yêu cầu bổ sung")]
    if supplement is not None:
        blocks.append(supplement.content)
        by = supplement.requested_by.display_name() if supplement.requested_by else "—"
        blocks.append(
            pdf.Table(rows=[("Ngày yêu cầu", _when(supplement.requested_at)), ("Người yêu cầu", by)])
        )
    blocks.append(
        "Xin lỗi ông/bà vì sự bất tiện này. Thời gian giải quyết tạm dừng đến khi nhận đủ hồ sơ bổ sung."
    )
    return blocks


def _form_03(ctx: dict[str, Any]) -> list[pdf.Block]:
    return [
        _received_intro(ctx),
        _parties(ctx),
        pdf.Heading("Lý do từ chối"),
        str(_event(ctx).get("note") or "—"),
        pdf.Table(rows=[("Ngày từ chối", _when(ctx["dossier"].ended_at))]),
        "Xin lỗi ông/bà vì sự bất tiện này.",
    ]


def _form_04(ctx: dict[str, Any]) -> list[pdf.Block]:
    dossier = ctx["dossier"]
    return [
        _received_intro(ctx),
        _parties(ctx),
        pdf.Table(
            rows=[
                ("Ngày hẹn trả kết quả", _when(dossier.due_at)),
                ("Lý do chậm", str(_event(ctx).get("note") or "—")),
                ("Ngày hẹn trả kết quả mới", _when(dossier.apology_due_at)),
            ]
        ),
        "Cơ quan chân thành xin lỗi ông/bà vì sự chậm trễ này.",
    ]


def _form_05(ctx: dict[str, Any]) -> list[pdf.Block]:
    return [
        _received_intro(ctx),
        _parties(ctx),
        pdf.Heading("Lý do dừng xử lý"),
        str(_event(ctx).get("note") or "—"),
        pdf.Table(rows=[("Ngày dừng xử lý", _when(ctx["dossier"].ended_at))]),
    ]


def _slip(ctx: dict[str, Any]) -> list[pdf.Block]:
    dossier = ctx["dossier"]
    rows = []
    for row in ctx.get("steps", []):
        step = row["step"]
        outcome = (row["outcome"] or "—") + (f": {step.note}" if step.note else "")
        rows.append(
            [
                f"{step.position}. {step.process_step.name}",
                step.unit.name,
                step.assignee.display_name() if step.assignee else "—",
                _when(step.started_at),
                _when(step.due_at),
                _when(step.finished_at),
                outcome,
            ]
        )
    header = ["Bước", "Đơn vị", "Cán bộ", "Nhận", "Hạn", "Xong", "Kết quả"]
    return [
        _parties(ctx),
        pdf.Table(
            rows=[
                ("Ngày tiếp nhận", _when(dossier.received_at)),
                ("Ngày hẹn trả kết quả", _when(dossier.due_at)),
            ]
        ),
        pdf.Table(rows=rows, header=header, widths=(18, 16, 14, 11, 11, 11, 19))
        if rows
        else "Hồ sơ chưa được tiếp nhận.",
    ]


BUILDERS: dict[str, Callable[[dict[str, Any]], list[pdf.Block]]] = {
    "01": _form_01,
    "02": _form_02,
    "03": _form_03,
    "04": _form_04,
    "05": _form_05,
    "slip": _slip,
}


def _officer(ctx: dict[str, Any], form: str) -> str:
    if form == "02" and ctx.get("supplement") is not None and ctx["supplement"].requested_by:
        return str(ctx["supplement"].requested_by.display_name())
    event = ctx.get("received") if form == "01" else ctx.get("event")
    return str((event or {}).get("actor") or "")


def form_spec(ctx: dict[str, Any], form: str) -> pdf.DocumentSpec:
    agency, dossier = ctx["agency"], ctx["dossier"]
    signers: dict[str, Any] = {}
    if form != "slip":
        signers = {
            "left_signer": pdf.Signer(position="Người nộp hồ sơ", note=SIGN_HERE),
            "signer": pdf.Signer(position="Người tiếp nhận", name=_officer(ctx, form), note=SIGN_HERE),
        }
    return pdf.DocumentSpec(
        agency_name=agency.name,
        parent_agency=agency.parent.name if agency.parent else "",
        title=TITLES[form],
        place=place_of(agency),
        date=timezone.localdate(ctx["printed_at"]),
        blocks=BUILDERS[form](ctx),
        footer=f"Mã hồ sơ: {dossier.code}",
        keywords=[dossier.code, form],
        **signers,
    )


@require_GET
@officer_required
def dossier_print_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    dossier = load_dossier(request.user, code)
    if form not in PRINT_FORMS or form not in available_prints(dossier):
        raise Http404(form)
    data = pdf.render_document(form_spec(print_context(request, dossier, form), form))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{dossier.code}-{form}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("dossiers/<str:code>/print/<str:form>.pdf", dossier_print_pdf, name="dossier_print_pdf"),
]
