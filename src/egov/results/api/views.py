"""Public result verification: POST a PDF, or GET the facts behind a printed short code. No sign-in."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, extend_schema
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from egov.api import scopes
from egov.results import checking
from egov.results.api import serializers as s

THROTTLE_SCOPE = "result_verify"
# Crockford base 32 (no I, L, O, U), any case, one dash or space between the halves (normalise_short_code).
SHORT_CODE_PATTERN = "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{5}[- ]?[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{5}$"
CHUNK = 64 * 1024


def read_capped(stream: Any) -> bytes:
    """Read at most the upload limit (+1 byte to notice more); never the whole of a huge body."""
    limit = checking.upload_limit()
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(CHUNK, limit + 1 - size)) if stream is not None else b""
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise checking.too_large()
    return b"".join(parts)


class PdfBodyParser(BaseParser):
    """`Content-Type: application/pdf`: the body is the file."""

    media_type = "application/pdf"

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> dict[str, bytes]:
        return {"pdf": read_capped(stream)}


def uploaded_bytes(request: Request) -> bytes:
    data: Any = request.data
    if isinstance(data, dict) and isinstance(data.get("pdf"), bytes):
        return bytes(data["pdf"])
    upload = request.FILES.get("file")
    if upload is None:
        raise checking.EmptyUpload()
    if upload.size is not None and upload.size > checking.upload_limit():
        raise checking.too_large()
    return read_capped(upload)


class ResultVerifyView(APIView):
    required_scopes = [scopes.RESULTS_VERIFY]
    authentication_classes: list[type] = []
    parser_classes = [MultiPartParser, PdfBodyParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = THROTTLE_SCOPE

    @extend_schema(
        request={
            "multipart/form-data": OpenApiRequest(
                {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            ),
            "application/pdf": OpenApiTypes.BINARY,
        },
        responses={200: s.VerifyOut},
        summary="Verify a signed result PDF (signature, trust chain to the node's CA, register, revocation)",
        description="Send the PDF as multipart field `file` or as the body with Content-Type "
        "application/pdf. `valid` is true only when the signature is intact, chains to this node's CA, "
        "the document is in this node's register and not revoked; `reasons` explain every failure "
        "in Vietnamese and English. Empty, non-PDF or abnormal files: 400; too large: 413.",
    )
    def post(self, request: Request) -> Response:
        result = checking.verify_upload(uploaded_bytes(request))
        return Response(s.VerifyOut(s.verify_body(result)).data)


class ResultFactsView(APIView):
    required_scopes = [scopes.RESULTS_VERIFY]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = THROTTLE_SCOPE

    @extend_schema(
        responses={200: s.ResultFactsOut},
        parameters=[
            OpenApiParameter(
                "short_code",
                {"type": "string", "pattern": SHORT_CODE_PATTERN},
                OpenApiParameter.PATH,
                description="The 10-character code printed under the QR code, e.g. 7KX2M-QH4TZ.",
            )
        ],
        summary="The facts of a result by the short code printed under its QR code",
    )
    def get(self, request: Request, short_code: str) -> Response:
        document = checking.result_by_code(short_code)
        return Response(s.ResultFactsOut(s.facts_body(document)).data)
