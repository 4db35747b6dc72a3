"""Dossier endpoints: create, every transition, worklists, timeline and the public lookup.

The transition endpoints are generated, one view class per entry of the action registry
(`egov.dossiers.actions.ACTIONS`), by `make_action_view`: `DossierReceiveView`,
`DossierRequestSupplementView`, … (see `dossiers/api/urls.py`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from egov.api import scopes
from egov.core.errors import NotFound
from egov.dossiers import selectors, services
from egov.dossiers.actions import DossierAction
from egov.dossiers.api import serializers as s

# The limits WorklistParams enforces, declared in the OpenAPI document.
_CURSOR = {"type": "string", "maxLength": 200}
_LIMIT = {"type": "integer", "minimum": 1, "maximum": 200}


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _officer(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(
            "Không tìm thấy cán bộ được chỉ định.", "The named officer does not exist.", code="user_not_found"
        )
    return user


class DossierCreateView(APIView):
    required_scopes = [scopes.DOSSIERS_CREATE]

    @extend_schema(
        request=s.DossierCreateIn,
        responses={201: s.CreatedOut, 200: s.CreatedOut},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Repeat a create safely: same key + same body returns the "
                "same dossier (200); same key + another body is 409.",
            )
        ],
        summary="Create a dossier (online, counter or post)",
    )
    def post(self, request: Request) -> Response:
        data = _validated(s.DossierCreateIn, request.data)
        key = request.headers.get("Idempotency-Key") or None
        result = services.create_dossier(
            request.user,
            procedure_code=data["procedure_code"],
            agency_code=data["agency_code"],
            channel=data["channel"],
            applicant=dict(data["applicant"]),
            declaration=data["declaration"],
            subject=data["subject"],
            idempotency_key=key,
        )
        body = dict(s.DossierOut(result.dossier).data)
        body["pin"] = result.pin
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class DossierDetailView(APIView):
    required_scopes = [scopes.DOSSIERS_READ]

    @extend_schema(responses=s.DossierOut, summary="A dossier (officers of its units, or its applicant)")
    def get(self, request: Request, code: str) -> Response:
        return Response(s.DossierOut(selectors.dossier_for(request.user, code)).data)


class DossierTimelineView(APIView):
    required_scopes = [scopes.DOSSIERS_READ]

    @extend_schema(responses=s.TimelineEntryOut(many=True), summary="Every step of a dossier, in order")
    def get(self, request: Request, code: str) -> Response:
        dossier = selectors.dossier_for(request.user, code)
        mine = dossier.applicant_id is not None and dossier.applicant_id == request.user.pk
        entries = selectors.applicant_timeline(dossier) if mine else selectors.timeline(dossier)
        return Response(s.TimelineEntryOut(entries, many=True).data)


# The request body of each action, by the fields the registry says it takes.
BODIES: dict[tuple[str, ...], type[serializers.Serializer] | None] = {
    (): None,
    ("reason",): s.ReasonIn,
    ("content",): s.ContentIn,
    ("note",): s.NoteIn,
    ("assignee",): s.AssignIn,
    ("assignee", "note"): s.ForwardIn,
    ("content", "amount"): s.FinancialIn,
    ("reason", "new_due_at"): s.ApologyIn,
}


def _with_officer(args: dict[str, Any]) -> dict[str, Any]:
    """The assignee's username turned into the officer the service expects (blank: nobody)."""
    if "assignee" in args:
        args["assignee"] = _officer(args["assignee"]) if args["assignee"] else None
    return args


def make_action_view(action: DossierAction) -> type[APIView]:
    class ActionView(APIView):
        required_scopes = [scopes.DOSSIERS_ACT]

        @extend_schema(
            request=BODIES[action.fields],
            responses=s.DossierOut,
            summary=action.summary,
            operation_id=f"dossier_{action.name.replace('-', '_')}",
        )
        def post(self, request: Request, code: str) -> Response:
            body = BODIES[action.fields]
            args = _validated(body, request.data) if body is not None else {}
            dossier = selectors.dossier_for(request.user, code)
            done = action.call(request.user, dossier, _with_officer(args))
            return Response(s.DossierOut(done).data)

    ActionView.__name__ = "Dossier" + "".join(p.title() for p in action.name.split("-")) + "View"
    ActionView.__qualname__ = ActionView.__name__
    return ActionView


class WorklistView(APIView):
    required_scopes = [scopes.DOSSIERS_READ]

    @extend_schema(
        responses=s.WorklistPageOut,
        parameters=[
            OpenApiParameter("cursor", _CURSOR, description="next_cursor of the previous page"),
            OpenApiParameter("limit", _LIMIT, description="1–200, default 50"),
            OpenApiParameter("procedure", {"type": "string", "maxLength": 30}, description="procedure code"),
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": 100},
                description="dossier code, applicant phone or name prefix",
            ),
            OpenApiParameter(
                "due_within_hours",
                {"type": "integer", "minimum": 1, "maximum": 24 * 60},
                description="for due_soon, default 24",
            ),
        ],
        summary="Officer worklist: mine, unassigned, unit, overdue or due_soon (keyset pagination)",
    )
    def get(self, request: Request, view: str) -> Response:
        params = _validated(WorklistParams, request.query_params.dict())
        page = selectors.worklist(
            request.user,
            view,
            cursor=params["cursor"] or None,
            limit=params["limit"],
            procedure_code=params["procedure"] or None,
            search=params["search"] or None,
            due_within_hours=params["due_within_hours"],
        )
        items = s.WorklistItemOut(page.items, many=True).data
        return Response({"items": items, "next_cursor": page.next_cursor})


class WorklistParams(serializers.Serializer):
    """Read from a plain dict of the query: an empty `?limit=` is then not a number (400), as documented,
    where a form's reading would take it for an absent value."""

    cursor = serializers.CharField(required=False, default="", max_length=200, allow_blank=True)
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=200)
    procedure = serializers.CharField(required=False, default="", max_length=30, allow_blank=True)
    search = serializers.CharField(required=False, default="", max_length=100, allow_blank=True)
    due_within_hours = serializers.IntegerField(required=False, default=24, min_value=1, max_value=24 * 60)


class MyDossiersView(APIView):
    required_scopes = [scopes.DOSSIERS_READ]

    @extend_schema(
        responses=s.DossierPageOut,
        parameters=[OpenApiParameter("cursor", _CURSOR), OpenApiParameter("limit", _LIMIT)],
        summary="The signed-in applicant's own dossiers",
    )
    def get(self, request: Request) -> Response:
        params = _validated(WorklistParams, request.query_params.dict())
        page = selectors.applicant_dossiers(
            request.user, cursor=params["cursor"] or None, limit=params["limit"]
        )
        return Response({"items": s.DossierOut(page.items, many=True).data, "next_cursor": page.next_cursor})


class PublicLookupView(APIView):
    """Status by code + PIN, without an account. Throttled per client and locked per code after failures."""

    required_scopes = [scopes.DOSSIERS_LOOKUP]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_lookup"

    @extend_schema(request=s.LookupIn, responses=s.LookupOut, summary="Public status lookup (code + PIN)")
    def post(self, request: Request) -> Response:
        data = _validated(s.LookupIn, request.data)
        result = selectors.guarded_public_lookup(data["code"], data["pin"])
        return Response(s.LookupOut(result).data)
