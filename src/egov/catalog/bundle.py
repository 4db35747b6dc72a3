"""The catalogue bundle: one JSON document that moves agencies, sectors and procedures between nodes.

A province prepares procedures on a test node and moves them to production with a bundle, so the
format is keyed by natural codes only (never database ids) and every object has exactly one canonical
dict form. Export, the dry-run diff and the import all compare those canonical dicts, which is what
makes "export → import → export" give byte-identical JSON.

This module only reads; `services.import_bundle` does the writing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from egov.catalog.bundle_format import (
    BUNDLE_SCHEMA,
    FORMAT,
    FORMAT_VERSION,
    VERSION_SCHEMA,
    agency_to_dict,
    canonical_agency,
    canonical_life_event,
    canonical_procedure,
    canonical_sector,
    canonical_version,
    life_event_to_dict,
    number,
    procedure_to_dict,
    schema_problems,
    sector_to_dict,
    version_to_dict,
)
from egov.catalog.errors import BundleInvalid
from egov.catalog.models import Agency, LifeEvent, Procedure, Sector

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_BUNDLE_BYTES",
    "VERSION_SCHEMA",
    "BundleDiff",
    "canonical_agency",
    "canonical_life_event",
    "canonical_procedure",
    "canonical_sector",
    "canonical_version",
    "check_bundle",
    "check_size",
    "decode_json",
    "diff_bundle",
    "dump_bundle",
    "export_bundle",
    "number",
    "parse_bundle",
    "procedure_to_dict",
    "version_to_dict",
]

MAX_BUNDLE_BYTES = 20 * 1024 * 1024

# --- export ---------------------------------------------------------------------------------------


def export_bundle(procedure_codes: list[str] | None = None) -> dict[str, Any]:
    """The whole catalogue, or the named procedures with the agencies and sectors they need."""
    procedures = Procedure.objects.select_related("sector").prefetch_related(
        "agencies",
        "life_events",
        "versions__channels",
        "versions__components",
        "versions__process_steps",
    )
    if procedure_codes:
        procedures = procedures.filter(code__in=procedure_codes)
        missing = sorted(set(procedure_codes) - set(procedures.values_list("code", flat=True)))
        if missing:
            raise BundleInvalid(
                f"Không có thủ tục mã: {', '.join(missing)}.",
                f"No procedure with code: {', '.join(missing)}.",
                code="procedure_not_found",
                detail={"missing": missing},
            )
        agencies = _with_ancestors(Agency.objects.filter(procedures__in=procedures).distinct())
        sectors = Sector.objects.filter(procedures__in=procedures).distinct()
        life_events = LifeEvent.objects.filter(procedures__in=procedures).distinct()
    else:
        agencies = list(Agency.objects.select_related("parent", "successor"))
        sectors = Sector.objects.all()
        life_events = LifeEvent.objects.all()
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "agencies": [agency_to_dict(a) for a in sorted(agencies, key=lambda a: a.code)],
        "sectors": [sector_to_dict(s) for s in sorted(sectors, key=lambda s: s.code)],
        "life_events": [life_event_to_dict(e) for e in sorted(life_events, key=lambda e: e.code)],
        "procedures": [procedure_to_dict(p) for p in procedures.order_by("code")],
    }


def _with_ancestors(agencies: Any) -> list[Agency]:
    """Parents and successors travel with the agencies that refer to them, so references resolve."""
    found: dict[str, Agency] = {}
    pending = list(agencies.select_related("parent", "successor"))
    while pending:
        agency = pending.pop()
        if agency.code in found:
            continue
        found[agency.code] = agency
        pending.extend(a for a in (agency.parent, agency.successor) if a is not None)
    return list(found.values())


def dump_bundle(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"


# --- parse and check ------------------------------------------------------------------------------


def _invalid(code: str, vi: str, en: str, detail: Any = None) -> BundleInvalid:
    return BundleInvalid(vi, en, code=code, detail=detail)


def check_size(size: int) -> None:
    """Refuse a file over the limit before reading it into memory."""
    if size > MAX_BUNDLE_BYTES:
        raise _invalid(
            "bundle_too_large",
            f"Tệp quá lớn ({size} byte); tối đa {MAX_BUNDLE_BYTES} byte.",
            f"The file is too large ({size} bytes); the limit is {MAX_BUNDLE_BYTES} bytes.",
        )


class _NotJSON(ValueError):
    """NaN and Infinity: Python accepts them, JSON does not."""


def _refuse_constant(name: str) -> Any:
    raise _NotJSON(name)


def _has_nul(value: Any) -> bool:
    """PostgreSQL text cannot hold NUL characters; refuse them before they reach the database."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def parse_bundle(raw: bytes) -> dict[str, Any]:
    """Decode and check a bundle; every problem found is listed, and nothing is written."""
    check_size(len(raw))
    try:
        return _parse(raw)
    except RecursionError as exc:
        raise _invalid(
            "bundle_malformed", "Tệp lồng nhau quá sâu.", "The file is nested too deeply."
        ) from exc


def _parse(raw: bytes) -> dict[str, Any]:
    data = decode_json(raw, lambda kind, vi, en, detail=None: _invalid(f"bundle_{kind}", vi, en, detail))
    return check_bundle(data)


def decode_json(raw: bytes, fail: Callable[..., Exception]) -> Any:
    """Strict JSON from UTF-8 bytes; `fail(kind, vi, en, detail)` builds the error to raise, kind
    being "malformed" (not JSON) or "wrong_type" (NUL characters), so each file format keeps its codes."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise fail(
            "malformed", "Tệp không phải văn bản UTF-8.", "The file is not UTF-8 text.", str(exc)
        ) from exc
    except (json.JSONDecodeError, _NotJSON) as exc:
        if isinstance(exc, _NotJSON):
            raise fail(
                "malformed",
                f"Tệp chứa giá trị {exc} không thuộc chuẩn JSON.",
                f"The file contains {exc}, which is not standard JSON.",
            ) from exc
        where = {"line": exc.lineno, "column": exc.colno, "problem": exc.msg}
        raise fail(
            "malformed",
            f"Tệp không đúng định dạng JSON (dòng {exc.lineno}, cột {exc.colno}).",
            f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}.",
            where,
        ) from exc
    if _has_nul(data):
        raise fail(
            "wrong_type", "Tệp chứa ký tự NUL (\\u0000).", "The file contains NUL characters (\\u0000)."
        )
    return data


def check_bundle(data: Any) -> dict[str, Any]:
    """Check an already decoded bundle: format, types, values, duplicates and references."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _invalid(
            "bundle_wrong_format",
            f'Tệp không phải gói danh mục egov (cần "format": "{FORMAT}").',
            f'The file is not an egov catalogue bundle (expected "format": "{FORMAT}").',
        )
    if data.get("version") != FORMAT_VERSION:
        raise _invalid(
            "bundle_wrong_version",
            f"Phiên bản gói {data.get('version')!r} không được hỗ trợ (hỗ trợ: {FORMAT_VERSION}).",
            f"Bundle version {data.get('version')!r} is not supported (supported: {FORMAT_VERSION}).",
        )
    problems = schema_problems(BUNDLE_SCHEMA, data)
    if problems:
        raise _invalid(
            "bundle_wrong_type",
            f"Tệp có {len(problems)} trường sai kiểu hoặc thiếu.",
            f"The file has {len(problems)} missing or mistyped fields.",
            problems[:200],
        )
    _check_values(data)
    _check_duplicates(data)
    _check_references(data)
    return data


def _check_values(data: dict[str, Any]) -> None:
    problems: list[dict[str, str]] = []
    for i, agency in enumerate(data.get("agencies", [])):
        for key in ("valid_from", "valid_to"):
            if not _is_date(agency.get(key)):
                problems.append({"path": f"/agencies/{i}/{key}", "problem": "not a date"})
    for i, proc in enumerate(data.get("procedures", [])):
        for j, version in enumerate(proc.get("versions", [])):
            base = f"/procedures/{i}/versions/{j}"
            for key in ("effective_from", "effective_to"):
                if not _is_date(version.get(key)):
                    problems.append({"path": f"{base}/{key}", "problem": "not a date"})
            try:
                Draft202012Validator.check_schema(version.get("declaration_schema", {}))
            except SchemaError as exc:
                problems.append({"path": f"{base}/declaration_schema", "problem": exc.message})
            amounts = [
                (f"channels/{k}/time_limit", c["time_limit"]) for k, c in enumerate(version["channels"])
            ]
            amounts += [
                (f"process/{k}/budget", s["budget"]) for k, s in enumerate(version.get("process", []))
            ]
            for where, value in amounts:
                if not _has_two_decimals(value):
                    problems.append({"path": f"{base}/{where}", "problem": "more than 2 decimal places"})
    if problems:
        raise _invalid(
            "bundle_wrong_type",
            f"Tệp có {len(problems)} giá trị không hợp lệ (ngày, số thập phân, mẫu tờ khai).",
            f"The file has {len(problems)} invalid values (dates, decimals, declaration forms).",
            problems[:200],
        )


def _is_date(value: Any) -> bool:
    if value is None:
        return True
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _has_two_decimals(value: Any) -> bool:
    try:
        exponent = Decimal(str(value)).as_tuple().exponent
    except InvalidOperation:
        return False
    return isinstance(exponent, int) and exponent >= -2


def _check_duplicates(data: dict[str, Any]) -> None:
    dups: dict[str, list[str]] = {}
    for section in ("agencies", "sectors", "life_events", "procedures"):
        seen: set[str] = set()
        for item in data.get(section, []):
            if item["code"] in seen:
                dups.setdefault(section, []).append(item["code"])
            seen.add(item["code"])
    for proc in data.get("procedures", []):
        numbers = [v["number"] for v in proc.get("versions", [])]
        if len(numbers) != len(set(numbers)):
            dups.setdefault("versions", []).append(proc["code"])
        for version in proc.get("versions", []):
            where = f"{proc['code']} v{version['number']}"
            channels = [c["channel"] for c in version["channels"]]
            positions = [s["position"] for s in version.get("process", [])]
            components = [(c.get("case", ""), c["code"]) for c in version.get("components", [])]
            for label, keys in (("channels", channels), ("process", positions), ("components", components)):
                if len(keys) != len(set(keys)):
                    dups.setdefault(label, []).append(where)
            for channel in version["channels"]:
                for fee in channel.get("fees", []):
                    exemptions = [e["code"] for e in fee.get("exemptions", [])]
                    if len(exemptions) != len(set(exemptions)):
                        dups.setdefault("exemptions", []).append(where)
    if dups:
        listing = "; ".join(f"{k}: {', '.join(v)}" for k, v in dups.items())
        raise _invalid(
            "bundle_duplicate_code",
            f"Tệp có mã trùng lặp ({listing}).",
            f"The file has duplicate codes ({listing}).",
            dups,
        )


def _check_references(data: dict[str, Any]) -> None:
    agencies = {a["code"] for a in data.get("agencies", [])}
    agencies |= set(Agency.objects.values_list("code", flat=True))
    sectors = {s["code"] for s in data.get("sectors", [])}
    sectors |= set(Sector.objects.values_list("code", flat=True))
    life_events = {e["code"] for e in data.get("life_events", [])}
    life_events |= set(LifeEvent.objects.values_list("code", flat=True))
    unknown: list[dict[str, str]] = []
    for agency in data.get("agencies", []):
        for key in ("parent", "successor"):
            ref = agency.get(key)
            if ref and ref not in agencies:
                unknown.append({"in": f"agency {agency['code']}", "field": key, "code": ref})
    for proc in data.get("procedures", []):
        if proc["sector"] not in sectors:
            unknown.append({"in": f"procedure {proc['code']}", "field": "sector", "code": proc["sector"]})
        for ref in proc.get("agencies", []):
            if ref not in agencies:
                unknown.append({"in": f"procedure {proc['code']}", "field": "agencies", "code": ref})
        for ref in proc.get("life_events", []):
            if ref not in life_events:
                unknown.append({"in": f"procedure {proc['code']}", "field": "life_events", "code": ref})
    if unknown:
        codes = ", ".join(sorted({u["code"] for u in unknown}))
        raise _invalid(
            "bundle_unknown_reference",
            f"Tệp tham chiếu mã không tồn tại: {codes}.",
            f"The file refers to codes that do not exist: {codes}.",
            unknown,
        )
    parents = {a["code"]: a.get("parent") for a in data.get("agencies", [])}
    for code in parents:
        seen = {code}
        current = parents.get(code)
        while current in parents:
            if current in seen:
                raise _invalid(
                    "bundle_agency_cycle",
                    f"Cây cơ quan có vòng lặp tại {code}.",
                    f"The agency tree has a cycle at {code}.",
                )
            seen.add(current)
            current = parents[current]


# --- diff -----------------------------------------------------------------------------------------


@dataclass
class Change:
    kind: str
    code: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class BundleDiff:
    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": [{"kind": c.kind, "code": c.code} for c in self.added],
            "changed": [
                {"kind": c.kind, "code": c.code, "fields": {k: list(v) for k, v in c.fields.items()}}
                for c in self.changed
            ],
            "unchanged": self.unchanged,
        }

    def render(self) -> str:
        lines = [
            f"Thêm mới / added: {len(self.added)}",
            f"Thay đổi / changed: {len(self.changed)}",
            f"Không đổi / unchanged: {self.unchanged}",
        ]
        lines += [f"+ {c.kind} {c.code}" for c in self.added]
        for change in self.changed:
            lines.append(f"~ {change.kind} {change.code}")
            for name, (before, after) in change.fields.items():
                lines.append(f"    {name}: {_short(before)} → {_short(after)}")
        return "\n".join(lines)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def _compare(
    diff: BundleDiff, kind: str, code: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    if before is None:
        diff.added.append(Change(kind, code))
        return
    fields = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    if fields:
        diff.changed.append(Change(kind, code, fields))
    else:
        diff.unchanged += 1


def diff_bundle(data: dict[str, Any]) -> BundleDiff:
    """What importing `data` (already parsed) would add and change, field by field."""
    diff = BundleDiff()
    agencies = {a.code: a for a in Agency.objects.select_related("parent", "successor")}
    for item in data.get("agencies", []):
        existing = agencies.get(item["code"])
        before = agency_to_dict(existing) if existing else None
        _compare(diff, "agency", item["code"], before, canonical_agency(item))
    sectors = {s.code: s for s in Sector.objects.all()}
    for item in data.get("sectors", []):
        sector = sectors.get(item["code"])
        _compare(
            diff, "sector", item["code"], sector_to_dict(sector) if sector else None, canonical_sector(item)
        )
    events = {e.code: e for e in LifeEvent.objects.all()}
    for item in data.get("life_events", []):
        event = events.get(item["code"])
        before = life_event_to_dict(event) if event else None
        _compare(diff, "life_event", item["code"], before, canonical_life_event(item))
    codes = [p["code"] for p in data.get("procedures", [])]
    procedures = {
        p.code: p
        for p in Procedure.objects.filter(code__in=codes)
        .select_related("sector")
        .prefetch_related(
            "agencies",
            "life_events",
            "versions__channels",
            "versions__components",
            "versions__process_steps",
        )
    }
    for item in data.get("procedures", []):
        incoming = canonical_procedure(item)
        versions = incoming.pop("versions")
        procedure = procedures.get(item["code"])
        before = procedure_to_dict(procedure) if procedure else None
        old_versions = {v["number"]: v for v in (before.pop("versions") if before else [])}
        _compare(diff, "procedure", item["code"], before, incoming)
        for version in versions:
            label = f"{item['code']} v{version['number']}"
            _compare(diff, "version", label, old_versions.get(version["number"]), version)
    return diff
