"""Request and response shapes of the dossier API (thin: validation only, services decide)."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from egov.catalog.models import Channel
from egov.dossiers.models import ApplicantType, Dossier, DossierStep


class ApplicantIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=ApplicantType.choices, default=ApplicantType.CITIZEN)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.RegexField(r"^\+?[0-9 .-]{6,20}$", required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DossierCreateIn(serializers.Serializer):
    procedure_code = serializers.CharField(max_length=30)
    agency_code = serializers.CharField(max_length=35)
    channel = serializers.ChoiceField(choices=Channel.choices)
    applicant = ApplicantIn()
    declaration = serializers.DictField(required=False, default=dict)
    subject = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# Leading and trailing spaces are trimmed: a text must hold a visible character (declared as a pattern).
VISIBLE = RegexValidator(r"\S", "Cần ít nhất một ký tự / at least one visible character is needed.")


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, validators=[VISIBLE])


class ContentIn(serializers.Serializer):
    content = serializers.CharField(max_length=4000, validators=[VISIBLE])


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class AssignIn(serializers.Serializer):
    assignee = serializers.CharField(max_length=150, help_text="Username of the officer.")


class ForwardIn(NoteIn):
    assignee = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class FinancialIn(ContentIn):
    amount = serializers.IntegerField(
        min_value=1,
        max_value=10**13,
        required=False,
        allow_null=True,
        default=None,
        help_text="VND. Omitted or null: the procedure's fees not paid yet (after exemptions).",
    )


class ApologyIn(ReasonIn):
    new_due_at = serializers.DateTimeField()


class LookupIn(serializers.Serializer):
    code = serializers.CharField(max_length=60)
    pin = serializers.CharField(max_length=12)


class StepOut(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    assignee = serializers.SerializerMethodField()
    name = serializers.CharField(source="process_step.name")

    class Meta:
        model = DossierStep
        fields = [
            "position",
            "name",
            "role",
            "unit",
            "assignee",
            "started_at",
            "due_at",
            "finished_at",
            "outcome",
            "note",
        ]

    def get_assignee(self, step: DossierStep) -> str | None:
        return step.assignee.username if step.assignee_id and step.assignee else None


class DossierOut(serializers.ModelSerializer):
    national_status = serializers.IntegerField(read_only=True)
    procedure = serializers.SerializerMethodField()
    agency = serializers.SerializerMethodField()
    applicant = serializers.SerializerMethodField()
    current_step = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code",
            "status",
            "national_status",
            "channel",
            "procedure",
            "agency",
            "applicant",
            "subject",
            "declaration",
            "submitted_at",
            "received_at",
            "due_at",
            "apology_due_at",
            "supplement_count",
            "current_step",
            "finished_at",
            "returned_at",
            "ended_at",
            "timeliness",
        ]

    def get_procedure(self, d: Dossier) -> dict[str, Any]:
        proc = d.procedure_version.procedure
        return {"code": proc.code, "name": proc.name, "version": d.procedure_version.number}

    def get_agency(self, d: Dossier) -> dict[str, str]:
        return {"code": d.agency.code, "name": d.agency.name}

    def get_applicant(self, d: Dossier) -> dict[str, Any]:
        return {
            "name": d.applicant_name,
            "type": d.applicant_type,
            "id_number": d.applicant_id_number,
            "email": d.email,
            "phone": d.phone,
            "address": d.address,
        }

    @extend_schema_field(StepOut(allow_null=True))
    def get_current_step(self, d: Dossier) -> dict[str, Any] | None:
        if not d.current_step_id or d.current_step is None:
            return None
        return dict(StepOut(d.current_step).data)


class WorklistItemOut(serializers.ModelSerializer):
    national_status = serializers.IntegerField(read_only=True)
    procedure_code = serializers.CharField(source="procedure_version.procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.procedure.name")
    unit = serializers.CharField(source="current_unit.code", default=None, allow_null=True)
    assignee = serializers.CharField(
        source="current_assignee.username", default=None, allow_null=True, help_text="Null: nobody yet."
    )

    class Meta:
        model = Dossier
        fields = [
            "code",
            "status",
            "national_status",
            "procedure_code",
            "procedure_name",
            "applicant_name",
            "phone",
            "due_at",
            "step_due_at",
            "current_role",
            "unit",
            "assignee",
        ]


class PageOut(serializers.Serializer):
    next_cursor = serializers.CharField(allow_null=True)


class WorklistPageOut(PageOut):
    items = WorklistItemOut(many=True)


class DossierPageOut(PageOut):
    items = DossierOut(many=True)


class CreatedOut(DossierOut):
    pin = serializers.CharField(
        read_only=True, allow_null=True, help_text="Printed on the receipt; shown only once, at creation."
    )

    class Meta(DossierOut.Meta):
        fields = [*DossierOut.Meta.fields, "pin"]


class TimelineEntryOut(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    status_before = serializers.CharField(allow_null=True, allow_blank=True)
    status_after = serializers.CharField(allow_null=True, allow_blank=True)
    note = serializers.CharField(allow_blank=True, allow_null=True)


class LookupOut(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    national_status = serializers.IntegerField()
    procedure = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
