"""What the hostile-input tests send: every URL pattern of the project, filled with bad values.

The URL list is read from the resolver, so a new page or endpoint is covered the day it is added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# Path segments and query values, already percent-encoded as they travel on the wire.
NUL = "%00"
NUL_SEGMENTS = ["%00", "a%00b", "%00%2F..%2F"]
INVALID_ESCAPES = ["%FF", "%C3%28", "%ED%A0%80"]  # not UTF-8: a lone byte, a broken pair, a surrogate
ODD_SEGMENTS = [
    "%27%20OR%20%271%27%3D%271%3B%20DROP%20TABLE%20dossiers_dossier%3B--",  # ' OR '1'='1; DROP TABLE …
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "x" * 300,
    "1e999",
    "%E2%80%AE%3Cscript%3E",  # right-to-left override, markup
]
# Query parameters the views read (catalogue, worklists, admin, pagination, language, redirects).
QUERY_KEYS = [
    "search",
    "q",
    "agency",
    "sector",
    "level",
    "parent",
    "cursor",
    "page_size",
    "limit",
    "on",
    "procedure",
    "view",
    "status",
    "next",
    "page",
    "p",
    "o",
    "code",
    "pin",
    "due_within_hours",
    "channel",
    "case",
    "unit",
    "role",
    "tab",
    "kind",
    "outcome",
    "language",
    "e",
    "_changelist_filters",
]
# Form fields the pages read (sign-in, lookup, actions, wizard, desk, payments, admin search).
FORM_KEYS = [
    *QUERY_KEYS,
    "username",
    "password",
    "token",
    "reason",
    "content",
    "note",
    "assignee",
    "amount",
    "name",
    "phone",
    "email",
    "address",
    "id_number",
    "subject",
    "declaration",
    "agency_code",
    "procedure_code",
    "new_due_at",
    "stars",
    "comment",
    "action",
]


def deep_array(depth: int = 1000) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int = 1000) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def _fields(value: Any) -> dict[str, Any]:
    return {key: value for key in FORM_KEYS}


# JSON bodies that no endpoint may store or choke on; each must be refused with a 4xx.
JSON_BODIES: dict[str, bytes] = {
    "deep array": deep_array(),
    "deep object": deep_object(),
    "very deep array": deep_array(100_000),
    "NUL in every string": json.dumps(
        {**_fields("\u0000"), "applicant": {"name": "\u0000"}, "declaration": {"full_name": "a\u0000b"}}
    ).encode(),
    "NUL in a key": b'{"a\\u0000": 1, "declaration": {"\\u0000": "x"}}',
    "1e999": (
        b'{"amount": 1e999, "declaration": {"copies": 1e999, "full_name": "x"}, "code": 1e999, "pin": 1e999}'
    ),
    "-1e999": b'{"amount": -1e999, "declaration": {"copies": -1e999}}',
    "NaN": b'{"amount": NaN, "declaration": {"copies": NaN}}',
    "Infinity": b'{"amount": Infinity, "declaration": {"copies": -Infinity}}',
    "invalid UTF-8": b'{"reason": "\xff\xfe", "code": "\xc3\x28"}',
    "lone surrogate": b'{"reason": "\\ud800", "declaration": {"full_name": "\\udfff"}}',
    "huge integer": b'{"amount": 1' + b"0" * 5000 + b"}",
    "not an object": b'"\\u0000"',
}
OVERSIZED_BYTES = 3 * 1024 * 1024  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB)


def oversized_json() -> bytes:
    return b'{"reason": "' + b"a" * OVERSIZED_BYTES + b'"}'


@dataclass(frozen=True)
class Route:
    """One URL pattern: its route text with placeholders, and the names of its parameters."""

    route: str
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return answers_json(self.route)

    def fill(self, values: dict[str, str]) -> str:
        return "/" + _PLACEHOLDER.sub(lambda m: values[m.group("name")], self.route)


_PLACEHOLDER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def answers_json(path: str) -> bool:
    path = path.lstrip("/")
    return path.startswith(("api/v1/", "payments/callback", "payments/sandbox/api/"))


def _route_text(pattern: Any) -> str | None:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    if isinstance(pattern, RegexPattern):
        # admin's app index `^(?P<app_label>a|b)/$` and its catch-all `(?P<url>.*)$`
        text = str(pattern).lstrip("^").rstrip("$")
        return _REGEX_GROUP.sub(lambda m: f"<{m.group('name')}>", text)
    return None


def all_routes() -> list[Route]:
    """Every URL pattern of the project, as routes with named placeholders."""
    routes: dict[str, Route] = {}

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for entry in patterns:
            text = _route_text(entry.pattern)
            if text is None:
                continue
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + text)
            elif isinstance(entry, URLPattern):
                yield prefix + text

    for route in walk(get_resolver().url_patterns, ""):
        params = tuple(m.group("name") for m in _PLACEHOLDER.finditer(route))
        routes.setdefault(route, Route(route, params))
    return sorted(routes.values(), key=lambda r: r.route)


def table_counts() -> dict[str, int]:
    """Rows of every table of the project but the logs of what came in: an attack changes none of them.

    Sessions change with any visit; payments_paymentattempt records every message from the payment
    platform, refused ones included (that log is how a forged callback is noticed).
    """
    counts: dict[str, int] = {}
    for model in apps.get_models():
        table = model._meta.db_table
        if table not in ("django_session", "payments_paymentattempt") and table not in counts:
            counts[table] = model._default_manager.count()
    return counts
