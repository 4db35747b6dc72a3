"""Payments of a dossier's fees, every message exchanged with the platform, and the sandbox platform."""

from __future__ import annotations

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

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments", db_index=False)
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
