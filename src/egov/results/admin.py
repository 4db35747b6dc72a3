"""Admin: result templates (a used version is read-only), the register of issued results with their
signatures, and the officers' personal certificates (read-only: `egov pki enrol|revoke` issues and
revokes them, so the key, the CRL and the row always change together)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from egov.core.admin import ReadOnlyAdmin, ReadOnlyMixin
from egov.results.models import ResultDocument, ResultSignature, ResultTemplate, SignerCertificate
from egov.results.wording import check_body


class ResultTemplateForm(forms.ModelForm):
    class Meta:
        model = ResultTemplate
        fields = [
            "code",
            "version",
            "valid_from",
            "title",
            "body",
            "procedure_code",
            "result_name",
            "notation",
            "is_fallback",
        ]

    def clean_body(self) -> str:
        body = str(self.cleaned_data.get("body") or "")
        check_body(body)
        return body


@admin.register(ResultTemplate)
class ResultTemplateAdmin(admin.ModelAdmin):
    form = ResultTemplateForm
    list_display = ("code", "version", "title", "procedure_code", "is_fallback", "valid_from")
    list_filter = ("is_fallback",)
    search_fields = ("code", "title", "procedure_code", "result_name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.used:
            return [f.name for f in ResultTemplate._meta.fields]
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.used


class ResultSignatureInline(ReadOnlyMixin, admin.TabularInline):
    model = ResultSignature
    fields = ("order", "kind", "signer_name", "on_behalf", "position", "certificate_serial", "signed_at")
    extra = 0


@admin.register(ResultDocument)
class ResultDocumentAdmin(ReadOnlyAdmin):
    inlines = [ResultSignatureInline]
    list_display = ("number", "short_code", "dossier", "agency", "signed_at", "revoked_at")
    search_fields = ("short_code", "number", "dossier__code", "sha256")
    list_select_related = ("dossier", "agency")


@admin.register(SignerCertificate)
class SignerCertificateAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "position", "on_behalf", "agency", "serial", "valid_to", "revoked_at")
    list_filter = ("agency",)
    search_fields = ("full_name", "serial", "user__username", "agency__code")
    list_select_related = ("agency",)
