"""Electronic results: versioned templates per result type and the signed documents issued from them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class ResultTemplate(models.Model):
    """One version of the wording of a result (licence, certificate, reply).

    A template applies to the procedure with `procedure_code`, or to any procedure whose catalogue
    version lists a result named `result_name`; the fallback template ("văn bản trả lời") is used
    when no specific one exists. Once a document was issued from a version, that version can no
    longer change: edit by adding version + 1.
    """

    code = models.SlugField(max_length=60, help_text="Result type, e.g. gcn-dang-ky-ho-kinh-doanh.")
    version = models.PositiveIntegerField(default=1)
    valid_from = models.DateField()
    title = models.CharField(max_length=300, help_text="Document title, printed in capitals.")
    body = models.TextField(
        help_text="Django template text; paragraphs separated by a blank line; lines starting with "
        "'| ' form a table ('| label | value'); '## ' starts a heading. Context: dossier, declaration, "
        "procedure, agency, result."
    )
    procedure_code = models.CharField(max_length=30, blank=True, default="", db_index=True)
    result_name = models.CharField(max_length=300, blank=True, default="")
    notation = models.CharField(
        max_length=40, blank=True, default="", help_text="Notation after the number, e.g. GCN-ĐKHKD."
    )
    signer_position = models.CharField(max_length=120, default="Thủ trưởng cơ quan")
    is_fallback = models.BooleanField(default=False, help_text="Used when no specific template exists.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = "mẫu kết quả"
        verbose_name_plural = "mẫu kết quả"
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="result_template_version")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.used:
            raise ValidationError(
                "Mẫu đã được dùng để cấp kết quả, không sửa được; hãy tạo phiên bản mới. / "
                "This template version was used to issue results and cannot change; add a new version."
            )
        super().save(*args, **kwargs)

    @property
    def used(self) -> bool:
        return self.pk is not None and ResultDocument.objects.filter(template_id=self.pk).exists()


class ResultCounter(models.Model):
    """Last result number issued per agency and year (incremented under a row lock)."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "bộ đếm số kết quả"
        verbose_name_plural = "bộ đếm số kết quả"
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="result_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.last}"


class ResultDocument(models.Model):
    """A signed electronic result of a dossier: the PDF is the DossierFile, its hash is kept here."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="results")
    template = models.ForeignKey(ResultTemplate, on_delete=models.PROTECT, related_name="documents")
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+")
    short_code = models.CharField(
        max_length=10, unique=True, help_text="Random code printed under the QR (Crockford base32)."
    )
    number = models.CharField(max_length=80, help_text="Số, ký hiệu văn bản.")
    title = models.CharField(max_length=300)
    file = models.OneToOneField(
        "dossiers.DossierFile", on_delete=models.PROTECT, related_name="result_document"
    )
    sha256 = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the signed PDF.")
    signer_subject = models.CharField(max_length=300)
    certificate_serial = models.CharField(max_length=80, help_text="Hexadecimal serial of the certificate.")
    signed_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["dossier", "id"]
        verbose_name = "kết quả điện tử"
        verbose_name_plural = "kết quả điện tử"

    def __str__(self) -> str:
        return f"{self.number} ({self.display_code})"

    @property
    def display_code(self) -> str:
        """The code as printed: two groups of five ("7KX2M-QH4TZ")."""
        return f"{self.short_code[:5]}-{self.short_code[5:]}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
