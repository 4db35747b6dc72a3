from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from egov.accounts import services
from egov.accounts.models import RoleAssignment, User
from egov.accounts.views import admin_login
from egov.core.autocomplete import SafeAutocompleteMixin

# The admin signs in through our pages, so it also asks officers for their second factor.
admin.site.login = admin_login  # type: ignore[method-assign]


class RoleAssignmentInline(SafeAutocompleteMixin, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["agency"]
    verbose_name = "vai trò"
    verbose_name_plural = "vai trò tại các cơ quan"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "kind", "email", "is_active", "locked", "totp_enrolled"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "id_number", "phone"]
    readonly_fields = ["totp_confirmed_at", "failed_logins", "locked_until"]
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
        (
            "Bảo mật đăng nhập (sign-in security)",
            {"fields": ("totp_confirmed_at", "failed_logins", "locked_until")},
        ),
    )
    inlines = [RoleAssignmentInline]
    actions = ["unlock", "reset_totp"]

    @admin.display(boolean=True, description="Đang bị khoá")
    def locked(self, obj: User) -> bool:
        return services.is_locked(obj)

    @admin.display(boolean=True, description="Đã đăng ký xác thực hai lớp")
    def totp_enrolled(self, obj: User) -> bool:
        return obj.totp_enrolled

    @admin.action(description="Mở khoá tài khoản đã chọn")
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
