"""Seed the first Vietnamese and English notification templates (email, SMS; Zalo uses the SMS text).

SMS text keeps Vietnamese diacritics (sent as Unicode SMS by the gateway)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import migrations

VALID_FROM = date(2020, 1, 1)

# kind: {language: (email subject, email body, sms/zalo text)}
TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "dossier.received": {
        "vi": (
            "Tiếp nhận hồ sơ {dossier_code}",
            "Kính gửi {applicant_name},\n\n{agency} đã tiếp nhận hồ sơ {dossier_code} "
            'về thủ tục hành chính "{procedure}".\nNgày hẹn trả kết quả: {due_date}.\n\n'
            "Ông/bà có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ trên Cổng dịch vụ công.",
            "{agency} đã tiếp nhận hồ sơ {dossier_code} ({procedure}). Hẹn trả kết quả: {due_date}.",
        ),
        "en": (
            "Dossier {dossier_code} received",
            "Dear {applicant_name},\n\n{agency} has received dossier {dossier_code} for the "
            'administrative procedure "{procedure}".\nResult due on: {due_date}.\n\n'
            "You can follow the dossier with its code on the public service portal.",
            "{agency} received dossier {dossier_code} ({procedure}). Result due {due_date}.",
        ),
    },
    "dossier.supplement_requested": {
        "vi": (
            "Yêu cầu bổ sung hồ sơ {dossier_code}",
            'Kính gửi {applicant_name},\n\nHồ sơ {dossier_code} (thủ tục "{procedure}") cần bổ sung, '
            "hoàn thiện theo yêu cầu sau của {agency}:\n\n{content}\n\n"
            "Thời hạn giải quyết tạm dừng cho đến khi nhận được hồ sơ bổ sung.",
            "Hồ sơ {dossier_code} cần bổ sung: {content}. Liên hệ {agency}.",
        ),
        "en": (
            "Dossier {dossier_code}: supplement requested",
            'Dear {applicant_name},\n\nDossier {dossier_code} ("{procedure}") must be completed as '
            "{agency} requests:\n\n{content}\n\nThe processing time is paused until the supplement arrives.",
            "Dossier {dossier_code} needs a supplement: {content}. Contact {agency}.",
        ),
    },
    "dossier.financial_obligation_requested": {
        "vi": (
            "Thông báo nộp phí, lệ phí, nghĩa vụ tài chính - hồ sơ {dossier_code}",
            "Kính gửi {applicant_name},\n\nĐể tiếp tục giải quyết hồ sơ {dossier_code} "
            '(thủ tục "{procedure}"), ông/bà vui lòng thực hiện nghĩa vụ tài chính: {amount}.\n'
            "Nội dung: {content}\n\n{agency}",
            "Hồ sơ {dossier_code}: đề nghị nộp {amount} ({content}). {agency}",
        ),
        "en": (
            "Payment request for dossier {dossier_code}",
            'Dear {applicant_name},\n\nTo continue processing dossier {dossier_code} ("{procedure}"), '
            "please pay {amount}.\nDetails: {content}\n\n{agency}",
            "Dossier {dossier_code}: please pay {amount} ({content}). {agency}",
        ),
    },
    "dossier.finished": {
        "vi": (
            "Đã có kết quả giải quyết hồ sơ {dossier_code}",
            'Kính gửi {applicant_name},\n\nHồ sơ {dossier_code} (thủ tục "{procedure}") đã có kết quả. '
            "Ông/bà nhận kết quả tại {agency} hoặc trên Cổng dịch vụ công.",
            "Hồ sơ {dossier_code} đã có kết quả. Mời nhận tại {agency} hoặc trên Cổng dịch vụ công.",
        ),
        "en": (
            "Result ready for dossier {dossier_code}",
            'Dear {applicant_name},\n\nThe result of dossier {dossier_code} ("{procedure}") is ready. '
            "Collect it at {agency} or on the public service portal.",
            "The result of dossier {dossier_code} is ready at {agency} or on the portal.",
        ),
    },
    "dossier.apologised": {
        "vi": (
            "Thư xin lỗi và hẹn lại ngày trả kết quả - hồ sơ {dossier_code}",
            "Kính gửi {applicant_name},\n\n{agency} xin lỗi ông/bà vì hồ sơ {dossier_code} "
            '(thủ tục "{procedure}") chưa giải quyết xong đúng hạn.\nLý do: {content}\n'
            "Ngày hẹn trả kết quả mới: {due_date}.",
            "{agency} xin lỗi: hồ sơ {dossier_code} trễ hạn ({content}). Hẹn lại ngày {due_date}.",
        ),
        "en": (
            "Apology and new date for dossier {dossier_code}",
            'Dear {applicant_name},\n\n{agency} apologises: dossier {dossier_code} ("{procedure}") '
            "could not be completed on time.\nReason: {content}\nNew result date: {due_date}.",
            "{agency} apologises: dossier {dossier_code} is late ({content}). New date {due_date}.",
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
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
