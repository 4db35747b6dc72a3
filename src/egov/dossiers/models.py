"""Dossiers (hồ sơ) and their progress through the one-stop process."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from egov.catalog.models import Agency, Channel, ProcedureVersion, ProcessStep

if TYPE_CHECKING:
    from egov.core.batch import Batch
    from egov.dossiers.authority import Authority


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Mới đăng ký / newly registered"
    RECEIVED = "received", "Đã tiếp nhận / received"
    REFUSED = "refused", "Từ chối / refused"
    PROCESSING = "processing", "Đang xử lý / processing"
    SUPPLEMENT = "supplement", "Yêu cầu bổ sung / supplement requested"
    FINANCIAL = "financial", "Chờ thực hiện nghĩa vụ tài chính / financial obligation"
    WITHDRAWN = "withdrawn", "Công dân rút hồ sơ / withdrawn"
    STOPPED = "stopped", "Dừng xử lý / stopped"
    FINISHED = "finished", "Đã xử lý xong / finished"
    RETURNED = "returned", "Đã trả kết quả / result returned"


NATIONAL_STATUS_CODE: dict[str, int] = {
    Status.SUBMITTED: 1,
    Status.RECEIVED: 2,
    Status.REFUSED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT: 5,
    Status.FINANCIAL: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.FINISHED: 9,
    Status.RETURNED: 10,
}

ACTIVE_STATUSES = (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
PAUSED_STATUSES = (Status.SUPPLEMENT, Status.FINANCIAL)


class Timeliness(models.TextChoices):
    EARLY = "early", "Trước hạn / early"
    ON_TIME = "on_time", "Đúng hạn / on time"
    LATE = "late", "Quá hạn / late"


class ApplicantType(models.IntegerChoices):
    CITIZEN = 1, "Công dân / citizen"
    BUSINESS = 2, "Doanh nghiệp, tổ chức / business or organisation"


class OnlinePayment(models.IntegerChoices):
    """DuocThanhToanTrucTuyen of the national portal's dossier sync."""

    NO = 0, "Không / no"
    NATIONAL_PLATFORM = 1, "Nền tảng thanh toán quốc gia / national payment platform"
    LOCAL_GATEWAY = 2, "Cổng thanh toán của địa phương / local gateway"


class Dossier(models.Model):
    code = models.CharField(max_length=60)  # unique via Meta: no extra LIKE index to maintain
    pin_digest = models.CharField(max_length=64, help_text="HMAC of the PIN printed on the receipt.")
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text="Receiving agency.",
        db_index=False,  # dossier_agency_due_idx leads with it
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,  # dossier_applicant_idx leads with it
    )
    applicant_type = models.PositiveSmallIntegerField(
        choices=ApplicantType.choices, default=ApplicantType.CITIZEN
    )
    applicant_name = models.CharField(max_length=200)
    applicant_id_number = models.CharField(max_length=20, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    subject = models.CharField(max_length=500, blank=True, default="", help_text="Trích yếu hồ sơ.")
    declaration = models.JSONField(default=dict, blank=True)

    submitted_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(
        null=True, blank=True, help_text="Appointment (ngày hẹn trả), pauses added."
    )
    apology_due_at = models.DateTimeField(
        null=True, blank=True, help_text="New appointment after an apology."
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(default=0, help_text="Working seconds spent paused.")
    supplement_count = models.PositiveSmallIntegerField(default=0)
    apology_count = models.PositiveSmallIntegerField(default=0)
    status_before_pause = models.CharField(max_length=12, blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Refused, stopped or withdrawn.")
    timeliness = models.CharField(max_length=8, choices=Timeliness.choices, blank=True, default="")
    online_payment = models.PositiveSmallIntegerField(
        choices=OnlinePayment.choices,
        default=OnlinePayment.NO,
        help_text="DuocThanhToanTrucTuyen: how the fees were paid online, kept for the national sync.",
    )
    has_electronic_result = models.BooleanField(
        default=False, help_text="A signed electronic result was issued (counted by the KPIs)."
    )

    # Every lifecycle step rewrites the current_* columns, and each index on them costs a write per
    # step: they carry no single-column index beyond the composite worklist indexes. current_step
    # keeps a small partial index: PostgreSQL checks the foreign key of every deleted step row
    # against it, which without an index is a scan of the whole dossier table per step.
    current_step = models.ForeignKey(
        "DossierStep", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    current_unit = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    current_role = models.CharField(max_length=20, blank=True, default="")
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # dossier_my_steps_idx leads with it
    )
    step_due_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the idempotency unique constraint leads with it
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    # Not columns: what the actor of a service call may act for, read by that call's row lock
    # (egov.dossiers.selectors.lock_dossier), and the rows the call writes with its event
    # (egov.core.batch); both are dropped when the call records its event.
    authority: Authority | None = None
    writes: Batch | None = None

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["code"], name="dossier_code_unique"),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"], name="dossier_idempotency_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["current_unit", "current_role", "step_due_at", "id"], name="dossier_worklist_idx"
            ),
            models.Index(fields=["current_assignee", "step_due_at", "id"], name="dossier_my_steps_idx"),
            models.Index(
                fields=["current_unit", "current_role", "step_due_at", "id"],
                name="dossier_unassigned_idx",
                condition=models.Q(current_assignee__isnull=True, current_unit__isnull=False),
            ),
            models.Index(fields=["agency", "status", "due_at", "id"], name="dossier_agency_due_idx"),
            models.Index(fields=["applicant", "id"], name="dossier_applicant_idx"),
            # The portal's "most used services" (dossiers per procedure version in the last 90 days).
            models.Index(fields=["submitted_at", "procedure_version"], name="dossier_submitted_idx"),
            # The leader view's on-time rate per unit and month reads this index only.
            models.Index(
                fields=["agency", "finished_at"],
                include=["status", "timeliness"],
                condition=models.Q(finished_at__isnull=False),
                name="dossier_agency_finished_idx",
            ),
            models.Index(
                fields=["current_step"],
                name="dossier_current_step_idx",
                condition=models.Q(current_step__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS_CODE[self.status]

    def refresh_from_db(
        self, using: str | None = None, fields: Any = None, from_queryset: Any = None
    ) -> None:
        """A deferred field read loads every deferred field at once (Django's documented pattern).

        The services' row lock reads only the columns a transition uses (`LOCKED_FIELDS`); whoever
        then reads the applicant's data of that dossier (an API answer, a rendered result) pays one
        query for all of it, not one per field.
        """
        if fields is not None:
            wanted = set(fields)
            deferred = self.get_deferred_fields()
            if wanted & deferred:
                fields = wanted | deferred
        super().refresh_from_db(using, fields, from_queryset)


# What services change after creation; the applicant's data and the declaration never move.
LIFECYCLE_FIELDS = [
    "status",
    "received_at",
    "clock_started_at",
    "due_at",
    "apology_due_at",
    "paused_at",
    "paused_seconds",
    "supplement_count",
    "apology_count",
    "status_before_pause",
    "finished_at",
    "returned_at",
    "ended_at",
    "timeliness",
    "current_step",
    "current_unit",
    "current_role",
    "current_assignee",
    "step_due_at",
]
# What the services' row lock reads: what a transition decides on and changes (the rest is deferred).
LOCKED_FIELDS = ["id", "code", "procedure_version", "agency", "channel", "applicant", *LIFECYCLE_FIELDS]


class DossierStep(models.Model):
    """One pass of a dossier through a process step: the process-control slip is built from these."""

    class Outcome(models.TextChoices):
        FORWARDED = "forwarded", "Chuyển bước tiếp / forwarded"
        RETURNED = "returned", "Trả lại bước trước / sent back"
        FINISHED = "finished", "Hoàn thành / finished"
        CLOSED = "closed", "Kết thúc / closed"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    process_step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["dossier", "id"]
        verbose_name = "bước xử lý hồ sơ"
        verbose_name_plural = "phiếu kiểm soát quá trình"

    def __str__(self) -> str:
        return f"{self.dossier_id} step {self.position}"


class SupplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    content = models.TextField()
    received_at = models.DateTimeField(null=True, blank=True)
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "id"]
        verbose_name = "yêu cầu bổ sung"
        verbose_name_plural = "yêu cầu bổ sung"

    def __str__(self) -> str:
        return f"{self.dossier_id} supplement {self.pk}"


CODE_PLACEHOLDERS = {"unit", "unit2020", "yymmdd", "yyyymmdd", "seq"}


def validate_code_template(template: str) -> None:
    """Only the known placeholders, {seq} present (codes must differ within a day), and it must render."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        unknown = fields - CODE_PLACEHOLDERS
        template.format(unit="000.00.13.H12", unit2020="G09.20", yymmdd="200301", yyyymmdd="20200301", seq=1)
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        raise ValidationError(f"Mẫu mã không hợp lệ / invalid template: {exc}") from exc
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ValidationError(f"Tham số không được hỗ trợ / unknown placeholders: {names}")
    if "seq" not in fields:
        raise ValidationError("Mẫu mã phải có {seq} / the template must contain {seq}")


class CodeFormat(models.Model):
    """The dossier code rule in force from a date (Circular 01/2018 art. 19, later rules too)."""

    valid_from = models.DateField(unique=True)
    template = models.CharField(
        max_length=80,
        validators=[validate_code_template],
        help_text="Placeholders: {unit} {unit2020} {yymmdd} {yyyymmdd} {seq} with a width, e.g. {seq:04d}",
    )
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "quy tắc mã hồ sơ"
        verbose_name_plural = "quy tắc mã hồ sơ"

    def __str__(self) -> str:
        return f"{self.valid_from}: {self.template}"


class CodeCounter(models.Model):
    """Last sequence number issued per receiving unit and day; incremented inside the receipt transaction."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "bộ đếm số hồ sơ"
        verbose_name_plural = "bộ đếm số hồ sơ"
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="code_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"


def dossier_file_path(instance: DossierFile, filename: str) -> str:
    """Stored under a random name: the user's file name is kept in `name` and never touches the disk path."""
    return f"dossiers/{instance.dossier_id}/{instance.sha256[:2]}/{instance.token}"


class DossierFile(models.Model):
    """A file of a dossier: a component, a supplement, a counter scan or a result.

    The SHA-256 is recorded for every stored file; files are served only through views that check
    the reader's rights, never from a public media URL.
    """

    class Kind(models.TextChoices):
        COMPONENT = "component", "Thành phần hồ sơ / dossier component"
        SUPPLEMENT = "supplement", "Bổ sung / supplement"
        SCAN = "scan", "Bản quét tại quầy / counter scan"
        RESULT = "result", "Kết quả / result"
        OTHER = "other", "Khác / other"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    token = models.CharField(max_length=32, unique=True, help_text="Random name used in URLs and on disk.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COMPONENT)
    requirement = models.ForeignKey(
        "catalog.DocumentRequirement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supplement = models.ForeignKey(
        SupplementRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    name = models.CharField(max_length=255, help_text="File name as uploaded (display only).")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=dossier_file_path, max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["dossier", "id"]
        verbose_name = "tệp hồ sơ"
        verbose_name_plural = "tệp hồ sơ"

    def __str__(self) -> str:
        return self.name


class DossierNote(models.Model):
    """An internal note of the officers handling a dossier (never shown to the applicant)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["dossier", "id"]
        verbose_name = "ghi chú xử lý"
        verbose_name_plural = "ghi chú xử lý"

    def __str__(self) -> str:
        return f"{self.dossier_id} note {self.pk}"
