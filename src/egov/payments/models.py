"""Payments of a dossier's fees, every message exchanged with the platform, and the sandbox platform."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from egov.dossiers.models import Dossier


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", "Đã tạo / created"
        PENDING = "pending", "Chờ thanh toán / pending"
        PAID = "paid", "Đã thanh toán / paid"
        FAILED = "failed", "Thất bại / failed"
        EXPIRED = "expired", "Hết hạn / expired"
        REFUNDED = "refunded", "Đã hoàn tiền / refunded"

    class Purpose(models.TextChoices):
        FEES = "fees", "Phí, lệ phí / fees"
        OBLIGATION = "obligation", "Nghĩa vụ tài chính / financial obligation"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments", db_index=False)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.FEES)
    idempotency_key = models.CharField(max_length=64)
    order_id = models.CharField(max_length=80, unique=True, help_text="Dossier code + suffix.")
    amount = models.PositiveBigIntegerField(help_text="VND.")
    lines = models.JSONField(default=list, help_text='Fee lines [{"name", "amount"}].')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    transaction_no = models.CharField(max_length=64, blank=True, default="")
    payment_url = models.URLField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    refunded_amount = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "idempotency_key"], name="payment_idempotency_uniq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["created", "pending", "paid", "failed", "expired", "refunded"]),
                name="payment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["paid", "refunded"]) | Q(paid_at__isnull=False),
                name="payment_paid_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_created_idx")]

    def __str__(self) -> str:
        return self.order_id


class PaymentAttempt(models.Model):
    """One message from or about the platform: callbacks, status queries, created transactions."""

    class Kind(models.TextChoices):
        CREATE = "create", "create"
        CALLBACK = "callback", "callback"
        QUERY = "query", "query"

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    checksum_ok = models.BooleanField()
    outcome = models.CharField(max_length=40)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind}: {self.outcome}"


class SandboxTransaction(models.Model):
    """The sandbox platform's side: a transaction a partner created (the national node hosts it)."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        PAID = "paid", "paid"
        FAILED = "failed", "failed"

    client_id = models.CharField(max_length=64)
    transaction_id = models.CharField(max_length=80, unique=True)
    transaction_no = models.CharField(max_length=64, unique=True)
    amount = models.PositiveBigIntegerField()
    description = models.CharField(max_length=300, blank=True, default="")
    return_url = models.URLField(max_length=500)
    callback_url = models.URLField(max_length=500)
    bill = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sandbox_amount_positive")]

    def __str__(self) -> str:
        return self.transaction_id


class FeeExemption(models.Model):
    """The exemption (miễn phí, lệ phí) claimed for a dossier: a code offered by its fee lines.

    The applicant claims it in the pay box before paying, or the desk records it; the proof is a
    dossier document the desk checks when it receives the dossier.
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="fee_exemption")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.code}"


class Refund(models.Model):
    """A refund asked of the platform; its idempotency key is the platform's refund id."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Đã gửi yêu cầu / requested"
        DONE = "done", "Đã hoàn tiền / refunded"
        REFUSED = "refused", "Bị từ chối / refused"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    refund_id = models.CharField(max_length=64, unique=True)
    amount = models.PositiveBigIntegerField(help_text="VND.")
    reason = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    refund_no = models.CharField(max_length=64, blank=True, default="")
    answer = models.JSONField(default=dict, help_text="The platform's last answer.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "done", "refused"]), name="refund_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.refund_id


class SandboxRefund(models.Model):
    """The sandbox platform's side of a refund; one per partner refund id."""

    transaction = models.ForeignKey(SandboxTransaction, on_delete=models.PROTECT, related_name="refunds")
    refund_id = models.CharField(max_length=64, unique=True)
    refund_no = models.CharField(max_length=64, unique=True)
    amount = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sandbox_refund_amount_positive")
        ]

    def __str__(self) -> str:
        return self.refund_id
