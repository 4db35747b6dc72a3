"""Admin: templates are edited here; notifications and attempts are read-only, with a resend action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from egov.core.admin import ReadOnlyMixin
from egov.notifications import services
from egov.notifications.models import DeliveryAttempt, MessageTemplate, Notification
from egov.notifications.rendering import TemplateError, validate_template_text


class MessageTemplateForm(forms.ModelForm[MessageTemplate]):
    class Meta:
        model = MessageTemplate
        fields = ["kind", "channel", "language", "version", "valid_from", "subject", "body"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("subject", "body"):
            try:
                validate_template_text(cleaned.get(name) or "")
            except TemplateError as exc:
                self.add_error(name, f"Mẫu không hợp lệ / invalid template: {exc}")
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin[MessageTemplate]):
    form = MessageTemplateForm
    list_display = ["kind", "channel", "language", "version", "valid_from", "subject"]
    list_filter = ["kind", "channel", "language"]


class AttemptInline(ReadOnlyMixin, admin.TabularInline[DeliveryAttempt, Notification]):
    model = DeliveryAttempt
    fields = ["at", "status", "detail"]
    readonly_fields = ["at", "status", "detail"]
    extra = 0


@admin.action(description="Gửi lại / Resend")
def resend_action(
    model_admin: admin.ModelAdmin[Notification], request: HttpRequest, queryset: QuerySet[Notification]
) -> None:
    count = refused = 0
    for notification in queryset.select_related("dossier"):
        try:
            services.resend(notification, request.user)
        except services.StillSending:
            refused += 1
        else:
            count += 1
    model_admin.message_user(
        request, f"Đã lên lịch gửi lại {count} thông báo / {count} notification(s) queued.", messages.SUCCESS
    )
    if refused:
        model_admin.message_user(
            request,
            f"{refused} thông báo đang chờ gửi, chưa gửi lại / {refused} still being sent, not resent.",
            messages.WARNING,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin[Notification]):
    list_display = [
        "id",
        "dossier",
        "channel",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "channel", "language"]
    search_fields = ["dossier__code", "recipient"]
    list_select_related = ["dossier"]
    readonly_fields = [
        "dossier",
        "event",
        "channel",
        "recipient",
        "language",
        "template",
        "subject",
        "body",
        "status",
        "attempts",
        "created_at",
        "delivered_at",
    ]
    inlines = [AttemptInline]
    actions = [resend_action]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin[DeliveryAttempt]):
    list_display = ["notification", "at", "status", "detail"]
    list_filter = ["status"]
    list_select_related = ["notification"]
    readonly_fields = ["notification", "at", "status", "detail"]
