"""The API's JSON parser: reads at most the body limit and parses with egov.core.safejson.

DRF's own JSONParser reads a body of any size and returns NaN, infinity, NUL and lone surrogates,
and recurses on deep nesting; each of those ended as a server error somewhere further in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.parsers import JSONParser

from egov.core import safejson
from egov.core.errors import DomainError


class BodyTooLarge(DomainError):
    code = "request_too_large"
    status = 413
    vi = "Nội dung yêu cầu quá lớn."
    en = "The request body is too large."


def body_limit() -> int:
    """DATA_UPLOAD_MAX_MEMORY_SIZE: the largest body (files excepted) the node reads."""
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


def read_limited(stream: Any) -> bytes:
    """The whole body, or BodyTooLarge as soon as it passes the limit (the rest is never read)."""
    limit = body_limit()
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise BodyTooLarge(detail={"max_bytes": limit})
    return bytes(data)


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return safejson.loads(read_limited(stream))
