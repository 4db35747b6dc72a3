"""Read-only shapes of the public catalogue (level-1 information of every procedure)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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

    class Meta:
        model = Agency
        fields = ["code", "code_2020", "name", "name_en", "level", "parent", "valid_from", "valid_to"]


class AgencyChildOut(serializers.Serializer[Agency]):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class AgencyDetailOut(AgencyOut):
    successor = serializers.CharField(source="successor.code", read_only=True, allow_null=True)
    children = AgencyChildOut(many=True, read_only=True)

    class Meta(AgencyOut.Meta):
        fields = [*AgencyOut.Meta.fields, "successor", "address", "phone", "email", "children"]


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
    agencies = AgencyOut(source="procedure.agencies.all", many=True)
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
