"""Admin for the shared kernel: calendar overrides (edited), the event log and the outbox (inspected).

Saving or deleting an override goes through the calendar services so the change is recorded as
an event like any other write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core.calendar import remove_calendar_override, set_calendar_override
from egov.core.models import CalendarOverride, Event, OutboxMessage

admin.site.site_header = _("egov system administration")
admin.site.site_title = _("egov administration")
admin.site.index_title = _("System administration")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: ModelForm, change: bool) -> None:
        if change and "date" in form.changed_data:
            original = CalendarOverride.objects.get(pk=obj.pk)
            remove_calendar_override(actor=request.user, day=original.date)
        saved = set_calendar_override(actor=request.user, day=obj.date, kind=obj.kind, note=obj.note)
        obj.pk = saved.pk
        obj.updated_at = saved.updated_at

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        remove_calendar_override(actor=request.user, day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for override in list(queryset):
            remove_calendar_override(actor=request.user, day=override.date)


class ReadOnlyMixin:
    """Rows written only by services: visible to administrators, never edited by hand.

    For model admins and inlines alike (an inline's permission checks also receive the parent).
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "aggregate_type", "aggregate_id", "kind", "actor"]
    list_filter = ["aggregate_type", "kind"]
    search_fields = ["aggregate_id"]
    date_hierarchy = "occurred_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "topic", "key", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "topic"]
    search_fields = ["key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the retry action; every field stays read-only on the change page.
        return bool(request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in OutboxMessage._meta.fields]

    @admin.action(description="Gửi lại ngay / retry now (dead or pending)")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = queryset.exclude(status=OutboxMessage.Status.DELIVERED).update(
            status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{count} thông điệp sẽ được gửi lại / will be retried.", messages.INFO)
