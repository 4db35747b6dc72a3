"""Intake: a dossier is created (online, counter or post) and then received by the one-stop desk."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from jsonschema import SchemaError
from jsonschema.validators import validator_for

from egov.accounts.models import Role, User
from egov.catalog.errors import AgencyNotFound, ProcedureNotFound, VersionNotInForce
from egov.catalog.models import Agency, Channel, Procedure, ProcedureVersion
from egov.catalog.rules import version_rules
from egov.catalog.selectors import ensure_in_force
from egov.core import reactions, safejson
from egov.core.errors import ValidationFailed
from egov.dossiers import extensions
from egov.dossiers.authority import Authority
from egov.dossiers.codes import issue_code, new_pin, pin_digest
from egov.dossiers.errors import (
    AgencyNotCompetent,
    ApplicantInvalid,
    ChannelNotOffered,
    DeclarationInvalid,
    IdempotencyConflict,
)
from egov.dossiers.models import ApplicantType, Dossier, Status
from egov.dossiers.permissions import holds_role_on, require
from egov.dossiers.policies import RECEIVE, counted_steps, unit_id_for
from egov.dossiers.selectors import Intake, intake_context
from egov.dossiers.services._base import budget_due, calendar, lock, save_and_record, snapshot, start_step

RECEIPT_BUDGET_DAYS = Decimal(1)
APPLICANT_FIELDS = {"name": 200, "id_number": 20, "email": 254, "phone": 20, "address": 300}
PHONE = re.compile(r"^\+?[0-9 .-]{6,20}$")
ONLINE_KINDS = (User.Kind.CITIZEN, User.Kind.BUSINESS)


@dataclass(frozen=True)
class CreateResult:
    dossier: Dossier
    pin: str | None
    created: bool


def create_dossier(
    actor: Any,
    *,
    procedure_code: str,
    agency_code: str,
    channel: str,
    applicant: dict[str, Any],
    declaration: dict[str, Any] | None = None,
    subject: str = "",
    idempotency_key: str | None = None,
) -> CreateResult:
    """Register a dossier (status 1) with its code and PIN; a repeated idempotent request returns it."""
    declaration = {} if declaration is None else declaration
    _refuse_unstorable(declaration)
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 80:
        raise ValidationFailed(detail={"idempotency_key": "1 to 80 characters"})
    digest = _request_digest(procedure_code, agency_code, channel, applicant, declaration, subject)
    replay = _replay(actor, idempotency_key, digest)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            return _create(
                actor,
                procedure_code,
                agency_code,
                channel,
                applicant,
                declaration,
                subject,
                idempotency_key,
                digest,
            )
    except IntegrityError:
        replay = _replay(actor, idempotency_key, digest)
        if replay is None:
            raise
        return replay


def _create(
    actor: Any,
    procedure_code: str,
    agency_code: str,
    channel: str,
    applicant: dict[str, Any],
    declaration: dict[str, Any],
    subject: str,
    idempotency_key: str | None,
    digest: str,
) -> CreateResult:
    now = timezone.now()
    today = timezone.localdate(now)
    intake = intake_context(procedure_code, agency_code, today, actor)
    agency = intake.agency
    if intake.version is None and not Procedure.objects.filter(code=procedure_code).exists():
        raise ProcedureNotFound(detail={"procedure_code": procedure_code})
    if agency is None:
        raise AgencyNotFound(detail={"agency_code": agency_code})
    ensure_in_force(agency, today)  # a closed agency: the error names its successor
    _check_creator(actor, agency, channel, intake.authority)
    version = _version_for(procedure_code, agency, channel, intake, today)
    person = _clean_applicant(actor, channel, applicant)
    _validate_declaration(version, declaration)
    if len(subject) > 500:
        raise ValidationFailed(detail={"subject": "max_length 500"})
    code = issue_code(agency, today, intake.code_template)
    pin = new_pin()
    cal = calendar()
    dossier = Dossier(
        code=code,
        pin_digest=pin_digest(code, pin),
        procedure_version=version,
        agency=agency,
        channel=channel,
        status=Status.SUBMITTED,
        applicant=actor if channel == Channel.ONLINE else None,
        subject=subject.strip(),
        declaration=declaration,
        submitted_at=now,
        current_unit=agency,
        current_role=Role.DESK,
        step_due_at=cal.add(cal.start_clock(now), days=RECEIPT_BUDGET_DAYS),
        created_by=actor,
        idempotency_key=idempotency_key,
        request_digest=digest,
        **person,
    )
    save_and_record(actor, dossier, "dossier.created", {}, {"channel": channel})
    return CreateResult(dossier=dossier, pin=pin, created=True)


def _request_digest(*parts: Any) -> str:
    body = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _replay(actor: Any, key: str | None, digest: str) -> CreateResult | None:
    if not key or getattr(actor, "pk", None) is None:
        return None
    existing = Dossier.objects.filter(created_by=actor, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_digest != digest:
        raise IdempotencyConflict(detail={"idempotency_key": key, "dossier": existing.code})
    return CreateResult(dossier=existing, pin=None, created=False)


def _check_creator(actor: Any, agency: Agency, channel: str, authority: Authority) -> None:
    if channel not in Channel.values:
        raise ChannelNotOffered(detail={"channel": channel, "allowed": list(Channel.values)})
    if channel == Channel.ONLINE:
        ok = isinstance(actor, User) and actor.is_active and actor.kind in ONLINE_KINDS
        require(ok, "create_online")
    else:
        require(authority.holds(agency.pk, [Role.DESK]), "create_at_desk")


def _version_for(
    procedure_code: str, agency: Agency, channel: str, intake: Intake, today: date
) -> ProcedureVersion:
    if not intake.competent:
        raise AgencyNotCompetent(detail={"procedure_code": procedure_code, "agency_code": agency.code})
    version = intake.version
    if version is None:
        raise VersionNotInForce(detail={"code": procedure_code, "on": today.isoformat()})
    if channel not in version_rules(version.pk).channels:
        raise ChannelNotOffered(detail={"procedure_code": procedure_code, "channel": channel})
    return version


def _clean_applicant(actor: Any, channel: str, applicant: dict[str, Any]) -> dict[str, Any]:
    """Map the applicant block onto the dossier's fields; an online applicant defaults to the account."""
    if not isinstance(applicant, dict):
        raise ApplicantInvalid(detail={"applicant": "must be an object"})
    problems: dict[str, str] = {}
    unknown = set(applicant) - set(APPLICANT_FIELDS) - {"type"}
    for key in sorted(unknown):
        problems[key] = "unknown field"
    values = {key: str(applicant.get(key) or "").strip() for key in APPLICANT_FIELDS}
    if channel == Channel.ONLINE and isinstance(actor, User):
        values["name"] = values["name"] or actor.display_name()
        values["phone"] = values["phone"] or actor.phone
        values["email"] = values["email"] or actor.email
        values["id_number"] = values["id_number"] or actor.id_number
    for key, limit in APPLICANT_FIELDS.items():
        if len(values[key]) > limit:
            problems[key] = f"max_length {limit}"
    if not values["name"]:
        problems["name"] = "required"
    if values["phone"] and not PHONE.match(values["phone"]):
        problems["phone"] = "invalid"
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            problems["email"] = "invalid"
    kind = applicant.get("type", ApplicantType.CITIZEN)
    if kind not in ApplicantType.values:
        problems["type"] = f"one of {ApplicantType.values}"
    if problems:
        raise ApplicantInvalid(detail=problems)
    return {
        "applicant_name": values["name"],
        "applicant_type": int(kind),
        "applicant_id_number": values["id_number"],
        "email": values["email"],
        "phone": values["phone"],
        "address": values["address"],
    }


def _refuse_unstorable(declaration: Any) -> None:
    """NUL, control characters, 1e999/NaN or deep nesting: no schema allows them, no column stores them."""
    try:
        safejson.check_value(declaration, controls=True)
    except safejson.JsonRefused as exc:
        field = str((exc.detail or {}).get("field", ""))
        problem = {"field": field, "error": exc.code, "message": exc.en}
        raise DeclarationInvalid(detail={"fields": [problem]}) from exc


def _validate_declaration(version: ProcedureVersion, declaration: Any) -> None:
    """Check the declaration against the version's JSON Schema; list every wrong field at once."""
    if not isinstance(declaration, dict):
        raise DeclarationInvalid(detail={"fields": [{"field": "", "error": "type", "message": "object"}]})
    schema = version.declaration_schema or {}
    if not schema:
        return
    try:
        validator = validator_for(schema)(schema)
        errors = list(validator.iter_errors(declaration))
    except SchemaError as exc:
        raise DeclarationInvalid(detail={"schema": exc.message}) from exc
    fields: list[dict[str, str]] = []
    for error in errors:
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required" and isinstance(error.instance, dict):
            required: Any = error.validator_value
            for name in required:
                if name not in error.instance:
                    fields.append(
                        {"field": ".".join([*path, name]), "error": "required", "message": error.message}
                    )
        else:
            fields.append({"field": ".".join(path), "error": str(error.validator), "message": error.message})
    if fields:
        fields.sort(key=lambda f: (f["field"], f["error"]))
        raise DeclarationInvalid(detail={"fields": fields})


def receive_dossier(actor: Any, dossier: Dossier) -> Dossier:
    """Receive (status 2): the clock starts (after the cut-off, next working day) and step 1 opens."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        RECEIVE.enforce(actor, dossier)
        reactions.check(extensions.BEFORE_RECEIPT, dossier)
        before = snapshot(dossier)
        now = timezone.now()
        terms = version_rules(dossier.procedure_version_id).channels[dossier.channel]
        clock = calendar().start_clock(now)
        dossier.received_at = now
        dossier.clock_started_at = clock
        dossier.due_at = budget_due(clock, terms.time_limit, terms.time_unit)
        first = counted_steps(dossier)[0]
        unit_id = unit_id_for(first, dossier)
        mine = (first.role == Role.DESK and unit_id == dossier.agency_id) or holds_role_on(
            actor, dossier, unit_id, first.role
        )
        start_step(
            dossier,
            first,
            unit_id=unit_id,
            assignee=actor if mine else None,
            start=now,
            due=budget_due(clock, first.budget, first.budget_unit),
        )
        dossier.status = Status.RECEIVED
        return save_and_record(actor, dossier, "dossier.received", before)
