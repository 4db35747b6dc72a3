"""The procedure catalogue (CSDL TTHC) and the agency directory.

A procedure (TTHC) has versions with effective dates; everything a dossier depends on — channels,
time limits, fees, components, the declaration form and the internal process — hangs off a version,
so a dossier keeps the rules it was submitted under.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models

from egov.core.text import fold


class Agency(models.Model):
    """A state body with its QCVN 102:2016 code and its Decision 20/2020 code.

    Agencies are never deleted: a reorganisation closes one (`valid_to`) and names its `successor`,
    so dossiers keep the code of the agency that received them while worklists and statistics follow
    the successor chain (see `selectors.attributed_agency_ids`).
    """

    class Level(models.TextChoices):
        CENTRAL = "central", "Trung ương / central"
        PROVINCE = "province", "Cấp tỉnh / province"
        DEPARTMENT = "department", "Sở, ngành / department"
        SERVICE_CENTRE = (
            "service_centre",
            "Trung tâm Phục vụ hành chính công / public-administration service centre",
        )
        DISTRICT = "district", "Cấp huyện (đến 30/6/2025) / district (until 30 June 2025)"
        COMMUNE = "commune", "Cấp xã / commune"

    code = models.CharField(max_length=13, unique=True, help_text="QCVN 102:2016, e.g. 000.00.00.H12")
    code_2020 = models.CharField(
        max_length=35, blank=True, default="", help_text="Decision 20/2020 code, e.g. G09.20"
    )
    name = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255, blank=True, default="")
    level = models.CharField(max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(null=True, blank=True, help_text="First day in force (empty: always).")
    valid_to = models.DateField(
        null=True,
        blank=True,
        help_text="First day no longer in force (end exclusive, as procedure versions); empty: in force.",
    )
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        help_text="The agency that took over its work when it was closed.",
    )
    address = models.CharField(max_length=255, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    email = models.EmailField(blank=True, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="agency_validity_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(successor=models.F("pk")), name="agency_not_own_successor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def in_force(self, on: date) -> bool:
        """In force on `on`: [valid_from, valid_to), an empty bound is open."""
        started = self.valid_from is None or self.valid_from <= on
        return started and (self.valid_to is None or on < self.valid_to)


class Sector(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"

    def __str__(self) -> str:
        return self.name


class LifeEvent(models.Model):
    """A life event (sự kiện cuộc sống) that groups procedures a citizen needs at that moment."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=255)
    name_en = models.CharField("tên tiếng Anh", max_length=255, blank=True, default="")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "sự kiện cuộc sống"
        verbose_name_plural = "sự kiện cuộc sống"

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure (TTHC) with its national code, e.g. 1.001193."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=500)
    name_en = models.CharField(max_length=500, blank=True, default="")
    search_text = models.TextField(
        editable=False, default="", help_text="Accent- and case-folded search text."
    )
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="procedures")
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="procedures", help_text="Agencies of this node that handle it."
    )
    popularity = models.PositiveIntegerField(default=0, help_text="Dossiers received; most used first.")
    life_events = models.ManyToManyField(
        LifeEvent,
        blank=True,
        related_name="procedures",
        verbose_name="sự kiện cuộc sống",
        help_text="Life events this procedure belongs to.",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        indexes = [models.Index(fields=["-popularity", "code"], name="procedure_popularity_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = fold(f"{self.code} {self.name} {self.name_en}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ProcedureVersion(models.Model):
    class ServiceLevel(models.TextChoices):
        FULL = "full", "Toàn trình / fully online"
        PARTIAL = "partial", "Một phần / partly online"
        NONE = "none", "Chỉ cung cấp thông tin / information only"

    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo / draft"
        PUBLISHED = "published", "Công bố / published"

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    implementing_levels = models.JSONField(default=list, help_text="Agency levels that implement it.")
    applicant_types = models.JSONField(default=list, help_text="citizen, business, organisation…")
    steps_description = models.TextField(blank=True, default="")
    conditions = models.TextField(blank=True, default="")
    legal_basis = models.JSONField(default=list, help_text="List of legal documents (number, title, date).")
    results = models.JSONField(default=list, help_text="Results issued: name (and component code).")
    declaration_schema = models.JSONField(default=dict, blank=True, help_text="JSON Schema of the form.")
    service_level = models.CharField(
        max_length=10, choices=ServiceLevel.choices, default=ServiceLevel.PARTIAL
    )
    decision = models.CharField(max_length=200, blank=True, default="", help_text="Publishing decision.")

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"


class TimeUnit(models.TextChoices):
    DAYS = "days", "Ngày làm việc / working days"
    HOURS = "hours", "Giờ làm việc / working hours"


class Channel(models.TextChoices):
    COUNTER = "counter", "Trực tiếp / at the counter"
    ONLINE = "online", "Trực tuyến / online"
    POST = "post", "Bưu chính công ích / public post"


class ChannelTerms(models.Model):
    """Time limit and fees of a procedure version through one channel."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    time_limit = models.DecimalField(max_digits=7, decimal_places=2)
    time_unit = models.CharField(max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAYS)
    fees = models.JSONField(
        default=list, help_text='[{"code", "name", "kind": "fee"|"charge", "amount": VND}]'
    )
    description = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "cách thức thực hiện"
        verbose_name_plural = "cách thức thực hiện"
        constraints = [models.UniqueConstraint(fields=["version", "channel"], name="channel_terms_unique")]

    def __str__(self) -> str:
        return f"{self.version} {self.channel} {self.time_limit} {self.time_unit}"

    def total_fee(self) -> int:
        return sum(int(line.get("amount", 0)) for line in self.fees)


class DocumentRequirement(models.Model):
    """A dossier component (thành phần hồ sơ), grouped by case (trường hợp)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    case = models.CharField(max_length=255, blank=True, default="", help_text="Empty: applies to every case.")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=500)
    originals = models.PositiveSmallIntegerField(default=1)
    copies = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    template_name = models.CharField(max_length=200, blank=True, default="", help_text="Form template (mẫu).")
    template_url = models.CharField(max_length=500, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["version", "case", "code"], name="component_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of the approved internal process (quy trình nội bộ)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="process_steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    role = models.CharField(max_length=20, help_text="accounts.Role value")
    unit_level = models.CharField(
        max_length=20,
        blank=True,
        default="",
        help_text="Empty: the receiving agency; 'parent': its parent agency.",
    )
    budget = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    budget_unit = models.CharField(max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAYS)
    counted = models.BooleanField(default=True, help_text="Returning the result is not counted.")

    class Meta:
        ordering = ["version", "position"]
        verbose_name = "bước quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="process_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"
