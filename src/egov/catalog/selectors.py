"""Reads of the catalogue: search, the version in force, the agency tree, keyset pages.

Search runs on `Procedure.search_text`, the folded (accent- and case-free) code and names, so the
same query works on PostgreSQL and SQLite without extensions; each folded word of the query must
appear (AND, any order). Words go through the ORM's `contains`, which escapes LIKE wildcards, so
`%`, `_`, quotes and semicolons are matched literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from egov.catalog.errors import AgencyNotFound, ProcedureNotFound, VersionNotInForce
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


def list_agencies(parent: str | None = None, level: str | None = None) -> QuerySet[Agency]:
    """Agencies by code; `parent` gives the direct children of that agency (which must exist)."""
    agencies = Agency.objects.select_related("parent")
    if parent:
        agencies = agencies.filter(parent=get_agency(parent))
    if level:
        agencies = agencies.filter(level=level)
    return agencies.order_by("code")


def agency_tree(root: Agency | None = None) -> list[dict[str, Any]]:
    """The agency hierarchy as nested dicts, from `root` or from every top-level agency (one query)."""
    agencies = list(Agency.objects.order_by("code"))
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)

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
