"""Opaque keyset-pagination cursors: the last row's sort key, as URL-safe base64 JSON.

Every list in egov pages by keyset, never OFFSET, so a page costs the same at the millionth row.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from egov.core.errors import ValidationFailed


class InvalidCursor(ValidationFailed):
    code = "invalid_cursor"
    vi = "Con trỏ phân trang không hợp lệ."
    en = "The page cursor is not valid."


def encode_cursor(*parts: Any) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The `size` values of a cursor made by `encode_cursor`, or InvalidCursor."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor(detail={"cursor": cursor[:100]}) from exc
    if not isinstance(parts, list) or len(parts) != size:
        raise InvalidCursor(detail={"cursor": cursor[:100]})
    return parts
