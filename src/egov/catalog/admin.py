"""Vietnamese admin for the catalogue: agencies, sectors, procedures with their versions inline.

Editing here writes models directly, which is what the Django admin is for; it is meant for the
catalogue administrator preparing data. Publication checks (process budgets, overlapping versions)
run through the action "Công bố" that calls the service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from egov.catalog import services
from egov.catalog.models import (
    Agency,
    ChannelTerms,
    DocumentRequirement,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    Sector,
)
from egov.catalog.selectors import in_force_q
from egov.core.autocomplete import SafeAutocompleteMixin
from egov.core.errors import DomainError


class InForceFilter(admin.SimpleListFilter):
    """Today's map or the agencies closed by a reorganisation (kept for their dossiers)."""

    title = "đang hoạt động"
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Đang hoạt động / in force"), ("no", "Đã ngừng hoạt động / closed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Agency]) -> QuerySet[Agency]:
        today = in_force_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(today)
        if self.value() == "no":
            return queryset.exclude(today)
        return queryset


@admin.register(Agency)
class AgencyAdmin(SafeAutocompleteMixin, admin.ModelAdmin[Agency]):
    list_display = ["code", "name", "level", "parent", "code_2020", "valid_from", "valid_to", "successor"]
    list_filter = [InForceFilter, "level"]
    search_fields = ["code", "code_2020", "name", "name_en"]
    autocomplete_fields = ["parent", "successor"]
    ordering = ["code"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin[Sector]):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin[LifeEvent]):
    list_display = ["code", "name", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name", "name_en"]
    prepopulated_fields = {"code": ["name_en"]}


class VersionInline(admin.TabularInline[ProcedureVersion, Procedure]):
    """A list only: versions are edited (while drafts) and published on their own page, where the
    overlap and process checks run."""

    model = ProcedureVersion
    fields = ("number", "status", "effective_from", "effective_to", "service_level", "decision")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(SafeAutocompleteMixin, admin.ModelAdmin[Procedure]):
    list_display = ["code", "name", "sector", "popularity"]
    list_filter = ["sector"]
    search_fields = ["code", "name", "name_en", "search_text"]
    autocomplete_fields = ["sector", "agencies", "life_events"]
    readonly_fields = ["search_text"]
    inlines = [VersionInline]


def _published(obj: Any) -> bool:
    return obj is not None and obj.status == ProcedureVersion.Status.PUBLISHED


class FrozenWhenPublished(admin.TabularInline[Any, ProcedureVersion]):
    """A published version is what dossiers were submitted under: its rules are read-only."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)


class ChannelInline(FrozenWhenPublished):
    model = ChannelTerms


class ComponentInline(FrozenWhenPublished):
    model = DocumentRequirement


class StepInline(FrozenWhenPublished):
    model = ProcessStep


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(SafeAutocompleteMixin, admin.ModelAdmin[ProcedureVersion]):
    list_display = ["procedure", "number", "status", "effective_from", "effective_to", "service_level"]
    list_filter = ["status", "service_level"]
    search_fields = ["procedure__code", "procedure__name"]
    autocomplete_fields = ["procedure"]
    inlines = [ChannelInline, ComponentInline, StepInline]
    actions = ["publish"]

    @admin.action(description="Công bố phiên bản đã chọn (kiểm tra quy trình nội bộ)")
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset:
            try:
                services.publish_version(version, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{version}: {exc.vi}", messages.ERROR)
            else:
                self.message_user(request, f"{version}: đã công bố.", messages.SUCCESS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if _published(obj):
            return [f.name for f in ProcedureVersion._meta.fields]
        return ["status"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A published version stays: close it with an end date and publish its successor."""
        return not _published(obj) and super().has_delete_permission(request, obj)
