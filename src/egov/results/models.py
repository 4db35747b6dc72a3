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
    signer_subject = models.CharField(max_length=300, help_text="Subject of the agency's certificate.")
    certificate_serial = models.CharField(
        max_length=80,
        help_text="Hexadecimal serial of the agency's certificate (every signature: signatures).",
    )
    signed_at = models.DateTimeField(help_text="When the last signature, the agency's, was added.")
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


class SignerCertificate(models.Model):
    """An officer's personal signing certificate from the node's CA (Decree 30/2020: the competent
    person signs with their own key before the agency's signature is added).

    The subject carries the person's name, position (title) and agency; `position` and `on_behalf`
    are printed above the name on every result they sign ("KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH"). At most
    one live certificate per officer and agency; a revoked one stays for the record and its serial
    is on the CRL.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(max_length=200, help_text="The signer's name as printed and certified.")
    position = models.CharField(max_length=120, help_text="Chức vụ, e.g. CHỦ TỊCH, PHÓ GIÁM ĐỐC.")
    on_behalf = models.CharField(
        max_length=120, blank=True, default="", help_text="Thẩm quyền ký, e.g. KT. CHỦ TỊCH (a deputy)."
    )
    serial = models.CharField(max_length=80, unique=True, help_text="Hexadecimal serial of the certificate.")
    subject = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the certificate (hex).")
    key_file = models.CharField(max_length=200, help_text="PKCS#12 of the key, relative to the PKI folder.")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["agency", "full_name", "-id"]
        verbose_name = "chứng thư số cá nhân"
        verbose_name_plural = "chứng thư số cá nhân"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"],
                condition=models.Q(revoked_at__isnull=True),
                name="signer_certificate_live_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.position} ({self.serial})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ResultSignature(models.Model):
    """One signature of a result, in signing order: 1 the competent person's, 2 the agency's."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Người có thẩm quyền / competent person"
        AGENCY = "agency", "Cơ quan / agency"

    result = models.ForeignKey(ResultDocument, on_delete=models.CASCADE, related_name="signatures")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    field_name = models.CharField(max_length=40)
    signer_name = models.CharField(max_length=300, help_text="The person, or the agency.")
    position = models.CharField(max_length=120, blank=True, default="")
    on_behalf = models.CharField(max_length=120, blank=True, default="")
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=500)
    certificate_serial = models.CharField(max_length=80)
    certificate = models.ForeignKey(
        SignerCertificate, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["result", "order"]
        verbose_name = "chữ ký số của kết quả"
        verbose_name_plural = "chữ ký số của kết quả"
        constraints = [models.UniqueConstraint(fields=["result", "order"], name="result_signature_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.signer_name}"
