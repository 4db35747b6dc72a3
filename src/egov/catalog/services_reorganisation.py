"""Apply a reorganisation plan (see `reorganisation`): all of it in one transaction, or nothing.

What it changes, in order: the plan's new agencies (through the bundle import), the closed agencies
(`valid_to` = the effective date, `successor` set), the procedures they handled (the successor, or the
agencies the plan names, are added; links to the closed agency stay as history; a procedure that
moves to another level gets a new published version from that date, the old one is closed), and then
what other apps keep at the closed agencies is handed over to the successors, or only reported: the
`extensions.HAND_OVER` point, asked in this transaction (accounts moves or lists the officers' role
assignments there; see accounts/flows.py).

Dossiers are not touched: they keep the agency and the code they were received under, and worklists
and statistics follow the successor chain (`selectors.attributed_agency_ids`). Applying the same plan
again changes nothing and records nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from egov.catalog import bundle, services
from egov.catalog.bundle_format import FORMAT, FORMAT_VERSION, agency_to_dict, version_to_dict
from egov.catalog.errors import PlanInvalid
from egov.catalog.extensions import HAND_OVER, HandOver
from egov.catalog.models import Agency, Procedure, ProcedureVersion
from egov.catalog.reorganisation import (
    ReorganisationReport,
    check_plan,
    effective_date,
    plan_agencies,
)
from egov.catalog.selectors import version_in_force
from egov.core import reactions
from egov.core.events import Outgoing, record_event

__all__ = ["reorganise"]


def reorganise(plan: dict[str, Any], *, actor: Any = None, dry_run: bool = False) -> ReorganisationReport:
    """Apply a parsed plan (`reorganisation.parse_plan`); with `dry_run`, report and roll back."""
    with transaction.atomic():
        report, published = _apply(plan, actor)
        if report.changed and not dry_run:
            record_event(
                actor=actor,
                aggregate_type="catalog",
                aggregate_id=f"reorganisation:{report.effective.isoformat()}",
                kind="catalog.reorganised",
                data=report.as_dict(),
                outgoing=[
                    Outgoing(services.PUBLISHED_TOPIC, services._message_key(code, number), payload)
                    for code, number, payload in published
                ],
            )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _apply(
    plan: dict[str, Any], actor: Any
) -> tuple[ReorganisationReport, list[tuple[str, int, dict[str, Any]]]]:
    on = effective_date(plan)
    report = ReorganisationReport(name=plan.get("name", ""), effective=on)
    report.agencies = _open_agencies(plan, actor)
    check_plan(plan)
    successors = _close_agencies(plan, on, report)
    published = _rehome_procedures(plan, on, successors, report)
    reactions.run_parts(HAND_OVER, HandOver(successors, plan.get("roles", "report") == "move", report))
    return report, published


def _open_agencies(plan: dict[str, Any], actor: Any) -> bundle.BundleDiff:
    """Create or update the plan's agencies; an existing agency keeps a later closure the plan omits."""
    items = plan_agencies(plan)
    existing = {a.code: a for a in Agency.objects.filter(code__in=[i["code"] for i in items])}
    for item in items:
        known = existing.get(item["code"])
        if known is not None:
            kept = agency_to_dict(known)
            item.setdefault("valid_to", kept["valid_to"])
            item.setdefault("successor", kept["successor"])
    if not items:
        return bundle.BundleDiff()
    data = bundle.check_bundle({"format": FORMAT, "version": FORMAT_VERSION, "agencies": items})
    return services.import_bundle(data, actor=actor)


def _close_agencies(plan: dict[str, Any], on: date, report: ReorganisationReport) -> dict[int, Agency]:
    """Close each agency at `on` with its successor; returns {closed agency id: successor}."""
    successors: dict[int, Agency] = {}
    for item in plan.get("closes", []):
        old = Agency.objects.select_for_update().get(code=item["code"])
        new = Agency.objects.get(code=item["successor"])
        successors[old.pk] = new
        if old.valid_to == on and old.successor_id == new.pk:
            continue
        old.valid_to, old.successor = on, new
        old.save(update_fields=["valid_to", "successor"])
        report.closed.append(
            {"code": old.code, "name": old.name, "successor": new.code, "successor_name": new.name}
        )
    return successors


def _rehome_procedures(
    plan: dict[str, Any], on: date, successors: dict[int, Agency], report: ReorganisationReport
) -> list[tuple[str, int, dict[str, Any]]]:
    """Add the new agencies to the procedures; a change of level publishes a new version from `on`."""
    explicit = {item["code"]: item for item in plan.get("procedures", [])}
    added: dict[str, list[Agency]] = {}
    closed = Agency.objects.filter(pk__in=successors).prefetch_related("procedures")
    for old in closed:
        for procedure in old.procedures.all():
            if procedure.code not in explicit:
                added.setdefault(procedure.code, []).append(successors[old.pk])
    for code, item in explicit.items():
        added.setdefault(code, []).extend(Agency.objects.filter(code__in=item["agencies"]))
    published: list[tuple[str, int, dict[str, Any]]] = []
    for code in sorted(added):
        procedure = services._lock(Procedure.objects.get(code=code))
        linked = set(procedure.agencies.values_list("pk", flat=True))
        new_links = sorted(
            {a.code: a for a in added[code] if a.pk not in linked}.values(), key=lambda a: a.code
        )
        procedure.agencies.add(*new_links)
        item = explicit.get(code, {})
        levels = item.get("implementing_levels")
        laws = item.get("legal_basis", plan.get("legal_basis", []))
        version = _version_at_levels(procedure, levels, laws, plan, on) if levels else None
        if version is not None:
            payload = {"code": code, "number": version.number, "effective_from": on.isoformat()}
            published.append((code, version.number, payload))
        if new_links or version is not None:
            report.procedures.append(
                {
                    "code": code,
                    "added": [a.code for a in new_links],
                    "version": version.number if version is not None else None,
                }
            )
    return published


def _version_at_levels(
    procedure: Procedure, levels: list[str], laws: list[dict[str, Any]], plan: dict[str, Any], on: date
) -> ProcedureVersion | None:
    """The version in force on `on` copied to the new implementing levels from `on`, citing `laws`
    too; None if it is at those levels already."""
    current = version_in_force(procedure, on) or version_in_force(procedure, on - timedelta(days=1))
    if current is None:
        raise PlanInvalid(
            f"Thủ tục {procedure.code} không có phiên bản có hiệu lực vào ngày {on.isoformat()}.",
            f"Procedure {procedure.code} has no version in force on {on.isoformat()}.",
            code="plan_conflict",
            detail={"procedure": procedure.code},
        )
    if sorted(current.implementing_levels) == sorted(levels):
        return None
    if current.effective_from >= on:
        raise PlanInvalid(
            f"Phiên bản {current.number} của thủ tục {procedure.code} bắt đầu từ ngày "
            f"{current.effective_from}, không đóng được vào ngày hiệu lực của phương án.",
            f"Version {current.number} of {procedure.code} starts on {current.effective_from}; "
            "it cannot be closed on the plan's effective date.",
            code="plan_conflict",
            detail={"procedure": procedure.code, "version": current.number},
        )
    data = version_to_dict(current)
    cited = {str(law.get("number")) for law in data["legal_basis"]}
    basis = data["legal_basis"] + [law for law in laws if str(law.get("number")) not in cited]
    last = procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0
    data |= {
        "number": last + 1,
        "effective_from": on.isoformat(),
        "implementing_levels": list(levels),
        "legal_basis": basis,
        "decision": plan.get("decision", data["decision"]),
    }
    canon = services._check_version_data(data)
    current.effective_to = on
    current.save(update_fields=["effective_to"])
    version = ProcedureVersion(procedure=procedure, number=canon["number"], effective_from=on)
    services._write_version(version, canon)
    services._validated_in_bundle(version)
    return version
