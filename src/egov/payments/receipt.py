"""The electronic receipt (biên lai điện tử) of a confirmed payment as a PDF, on egov.core.pdf."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from egov.catalog.models import Agency
from egov.catalog.selectors import acting_agency
from egov.core import pdf
from egov.payments.models import Payment


def _dong(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def beneficiary(payment: Payment) -> Agency:
    """The agency the money was paid to: the dossier's receiving agency, or the one acting for it on
    the day of payment once a reorganisation closed it."""
    paid = payment.paid_at or timezone.now()
    return acting_agency(payment.dossier.agency, timezone.localdate(paid))


def receipt_spec(payment: Payment) -> pdf.DocumentSpec:
    dossier = payment.dossier
    agency = beneficiary(payment)
    procedure = dossier.procedure_version.procedure
    paid_at = timezone.localtime(payment.paid_at) if payment.paid_at else None
    facts = [
        ("Người nộp tiền", dossier.applicant_name),
        ("Mã hồ sơ", dossier.code),
        ("Thủ tục hành chính", f"{procedure.name} ({procedure.code})"),
        ("Đơn vị thụ hưởng", f"{agency.name}, tài khoản {settings.EGOV['PAYMENT_BENEFICIARY']}"),
        ("Mã giao dịch thanh toán", payment.order_id),
        ("Số giao dịch", payment.transaction_no),
        ("Thời điểm thanh toán", paid_at.strftime("%d/%m/%Y %H:%M") if paid_at else ""),
    ]
    if payment.refunded_amount:
        facts.append(("Đã hoàn trả", _dong(payment.refunded_amount)))
    rows = [
        (str(i), str(line["name"]), _dong(int(line["amount"]))) for i, line in enumerate(payment.lines, 1)
    ]
    rows.append(("", "Tổng cộng", _dong(payment.amount)))
    return pdf.DocumentSpec(
        agency_name=agency.name,
        parent_agency=agency.parent.name if agency.parent else "",
        title="BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ",
        number=payment.transaction_no,
        date=paid_at.date() if paid_at else None,
        blocks=(
            pdf.Table(rows=facts, widths=(1, 2)),
            pdf.Table(
                rows=rows, header=("STT", "Khoản phí, lệ phí", "Số tiền"), widths=(1, 6, 3), borders=True
            ),
            "Thanh toán trực tuyến qua Nền tảng thanh toán quốc gia. Biên lai được lập dưới dạng điện tử, "
            "không cần chữ ký và con dấu.",
        ),
        author=agency.name,
        keywords=("biên lai", dossier.code, payment.order_id),
    )


def receipt_pdf(payment: Payment) -> bytes:
    return pdf.render_document(receipt_spec(payment))
