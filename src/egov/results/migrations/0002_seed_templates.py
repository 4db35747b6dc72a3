"""Result templates for the demo catalogue's results, and the generic reply used when none fits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import migrations

INTRO = (
    "Căn cứ hồ sơ số {{ dossier.code }} của {{ dossier.applicant_name }} "
    "tiếp nhận ngày {{ dossier.received_at|default:dossier.submitted_at }};"
)

TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "gcn-dang-ky-ho-kinh-doanh",
        "procedure_code": "1.001612",
        "result_name": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "title": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "notation": "GCN-ĐKHKD",
        "signer_position": "Trưởng phòng",
        "body": (
            "Căn cứ Nghị định số 01/2021/NĐ-CP ngày 04 tháng 01 năm 2021 của Chính phủ về đăng ký "
            "doanh nghiệp;\n\n" + INTRO + "\n\n"
            "{{ agency.name }} chứng nhận:\n\n"
            "| Tên hộ kinh doanh | {{ declaration.ten_ho_kinh_doanh }}\n"
            "| Địa chỉ trụ sở | {{ declaration.dia_chi_tru_so }}\n"
            "| Ngành, nghề kinh doanh | {{ declaration.nganh_nghe }}\n"
            "| Vốn kinh doanh | {{ declaration.von_kinh_doanh|default:'0' }} đồng\n"
            "| Số lượng lao động | {{ declaration.so_lao_dong|default:'—' }}\n"
            "| Chủ hộ kinh doanh | {{ declaration.ho_ten_chu_ho|default:dossier.applicant_name }}\n"
            "{% if dossier.applicant_id_number %}| Số định danh cá nhân | {{ dossier.applicant_id_number }}\n{% endif %}"
            "\nHộ kinh doanh được hoạt động kể từ ngày {{ result.date }}."
        ),
    },
    {
        "code": "phieu-ly-lich-tu-phap",
        "procedure_code": "2.000488",
        "result_name": "Phiếu lý lịch tư pháp số 1 hoặc số 2",
        "title": "Phiếu lý lịch tư pháp",
        "notation": "LLTP",
        "signer_position": "Giám đốc",
        "body": (
            "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;\n\n" + INTRO + "\n\n"
            "## {{ declaration.loai_phieu|default:'Phiếu số 1' }}\n\n"
            "| Họ và tên | {{ declaration.ho_ten|default:dossier.applicant_name }}\n"
            "| Ngày, tháng, năm sinh | {{ declaration.ngay_sinh }}\n"
            "| Số định danh cá nhân | {{ declaration.so_dinh_danh|default:dossier.applicant_id_number }}\n"
            "| Nơi cư trú | {{ declaration.noi_cu_tru|default:dossier.address }}\n"
            "| Tình trạng án tích | Không có án tích\n"
            "| Mục đích sử dụng | {{ declaration.muc_dich|default:'—' }}"
        ),
    },
    {
        "code": "giay-khai-sinh",
        "procedure_code": "1.001193",
        "result_name": "Giấy khai sinh (bản chính)",
        "title": "Giấy khai sinh",
        "notation": "GKS",
        "signer_position": "Chủ tịch",
        "body": (
            "Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014;\n\n" + INTRO + "\n\n"
            "| Họ, chữ đệm, tên | {{ declaration.ho_ten_tre }}\n"
            "| Ngày, tháng, năm sinh | {{ declaration.ngay_sinh }}\n"
            "| Giới tính | {{ declaration.gioi_tinh }}\n"
            "| Nơi sinh | {{ declaration.noi_sinh }}\n"
            "| Quốc tịch | {{ declaration.quoc_tich|default:'Việt Nam' }}\n"
            "| Họ, chữ đệm, tên người mẹ | {{ declaration.ho_ten_me|default:'—' }}\n"
            "| Họ, chữ đệm, tên người cha | {{ declaration.ho_ten_cha|default:'—' }}\n"
            "| Người đi đăng ký khai sinh | {{ dossier.applicant_name }}"
        ),
    },
    {
        "code": "van-ban-tra-loi",
        "procedure_code": "",
        "result_name": "",
        "is_fallback": True,
        "title": "Văn bản trả lời",
        "notation": "TB",
        "signer_position": "Thủ trưởng cơ quan",
        "body": (
            "Kính gửi: {{ dossier.applicant_name }}{% if dossier.address %}, {{ dossier.address }}{% endif %}.\n\n"
            "{{ agency.name }} đã tiếp nhận hồ sơ số {{ dossier.code }} ngày "
            "{{ dossier.received_at|default:dossier.submitted_at }} về thủ tục «{{ procedure.name }}» "
            "(mã {{ procedure.code }}){% if dossier.subject %}, nội dung: {{ dossier.subject }}{% endif %}.\n\n"
            "Hồ sơ đã được giải quyết theo quy định. Văn bản này là kết quả giải quyết thủ tục hành chính "
            "dưới dạng điện tử, được ký số bởi {{ agency.name }}, có giá trị pháp lý như bản giấy; "
            "tra cứu tính xác thực bằng mã QR hoặc mã tra cứu in trên văn bản."
        ),
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    """Also run with today's models (egov.testing.seeds): fields a later migration removed, such as
    `signer_position` (results 0003), are left out."""
    ResultTemplate = apps.get_model("results", "ResultTemplate")
    fields = {field.name for field in ResultTemplate._meta.get_fields()}
    for spec in TEMPLATES:
        values = {k: v for k, v in spec.items() if k != "code" and k in fields}
        ResultTemplate.objects.get_or_create(
            code=spec["code"], version=1, defaults={**values, "valid_from": dt.date(2020, 1, 1)}
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    ResultTemplate = apps.get_model("results", "ResultTemplate")
    ResultTemplate.objects.filter(code__in=[t["code"] for t in TEMPLATES], version=1, documents=None).delete()


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
