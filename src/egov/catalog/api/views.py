"""Public catalogue endpoints: level-1 information is open to everyone (the public scope catalog:read)."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from egov.api import scopes
from egov.catalog import selectors
from egov.catalog.api import serializers as s
from egov.catalog.models import Agency
from egov.core.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 20
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_PAGE_SIZE = 100

_CURSOR = OpenApiParameter(
    "cursor",
    {"type": "string", "maxLength": 200},
    description="Opaque cursor from the previous page's next_cursor.",
)
_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    description=f"Items per page (1–{MAX_PAGE_SIZE}, default 20).",
)
_ON = OpenApiParameter(
    "on", OpenApiTypes.DATE, description="Date YYYY-MM-DD (default: today): the version in force then."
)
_LEVEL = OpenApiParameter("level", str, enum=list(Agency.Level.values), description="Agency level.")
_AGENCIES_ON = OpenApiParameter(
    "on", OpenApiTypes.DATE, description="Date YYYY-MM-DD (default: today): agencies in force then."
)
_CLOSED = OpenApiParameter(
    "include_closed",
    bool,
    description="true: also agencies not in force on that date (with their successor).",
)


def _page_size(request: Request) -> int:
    raw = request.query_params.get("page_size", str(DEFAULT_PAGE_SIZE))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"page_size phải là số từ 1 đến {MAX_PAGE_SIZE}.",
            f"page_size must be a number from 1 to {MAX_PAGE_SIZE}.",
            code="invalid_page_size",
        )
    return int(raw)


def _level(request: Request) -> str | None:
    level = request.query_params.get("level")  # present but empty is not a level either
    if level is not None and level not in Agency.Level.values:
        raise ValidationFailed(
            "Cấp cơ quan không hợp lệ.",
            f"Unknown level; use one of {', '.join(Agency.Level.values)}.",
            code="invalid_level",
        )
    return level


def _include_closed(request: Request) -> bool:
    given = request.query_params.get("include_closed")
    if given is None:
        return False
    raw = given.lower()  # present but empty is neither true nor false (as for level= and on=)
    if raw not in ("true", "false", "1", "0"):
        raise ValidationFailed(
            "include_closed phải là true hoặc false.",
            "include_closed must be true or false.",
            code="invalid_parameter",
            detail={"include_closed": raw[:40]},
        )
    return raw in ("true", "1")


def _on(request: Request) -> date:
    raw = request.query_params.get("on")
    if raw is None:
        return timezone.localdate()
    try:
        if not ISO_DATE.fullmatch(raw):  # fromisoformat also reads 20260101 and 2026-W01-1
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(
            "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
            "The date is not valid (format YYYY-MM-DD).",
            code="invalid_date",
            detail={"on": raw[:40]},
        ) from exc


class PublicView(APIView):
    required_scopes = [scopes.CATALOG_READ]


class ProcedureListView(PublicView):
    @extend_schema(
        operation_id="procedures_list",
        summary="Search procedures (accent- and case-insensitive, every word must match)",
        parameters=[
            OpenApiParameter(
                "search", str, description="Words of the code or name, with or without accents."
            ),
            OpenApiParameter("sector", str, description="Sector code."),
            OpenApiParameter("agency", str, description="Code of an agency handling the procedure."),
            _LEVEL,
            _CURSOR,
            _SIZE,
        ],
        responses=s.ProcedurePageOut,
        tags=["catalogue"],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        procedures = selectors.search_procedures(
            params.get("search", "")[:200],
            sector=params.get("sector") or None,
            agency=params.get("agency") or None,
            level=_level(request),
        )
        page = selectors.procedures_page(procedures, params.get("cursor"), _page_size(request))
        return Response(s.ProcedurePageOut({"results": page.items, "next_cursor": page.next_cursor}).data)


class ProcedureDetailView(PublicView):
    @extend_schema(
        operation_id="procedures_retrieve",
        summary="A procedure with the version in force today or on ?on=",
        parameters=[_ON],
        responses=s.ProcedureDetailOut,
        tags=["catalogue"],
    )
    def get(self, request: Request, code: str) -> Response:
        procedure = selectors.get_procedure(code)
        on = _on(request)
        version = selectors.version_for_display(procedure, on)
        agencies = selectors.procedure_agencies(procedure, on)
        found = SimpleNamespace(procedure=procedure, version=version, agencies=agencies)
        return Response(s.ProcedureDetailOut(found, context={"on": on}).data)


class ProcedureVersionsView(PublicView):
    @extend_schema(
        operation_id="procedures_versions_list",
        summary="Every version of a procedure, newest first",
        responses=s.VersionSummaryOut(many=True),
        tags=["catalogue"],
    )
    def get(self, request: Request, code: str) -> Response:
        procedure = selectors.get_procedure(code)
        return Response(s.VersionSummaryOut(selectors.list_versions(procedure), many=True).data)


class AgencyListView(PublicView):
    @extend_schema(
        operation_id="agencies_list",
        summary="Agencies in force today (by code), optionally the children of ?parent= or of one ?level=",
        parameters=[
            OpenApiParameter("parent", str, description="Code of the parent agency."),
            _LEVEL,
            _AGENCIES_ON,
            _CLOSED,
            _CURSOR,
            _SIZE,
        ],
        responses=s.AgencyPageOut,
        tags=["catalogue"],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        on, include_closed = _on(request), _include_closed(request)
        agencies = selectors.list_agencies(
            parent=params.get("parent") or None, level=_level(request), on=on, include_closed=include_closed
        )
        page = selectors.agencies_page(agencies, params.get("cursor"), _page_size(request))
        body = {"results": page.items, "next_cursor": page.next_cursor}
        return Response(s.AgencyPageOut(body, context={"on": on}).data)


class AgencyDetailView(PublicView):
    @extend_schema(
        operation_id="agencies_retrieve",
        summary="An agency (in force or not) with its successor, predecessors and direct children",
        parameters=[_AGENCIES_ON, _CLOSED],
        responses=s.AgencyDetailOut,
        tags=["catalogue"],
    )
    def get(self, request: Request, code: str) -> Response:
        agency = selectors.get_agency(code)
        context = {"on": _on(request), "include_closed": _include_closed(request)}
        return Response(s.AgencyDetailOut(agency, context=context).data)


class SectorListView(PublicView):
    @extend_schema(
        operation_id="sectors_list",
        summary="Every sector (lĩnh vực)",
        responses=s.SectorOut(many=True),
        tags=["catalogue"],
    )
    def get(self, request: Request) -> Response:
        return Response(s.SectorOut(selectors.list_sectors(), many=True).data)
