"""Reads behind the public portal pages: most used procedures, browse lists, public lookup.

The public lookup shares its lock-out with the REST API (`egov.dossiers.api.views.PublicLookupView`):
the same cache key per dossier code and the same limits, so switching between the API and the
page gives an attacker no extra guesses.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone

from egov.catalog.models import Agency, LifeEvent, Procedure
from egov.catalog.selectors import agency_tree, search_procedures
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers.models import Dossier, Status

POPULAR_CACHE_KEY = "portal:popular-procedures:v1"
POPULAR_CACHE_SECONDS = 600
POPULAR_DAYS = 90
POPULAR_LIMIT = 8


def popular_procedure_ids(limit: int = POPULAR_LIMIT) -> list[int]:
    """Procedures with the most dossiers submitted in the last 90 days: one GROUP BY, LIMIT `limit`.

    Cached for ten minutes in the shared cache, so the aggregate runs at most once per node every
    ten minutes whatever the traffic.
    """
    ids = cache.get(POPULAR_CACHE_KEY)
    if ids is None:
        since = timezone.now() - timedelta(days=POPULAR_DAYS)
        rows = (
            Dossier.objects.filter(submitted_at__gte=since)
            .values("procedure_version__procedure_id")
            .annotate(n=Count("id"))
            .order_by("-n", "procedure_version__procedure_id")[:limit]
        )
        ids = [row["procedure_version__procedure_id"] for row in rows]
        cache.set(POPULAR_CACHE_KEY, ids, POPULAR_CACHE_SECONDS)
    return list(ids)


def popular_procedures(limit: int = POPULAR_LIMIT) -> list[Procedure]:
    """Most used first; filled up in catalogue order when there are fewer (or no) recent dossiers."""
    ids = popular_procedure_ids(limit)
    by_id = {p.pk: p for p in Procedure.objects.select_related("sector").filter(pk__in=ids)}
    chosen = [by_id[pk] for pk in ids if pk in by_id]
    if len(chosen) < limit:
        rest = search_procedures().exclude(pk__in=[p.pk for p in chosen])
        chosen += list(rest[: limit - len(chosen)])
    return chosen


def find_procedures(query: str, sector: str, agency: str, event: str) -> QuerySet[Procedure]:
    """The catalogue search (accent-insensitive, most used first) narrowed to a life event."""
    found = search_procedures(query, sector=sector or None, agency=agency or None)
    if event:
        found = found.filter(life_events__code=event)
    return found


def life_events() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.order_by("position", "code")


def agency_choices() -> list[tuple[str, str]]:
    """Agencies as (code, indented name) in tree order: province, its departments and districts, communes."""
    choices: list[tuple[str, str]] = []

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for node in nodes:
            choices.append((node["code"], "\u2014 " * depth + node["name"]))
            walk(node["children"], depth + 1)

    walk(agency_tree(), 0)
    return choices


def agency_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first() if code else None


# --- public lookup --------------------------------------------------------------------------------


def public_status(code: str, pin: str) -> dict[str, Any]:
    """Status of a dossier by code + PIN, with the receiving agency and a timeline of status changes.

    Raises `LookupLocked` after repeated failures on the code, `LookupFailed` (the same error for an
    unknown code and a wrong PIN) otherwise. The timeline holds dates and statuses only: no names
    of officers, no notes, since the reader is not signed in.
    """
    result = dossier_selectors.guarded_public_lookup(code, pin)
    dossier = Dossier.objects.select_related("agency").get(code=result["code"])
    statuses = dict(Status.choices)
    steps = [
        {"at": entry["at"], "status": statuses.get(entry["status_after"], entry["status_after"])}
        for entry in dossier_selectors.timeline(dossier)
        if entry["status_after"] and entry["status_after"] != entry["status_before"]
    ]
    return {
        **result,
        "status_label": statuses.get(result["status"], result["status"]),
        "agency": dossier.agency,
        "submitted_at": dossier.submitted_at,
        "timeline": steps,
    }
