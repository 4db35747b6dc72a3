"""Admin: dossiers are read-only here (services are their only writers); code rules are editable."""

from __future__ import annotations

from django.contrib import admin

from egov.core.admin import ReadOnlyMixin
from egov.dossiers.models import CodeCounter, CodeFormat, Dossier, DossierStep, SupplementRequest


class StepInline(ReadOnlyMixin, admin.TabularInline):
    model = DossierStep
    extra = 0
    fields = [
        "position",
        "role",
        "unit",
        "assignee",
        "started_at",
        "due_at",
        "finished_at",
        "outcome",
        "note",
    ]


class SupplementInline(ReadOnlyMixin, admin.TabularInline):
    model = SupplementRequest
    extra = 0
    fields = ["requested_at", "requested_by", "content", "received_at", "due_before", "due_after"]


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "status", "channel", "agency", "applicant_name", "due_at", "timeliness"]
    list_filter = ["status", "channel", "timeliness"]
    search_fields = ["=code", "=phone", "applicant_name"]
    list_select_related = ["agency"]
    show_full_result_count = False
    exclude = ["pin_digest", "request_digest"]
    inlines = [StepInline, SupplementInline]


@admin.register(CodeFormat)
class CodeFormatAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "template", "note"]


@admin.register(CodeCounter)
class CodeCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agency", "day", "last"]
    list_select_related = ["agency"]
