"""Accounts in the admin: users (unlock, reset the second factor), roles, machine clients.

A machine client's secret is shown once, in the page that answers the "issue new credentials" action,
and stored nowhere else (not in a message, not in the session).

django-oauth-toolkit's own admins (applications, access, refresh and ID tokens, grants) are taken out:
egov makes an OAuth application only as a machine client's credentials (`egov clients`, the machine
client page here), with their roles and scopes. Through the toolkit's pages an administrator could
create an application egov knows nothing about, or re-point a live one or a token at another user,
scope or expiry; revoking is the machine client's "revoke" action, which deletes its tokens too.
"""

from __future__ import annotations

from typing import Any

import oauth2_provider.admin  # noqa: F401  (registers the toolkit's admins, taken out below)
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from egov.accounts import clients, services, throttling
from egov.accounts.models import ClientCredential, MachineClient, RoleAssignment, User
from egov.accounts.views import admin_login
from egov.core.autocomplete import SafeAutocompleteMixin
from egov.core.errors import DomainError

# The admin signs in through our pages, so it also asks officers for their second factor.
admin.site.login = admin_login  # type: ignore[method-assign]

TOOLKIT_MODELS = (
    get_application_model(),
    get_access_token_model(),
    get_refresh_token_model(),
    get_grant_model(),
    get_id_token_model(),
)
for _model in TOOLKIT_MODELS:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class RoleAssignmentInline(SafeAutocompleteMixin, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["agency"]
    verbose_name = "vai trò"
    verbose_name_plural = "vai trò tại các cơ quan"


def locked_out(user: User) -> bool:
    """Some address is locked out of this account now (django-axes)."""
    since = timezone.now() - throttling.cool_off()
    return AccessAttempt.objects.filter(
        username=throttling.username_of(None, {"username": user.get_username()}),
        failures_since_start__gte=throttling.failure_limit(),
        attempt_time__gte=since,
    ).exists()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "kind", "email", "is_active", "locked", "totp_enrolled"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "id_number", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "egov",
            {
                "fields": (
                    "kind",
                    "full_name",
                    "phone",
                    "id_number",
                    "identity_provider",
                    "identity_subject",
                    "identity_verified",
                )
            },
        ),
    )
    inlines = [RoleAssignmentInline]
    actions = ["unlock", "reset_totp"]

    @admin.display(boolean=True, description="Đang bị khoá")
    def locked(self, obj: User) -> bool:
        return locked_out(obj)

    @admin.display(boolean=True, description="Đã đăng ký xác thực hai lớp")
    def totp_enrolled(self, obj: User) -> bool:
        return obj.totp_enrolled

    @admin.action(description="Mở khoá tài khoản đã chọn (mọi địa chỉ)")
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.unlock_account(request.user, user)
        messages.success(request, f"Đã mở khoá {queryset.count()} tài khoản.")

    @admin.action(description="Đặt lại xác thực hai lớp cho tài khoản đã chọn")
    def reset_totp(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.reset_totp(request.user, user)
        messages.success(
            request,
            f"Đã đặt lại xác thực hai lớp cho {queryset.count()} tài khoản; "
            "lần đăng nhập tới sẽ đăng ký lại.",
        )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["user", "role", "agency"]
    list_filter = ["role"]
    search_fields = ["user__username", "agency__code", "agency__name"]
    autocomplete_fields = ["user", "agency"]


class CredentialInline(admin.TabularInline):
    model = ClientCredential
    extra = 0
    can_delete = False
    fields = ["client_id", "created_at", "expires_at"]
    readonly_fields = ["client_id", "created_at", "expires_at"]
    verbose_name_plural = "khoá truy cập (client id; khoá bí mật chỉ hiện một lần khi cấp)"

    @admin.display(description="client id")
    def client_id(self, obj: ClientCredential) -> str:
        return str(obj.application.client_id)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MachineClientForm(forms.ModelForm):
    """Scopes are checked against the API's (a typo would otherwise grant nothing, silently)."""

    class Meta:
        model = MachineClient
        fields = ["scopes"]

    def clean_scopes(self) -> str:
        try:
            return " ".join(clients.clean_scopes(str(self.cleaned_data.get("scopes") or "").split()))
        except DomainError as err:
            raise forms.ValidationError(f"{err.vi} / {err.en}") from None


@admin.register(MachineClient)
class MachineClientAdmin(admin.ModelAdmin):
    """Created with `egov clients create` (roles in agencies); here: change scopes, issue credentials,
    revoke — each through its service (one transaction, an event)."""

    form = MachineClientForm
    list_display = ["name", "scopes", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    fields = ["name", "user", "scopes", "active", "created_at"]
    readonly_fields = ["name", "user", "active", "created_at"]
    inlines = [CredentialInline]
    actions = ["issue_credentials", "revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: MachineClient, form: Any, change: bool) -> None:
        if "scopes" in form.changed_data:
            clients.set_scopes(request.user, obj, obj.scope_list)

    @admin.action(description="Cấp khoá mới (khoá cũ còn dùng được trong thời gian chuyển đổi)")
    def issue_credentials(self, request: HttpRequest, queryset: QuerySet[MachineClient]) -> HttpResponse:
        issued = [(client, clients.issue_credentials(request.user, client)) for client in queryset]
        context = {**self.admin_site.each_context(request), "issued": issued, "title": "Khoá truy cập mới"}
        return render(request, "admin/accounts/issued_credentials.html", context)

    @admin.action(description="Thu hồi quyền truy cập (ngay lập tức)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[MachineClient]) -> None:
        for client in queryset:
            clients.revoke_machine_client(request.user, client)
        messages.success(request, f"Đã thu hồi {queryset.count()} hệ thống.")
