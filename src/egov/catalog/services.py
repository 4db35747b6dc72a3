"""Every change to the catalogue: one function per use case, one transaction each, with its event.

Versions are the unit of publication. A published version is frozen (dossiers keep the rules they
were submitted under); a change of rules is a new version with its own effective dates, and at most
one published version of a procedure is in force on any date.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from egov.catalog import bundle as bundles
from egov.catalog.bundle_format import schema_problems
from egov.catalog.errors import (
    AgencyNotFound,
    InvalidDeclarationSchema,
    InvalidEffectiveDates,
    InvalidProcedure,
    InvalidProcess,
    ProcedureExists,
    ProcessBudgetMismatch,
    PublishedVersionFrozen,
    SectorNotFound,
    VersionAlreadyPublished,
    VersionInUse,
    VersionOverlap,
)
from egov.catalog.models import (
    Agency,
    ChannelTerms,
    DocumentRequirement,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    Sector,
    TimeUnit,
)
from egov.catalog.selectors import version_in_force
from egov.core.calendar import get_calendar
from egov.core.errors import DomainError
from egov.core.events import Outgoing, record_event
from egov.core.roles import Role

__all__ = [
    "create_procedure",
    "create_version",
    "hours_per_day",
    "import_bundle",
    "publish_version",
    "update_procedure",
    "update_version",
    "validate_process",
    "version_in_force",
]

STEP_ROLES = [Role.DESK, Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER, Role.CLERK]
UNIT_LEVELS = ["", "parent", *Agency.Level.values]
PUBLISHED_TOPIC = "catalog.version_published"


def _message_key(code: str, number: int) -> str:
    """Unique per message (a version may be published again by a later import); retries keep the row's key."""
    return f"catalog:{code}:v{number}:{uuid.uuid4().hex[:12]}"


# --- process validation ---------------------------------------------------------------------------


def hours_per_day() -> Decimal:
    """Working hours in a day, from the working calendar (a day budget is that many working hours)."""
    return get_calendar().hours_per_day


def _in_hours(amount: Decimal, unit: str, per_day: Decimal) -> Decimal:
    return amount if unit == TimeUnit.HOURS else amount * per_day


def _show(amount: Decimal) -> str:
    return str(bundles.number(amount))


def validate_process(version: ProcedureVersion) -> None:
    """The counted steps must add up exactly to the shortest channel time limit of the version.

    Hours and days are compared in working hours so that 0.5 day and 4 hours agree; the message gives
    both sums in the unit of that channel's limit.
    """
    channels = list(version.channels.all())
    steps = [s for s in version.process_steps.all() if s.counted]
    if not channels:
        raise InvalidProcess(
            "Phiên bản chưa có cách thức thực hiện (thời hạn giải quyết).",
            "The version has no channel (and so no time limit).",
            code="version_without_channels",
        )
    if not steps:
        raise InvalidProcess(
            "Quy trình nội bộ chưa có bước nào được tính thời gian.",
            "The internal process has no counted step.",
            code="process_empty",
        )
    per_day = hours_per_day()
    shortest = min(channels, key=lambda c: _in_hours(c.time_limit, c.time_unit, per_day))
    limit = _in_hours(shortest.time_limit, shortest.time_unit, per_day)
    total = sum((_in_hours(s.budget, s.budget_unit, per_day) for s in steps), Decimal(0))
    if total == limit:
        return
    unit = shortest.time_unit
    scale = Decimal(1) if unit == TimeUnit.HOURS else per_day
    total_shown, limit_shown = _show(total / scale), _show(limit / scale)
    unit_vi, unit_en = (
        ("giờ làm việc", "working hours") if unit == TimeUnit.HOURS else ("ngày làm việc", "working days")
    )
    raise ProcessBudgetMismatch(
        f"Tổng thời gian các bước quy trình nội bộ là {total_shown} {unit_vi}, "
        f"khác thời hạn giải quyết {limit_shown} {unit_vi} (kênh {shortest.get_channel_display()}).",
        f"The internal process steps add up to {total_shown} {unit_en}, "
        f"not the time limit of {limit_shown} {unit_en} (channel {shortest.channel}).",
        detail={
            "steps_total": total_shown,
            "time_limit": limit_shown,
            "unit": unit,
            "channel": shortest.channel,
            "hours_per_day": _show(per_day),
        },
    )


# --- procedures -----------------------------------------------------------------------------------


def _sector(code: str) -> Sector:
    sector = Sector.objects.filter(code=code).first()
    if sector is None:
        raise SectorNotFound(detail={"code": code})
    return sector


def _agencies(codes: Iterable[str]) -> list[Agency]:
    wanted = set(codes)
    found = list(Agency.objects.filter(code__in=wanted))
    missing = sorted(wanted - {a.code for a in found})
    if missing:
        raise AgencyNotFound(detail={"codes": missing})
    return found


def _require_text(value: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidProcedure(
            f"Trường {field} không được để trống.",
            f"The field {field} must not be empty.",
            detail={field: value},
        )
    return value.strip()


def create_procedure(
    *,
    actor: Any,
    code: str,
    name: str,
    sector_code: str,
    name_en: str = "",
    agency_codes: Iterable[str] = (),
) -> Procedure:
    code, name = _require_text(code, "code"), _require_text(name, "name")
    with transaction.atomic():
        if Procedure.objects.filter(code=code).exists():
            raise ProcedureExists(detail={"code": code})
        procedure = Procedure.objects.create(
            code=code, name=name, name_en=name_en, sector=_sector(sector_code)
        )
        procedure.agencies.set(_agencies(agency_codes))
        after = bundles.procedure_to_dict(procedure, with_versions=False)
        record_event(
            actor=actor, aggregate_type="procedure", aggregate_id=code, kind="procedure.created", after=after
        )
    return procedure


def update_procedure(
    procedure: Procedure,
    *,
    actor: Any,
    name: str | None = None,
    name_en: str | None = None,
    sector_code: str | None = None,
    agency_codes: Iterable[str] | None = None,
) -> Procedure:
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        before = bundles.procedure_to_dict(procedure, with_versions=False)
        if name is not None:
            procedure.name = _require_text(name, "name")
        if name_en is not None:
            procedure.name_en = name_en
        if sector_code is not None:
            procedure.sector = _sector(sector_code)
        procedure.save()
        if agency_codes is not None:
            procedure.agencies.set(_agencies(agency_codes))
        after = bundles.procedure_to_dict(procedure, with_versions=False)
        record_event(
            actor=actor,
            aggregate_type="procedure",
            aggregate_id=procedure.code,
            kind="procedure.updated",
            before=before,
            after=after,
        )
    return procedure


# --- versions -------------------------------------------------------------------------------------


def _check_version_data(data: dict[str, Any]) -> dict[str, Any]:
    """Type-check a version dict (the bundle's version shape) and return its canonical form."""
    problems = schema_problems(bundles.VERSION_SCHEMA, data)
    if problems:
        raise InvalidProcedure(detail=problems)
    canon = bundles.canonical_version(data)
    start, end = date.fromisoformat(canon["effective_from"]), canon["effective_to"]
    if end is not None and date.fromisoformat(end) <= start:
        raise InvalidEffectiveDates(detail={"effective_from": canon["effective_from"], "effective_to": end})
    try:
        Draft202012Validator.check_schema(canon["declaration_schema"])
    except SchemaError as exc:
        raise InvalidDeclarationSchema(detail={"problem": exc.message}) from exc
    for step in canon["process"]:
        if step["role"] not in STEP_ROLES or step["unit_level"] not in UNIT_LEVELS:
            raise InvalidProcess(
                f"Bước {step['position']} có vai trò hoặc đơn vị không hợp lệ.",
                f"Step {step['position']} has an unknown role or unit.",
                code="invalid_process_step",
                detail={"step": step, "roles": list(STEP_ROLES), "unit_levels": UNIT_LEVELS},
            )
    return canon


def _write_version(version: ProcedureVersion, canon: dict[str, Any]) -> None:
    """Set a version's fields and replace its channels, components and process steps."""
    for key in ("status", "implementing_levels", "applicant_types", "steps_description", "conditions"):
        setattr(version, key, canon[key])
    for key in ("legal_basis", "results", "declaration_schema", "service_level", "decision"):
        setattr(version, key, canon[key])
    version.effective_from = date.fromisoformat(canon["effective_from"])
    version.effective_to = date.fromisoformat(canon["effective_to"]) if canon["effective_to"] else None
    version.save()
    version.channels.all().delete()
    version.components.all().delete()
    version.process_steps.all().delete()
    ChannelTerms.objects.bulk_create(
        ChannelTerms(version=version, **{**c, "time_limit": Decimal(str(c["time_limit"]))})
        for c in canon["channels"]
    )
    DocumentRequirement.objects.bulk_create(
        DocumentRequirement(version=version, **c) for c in canon["components"]
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(version=version, **{**s, "budget": Decimal(str(s["budget"]))}) for s in canon["process"]
    )


def _check_no_overlap(version: ProcedureVersion) -> None:
    """At most one published version of a procedure is in force on any date: [from, to) never overlap."""
    others = ProcedureVersion.objects.filter(
        procedure_id=version.procedure_id, status=ProcedureVersion.Status.PUBLISHED
    ).exclude(pk=version.pk)
    if version.effective_to is not None:
        others = others.filter(effective_from__lt=version.effective_to)
    clash = [v for v in others if v.effective_to is None or v.effective_to > version.effective_from]
    if clash:
        other = clash[0]
        raise VersionOverlap(
            f"Thời gian hiệu lực trùng với phiên bản {other.number} "
            f"({other.effective_from} – {other.effective_to or '…'}).",
            f"The effective period overlaps version {other.number} "
            f"({other.effective_from} – {other.effective_to or '…'}).",
            detail={"version": other.number},
        )


def _lock(procedure: Procedure) -> Procedure:
    """Serialise version changes of one procedure, so two publications cannot both pass the overlap check."""
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


def create_version(procedure: Procedure, *, actor: Any, data: dict[str, Any]) -> ProcedureVersion:
    """Add a draft version; `data` has the bundle's version shape (its number is taken if free)."""
    data = {**data, "status": ProcedureVersion.Status.DRAFT}
    with transaction.atomic():
        procedure = _lock(procedure)
        last = procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0
        data.setdefault("number", last + 1)
        canon = _check_version_data(data)
        if procedure.versions.filter(number=canon["number"]).exists():
            raise InvalidProcedure(
                f"Phiên bản số {canon['number']} đã tồn tại.",
                f"Version number {canon['number']} already exists.",
                code="version_exists",
            )
        version = ProcedureVersion(procedure=procedure, number=canon["number"], effective_from=date.today())
        _write_version(version, canon)
        record_event(
            actor=actor,
            aggregate_type="procedure",
            aggregate_id=procedure.code,
            kind="procedure.version_created",
            after=bundles.version_to_dict(version),
        )
    return version


def update_version(version: ProcedureVersion, *, actor: Any, data: dict[str, Any]) -> ProcedureVersion:
    """Edit a draft version; published versions are frozen."""
    with transaction.atomic():
        _lock(version.procedure)
        version = ProcedureVersion.objects.get(pk=version.pk)
        if version.status == ProcedureVersion.Status.PUBLISHED:
            raise VersionAlreadyPublished(detail={"number": version.number})
        before = bundles.version_to_dict(version)
        canon = _check_version_data({**data, "number": version.number, "status": version.status})
        _write_version(version, canon)
        record_event(
            actor=actor,
            aggregate_type="procedure",
            aggregate_id=version.procedure.code,
            kind="procedure.version_updated",
            before=before,
            after=bundles.version_to_dict(version),
        )
    return version


def publish_version(version: ProcedureVersion, *, actor: Any) -> ProcedureVersion:
    """Publish a draft: its process must add up and its dates must not overlap another published version."""
    with transaction.atomic():
        procedure = _lock(version.procedure)
        version = ProcedureVersion.objects.get(pk=version.pk)
        if version.status == ProcedureVersion.Status.PUBLISHED:
            raise VersionAlreadyPublished(detail={"number": version.number})
        validate_process(version)
        _check_no_overlap(version)
        version.status = ProcedureVersion.Status.PUBLISHED
        version.save(update_fields=["status"])
        payload = {
            "code": procedure.code,
            "number": version.number,
            "effective_from": version.effective_from.isoformat(),
            "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        }
        record_event(
            actor=actor,
            aggregate_type="procedure",
            aggregate_id=procedure.code,
            kind="procedure.version_published",
            after=payload,
            outgoing=[Outgoing(PUBLISHED_TOPIC, _message_key(procedure.code, version.number), payload)],
        )
    return version


# --- bundle import --------------------------------------------------------------------------------


def import_bundle(data: dict[str, Any], *, actor: Any = None) -> bundles.BundleDiff:
    """Apply a parsed bundle (see `bundle.parse_bundle`) all or nothing, and return what changed.

    Versions already used by dossiers cannot change content; every published version must pass
    `validate_process` and the overlap rule, checked after all writes and before the commit.
    """
    diff = bundles.diff_bundle(data)
    touched = {(c.kind, c.code) for c in [*diff.added, *diff.changed]}
    if not touched:
        return diff
    with transaction.atomic():
        _refuse_rewriting_published(diff)
        _import_agencies(data.get("agencies", []), touched)
        for item in data.get("sectors", []):
            if ("sector", item["code"]) in touched:
                canon = bundles.canonical_sector(item)
                Sector.objects.update_or_create(code=canon["code"], defaults=canon)
        for item in data.get("life_events", []):
            if ("life_event", item["code"]) in touched:
                canon = bundles.canonical_life_event(item)
                LifeEvent.objects.update_or_create(code=canon["code"], defaults=canon)
        published: list[tuple[str, int]] = []
        for item in data.get("procedures", []):
            published += _import_procedure(item, touched)
        record_event(
            actor=actor,
            aggregate_type="catalog",
            aggregate_id="bundle",
            kind="catalog.bundle_imported",
            data=diff.as_dict(),
            outgoing=[
                Outgoing(PUBLISHED_TOPIC, _message_key(*v), {"code": v[0], "number": v[1]}) for v in published
            ],
        )
    return diff


# What a bundle may still change on a published version: closing it when its successor arrives.
CLOSING_FIELDS = frozenset({"effective_to"})


def _refuse_rewriting_published(diff: bundles.BundleDiff) -> None:
    """Published rules are what dossiers are (or will be) judged by: a change is a new version."""
    for change in diff.changed:
        if change.kind != "version":
            continue
        code, number = change.code.rsplit(" v", 1)
        status = (
            ProcedureVersion.objects.filter(procedure__code=code, number=int(number))
            .values_list("status", flat=True)
            .first()
        )
        rewritten = sorted(set(change.fields) - CLOSING_FIELDS)
        if status == ProcedureVersion.Status.PUBLISHED and rewritten:
            raise PublishedVersionFrozen(
                detail={"procedure": code, "number": int(number), "fields": rewritten}
            )


def _import_agencies(items: list[dict[str, Any]], touched: set[tuple[str, str]]) -> None:
    canons = [bundles.canonical_agency(a) for a in items if ("agency", a["code"]) in touched]
    plain = ("code_2020", "name", "name_en", "level", "address", "phone", "email")
    for canon in canons:
        defaults: dict[str, Any] = {key: canon[key] for key in plain}
        for key in ("valid_from", "valid_to"):
            defaults[key] = date.fromisoformat(canon[key]) if canon[key] else None
        Agency.objects.update_or_create(code=canon["code"], defaults=defaults)
    by_code = {a.code: a for a in Agency.objects.all()}
    for canon in canons:
        agency = by_code[canon["code"]]
        agency.parent = by_code[canon["parent"]] if canon["parent"] else None
        agency.successor = by_code[canon["successor"]] if canon["successor"] else None
        agency.save(update_fields=["parent", "successor"])


def _import_procedure(item: dict[str, Any], touched: set[tuple[str, str]]) -> list[tuple[str, int]]:
    """Write one procedure and its changed versions; return the published versions written."""
    canon = bundles.canonical_procedure(item)
    procedure = Procedure.objects.filter(code=canon["code"]).first()
    if ("procedure", canon["code"]) in touched or procedure is None:
        if procedure is None:
            procedure = Procedure(code=canon["code"])
        procedure.name, procedure.name_en = canon["name"], canon["name_en"]
        procedure.sector = Sector.objects.get(code=canon["sector"])
        procedure.save()
        procedure.agencies.set(Agency.objects.filter(code__in=canon["agencies"]))
        procedure.life_events.set(LifeEvent.objects.filter(code__in=canon["life_events"]))
    procedure = _lock(procedure)
    written: list[ProcedureVersion] = []
    for data in canon["versions"]:
        if ("version", f"{canon['code']} v{data['number']}") not in touched:
            continue
        checked = _check_version_data(data)
        version = procedure.versions.filter(number=data["number"]).first()
        if version is None:
            version = ProcedureVersion(
                procedure=procedure, number=data["number"], effective_from=date.today()
            )
        elif version.dossiers.exists():
            raise VersionInUse(
                f"Phiên bản {canon['code']} v{data['number']} đã có hồ sơ, không thể thay đổi.",
                f"Version {canon['code']} v{data['number']} is used by dossiers and cannot change.",
                detail={"procedure": canon["code"], "number": data["number"]},
            )
        _write_version(version, checked)
        written.append(version)
    published = [v for v in written if v.status == ProcedureVersion.Status.PUBLISHED]
    for version in published:
        _validated_in_bundle(version)
    return [(procedure.code, v.number) for v in published]


def _validated_in_bundle(version: ProcedureVersion) -> None:
    """Name the procedure and version in the error, since a bundle holds many."""
    try:
        validate_process(version)
        _check_no_overlap(version)
    except DomainError as exc:
        where = f"{version.procedure.code} v{version.number}"
        exc.vi, exc.en = f"{where}: {exc.vi}", f"{where}: {exc.en}"
        exc.detail = {"procedure": version.procedure.code, "number": version.number, "problem": exc.detail}
        raise
