"""Read-only shapes of the public catalogue (level-1 information of every procedure)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from egov.catalog import selectors
from egov.catalog.models import (
    Agency,
    ChannelTerms,
    DocumentRequirement,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    Sector,
)


class SectorOut(serializers.ModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en"]


class AgencyOut(serializers.ModelSerializer[Agency]):
    parent = serializers.CharField(source="parent.code", read_only=True, allow_null=True)  # type: ignore[assignment]
    successor = serializers.CharField(
        source="successor.code",
        read_only=True,
        allow_null=True,
        help_text="The agency that took over when this one closed (valid_to).",
    )
    in_force = serializers.SerializerMethodField(
        help_text="In force on the date asked (?on=, default today)."
    )

    class Meta:
        model = Agency
        fields = [
            "code",
            "code_2020",
            "name",
            "name_en",
            "level",
            "parent",
            "valid_from",
            "valid_to",
            "successor",
            "in_force",
        ]

    def get_in_force(self, obj: Agency) -> bool:
        return obj.in_force(self.context.get("on") or timezone.localdate())


class AgencyRefOut(serializers.Serializer[Agency]):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    valid_to = serializers.DateField(allow_null=True)


class AgencyDetailOut(AgencyOut):
    current_successor = serializers.SerializerMethodField(
        help_text="The end of the successor chain: the agency doing this one's work today."
    )
    predecessors = serializers.SerializerMethodField(
        help_text="Agencies whose work this one took over, directly or through others."
    )
    children = serializers.SerializerMethodField(
        help_text="Direct children (in force unless include_closed)."
    )

    class Meta(AgencyOut.Meta):
        fields = [
            *AgencyOut.Meta.fields,
            "current_successor",
            "predecessors",
            "address",
            "phone",
            "email",
            "children",
        ]

    @extend_schema_field(AgencyRefOut(allow_null=True))
    def get_current_successor(self, obj: Agency) -> dict[str, Any] | None:
        successor = selectors.current_successor(obj)
        return AgencyRefOut(successor).data if successor is not None else None

    @extend_schema_field(AgencyRefOut(many=True))
    def get_predecessors(self, obj: Agency) -> Any:
        return AgencyRefOut(selectors.predecessors(obj), many=True).data  # type: ignore[arg-type]

    @extend_schema_field(AgencyRefOut(many=True))
    def get_children(self, obj: Agency) -> Any:
        children = obj.children.order_by("code")
        if not self.context.get("include_closed"):
            children = children.filter(selectors.in_force_q(self.context.get("on") or timezone.localdate()))
        return AgencyRefOut(children, many=True).data  # type: ignore[arg-type]


class ProcedureListOut(serializers.ModelSerializer[Procedure]):
    sector = SectorOut(read_only=True)

    class Meta:
        model = Procedure
        fields = ["code", "name", "name_en", "sector", "popularity"]


class ProcedurePageOut(serializers.Serializer[Any]):
    results = ProcedureListOut(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for the next page.")


class AgencyPageOut(serializers.Serializer[Any]):
    results = AgencyOut(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for the next page.")


class ExemptionOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class FeeOut(serializers.Serializer[Any]):
    code = serializers.CharField(required=False)
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["fee", "charge"], required=False)
    amount = serializers.IntegerField(help_text="VND")
    note = serializers.CharField(required=False)
    exemptions = ExemptionOut(many=True, required=False, help_text="Who is exempted from this line.")


class ChannelOut(serializers.ModelSerializer[ChannelTerms]):
    fees = FeeOut(many=True, read_only=True)
    total_fee = serializers.IntegerField(read_only=True, help_text="VND")

    class Meta:
        model = ChannelTerms
        fields = ["channel", "time_limit", "time_unit", "fees", "total_fee", "description"]


class ComponentOut(serializers.ModelSerializer[DocumentRequirement]):
    class Meta:
        model = DocumentRequirement
        fields = ["code", "name", "originals", "copies", "required", "template_name", "template_url"]


class CaseOut(serializers.Serializer[Any]):
    case = serializers.CharField(help_text="Empty: applies to every case.")
    components = ComponentOut(many=True)


class ProcessStepOut(serializers.ModelSerializer[ProcessStep]):
    budget_unit = serializers.CharField(read_only=True, help_text="days | hours (the values of time_unit)")

    class Meta:
        model = ProcessStep
        fields = ["position", "name", "role", "unit_level", "budget", "budget_unit", "counted"]


class VersionSummaryOut(serializers.ModelSerializer[ProcedureVersion]):
    status = serializers.CharField(read_only=True, help_text="draft | published")
    channels = ChannelOut(many=True, read_only=True)

    class Meta:
        model = ProcedureVersion
        fields = [
            "number",
            "status",
            "effective_from",
            "effective_to",
            "service_level",
            "decision",
            "channels",
        ]


class ProcedureDetailOut(serializers.Serializer[Any]):
    """A procedure with the version in force on the requested date."""

    code = serializers.CharField(source="procedure.code")
    name = serializers.CharField(source="procedure.name")
    name_en = serializers.CharField(source="procedure.name_en")
    sector = SectorOut(source="procedure.sector")
    agencies = AgencyOut(many=True, help_text="The handling agencies in force on that date.")
    version = serializers.IntegerField(source="version.number")
    effective_from = serializers.DateField(source="version.effective_from")
    effective_to = serializers.DateField(source="version.effective_to", allow_null=True)
    service_level = serializers.CharField(source="version.service_level")
    implementing_levels = serializers.ListField(
        child=serializers.CharField(), source="version.implementing_levels"
    )
    applicant_types = serializers.ListField(child=serializers.CharField(), source="version.applicant_types")
    steps_description = serializers.CharField(source="version.steps_description")
    conditions = serializers.CharField(source="version.conditions")
    channels = ChannelOut(source="version.channels.all", many=True)
    cases = serializers.SerializerMethodField()
    results = serializers.JSONField(source="version.results")
    legal_basis = serializers.JSONField(source="version.legal_basis")
    declaration_schema = serializers.JSONField(source="version.declaration_schema", help_text="JSON Schema")
    process = ProcessStepOut(source="version.process_steps.all", many=True)
    decision = serializers.CharField(source="version.decision")

    @extend_schema_field(CaseOut(many=True))
    def get_cases(self, obj: Any) -> list[dict[str, Any]]:
        """Components grouped by case, in position order; the common components come first."""
        cases: dict[str, list[DocumentRequirement]] = {}
        for component in obj.version.components.all():
            cases.setdefault(component.case, []).append(component)
        ordered = sorted(cases.items(), key=lambda kv: kv[0] != "")
        return [{"case": case, "components": ComponentOut(items, many=True).data} for case, items in ordered]
