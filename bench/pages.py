"""HTML pages at scale: the back office's worklists and unit overview, the portal's home and search.

Each page goes through the whole Django stack in-process (middleware, session, second-factor check,
selectors, template rendering), so the figure is the server time of a page without the network.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from bench.measure import Stats, choose_officers

OFFICE_PAGES = {
    "worklist: my steps": "/office/?view=mine",
    "worklist: my unit": "/office/?view=unit",
    "worklist: due soon": "/office/?view=due_soon",
    "worklist: overdue": "/office/?view=overdue",
}
PORTAL_PAGES = {
    "portal: home": "/",
    "portal: search": "/procedures/?q=dang+ky",
}


def _timed(client: Any, url: str, samples: int, into: list[float]) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    for _ in range(samples):
        t0 = time.perf_counter()
        response = client.get(url)
        _ = response.content
        into.append(time.perf_counter() - t0)


def _leaders(limit: int = 3) -> list[Any]:
    from egov.accounts.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(role__in=["leader", "division_head"])
        .select_related("user", "agency")
        .order_by("agency__code")[:limit]
    )
    return [(row.user, row.agency.code) for row in rows]


def measure_pages(reference: Any, *, samples: int = 20) -> dict[str, Any]:
    from django.test import Client

    from egov.accounts.models import User
    from egov.testing.auth import sign_in

    timings: dict[str, list[float]] = defaultdict(list)
    for officer in choose_officers(reference):
        client = sign_in(Client(HTTP_HOST="127.0.0.1"), User.objects.get(id=officer.user_id))
        for label, url in OFFICE_PAGES.items():
            _timed(client, url, samples, timings[label])
    for user, unit in _leaders():
        client = sign_in(Client(HTTP_HOST="127.0.0.1"), user)
        _timed(client, f"/office/leader/?unit={unit}", samples, timings["unit overview (leader)"])
    anonymous = Client(HTTP_HOST="127.0.0.1")
    for label, url in PORTAL_PAGES.items():
        _timed(anonymous, url, samples, timings[label])
    return {label: Stats.of(values).__dict__ for label, values in timings.items()}
