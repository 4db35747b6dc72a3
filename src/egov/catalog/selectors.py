"""Reads of the catalogue: search, the version in force, agencies in force and their successors, pages.

Search runs on `Procedure.search_text`, the folded (accent- and case-free) code and names, so the
same query works on PostgreSQL and SQLite without extensions; each folded word of the query must
appear (AND, any order). Words go through the ORM's `contains`, which escapes LIKE wildcards, so
`%`, `_`, quotes and semicolons are matched literally.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from egov.catalog.errors import AgencyNotFound, AgencyNotInForce, ProcedureNotFound, VersionNotInForce
from egov.catalog.models import Agency, Procedure, ProcedureVersion, Sector
from egov.core.cursors import InvalidCursor, decode_cursor, encode_cursor
from egov.core.text import fold

MAX_QUERY_WORDS = 12


def search_procedures(
    query: str = "", sector: str | None = None, agency: str | None = None, level: str | None = None
) -> QuerySet[Procedure]:
    """Procedures matching every word of `query`, most used first, then by code.

    `sector` and `agency` are codes; `level` is an agency level (commune, district…): procedures
    handled by at least one agency of that level.
    """
    procedures = Procedure.objects.select_related("sector")
    for word in fold(query or "").split()[:MAX_QUERY_WORDS]:
        procedures = procedures.filter(search_text__contains=word)
    if sector:
        procedures = procedures.filter(sector__code=sector)
    if agency:
        procedures = procedures.filter(agencies__code=agency)
    if level:
        procedures = procedures.filter(agencies__level=level)
    if agency or level:
        procedures = Procedure.objects.select_related("sector").filter(pk__in=procedures.values("pk"))
    return procedures.order_by("-popularity", "code")


def get_procedure(code: str) -> Procedure:
    procedure = Procedure.objects.select_related("sector").filter(code=code).first()
    if procedure is None:
        raise ProcedureNotFound(detail={"code": code})
    return procedure


def version_in_force(procedure: Procedure, on: date) -> ProcedureVersion | None:
    """The published version effective on `on` ([effective_from, effective_to)), if any."""
    return (
        ProcedureVersion.objects.filter(
            procedure=procedure, status=ProcedureVersion.Status.PUBLISHED, effective_from__lte=on
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-effective_from")
        .first()
    )


def version_for_display(procedure: Procedure, on: date) -> ProcedureVersion:
    """The version in force with everything the detail page shows, or `procedure_version_not_found`."""
    version = version_in_force(procedure, on)
    if version is None:
        raise VersionNotInForce(detail={"code": procedure.code, "on": on.isoformat()})
    return ProcedureVersion.objects.prefetch_related("channels", "components", "process_steps").get(
        pk=version.pk
    )


def list_versions(procedure: Procedure, *, published_only: bool = True) -> QuerySet[ProcedureVersion]:
    """Versions newest first; drafts are work in progress and stay out of public lists."""
    versions = ProcedureVersion.objects.filter(procedure=procedure)
    if published_only:
        versions = versions.filter(status=ProcedureVersion.Status.PUBLISHED)
    return versions.prefetch_related("channels").order_by("-number")


def get_agency(code: str) -> Agency:
    agency = Agency.objects.select_related("parent", "successor").filter(code=code).first()
    if agency is None:
        raise AgencyNotFound(detail={"code": code})
    return agency


# --- agencies in force and successor chains ------------------------------------------------------

# Chains are short (a ward merged in 2025, perhaps again later); the bound only stops bad data.
MAX_CHAIN = 32


def in_force_q(on: date) -> Q:
    """Agencies in force on `on`: valid_from <= on < valid_to, an empty bound being open."""
    started = Q(valid_from__isnull=True) | Q(valid_from__lte=on)
    return started & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def list_agencies(
    parent: str | None = None,
    level: str | None = None,
    *,
    on: date | None = None,
    include_closed: bool = False,
) -> QuerySet[Agency]:
    """Agencies by code, those in force on `on` (today) unless `include_closed`; `parent` gives the
    direct children of that agency (which must exist)."""
    agencies = Agency.objects.select_related("parent", "successor")
    if parent:
        agencies = agencies.filter(parent=get_agency(parent))
    if level:
        agencies = agencies.filter(level=level)
    if not include_closed:
        agencies = agencies.filter(in_force_q(on or timezone.localdate()))
    return agencies.order_by("code")


def agency_tree(
    root: Agency | None = None, *, on: date | None = None, include_closed: bool = False
) -> list[dict[str, Any]]:
    """The agency hierarchy as nested dicts, from `root` or from every top-level agency (one query).

    Only agencies in force on `on` (today) unless `include_closed`; an agency whose parent is not
    shown becomes a top-level node rather than disappearing with it.
    """
    rows = Agency.objects.order_by("code")
    if not include_closed:
        rows = rows.filter(in_force_q(on or timezone.localdate()))
    agencies = list(rows)
    shown = {a.pk for a in agencies}
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id if agency.parent_id in shown else None, []).append(agency)

    def node(agency: Agency, depth: int) -> dict[str, Any]:
        below = children.get(agency.pk, []) if depth < 16 else []
        return {
            "code": agency.code,
            "name": agency.name,
            "level": agency.level,
            "children": [node(a, depth + 1) for a in below],
        }

    roots = [root] if root is not None else children.get(None, [])
    return [node(a, 0) for a in roots]


def procedure_agencies(procedure: Procedure, on: date) -> list[Agency]:
    """The agencies of `procedure` in force on `on`: where to apply that day."""
    return list(procedure.agencies.filter(in_force_q(on)).select_related("parent").order_by("code"))


def successor_chain(agency: Agency) -> list[Agency]:
    """The agencies that took over from `agency`, in order; empty when it has no successor."""
    chain: list[Agency] = []
    seen = {agency.pk}
    current = agency.successor
    while current is not None and current.pk not in seen and len(chain) < MAX_CHAIN:
        chain.append(current)
        seen.add(current.pk)
        current = current.successor
    return chain


def current_successor(agency: Agency) -> Agency | None:
    """The end of the successor chain: who does the work of `agency` today (None: no successor)."""
    chain = successor_chain(agency)
    return chain[-1] if chain else None


def acting_agency(agency: Agency, on: date) -> Agency:
    """Who acts for `agency` on `on`: itself while in force that day, else the first agency of its
    successor chain in force then (the chain's end when none is). A document dated `on` (a signed
    result, a printed form) carries this agency's name, never one a reorganisation had closed."""
    if agency.in_force(on):
        return agency
    chain = successor_chain(agency)
    return next((a for a in chain if a.in_force(on)), chain[-1] if chain else agency)


def successor_chain_ids(agency_id: int) -> list[int]:
    """`agency_id` then its successors' ids: an officer of any of them may act for it."""
    ids = [agency_id]
    while len(ids) <= MAX_CHAIN:
        following = Agency.objects.filter(pk=ids[-1]).values_list("successor_id", flat=True).first()
        if following is None or following in ids:
            break
        ids.append(following)
    return ids


def predecessor_ids(agency_ids: Iterable[int]) -> set[int]:
    """Every agency whose successor chain leads to one of `agency_ids` (those excluded).

    One indexed query per generation of predecessors; an agency in force has none most of the time,
    so the usual cost is a single empty query.
    """
    seen = set(agency_ids)
    frontier = set(seen)
    found: set[int] = set()
    for _generation in range(MAX_CHAIN):
        if not frontier:
            break
        older = set(Agency.objects.filter(successor_id__in=frontier).values_list("id", flat=True)) - seen
        found |= older
        seen |= older
        frontier = older
    return found


def attributed_agency_ids(agency_ids: Iterable[int]) -> set[int]:
    """The agencies and all their predecessors: whose dossiers count as theirs in worklists and figures."""
    ids = set(agency_ids)
    return ids | predecessor_ids(ids)


def predecessors(agency: Agency) -> list[Agency]:
    """The agencies whose work `agency` took over, directly or through others, latest closed first."""
    return list(Agency.objects.filter(pk__in=predecessor_ids([agency.pk])).order_by("-valid_to", "code"))


def _show_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def ensure_in_force(agency: Agency, on: date) -> None:
    """Refuse new work at an agency not in force on `on`, naming the agency that took it over."""
    if agency.in_force(on):
        return
    successor = current_successor(agency)
    detail: dict[str, Any] = {
        "agency_code": agency.code,
        "valid_from": agency.valid_from.isoformat() if agency.valid_from else None,
        "valid_to": agency.valid_to.isoformat() if agency.valid_to else None,
        "successor": {"code": successor.code, "name": successor.name} if successor else None,
    }
    who = f"{agency.name} ({agency.code})"
    if agency.valid_to is not None and on >= agency.valid_to:
        vi = f"{who} đã ngừng hoạt động từ ngày {_show_date(agency.valid_to)}"
        en = f"{who} has not been in force since {agency.valid_to.isoformat()}"
    else:
        start = agency.valid_from or on
        vi = f"{who} chỉ hoạt động từ ngày {_show_date(start)}"
        en = f"{who} is only in force from {start.isoformat()}"
    if successor is not None:
        vi += f"; hãy nộp hồ sơ tại cơ quan kế thừa: {successor.name} ({successor.code})."
        en += f"; apply to the agency that took over its work: {successor.name} ({successor.code})."
    else:
        vi, en = vi + ".", en + "."
    raise AgencyNotInForce(vi, en, detail=detail)


def list_sectors() -> QuerySet[Sector]:
    return Sector.objects.order_by("code")


# --- keyset pagination ----------------------------------------------------------------------------


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def procedures_page(procedures: QuerySet[Procedure], cursor: str | None, size: int) -> Page:
    """Keyset page over (popularity desc, code asc): cost does not grow with the page number."""
    if cursor:
        popularity, code = decode_cursor(cursor, 2)
        if not isinstance(popularity, int) or not isinstance(code, str):
            raise InvalidCursor(detail={"cursor": cursor[:100]})
        procedures = procedures.filter(Q(popularity__lt=popularity) | Q(popularity=popularity, code__gt=code))
    items = list(procedures[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(items, encode_cursor(items[-1].popularity, items[-1].code) if more else None)


def agencies_page(agencies: QuerySet[Agency], cursor: str | None, size: int) -> Page:
    """Keyset page over the agency code."""
    if cursor:
        (code,) = decode_cursor(cursor, 1)
        if not isinstance(code, str):
            raise InvalidCursor(detail={"cursor": cursor[:100]})
        agencies = agencies.filter(code__gt=code)
    items = list(agencies[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(items, encode_cursor(items[-1].code) if more else None)
