"""Dossier endpoints: create, every transition, worklists, timeline and the public lookup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from egov.core.errors import NotFound
from egov.dossiers import selectors, services
from egov.dossiers.api import serializers as s
from egov.dossiers.models import Dossier


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
    @extend_schema(responses=s.DossierOut, summary="A dossier (officers of its units, or its applicant)")
    def get(self, request: Request, code: str) -> Response:
        return Response(s.DossierOut(selectors.dossier_for(request.user, code)).data)


class DossierTimelineView(APIView):
    @extend_schema(responses=s.TimelineEntryOut(many=True), summary="Every step of a dossier, in order")
    def get(self, request: Request, code: str) -> Response:
        dossier = selectors.dossier_for(request.user, code)
        mine = dossier.applicant_id is not None and dossier.applicant_id == request.user.pk
        entries = selectors.applicant_timeline(dossier) if mine else selectors.timeline(dossier)
        return Response(s.TimelineEntryOut(entries, many=True).data)


@dataclass(frozen=True)
class Action:
    name: str
    summary: str
    body: type[serializers.Serializer] | None
    call: Callable[[Any, Dossier, dict[str, Any]], Dossier]


ACTIONS: list[Action] = [
    Action(
        "receive",
        "Receive (appointment from the working calendar)",
        None,
        lambda u, d, a: services.receive_dossier(u, d),
    ),
    Action(
        "refuse",
        "Refuse (form 03)",
        s.ReasonIn,
        lambda u, d, a: services.refuse_dossier(u, d, reason=a["reason"]),
    ),
    Action(
        "request-supplement",
        "Request a supplement (form 02; the clock stops)",
        s.ContentIn,
        lambda u, d, a: services.request_supplement(u, d, content=a["content"]),
    ),
    Action(
        "receive-supplement",
        "Supplement received (the clock restarts)",
        s.NoteIn,
        lambda u, d, a: services.receive_supplement(u, d, note=a["note"]),
    ),
    Action(
        "assign",
        "Assign the current step to an officer",
        s.AssignIn,
        lambda u, d, a: services.assign_step(u, d, assignee=_officer(a["assignee"])),
    ),
    Action(
        "forward",
        "Finish the current step and start the next",
        s.ForwardIn,
        lambda u, d, a: services.forward_dossier(
            u, d, assignee=_officer(a["assignee"]) if a["assignee"] else None, note=a["note"]
        ),
    ),
    Action(
        "return-to-previous",
        "Send back to the previous step",
        s.ReasonIn,
        lambda u, d, a: services.return_to_previous_step(u, d, reason=a["reason"]),
    ),
    Action(
        "request-financial-obligation",
        "Request the financial obligation (status 6); without an amount, the fees not paid yet",
        s.FinancialIn,
        lambda u, d, a: services.request_financial_obligation(u, d, content=a["content"], amount=a["amount"]),
    ),
    Action(
        "confirm-financial-obligation",
        "Financial obligation fulfilled",
        s.NoteIn,
        lambda u, d, a: services.confirm_financial_obligation(u, d, note=a["note"]),
    ),
    Action(
        "stop",
        "Stop processing (status 8)",
        s.ReasonIn,
        lambda u, d, a: services.stop_processing(u, d, reason=a["reason"]),
    ),
    Action(
        "withdraw",
        "Applicant withdraws the dossier (status 7)",
        s.ReasonIn,
        lambda u, d, a: services.withdraw_dossier(u, d, reason=a["reason"]),
    ),
    Action(
        "apologise",
        "Apology with a new appointment (form 04)",
        s.ApologyIn,
        lambda u, d, a: services.apologise(u, d, reason=a["reason"], new_due_at=a["new_due_at"]),
    ),
    Action(
        "finish",
        "Processing finished, result ready (status 9)",
        s.NoteIn,
        lambda u, d, a: services.finish_dossier(u, d, note=a["note"]),
    ),
    Action(
        "return-result",
        "Result returned to the applicant (status 10)",
        s.NoteIn,
        lambda u, d, a: services.return_result(u, d, note=a["note"]),
    ),
]


def make_action_view(action: Action) -> type[APIView]:
    class ActionView(APIView):
        @extend_schema(
            request=action.body,
            responses=s.DossierOut,
            summary=action.summary,
            operation_id=f"dossier_{action.name.replace('-', '_')}",
        )
        def post(self, request: Request, code: str) -> Response:
            args = _validated(action.body, request.data) if action.body else {}
            dossier = selectors.dossier_for(request.user, code)
            return Response(s.DossierOut(action.call(request.user, dossier, args)).data)

    ActionView.__name__ = "Dossier" + "".join(p.title() for p in action.name.split("-")) + "View"
    ActionView.__qualname__ = ActionView.__name__
    return ActionView


class WorklistView(APIView):
    @extend_schema(
        responses=s.WorklistPageOut,
        parameters=[
            OpenApiParameter("cursor", str, description="next_cursor of the previous page"),
            OpenApiParameter("limit", int, description="1–200, default 50"),
            OpenApiParameter("procedure", str, description="procedure code"),
            OpenApiParameter("search", str, description="dossier code, applicant phone or name prefix"),
            OpenApiParameter("due_within_hours", int, description="for due_soon, default 24"),
        ],
        summary="Officer worklist: mine, unassigned, unit, overdue or due_soon (keyset pagination)",
    )
    def get(self, request: Request, view: str) -> Response:
        params = _validated(WorklistParams, request.query_params)
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
    cursor = serializers.CharField(required=False, default="", max_length=200, allow_blank=True)
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=200)
    procedure = serializers.CharField(required=False, default="", max_length=30, allow_blank=True)
    search = serializers.CharField(required=False, default="", max_length=100, allow_blank=True)
    due_within_hours = serializers.IntegerField(required=False, default=24, min_value=1, max_value=24 * 60)


class MyDossiersView(APIView):
    @extend_schema(
        responses=s.DossierPageOut,
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("limit", int)],
        summary="The signed-in applicant's own dossiers",
    )
    def get(self, request: Request) -> Response:
        params = _validated(WorklistParams, request.query_params)
        page = selectors.applicant_dossiers(
            request.user, cursor=params["cursor"] or None, limit=params["limit"]
        )
        return Response({"items": s.DossierOut(page.items, many=True).data, "next_cursor": page.next_cursor})


class PublicLookupView(APIView):
    """Status by code + PIN, without an account. Throttled per client and locked per code after failures."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_lookup"

    @extend_schema(request=s.LookupIn, responses=s.LookupOut, summary="Public status lookup (code + PIN)")
    def post(self, request: Request) -> Response:
        data = _validated(s.LookupIn, request.data)
        result = selectors.guarded_public_lookup(data["code"], data["pin"])
        return Response(s.LookupOut(result).data)
