"""Dates and amounts written the way Vietnamese offices write them, for views and templates alike.

Views import the functions (`format_date`, `declaration_value`, `vnd`); templates load the filters
with `{% load egov_format %}` (`{{ value|dmy }}`, `{{ amount|vnd }}`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from egov.core.ui import in_language

register = template.Library()


def format_date(value: Any) -> str:
    """'2020-01-15' (or a date) -> '15/01/2020'; text that is not an ISO date is left as it is."""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = "" if value is None else str(value).strip()
    try:
        return date.fromisoformat(text[:10]).strftime("%d/%m/%Y") if len(text) >= 10 else text
    except ValueError:
        return text


def declaration_value(spec: Any, value: Any) -> Any:
    """A declaration answer for display: dates of `format: date` properties as d/m/Y, lists joined."""
    spec = spec if isinstance(spec, dict) else {}
    if isinstance(value, list):
        items = (spec.get("items") or {}) if isinstance(spec.get("items"), dict) else {}
        return ", ".join(str(declaration_value(items, v)) for v in value)
    if spec.get("format") == "date" and isinstance(value, str | date) and not isinstance(value, bool):
        return format_date(value)
    return value


def vnd(amount: Any) -> str:
    """12000 -> '12.000 đ' on Vietnamese pages, 'VND 12,000' on English ones; 0 or nothing -> ''."""
    try:
        value = int(amount or 0)
    except (TypeError, ValueError):
        return ""
    if not value:
        return ""
    grouped = f"{value:,}"
    return in_language(grouped.replace(",", ".") + " đ", f"VND {grouped}")


def with_amount(note: str, amount: Any) -> str:
    """A financial-obligation note followed by its amount: 'Lệ phí cấp phiếu (200.000 đ)'."""
    money = vnd(amount)
    if not money:
        return note
    return f"{note} ({money})" if note else money


@register.filter(name="dmy")
def dmy_filter(value: Any) -> str:
    return format_date(value)


@register.filter(name="vnd")
def vnd_filter(amount: Any) -> str:
    return vnd(amount)
