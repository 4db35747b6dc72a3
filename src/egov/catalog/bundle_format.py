"""The bundle's format: JSON Schemas of each object and the one canonical dict form of each.

Export, diff and import all compare canonical dicts, so the format lives in one place.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator

from egov.catalog.models import (
    Agency,
    Channel,
    ChannelTerms,
    DocumentRequirement,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    Sector,
    TimeUnit,
)

FORMAT = "egov-catalog"
FORMAT_VERSION = 1


def schema_problems(schema: dict[str, Any], data: Any) -> list[dict[str, str]]:
    """Every place where `data` breaks `schema`, as {"path": JSON pointer, "problem"}, in path order:
    the detail of a refused bundle, plan or version."""
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: e.json_path)
    return [{"path": "/" + "/".join(str(p) for p in e.absolute_path), "problem": e.message} for e in errors]


_TEXT = {"type": "string"}
_DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_CODE = {"type": "string", "minLength": 1, "pattern": r"^[0-9A-Za-z.\-_]+$"}

AGENCY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "name", "level"],
    "additionalProperties": False,
    "properties": {
        "code": {**_CODE, "maxLength": 13},
        "code_2020": {"type": "string", "maxLength": 35, "pattern": r"^[0-9A-Z.]*$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "name_en": {"type": "string", "maxLength": 255},
        "level": {"enum": list(Agency.Level.values)},
        "parent": {"type": ["string", "null"]},
        "valid_from": _DATE,
        "valid_to": _DATE,
        "successor": {"type": ["string", "null"]},
        "address": {"type": "string", "maxLength": 255},
        "phone": {"type": "string", "maxLength": 40},
        "email": {"type": "string", "maxLength": 254},
    },
}

SECTOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "name"],
    "additionalProperties": False,
    "properties": {
        "code": {**_CODE, "maxLength": 20},
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "name_en": {"type": "string", "maxLength": 255},
    },
}

LIFE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "name"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": r"^[-a-zA-Z0-9_]+$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "name_en": {"type": "string", "maxLength": 255},
        "position": {"type": "integer", "minimum": 0, "maximum": 32767},
    },
}

# Who is exempted from a fee line (hộ nghèo, người có công, trẻ em dưới 16 tuổi...): the applicant
# claims one code of the line's list; egov.payments.fees waives the line.
_EXEMPTION = {
    "type": "object",
    "required": ["code", "name"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": r"^[-a-zA-Z0-9_.]+$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
    },
}

_FEE = {
    "type": "object",
    "required": ["name", "amount"],
    "properties": {
        "code": _TEXT,
        "name": _TEXT,
        "kind": {"enum": ["fee", "charge"]},
        "amount": {"type": "integer", "minimum": 0},
        "note": _TEXT,
        "conditional": {"type": "boolean"},
        "exemptions": {"type": "array", "maxItems": 50, "items": _EXEMPTION},
    },
}

VERSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["number", "effective_from", "channels"],
    "additionalProperties": False,
    "properties": {
        "number": {"type": "integer", "minimum": 1, "maximum": 100000},
        "status": {"enum": list(ProcedureVersion.Status.values)},
        "effective_from": {**_DATE, "type": "string"},
        "effective_to": _DATE,
        "implementing_levels": {"type": "array", "items": {"enum": list(Agency.Level.values)}},
        "applicant_types": {"type": "array", "items": _TEXT},
        "steps_description": _TEXT,
        "conditions": _TEXT,
        "legal_basis": {"type": "array", "items": {"type": "object"}},
        "results": {"type": "array", "items": {"type": "object"}},
        "declaration_schema": {"type": "object"},
        "service_level": {"enum": list(ProcedureVersion.ServiceLevel.values)},
        "decision": {"type": "string", "maxLength": 200},
        "channels": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["channel", "time_limit"],
                "additionalProperties": False,
                "properties": {
                    "channel": {"enum": list(Channel.values)},
                    "time_limit": {"type": "number", "exclusiveMinimum": 0, "maximum": 99999},
                    "time_unit": {"enum": list(TimeUnit.values)},
                    "fees": {"type": "array", "items": _FEE},
                    "description": _TEXT,
                },
            },
        },
        "components": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name"],
                "additionalProperties": False,
                "properties": {
                    "case": {"type": "string", "maxLength": 255},
                    "code": {"type": "string", "minLength": 1, "maxLength": 40},
                    "name": {"type": "string", "minLength": 1, "maxLength": 500},
                    "originals": {"type": "integer", "minimum": 0, "maximum": 99},
                    "copies": {"type": "integer", "minimum": 0, "maximum": 99},
                    "required": {"type": "boolean"},
                    "template_name": {"type": "string", "maxLength": 200},
                    "template_url": {"type": "string", "maxLength": 500},
                    "position": {"type": "integer", "minimum": 0, "maximum": 32767},
                },
            },
        },
        "process": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["position", "name", "role", "budget"],
                "additionalProperties": False,
                "properties": {
                    "position": {"type": "integer", "minimum": 1, "maximum": 32767},
                    "name": {"type": "string", "minLength": 1, "maxLength": 255},
                    "role": {"type": "string", "maxLength": 20},
                    "unit_level": {"type": "string", "maxLength": 20},
                    "budget": {"type": "number", "minimum": 0, "maximum": 9999},
                    "budget_unit": {"enum": list(TimeUnit.values)},
                    "counted": {"type": "boolean"},
                },
            },
        },
    },
}

PROCEDURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "name", "sector"],
    "additionalProperties": False,
    "properties": {
        "code": {**_CODE, "maxLength": 30},
        "name": {"type": "string", "minLength": 1, "maxLength": 500},
        "name_en": {"type": "string", "maxLength": 500},
        "sector": {"type": "string"},
        "agencies": {"type": "array", "items": {"type": "string"}},
        "life_events": {"type": "array", "items": {"type": "string"}},
        "versions": {"type": "array", "items": VERSION_SCHEMA},
    },
}

BUNDLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format", "version"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": FORMAT_VERSION},
        "agencies": {"type": "array", "items": AGENCY_SCHEMA},
        "sectors": {"type": "array", "items": SECTOR_SCHEMA},
        "life_events": {"type": "array", "items": LIFE_EVENT_SCHEMA},
        "procedures": {"type": "array", "items": PROCEDURE_SCHEMA},
    },
}


# --- canonical dict forms -------------------------------------------------------------------------


def number(value: Decimal | int | float) -> int | float:
    """Decimals travel as JSON numbers: 10 stays 10, 0.50 becomes 0.5."""
    dec = Decimal(str(value))
    return int(dec) if dec == dec.to_integral_value() else float(dec.normalize())


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def agency_to_dict(agency: Agency) -> dict[str, Any]:
    return {
        "code": agency.code,
        "code_2020": agency.code_2020,
        "name": agency.name,
        "name_en": agency.name_en,
        "level": agency.level,
        "parent": agency.parent.code if agency.parent else None,
        "valid_from": _iso(agency.valid_from),
        "valid_to": _iso(agency.valid_to),
        "successor": agency.successor.code if agency.successor else None,
        "address": agency.address,
        "phone": agency.phone,
        "email": agency.email,
    }


def sector_to_dict(sector: Sector) -> dict[str, Any]:
    return {"code": sector.code, "name": sector.name, "name_en": sector.name_en}


def life_event_to_dict(event: LifeEvent) -> dict[str, Any]:
    return {"code": event.code, "name": event.name, "name_en": event.name_en, "position": event.position}


def channel_to_dict(terms: ChannelTerms) -> dict[str, Any]:
    return {
        "channel": terms.channel,
        "time_limit": number(terms.time_limit),
        "time_unit": terms.time_unit,
        "fees": terms.fees,
        "description": terms.description,
    }


def component_to_dict(component: DocumentRequirement) -> dict[str, Any]:
    return {
        "case": component.case,
        "code": component.code,
        "name": component.name,
        "originals": component.originals,
        "copies": component.copies,
        "required": component.required,
        "template_name": component.template_name,
        "template_url": component.template_url,
        "position": component.position,
    }


def step_to_dict(step: ProcessStep) -> dict[str, Any]:
    return {
        "position": step.position,
        "name": step.name,
        "role": step.role,
        "unit_level": step.unit_level,
        "budget": number(step.budget),
        "budget_unit": step.budget_unit,
        "counted": step.counted,
    }


_CHANNEL_ORDER = {value: i for i, value in enumerate(Channel.values)}


def version_to_dict(version: ProcedureVersion) -> dict[str, Any]:
    channels = sorted(version.channels.all(), key=lambda c: _CHANNEL_ORDER.get(c.channel, 99))
    components = sorted(version.components.all(), key=lambda c: (c.position, c.case, c.code))
    return {
        "number": version.number,
        "status": version.status,
        "effective_from": _iso(version.effective_from),
        "effective_to": _iso(version.effective_to),
        "implementing_levels": version.implementing_levels,
        "applicant_types": version.applicant_types,
        "steps_description": version.steps_description,
        "conditions": version.conditions,
        "legal_basis": version.legal_basis,
        "results": version.results,
        "declaration_schema": version.declaration_schema,
        "service_level": version.service_level,
        "decision": version.decision,
        "channels": [channel_to_dict(c) for c in channels],
        "components": [component_to_dict(c) for c in components],
        "process": [step_to_dict(s) for s in sorted(version.process_steps.all(), key=lambda s: s.position)],
    }


def procedure_to_dict(procedure: Procedure, *, with_versions: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": procedure.code,
        "name": procedure.name,
        "name_en": procedure.name_en,
        "sector": procedure.sector.code,
        "agencies": sorted(a.code for a in procedure.agencies.all()),
        "life_events": sorted(e.code for e in procedure.life_events.all()),
    }
    if with_versions:
        versions = sorted(procedure.versions.all(), key=lambda v: v.number)
        body["versions"] = [version_to_dict(v) for v in versions]
    return body


_VERSION_DEFAULTS: dict[str, Any] = {
    "status": ProcedureVersion.Status.PUBLISHED,
    "effective_to": None,
    "implementing_levels": [],
    "applicant_types": [],
    "steps_description": "",
    "conditions": "",
    "legal_basis": [],
    "results": [],
    "declaration_schema": {},
    "service_level": ProcedureVersion.ServiceLevel.PARTIAL,
    "decision": "",
    "channels": [],
    "components": [],
    "process": [],
}


def canonical_version(data: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults and normalise numbers so that an incoming version compares equal to an export."""
    out = {**_VERSION_DEFAULTS, **data}
    out["channels"] = sorted(
        (
            {
                "channel": c["channel"],
                "time_limit": number(c["time_limit"]),
                "time_unit": c.get("time_unit", TimeUnit.DAYS),
                "fees": c.get("fees", []),
                "description": c.get("description", ""),
            }
            for c in out["channels"]
        ),
        key=lambda c: _CHANNEL_ORDER.get(c["channel"], 99),
    )
    out["components"] = sorted(
        (
            {
                "case": c.get("case", ""),
                "code": c["code"],
                "name": c["name"],
                "originals": c.get("originals", 1),
                "copies": c.get("copies", 0),
                "required": c.get("required", True),
                "template_name": c.get("template_name", ""),
                "template_url": c.get("template_url", ""),
                "position": c.get("position", i),
            }
            for i, c in enumerate(out["components"])
        ),
        key=lambda c: (c["position"], c["case"], c["code"]),
    )
    out["process"] = sorted(
        (
            {
                "position": s["position"],
                "name": s["name"],
                "role": s["role"],
                "unit_level": s.get("unit_level", ""),
                "budget": number(s["budget"]),
                "budget_unit": s.get("budget_unit", TimeUnit.DAYS),
                "counted": s.get("counted", True),
            }
            for s in out["process"]
        ),
        key=lambda s: s["position"],
    )
    return {key: out[key] for key in _VERSION_KEYS}


_VERSION_KEYS = ["number", *_VERSION_DEFAULTS.keys()]
_VERSION_KEYS.insert(_VERSION_KEYS.index("effective_to"), "effective_from")


def canonical_agency(data: dict[str, Any]) -> dict[str, Any]:
    defaults = {"code_2020": "", "name_en": "", "parent": None, "valid_from": None, "valid_to": None}
    defaults |= {"successor": None, "address": "", "phone": "", "email": ""}
    merged = {**defaults, **data}
    keys = ["code", "code_2020", "name", "name_en", "level", "parent", "valid_from", "valid_to"]
    return {key: merged[key] for key in [*keys, "successor", "address", "phone", "email"]}


def canonical_sector(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": data["code"], "name": data["name"], "name_en": data.get("name_en", "")}


def canonical_life_event(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": data["code"],
        "name": data["name"],
        "name_en": data.get("name_en", ""),
        "position": data.get("position", 0),
    }


def canonical_procedure(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": data["code"],
        "name": data["name"],
        "name_en": data.get("name_en", ""),
        "sector": data["sector"],
        "agencies": sorted(set(data.get("agencies", []))),
        "life_events": sorted(set(data.get("life_events", []))),
        "versions": sorted(
            (canonical_version(v) for v in data.get("versions", [])), key=lambda v: v["number"]
        ),
    }
