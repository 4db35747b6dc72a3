"""Strict JSON for everything that comes from outside: API bodies, platform callbacks, declarations.

Python's `json` happily returns what PostgreSQL (and the rest of the node) cannot take: `1e999`
becomes infinity, which no `jsonb` column stores; `NaN`/`Infinity` are not JSON at all; `"\\u0000"`
is a NUL that no `text` column stores; a lone surrogate (`"\\ud800"`) cannot be encoded to UTF-8;
and an array nested 100,000 deep exhausts the recursion limit of the parser or of whatever walks
the value later. Each of these used to reach the database and come back as a server error. Here
they are refused up front with a bilingual `DomainError`, so every caller answers a 400 and stores
nothing.
"""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any

from egov.core.errors import ValidationFailed

# Deeper than any request or declaration the platform defines (they nest 3 levels at most), far
# below the interpreter's recursion limit, so walking a refused or accepted value is always safe.
MAX_DEPTH = 32
# Tab, line feed and carriage return may appear in long texts; no other control character may.
ALLOWED_CONTROLS = frozenset("\t\n\r")


class JsonRefused(ValidationFailed):
    code = "malformed_request"  # the API's published code for a body that is not JSON
    vi = "Nội dung yêu cầu không đúng định dạng JSON."
    en = "The request body is not valid JSON."


class JsonTooDeep(JsonRefused):
    code = "json_too_deep"
    vi = f"Nội dung JSON lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp)."
    en = f"The JSON content is nested too deeply (at most {MAX_DEPTH} levels)."


class JsonNotFinite(JsonRefused):
    code = "json_number_not_finite"
    vi = "Số trong nội dung JSON phải là số hữu hạn (không nhận NaN, Infinity, 1e999)."
    en = "Numbers in the JSON content must be finite (NaN, Infinity and 1e999 are refused)."


class JsonBadCharacter(JsonRefused):
    code = "json_bad_character"
    vi = "Chuỗi trong nội dung JSON chứa ký tự không được phép (ký tự NUL, ký tự điều khiển hoặc mã hoá sai)."
    en = "A string in the JSON content holds a character that is not allowed (NUL, control or bad encoding)."


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse `raw` (UTF-8) as JSON, refusing what the node cannot store; raises a JsonRefused."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonBadCharacter(detail={"reason": "utf-8", "position": exc.start}) from exc
    else:
        text = raw
    check_depth(text, max_depth)
    try:
        value = json.loads(text, parse_float=_finite_float, parse_constant=_refuse_constant)
    except JsonRefused:
        raise
    except (ValueError, RecursionError) as exc:
        raise JsonRefused(detail={"reason": str(exc)[:200]}) from exc
    check_value(value, max_depth=max_depth)
    return value


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Count brackets outside strings, in one pass: refuse before the recursive parser sees them."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonTooDeep(detail={"max_depth": max_depth})
        elif char in "]}":
            depth -= 1


def check_value(value: Any, *, max_depth: int = MAX_DEPTH, controls: bool = False) -> None:
    """Refuse non-finite numbers, NUL and unencodable strings (any control character if `controls`).

    Works on values parsed elsewhere too (form fields turned into a declaration, DRF data).
    """
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, path = stack.pop()
        if depth > max_depth:
            raise JsonTooDeep(detail={"field": path, "max_depth": max_depth})
        if isinstance(item, float) and not math.isfinite(item):
            raise JsonNotFinite(detail={"field": path})
        if isinstance(item, str):
            _check_text(item, path, controls)
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{path}.{key}" if path else str(key)
                _check_text(str(key), name, controls)
                stack.append((child, depth + 1, name))
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1, f"{path}[{i}]") for i, child in enumerate(item))


def _check_text(text: str, path: str, controls: bool) -> None:
    if "\x00" in text:
        raise JsonBadCharacter(detail={"field": path, "reason": "nul"})
    if controls and any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in text):
        raise JsonBadCharacter(detail={"field": path, "reason": "control"})
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonBadCharacter(detail={"field": path, "reason": "surrogate"}) from exc


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonNotFinite(detail={"value": text[:40]})
    return value


def _refuse_constant(text: str) -> Any:
    raise JsonNotFinite(detail={"value": text})  # NaN, Infinity, -Infinity: not JSON
