"""Shared kernel tables: the event log, the outbox and the working-calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    """Who did what to which aggregate, with the state before and after. Written by services only."""

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    aggregate_type = models.CharField(max_length=40)
    aggregate_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=60)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["aggregate_type", "aggregate_id", "id"], name="event_aggregate_idx")]
        verbose_name = "sự kiện"
        verbose_name_plural = "nhật ký sự kiện"

    def __str__(self) -> str:
        return f"{self.aggregate_type}:{self.aggregate_id} {self.kind}"


class OutboxMessage(models.Model):
    """A message that must leave the process, committed with the change that caused it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi / pending"
        DELIVERED = "delivered", "Đã gửi / delivered"
        DEAD = "dead", "Gửi lỗi, dừng / dead"

    created_at = models.DateTimeField()
    topic = models.CharField(max_length=60)
    key = models.CharField(max_length=120, unique=True, help_text="Idempotency key seen by the receiver.")
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]
        verbose_name = "thông điệp chờ gửi"
        verbose_name_plural = "hộp thư đi (outbox)"

    def __str__(self) -> str:
        return f"{self.topic} {self.key} ({self.status})"


class CalendarOverride(models.Model):
    """An exception to the standard calendar, decided each year by the Prime Minister or the province."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ bổ sung / extra day off"
        WORKING_DAY = "working_day", "Ngày làm việc bù / swapped working day"

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "ngày điều chỉnh lịch làm việc"
        verbose_name_plural = "điều chỉnh lịch làm việc"

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"
