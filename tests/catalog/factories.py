"""Small builders for catalogue tests: every object through the services, as an integrator would."""

from __future__ import annotations

from typing import Any

from egov.catalog import services
from egov.catalog.models import Agency, Procedure, ProcedureVersion, Sector


def sector(code: str = "HOTICH", name: str = "Hộ tịch") -> Sector:
    return Sector.objects.get_or_create(code=code, defaults={"name": name})[0]


def agency(
    code: str = "000.01.31.H62",
    name: str = "UBND phường Liên Bảo",
    level: str = "commune",
    parent: Agency | None = None,
) -> Agency:
    return Agency.objects.create(code=code, name=name, level=level, parent=parent)


def ten_day_process() -> list[dict[str, Any]]:
    return [
        {"position": 1, "name": "Tiếp nhận", "role": "desk", "budget": 0.5},
        {"position": 2, "name": "Phân công", "role": "division_head", "budget": 0.5},
        {"position": 3, "name": "Thẩm định", "role": "specialist", "budget": 7},
        {"position": 4, "name": "Trình ký", "role": "division_head", "budget": 0.5},
        {"position": 5, "name": "Ký duyệt", "role": "leader", "budget": 1},
        {"position": 6, "name": "Vào sổ", "role": "clerk", "budget": 0.5},
        {"position": 7, "name": "Trả kết quả", "role": "desk", "budget": 0, "counted": False},
    ]


def version_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "effective_from": "2024-01-01",
        "channels": [
            {
                "channel": "counter",
                "time_limit": 10,
                "fees": [{"name": "Lệ phí", "kind": "fee", "amount": 50000}],
            },
            {"channel": "online", "time_limit": 10, "fees": []},
        ],
        "components": [
            {"code": "TK", "name": "Tờ khai", "originals": 1, "copies": 0, "template_name": "Mẫu 01"},
            {"code": "CCCD", "name": "Bản sao căn cước", "originals": 0, "copies": 1, "case": "Ủy quyền"},
        ],
        "process": ten_day_process(),
        "declaration_schema": {
            "type": "object",
            "properties": {"ho_ten": {"type": "string", "title": "Họ và tên"}},
        },
        "results": [{"name": "Giấy chứng nhận"}],
        "legal_basis": [{"number": "60/2014/QH13", "title": "Luật Hộ tịch"}],
    }
    data.update(overrides)
    return data


def procedure(
    code: str = "1.001193",
    name: str = "Thủ tục đăng ký khai sinh",
    *,
    publish: bool = True,
    sector_code: str = "HOTICH",
    agency_codes: tuple[str, ...] = (),
    **version: Any,
) -> Procedure:
    sector(sector_code)
    proc = services.create_procedure(
        actor=None, code=code, name=name, sector_code=sector_code, agency_codes=agency_codes
    )
    draft = services.create_version(proc, actor=None, data=version_data(**version))
    if publish:
        services.publish_version(draft, actor=None)
    return proc


def add_version(proc: Procedure, **version: Any) -> ProcedureVersion:
    draft = services.create_version(proc, actor=None, data=version_data(**version))
    return services.publish_version(draft, actor=None)
