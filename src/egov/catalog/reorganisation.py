"""The reorganisation plan: one JSON document that closes agencies at a date and names their successors.

Vietnam's map changes by resolution (on 1 July 2025: 34 provinces, districts abolished, communes
merged), and every such change is the same few moves: open new agencies, close old ones at the
effective date with the agency that takes over their work, and re-home the procedures the old ones
handled. A plan states those moves as data, keyed by codes only, so a province applies (and first
dry-runs) exactly what the resolution says. `services_reorganisation.reorganise` does the writing;
this module only decodes, checks and describes.

```
{"format": "egov-reorganisation", "version": 1, "name": "...", "effective": "2025-07-01",
 "decision": "...", "legal_basis": [{"number", "title", "date"}],
 "agencies":   [bundle agency objects: the new agencies (valid_from defaults to "effective")],
 "closes":     [{"code": old agency, "successor": agency in force on "effective"}],
 "procedures": [{"code": procedure, "agencies": [codes it moves to],
                 "implementing_levels": [levels from "effective"], "legal_basis": [for the new version]}],
 "roles": "move" | "report"}
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from egov.catalog import bundle
from egov.catalog.bundle_format import AGENCY_SCHEMA, schema_problems
from egov.catalog.errors import PlanInvalid
from egov.catalog.models import Agency, Procedure

PLAN_FORMAT = "egov-reorganisation"
PLAN_VERSION = 1
ROLE_MODES = ("move", "report")

_CODE = {"type": "string", "minLength": 1, "maxLength": 30}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format", "version", "effective"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": PLAN_FORMAT},
        "version": {"const": PLAN_VERSION},
        "name": {"type": "string", "maxLength": 500},
        "effective": _DATE,
        "decision": {"type": "string", "maxLength": 200},
        "legal_basis": {"type": "array", "maxItems": 50, "items": {"type": "object"}},
        "agencies": {"type": "array", "maxItems": 10000, "items": AGENCY_SCHEMA},
        "closes": {
            "type": "array",
            "maxItems": 10000,
            "items": {
                "type": "object",
                "required": ["code", "successor"],
                "additionalProperties": False,
                "properties": {"code": _CODE, "successor": _CODE},
            },
        },
        "procedures": {
            "type": "array",
            "maxItems": 10000,
            "items": {
                "type": "object",
                "required": ["code", "agencies"],
                "additionalProperties": False,
                "properties": {
                    "code": _CODE,
                    "agencies": {"type": "array", "minItems": 1, "items": _CODE},
                    "implementing_levels": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"enum": list(Agency.Level.values)},
                    },
                    "legal_basis": {"type": "array", "maxItems": 50, "items": {"type": "object"}},
                },
            },
        },
        "roles": {"enum": list(ROLE_MODES)},
    },
}


def _invalid(kind: str, vi: str, en: str, detail: Any = None) -> PlanInvalid:
    return PlanInvalid(vi, en, code=f"plan_{kind}", detail=detail)


def parse_plan(raw: bytes) -> dict[str, Any]:
    """Decode and check a plan's shape; references are checked against the database by `check_plan`."""
    bundle.check_size(len(raw))
    try:
        data = bundle.decode_json(raw, _invalid)
    except RecursionError as exc:
        raise _invalid("malformed", "Tệp lồng nhau quá sâu.", "The file is nested too deeply.") from exc
    return check_plan_shape(data)


def check_plan_shape(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise _invalid(
            "wrong_format",
            f'Tệp không phải phương án sắp xếp của egov (cần "format": "{PLAN_FORMAT}").',
            f'The file is not an egov reorganisation plan (expected "format": "{PLAN_FORMAT}").',
        )
    if data.get("version") != PLAN_VERSION:
        raise _invalid(
            "wrong_version",
            f"Phiên bản phương án {data.get('version')!r} không được hỗ trợ (hỗ trợ: {PLAN_VERSION}).",
            f"Plan version {data.get('version')!r} is not supported (supported: {PLAN_VERSION}).",
        )
    problems = schema_problems(PLAN_SCHEMA, data)
    try:
        date.fromisoformat(str(data.get("effective")))
    except ValueError:
        problems.append({"path": "/effective", "problem": "not a date"})
    if problems:
        raise _invalid(
            "wrong_type",
            f"Phương án có {len(problems)} trường sai kiểu hoặc thiếu.",
            f"The plan has {len(problems)} missing or mistyped fields.",
            problems[:200],
        )
    return data


def effective_date(plan: dict[str, Any]) -> date:
    return date.fromisoformat(plan["effective"])


def plan_agencies(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's new agencies as bundle agencies; an agency without `valid_from` opens on "effective"."""
    return [{"valid_from": plan["effective"], **item} for item in plan.get("agencies", [])]


def check_plan(plan: dict[str, Any]) -> None:
    """Every code must exist (in the plan or the database) and every move must make sense on the date.

    Run inside the writing transaction after the new agencies are in, so it sees them.
    """
    on = effective_date(plan)
    closes = plan.get("closes", [])
    codes = {c["code"] for c in closes} | {c["successor"] for c in closes}
    for item in plan.get("procedures", []):
        codes |= set(item["agencies"])
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    procedures = {p["code"] for p in plan.get("procedures", [])}
    known_procedures = set(Procedure.objects.filter(code__in=procedures).values_list("code", flat=True))
    missing = sorted((codes - set(agencies)) | (procedures - known_procedures))
    if missing:
        raise _invalid(
            "unknown_reference",
            f"Phương án tham chiếu mã không tồn tại: {', '.join(missing)}.",
            f"The plan refers to codes that do not exist: {', '.join(missing)}.",
            {"codes": missing},
        )
    problems = _close_problems(closes, agencies, on)
    for item in plan.get("procedures", []):
        for code in item["agencies"]:
            if not agencies[code].in_force(on):
                problems.append({"procedure": item["code"], "agency": code, "problem": "not in force"})
    if problems:
        raise _invalid(
            "conflict",
            f"Phương án có {len(problems)} thay đổi không thực hiện được vào ngày {on.isoformat()}.",
            f"The plan has {len(problems)} moves that cannot happen on {on.isoformat()}.",
            problems[:200],
        )


def _close_problems(
    closes: list[dict[str, Any]], agencies: dict[str, Agency], on: date
) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    closing = [c["code"] for c in closes]
    duplicates = sorted({code for code in closing if closing.count(code) > 1})
    problems += [{"agency": code, "problem": "closed twice"} for code in duplicates]
    for item in closes:
        old, new = agencies[item["code"]], agencies[item["successor"]]
        if old.code == new.code:
            problems.append({"agency": old.code, "problem": "its own successor"})
        elif new.code in closing:
            problems.append({"agency": old.code, "successor": new.code, "problem": "successor closed too"})
        elif not new.in_force(on):
            problems.append({"agency": old.code, "successor": new.code, "problem": "successor not in force"})
        if old.valid_to is not None and (old.valid_to != on or old.successor_id != new.pk):
            problems.append(
                {"agency": old.code, "valid_to": old.valid_to.isoformat(), "problem": "already closed"}
            )
        elif old.valid_from is not None and old.valid_from >= on:
            problems.append({"agency": old.code, "problem": "opens on or after the effective date"})
    return problems


@dataclass
class ReorganisationReport:
    """What a plan changed (or, on a dry run, would change)."""

    name: str
    effective: date
    agencies: bundle.BundleDiff = field(default_factory=bundle.BundleDiff)
    closed: list[dict[str, str]] = field(default_factory=list)
    procedures: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        moved_roles = any(r["moved"] for r in self.roles)
        touched = self.agencies.added or self.agencies.changed or self.closed or self.procedures
        return bool(touched or moved_roles)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "effective": self.effective.isoformat(),
            "agencies": self.agencies.as_dict(),
            "closed": self.closed,
            "procedures": self.procedures,
            "roles": self.roles,
        }

    def render(self) -> str:
        added, changed = len(self.agencies.added), len(self.agencies.changed)
        lines = [
            f"{self.name} — hiệu lực / effective {self.effective.isoformat()}",
            f"Cơ quan mới, sửa / agencies added, changed: {added}, {changed}",
            f"Cơ quan ngừng hoạt động / agencies closed: {len(self.closed)}",
        ]
        lines += [
            f"  - {c['code']} {c['name']} → {c['successor']} {c['successor_name']}" for c in self.closed
        ]
        lines.append(f"Thủ tục chuyển nơi giải quyết / procedures re-homed: {len(self.procedures)}")
        for item in self.procedures:
            version = f", phiên bản mới / new version {item['version']}" if item["version"] else ""
            lines.append(f"  - {item['code']} + {', '.join(item['added']) or '—'}{version}")
        moved = [r for r in self.roles if r["moved"]]
        left = [r for r in self.roles if not r["moved"]]
        lines.append(f"Phân quyền cán bộ đã chuyển / role assignments moved: {len(moved)}")
        lines += [f"  - {r['user']} {r['role']}: {r['from']} → {r['to']}" for r in moved]
        if left:
            lines.append(
                f"Phân quyền tại cơ quan đã ngừng, cần xử lý / assignments left to review: {len(left)}"
            )
            lines += [f"  - {r['user']} {r['role']} @ {r['from']} (→ {r['to']}?)" for r in left]
        return "\n".join(lines)
