"""Seed the templates of the electronic receipt (payment.paid) and the signed result (result.issued).

The result email carries the signed PDF as an attachment when it is small enough; the text always
gives the link to the applicant's "My dossier" page, where the result can be downloaded."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import migrations

VALID_FROM = date(2020, 1, 1)

# kind: {language: (email subject, email body, sms/zalo text)}
TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "payment.paid": {
        "vi": (
            "Biên lai điện tử: đã thanh toán {amount} cho hồ sơ {dossier_code}",
            "Kính gửi {applicant_name},\n\nHệ thống đã nhận khoản thanh toán phí, lệ phí của hồ sơ "
            '{dossier_code} (thủ tục "{procedure}").\n\nSố tiền: {amount}\n'
            "Mã giao dịch: {transaction_no}\nĐơn vị tiếp nhận: {agency}\n\n"
            "Biên lai điện tử và tình trạng hồ sơ: {link}",
            "Đã nhận {amount} phí, lệ phí hồ sơ {dossier_code}. Mã GD {transaction_no}. Biên lai: {link}",
        ),
        "en": (
            "Electronic receipt: {amount} paid for dossier {dossier_code}",
            "Dear {applicant_name},\n\nWe received the payment of the fees of dossier {dossier_code} "
            '("{procedure}").\n\nAmount: {amount}\nTransaction: {transaction_no}\n'
            "Receiving agency: {agency}\n\nElectronic receipt and dossier status: {link}",
            "{amount} received for dossier {dossier_code}. Transaction {transaction_no}. Receipt: {link}",
        ),
    },
    "result.issued": {
        "vi": (
            "Kết quả điện tử của hồ sơ {dossier_code}",
            'Kính gửi {applicant_name},\n\nHồ sơ {dossier_code} (thủ tục "{procedure}") đã có kết quả '
            "điện tử do {agency} ký số.\nMã tra cứu kết quả: {short_code}\n\n"
            "Bản kết quả điện tử (PDF có chữ ký số) được đính kèm thư này nếu dung lượng cho phép; "
            "ông/bà cũng có thể tải về tại trang Hồ sơ của tôi: {link}",
            "Hồ sơ {dossier_code} đã có kết quả điện tử ký số (mã {short_code}). Tải về: {link}",
        ),
        "en": (
            "Electronic result of dossier {dossier_code}",
            'Dear {applicant_name},\n\nThe electronic result of dossier {dossier_code} ("{procedure}"), '
            "digitally signed by {agency}, is ready.\nResult code: {short_code}\n\n"
            "The signed PDF is attached to this email when its size allows; you can also download it "
            "from My dossiers: {link}",
            "The signed electronic result of dossier {dossier_code} is ready (code {short_code}): {link}",
        ),
    },
}


def seed(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("notifications", "MessageTemplate")
    rows = []
    for kind, languages in TEMPLATES.items():
        for language, (subject, body, short) in languages.items():
            common = {"kind": kind, "language": language, "version": 1, "valid_from": VALID_FROM}
            rows.append(template(channel="email", subject=subject, body=body, **common))
            rows.append(template(channel="sms", body=short, **common))
            rows.append(template(channel="zalo", body=short, **common))
    template.objects.bulk_create(rows, ignore_conflicts=True)  # idempotent: tests re-seed after a flush


def unseed(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("notifications", "MessageTemplate")
    template.objects.filter(version=1, valid_from=VALID_FROM, kind__in=list(TEMPLATES)).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, unseed)]
