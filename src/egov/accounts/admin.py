from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from egov.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "kind", "email", "is_active"]
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


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency"]
    list_filter = ["role"]
    search_fields = ["user__username", "agency__code", "agency__name"]
    autocomplete_fields = ["user", "agency"]
