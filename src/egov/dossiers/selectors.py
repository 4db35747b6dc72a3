"""Reads of dossiers: officer worklists, permission-checked detail, timeline, public lookup, and the
steps, notes and supplement requests the dossier pages of the portal and the back office show (its
files: egov.dossiers.files).

Worklists are restricted in SQL to the (unit, role) pairs of the officer's RoleAssignments and read
only the denormalised `current_*` / `step_due_at` columns, so each page is an index range scan on
`dossier_worklist_idx` (unit, role, step_due_at, id) or `dossier_my_steps_idx` (assignee, step_due_at,
id). Pagination is keyset on (step_due_at, id) — never OFFSET — so page 1000 costs what page 1 costs.
An officer with several pairs gets one small ordered query per pair, merged here: each one walks its
own index range, which a single OR across pairs could not.
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from egov.accounts.models import RoleAssignment, User
from egov.catalog.models import Agency, DocumentRequirement, Procedure, ProcedureVersion
from egov.catalog.selectors import attributed_agency_ids
from egov.core.cursors import InvalidCursor, decode_cursor, encode_cursor
from egov.core.models import Event
from egov.core.rows import Columns
from egov.dossiers.authority import (
    Authority,
    acting_pairs_sql,
    acting_user_id,
    authority_from,
    authority_of,
    column_of,
    pairs_as_json_sql,
)
from egov.dossiers.codes import pin_digest, pin_matches
from egov.dossiers.errors import DossierNotFound, LookupFailed, LookupLocked, UnknownWorklist
from egov.dossiers.models import (
    LOCKED_FIELDS,
    PAUSED_STATUSES,
    CodeFormat,
    Dossier,
    DossierNote,
    DossierStep,
    Status,
    SupplementRequest,
)

VIEWS = ("mine", "unassigned", "unit", "overdue", "due_soon")
# No clock runs for these: paused for the applicant, or finished and waiting to be handed over.
CLOCK_STOPPED = (*PAUSED_STATUSES, Status.FINISHED)
MAX_LIMIT = 200
# Beyond this many (unit, role) pairs one OR query (with a bounded sort) beats one query per pair.
MAX_MERGED_PAIRS = 8
_DUMMY_DIGEST = pin_digest("-", "-")


@dataclass(frozen=True)
class WorklistPage:
    items: list[Dossier]
    next_cursor: str | None


def _due_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    due_text, last_id = decode_cursor(cursor, 2)
    due = parse_datetime(due_text) if isinstance(due_text, str) else None
    if due is None or due.tzinfo is None or not isinstance(last_id, int) or isinstance(last_id, bool):
        raise InvalidCursor(detail={"cursor": cursor})
    return due, last_id


def _after(qs: QuerySet[Dossier], position: tuple[datetime, int] | None) -> QuerySet[Dossier]:
    """Rows strictly after the cursor; the `>=` keeps the index range, the OR only breaks ties."""
    if position is None:
        return qs
    due, last_id = position
    return qs.filter(step_due_at__gte=due).filter(Q(step_due_at__gt=due) | Q(id__gt=last_id))


def role_pairs(user: Any) -> list[tuple[int, str]]:
    """The officer's (unit, role) pairs, plus the same role at every unit whose work their unit took
    over in a reorganisation: dossiers still at an abolished unit are the successor's work. One
    statement (egov.dossiers.authority), the same the services' permission checks read."""
    return sorted(authority_of(user).pairs)


def _view_filter(qs: QuerySet[Dossier], view: str, now: datetime, due_within_hours: int) -> QuerySet[Dossier]:
    if view == "unassigned":
        return qs.filter(current_assignee__isnull=True)
    if view == "overdue":
        return qs.filter(step_due_at__lt=now).exclude(status__in=CLOCK_STOPPED)
    if view == "due_soon":
        horizon = now + timedelta(hours=max(1, int(due_within_hours)))
        return qs.filter(step_due_at__gte=now, step_due_at__lt=horizon).exclude(status__in=CLOCK_STOPPED)
    return qs


def _search_filter(
    qs: QuerySet[Dossier], versions: list[int] | None, search: str | None, status: str | None = None
) -> QuerySet[Dossier]:
    if versions is not None:
        qs = qs.filter(procedure_version_id__in=versions)
    if status:
        qs = qs.filter(status=status)
    text = (search or "").strip()
    if text:
        qs = qs.filter(Q(code=text) | Q(phone=text) | Q(applicant_name__istartswith=text))
    return qs


def worklist(
    user: Any,
    view: str,
    *,
    cursor: str | None = None,
    limit: int = 50,
    procedure_code: str | None = None,
    search: str | None = None,
    due_within_hours: int = 24,
    status: str | None = None,
) -> WorklistPage:
    """One page of an officer's worklist, ordered by (step_due_at, id)."""
    if view not in VIEWS:
        raise UnknownWorklist(detail={"view": view, "allowed": list(VIEWS)})
    limit = max(1, min(int(limit), MAX_LIMIT))
    position = _due_cursor(cursor)
    pairs = role_pairs(user)
    if not pairs:
        return WorklistPage(items=[], next_cursor=None)
    versions = None
    if procedure_code:
        # Resolved first so each page query stays a single-table index scan.
        versions = list(
            ProcedureVersion.objects.filter(procedure__code=procedure_code).values_list("id", flat=True)
        )
        if not versions:
            return WorklistPage(items=[], next_cursor=None)
    now = timezone.now()

    def ordered(qs: QuerySet[Dossier]) -> list[tuple[datetime, int]]:
        qs = _search_filter(
            _view_filter(_after(qs, position), view, now, due_within_hours), versions, search, status
        )
        rows = qs.order_by("step_due_at", "id").values_list("step_due_at", "id")[: limit + 1]
        return [(due, pk) for due, pk in rows if due is not None]

    in_pairs = Q()
    for agency_id, role in pairs:
        in_pairs |= Q(current_unit_id=agency_id, current_role=role)
    if view == "mine":
        keys = ordered(Dossier.objects.filter(in_pairs, current_assignee=user))
    elif len(pairs) > MAX_MERGED_PAIRS:
        keys = ordered(Dossier.objects.filter(in_pairs))
    else:
        runs = [ordered(Dossier.objects.filter(current_unit_id=a, current_role=r)) for a, r in pairs]
        keys = list(heapq.merge(*runs))[: limit + 1]
    page, more = keys[:limit], len(keys) > limit
    rows = Dossier.objects.filter(id__in=[k[1] for k in page]).select_related(
        "procedure_version__procedure", "current_unit", "current_assignee"
    )
    by_id = {d.pk: d for d in rows}
    items = [by_id[k[1]] for k in page if k[1] in by_id]
    next_cursor = encode_cursor(page[-1][0].isoformat(), page[-1][1]) if more and page else None
    return WorklistPage(items=items, next_cursor=next_cursor)


def _can_read(user: Any, dossier: Dossier) -> bool:
    if not isinstance(user, User) or user.pk is None or not user.is_active:
        return False
    if dossier.applicant_id == user.pk:
        return True
    agencies = list(RoleAssignment.objects.filter(user=user).values_list("agency_id", flat=True))
    if not agencies:
        return False
    agencies = list(attributed_agency_ids(agencies))  # and the units their units took over
    if dossier.agency_id in agencies or dossier.current_unit_id in agencies:
        return True
    if dossier.agency.parent_id in agencies:
        return True
    return DossierStep.objects.filter(dossier=dossier, unit_id__in=agencies).exists()


def dossier_for(user: Any, code: str) -> Dossier:
    """The dossier if `user` may see it; otherwise the same not-found as for a code that does not exist.

    Readers: the applicant; officers of the receiving agency, of its parent (which decides the
    steps taken one level up) and of any unit the dossier is or was at.
    """
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure", "agency", "current_step__process_step", "current_step__unit"
        )
        .filter(code=code)
        .first()
    )
    if dossier is None or not _can_read(user, dossier):
        raise DossierNotFound(detail={"code": code})
    return dossier


def timeline(dossier: Dossier) -> list[dict[str, Any]]:
    """Every recorded change of the dossier, oldest first, as the process-control slip shows it."""
    events = Event.objects.filter(aggregate_type="dossier", aggregate_id=dossier.code).select_related("actor")
    entries: list[dict[str, Any]] = []
    for event in events.order_by("id"):
        data = event.data or {}
        note = data.get("reason") or data.get("content") or data.get("note") or ""
        entries.append(
            {
                "kind": event.kind,
                "at": event.occurred_at,
                "actor": event.actor.display_name() if event.actor else None,
                "status_before": (event.before or {}).get("status"),
                "status_after": (event.after or {}).get("status"),
                "note": note,
                "amount": data.get("amount"),
            }
        )
    return entries


# What an applicant may see of the timeline: no internal events, and only the notes written to them.
APPLICANT_HIDDEN_KINDS = frozenset(
    {"dossier.note_added", "payment.created", "payment.pending", "payment.refund_requested"}
)
APPLICANT_NOTE_KINDS = frozenset(
    {
        "dossier.refused",
        "dossier.supplement_requested",
        "dossier.financial_obligation_requested",
        "dossier.apologised",
        "dossier.stopped",
        "dossier.withdrawn",
        "dossier.supplement_submitted",
    }
)


def applicant_timeline(dossier: Dossier) -> list[dict[str, Any]]:
    """The timeline as the applicant sees it (portal and API alike)."""
    return [
        {**entry, "note": entry["note"] if entry["kind"] in APPLICANT_NOTE_KINDS else ""}
        for entry in timeline(dossier)
        if entry["kind"] not in APPLICANT_HIDDEN_KINDS
    ]


def public_lookup(code: str, pin: str) -> dict[str, Any]:
    """Status without personal data; a wrong PIN and an unknown code fail the same way, in the same time."""
    dossier = Dossier.objects.select_related("procedure_version__procedure").filter(code=code).first()
    digest = dossier.pin_digest if dossier is not None else _DUMMY_DIGEST
    matched = pin_matches(code, pin, digest)
    if dossier is None or not matched:
        raise LookupFailed()
    return {
        "code": dossier.code,
        "status": dossier.status,
        "national_status": dossier.national_status,
        "procedure": dossier.procedure_version.procedure.name,
        "due_at": dossier.apology_due_at or dossier.due_at,
    }


LOOKUP_FAILURES_PER_CODE = 10
LOOKUP_LOCK_SECONDS = 3600


def guarded_public_lookup(code: str, pin: str) -> dict[str, Any]:
    """`public_lookup` behind the per-code lock shared by the API and the portal: after
    LOOKUP_FAILURES_PER_CODE failures the code's lookup answers LookupLocked for an hour."""
    code = code.strip()
    key = "lookup-fail:" + hashlib.sha256(code.upper().encode()).hexdigest()
    if (cache.get(key) or 0) >= LOOKUP_FAILURES_PER_CODE:
        raise LookupLocked()
    try:
        return public_lookup(code, pin.strip())
    except LookupFailed:
        cache.add(key, 0, LOOKUP_LOCK_SECONDS)
        cache.incr(key)
        raise


def applicant_dossiers(user: Any, cursor: str | None = None, limit: int = 50) -> WorklistPage:
    """The citizen's own dossiers, newest first (keyset on id over `dossier_applicant_idx`)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    if not isinstance(user, User) or user.pk is None:
        return WorklistPage(items=[], next_cursor=None)
    qs = Dossier.objects.filter(applicant=user)
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        if not isinstance(last_id, int) or isinstance(last_id, bool):
            raise InvalidCursor(detail={"cursor": cursor})
        qs = qs.filter(id__lt=last_id)
    rows = list(
        qs.select_related("procedure_version__procedure", "agency", "current_step__process_step").order_by(
            "-id"
        )[: limit + 1]
    )
    page, more = rows[:limit], len(rows) > limit
    return WorklistPage(items=page, next_cursor=encode_cursor(page[-1].pk) if more and page else None)


# --- what a dossier's pages show (after `dossier_for` or the portal's own-dossier check) ----------


def steps_of(dossier: Dossier) -> list[DossierStep]:
    """Every pass through a process step, in order, with who held and finished it."""
    steps = DossierStep.objects.filter(dossier=dossier)
    return list(steps.select_related("unit", "assignee", "finished_by", "process_step").order_by("id"))


def notes_of(dossier: Dossier) -> list[DossierNote]:
    return list(DossierNote.objects.filter(dossier=dossier).select_related("author").order_by("id"))


def supplement_requests_of(dossier: Dossier) -> list[SupplementRequest]:
    return list(SupplementRequest.objects.filter(dossier=dossier).order_by("id"))


def requirements_of(version_id: int) -> list[DocumentRequirement]:
    """The documents a procedure version asks for (a dossier's, or the desk's at intake), in order."""
    requirements = DocumentRequirement.objects.filter(version_id=version_id)
    return list(requirements.order_by("position", "id"))


# --- the hand-written reads of the services (egov.core.rows) ----------------------------------------


def lock_dossier(dossier_id: int, actor: Any) -> Dossier:
    """The dossier under a row lock held until the transaction ends, in one statement with its current
    step and what `actor` may act for (`Dossier.authority`, egov.dossiers.authority).

    Only the dossier row is locked (`FOR UPDATE OF`), and of it only what a transition decides on and
    changes (`LOCKED_FIELDS`: the applicant's data and the declaration load, all at once, if someone
    reads them); the agency, the procedure version and the people are loaded if a service touches them. The
    statement is built once per process from the models; building the equivalent ORM query (and its
    three-table, seventy-column row) on every transition cost more than all the rest of the lock.

    A statement that waited for the lock returns the dossier as the other transaction left it, but
    reads everything else (the joined step, the actor's pairs) as of its start (PostgreSQL's READ
    COMMITTED rules for `FOR UPDATE`): the step may be the one just closed, or missing. The
    statement therefore also tells whether the locked row is still the version its snapshot saw
    (`xmin`); when it is not, the step and the pairs are read again, after the lock.
    """
    sql, columns = _lock_statement(connection.vendor)
    user_id = acting_user_id(actor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, dossier_id])
        row = cursor.fetchone()
    if row is None:
        raise Dossier.DoesNotExist(f"dossier {dossier_id}")
    (dossier, step), (pairs, unchanged) = columns.split(row)
    authority = authority_from(user_id, pairs)
    if not unchanged:
        current = dossier.current_step_id
        step = DossierStep.objects.filter(pk=current).first() if current is not None else None
        authority = authority_of(actor)
    dossier.current_step = step
    dossier.authority = authority
    return dossier


@lru_cache(maxsize=4)
def _lock_statement(vendor: str) -> tuple[str, Columns]:
    q = connection.ops.quote_name
    table, pk = q(Dossier._meta.db_table), q(column_of(Dossier, "id"))
    columns = Columns(("d", Dossier, LOCKED_FIELDS), ("s", DossierStep, None))
    if vendor == "postgresql":
        unchanged = f"d.xmin = (SELECT seen.xmin FROM {table} seen WHERE seen.{pk} = d.{pk})"
        for_update = " FOR UPDATE OF d"
    else:  # SQLite: one writer at a time, nothing changes while a statement runs
        unchanged, for_update = "1", ""
    sql = (
        f"{acting_pairs_sql()} SELECT {columns.sql()}, {pairs_as_json_sql()}, {unchanged}"
        f" FROM {table} d LEFT JOIN {q(DossierStep._meta.db_table)} s"
        f" ON s.{q(column_of(DossierStep, 'id'))} = d.{q(column_of(Dossier, 'current_step'))}"
        f" WHERE d.{pk} = %s{for_update}"
    )
    return sql, columns


@dataclass(frozen=True)
class Intake:
    """What registering a dossier needs to know, read in one statement (`intake_context`)."""

    agency: Agency | None  # None: no agency has that code
    version: ProcedureVersion | None  # the published version in force that day, None: none
    competent: bool  # the agency handles the procedure
    code_template: str | None  # the dossier code rule in force that day
    authority: Authority  # what the creating user may act for


# Only what registering reads of a version: the rest (legal basis, results…) stays in the database.
_INTAKE_VERSION_FIELDS = (
    "id",
    "procedure",
    "number",
    "status",
    "effective_from",
    "effective_to",
    "declaration_schema",
)


def intake_context(procedure_code: str, agency_code: str, day: date, actor: Any) -> Intake:
    """The agency, the procedure's version in force on `day`, whether the agency handles it, the code
    rule of that day and the actor's pairs, in one statement (it was six round trips).

    The caller turns what is missing into the right error, in the order the checks are made.
    """
    sql, columns = _intake_statement(connection.vendor)
    user_id = acting_user_id(actor)
    published = ProcedureVersion.Status.PUBLISHED
    params = [user_id, procedure_code, day, procedure_code, published, day, day, agency_code]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return Intake(None, None, False, None, authority_from(user_id, None))
    (agency, version), (competent, template, pairs) = columns.split(row)
    return Intake(agency, version, bool(competent), template, authority_from(user_id, pairs))


@lru_cache(maxsize=4)
def _intake_statement(vendor: str) -> tuple[str, Columns]:
    q = connection.ops.quote_name
    agency_t, version_t = q(Agency._meta.db_table), q(ProcedureVersion._meta.db_table)
    procedure_t = q(Procedure._meta.db_table)
    through = Procedure.agencies.through
    columns = Columns(("a", Agency, None), ("v", ProcedureVersion, _INTAKE_VERSION_FIELDS))

    def col(model: type[Model], name: str, alias: str) -> str:
        return f"{alias}.{q(column_of(model, name))}"

    in_force = (
        f"SELECT {col(ProcedureVersion, 'id', 'iv')} FROM {version_t} iv JOIN {procedure_t} ip"
        f" ON {col(Procedure, 'id', 'ip')} = {col(ProcedureVersion, 'procedure', 'iv')}"
        f" WHERE {col(Procedure, 'code', 'ip')} = %s AND {col(ProcedureVersion, 'status', 'iv')} = %s"
        f" AND {col(ProcedureVersion, 'effective_from', 'iv')} <= %s"
        f" AND ({col(ProcedureVersion, 'effective_to', 'iv')} IS NULL"
        f" OR {col(ProcedureVersion, 'effective_to', 'iv')} > %s)"
        f" ORDER BY {col(ProcedureVersion, 'effective_from', 'iv')} DESC LIMIT 1"
    )
    competent = (
        f"EXISTS (SELECT 1 FROM {q(through._meta.db_table)} pa JOIN {procedure_t} pp"
        f" ON {col(Procedure, 'id', 'pp')} = {col(through, 'procedure', 'pa')}"
        f" WHERE {col(Procedure, 'code', 'pp')} = %s"
        f" AND {col(through, 'agency', 'pa')} = {col(Agency, 'id', 'a')})"
    )
    code_rule = (
        f"(SELECT {col(CodeFormat, 'template', 'cf')} FROM {q(CodeFormat._meta.db_table)} cf"
        f" WHERE {col(CodeFormat, 'valid_from', 'cf')} <= %s"
        f" ORDER BY {col(CodeFormat, 'valid_from', 'cf')} DESC LIMIT 1)"
    )
    sql = (
        f"{acting_pairs_sql()} SELECT {columns.sql()}, {competent}, {code_rule}, {pairs_as_json_sql()}"
        f" FROM {agency_t} a LEFT JOIN {version_t} v ON {col(ProcedureVersion, 'id', 'v')} = ({in_force})"
        f" WHERE {col(Agency, 'code', 'a')} = %s"
    )
    return sql, columns
