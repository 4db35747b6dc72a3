"""Unit overview for leaders, division heads and supervisors: workload, on-time rate, overdue list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from egov.accounts.models import Role
from egov.backoffice import selectors
from egov.backoffice.permissions import officer_required
from egov.backoffice.views.worklists import bilingual_label
from egov.catalog.models import Agency
from egov.core.ui import in_language

OVERDUE_LIMIT = 50


def bar_class(value: int, top: int) -> str:
    """`egov-w-N`, N the share of `top` rounded to 5 % steps (CSS classes instead of inline styles)."""
    if top <= 0 or value <= 0:
        return "egov-w-0"
    step = round(20 * value / top) * 5
    return f"egov-w-{max(5, min(100, step))}"


def _workload(loads: list[selectors.RoleLoad]) -> list[dict[str, Any]]:
    roles = {value: bilingual_label(label) for value, label in Role.choices}
    top = max((load.total for load in loads), default=0)
    return [
        {
            "role": roles.get(load.role, load.role),
            "total": load.total,
            "within": load.within_limit,
            "overdue": load.overdue,
            "paused": load.paused,
            "bar": bar_class(load.total, top),
            "overdue_bar": bar_class(load.overdue, top),
        }
        for load in loads
    ]


def _timeliness(figures: selectors.Timeliness766) -> list[dict[str, Any]]:
    parts = [
        (in_language("Trước hạn", "Early"), figures.early),
        (in_language("Đúng hạn", "On time"), figures.on_time),
        (in_language("Quá hạn", "Late"), figures.late),
    ]
    return [{"label": label, "count": n, "bar": bar_class(n, figures.finished)} for label, n in parts]


def _overdue(unit: Agency, loads: list[selectors.RoleLoad], now: datetime) -> list[dict[str, Any]]:
    roles = {value: bilingual_label(label) for value, label in Role.choices}
    dossiers = selectors.unit_overdue(unit, [load.role for load in loads], limit=OVERDUE_LIMIT, now=now)
    return [{"dossier": d, "role": roles.get(d.current_role, d.current_role)} for d in dossiers]


def _denied(request: HttpRequest) -> HttpResponse:
    message = in_language(
        "Trang tổng quan đơn vị chỉ dành cho lãnh đạo đơn vị, lãnh đạo phòng và cán bộ giám sát.",
        "The unit overview is for unit leaders, division heads and supervisors only.",
    )
    return render(request, "backoffice/leader.html", {"denied": message}, status=403)


@require_GET
@officer_required
def leader(request: HttpRequest) -> HttpResponse:
    units = selectors.leader_units(request.user)
    if not units:
        return _denied(request)
    wanted = request.GET.get("unit", "")
    unit = next((u for u in units if u.code == wanted), units[0])
    now = timezone.now()
    loads = selectors.unit_workload(unit, now)
    figures = selectors.unit_timeliness(unit, timezone.localdate(now))
    electronic = selectors.unit_electronic_results(unit, timezone.localdate(now))
    context = {
        "units": units,
        "unit": unit,
        "month": timezone.localdate(now).replace(day=1),
        "workload": _workload(loads),
        "in_progress": sum(load.total for load in loads),
        "within": sum(load.within_limit for load in loads),
        "overdue_count": sum(load.overdue for load in loads),
        "figures": figures,
        "rate": figures.rate,
        "timeliness": _timeliness(figures),
        "electronic": electronic,
        "overdue": _overdue(unit, loads, now),
        "overdue_limit": OVERDUE_LIMIT,
    }
    return render(request, "backoffice/leader.html", context)


urlpatterns = [path("leader/", leader, name="leader")]
