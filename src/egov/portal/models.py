"""Online applications not sent yet (drafts), saved so the citizen can resume them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from egov.catalog.models import Agency, DocumentRequirement, ProcedureVersion


class Draft(models.Model):
    """An application being filled in; it becomes a dossier when submitted, or expires."""

    class Step(models.TextChoices):
        APPLICANT = "applicant", "Người nộp / applicant"
        DECLARATION = "declaration", "Tờ khai / declaration"
        FILES = "files", "Giấy tờ / documents"
        REVIEW = "review", "Xem lại / review"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    case = models.CharField(max_length=255, blank=True, default="", help_text="Chosen case (trường hợp).")
    applicant = models.JSONField(default=dict, blank=True)
    declaration = models.JSONField(default=dict, blank=True)
    step = models.CharField(max_length=12, choices=Step.choices, default=Step.APPLICANT)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    submitted_dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        indexes = [models.Index(fields=["owner", "-updated_at"], name="draft_owner_idx")]

    def __str__(self) -> str:
        return str(self.id)


def draft_file_path(instance: DraftFile, filename: str) -> str:
    return f"drafts/{instance.draft_id}/{instance.token}"


class DraftFile(models.Model):
    """A document uploaded into a draft; moved to the dossier's files on submission."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    requirement = models.ForeignKey(
        DocumentRequirement, null=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=draft_file_path, max_length=300)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["draft", "id"]
        verbose_name = "tệp hồ sơ nháp"
        verbose_name_plural = "tệp hồ sơ nháp"

    def __str__(self) -> str:
        return self.name
