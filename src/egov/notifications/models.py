"""Notification templates, the notifications planned from dossier events, and each delivery attempt."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Thư điện tử / Email"
    SMS = "sms", "SMS"
    ZALO = "zalo", "Zalo OA"


class Language(models.TextChoices):
    VI = "vi", "Tiếng Việt"
    EN = "en", "English"


class MessageTemplate(models.Model):
    """A versioned wording of one notification; the latest version with valid_from ≤ today is in force."""

    kind = models.CharField("loại sự kiện", max_length=60)
    channel = models.CharField("kênh", max_length=10, choices=Channel.choices)
    language = models.CharField("ngôn ngữ", max_length=2, choices=Language.choices)
    version = models.PositiveIntegerField("phiên bản")
    valid_from = models.DateField("áp dụng từ ngày")
    subject = models.CharField("tiêu đề (thư điện tử)", max_length=200, blank=True, default="")
    body = models.TextField("nội dung")

    class Meta:
        verbose_name = "mẫu thông báo"
        verbose_name_plural = "mẫu thông báo"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "language", "version"], name="message_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.language} v{self.version}"


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENDING = "sending", "Đang gửi"
        DELIVERED = "delivered", "Đã gửi"
        TEMPORARY_FAILURE = "temporary_failure", "Lỗi tạm thời"
        PERMANENT_FAILURE = "permanent_failure", "Lỗi vĩnh viễn"

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="notifications", verbose_name="hồ sơ"
    )
    event = models.ForeignKey(
        "core.Event", on_delete=models.PROTECT, related_name="+", verbose_name="sự kiện"
    )
    channel = models.CharField("kênh", max_length=10, choices=Channel.choices)
    recipient = models.CharField("người nhận", max_length=254)
    language = models.CharField("ngôn ngữ", max_length=2, choices=Language.choices)
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.PROTECT, related_name="+", verbose_name="mẫu"
    )
    subject = models.CharField("tiêu đề", max_length=200, blank=True, default="")
    body = models.TextField("nội dung")
    data = models.JSONField(
        "tham số mẫu",
        default=dict,
        blank=True,
        help_text="Giá trị các tham số của mẫu, gửi kèm tới kênh cần chúng (Zalo ZNS template_data).",
    )
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    created_at = models.DateTimeField("tạo lúc")
    delivered_at = models.DateTimeField("gửi được lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        indexes = [models.Index(fields=["dossier", "id"], name="notification_dossier_idx")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient} ({self.status})"


class DeliveryAttempt(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempt_log", verbose_name="thông báo"
    )
    at = models.DateTimeField("lúc")
    status = models.CharField("kết quả", max_length=20, choices=Notification.Status.choices)
    detail = models.CharField("chi tiết", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "lần gửi"
        verbose_name_plural = "các lần gửi"
        indexes = [models.Index(fields=["notification", "at"], name="delivery_attempt_idx")]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.status} {self.at:%Y-%m-%d %H:%M}"


class ZaloToken(models.Model):
    """The Zalo OA tokens of one app, encrypted at rest (Fernet, key derived from SECRET_KEY).

    Zalo rotates the refresh token at every use and the old one stops working, so the newest pair must
    outlive the process: it is kept here, and refreshed under a row lock so two workers never spend
    the same refresh token. `seed_digest` is the SHA-256 of the EGOV_ZALO_REFRESH_TOKEN the row was
    started from: a different value in the environment means the OA was authorised again.
    """

    app_id = models.CharField("app id", max_length=64, unique=True)
    access_token = models.TextField("access token (mã hoá)", blank=True, default="")
    refresh_token = models.TextField("refresh token (mã hoá)", blank=True, default="")
    expires_at = models.DateTimeField("access token hết hạn lúc", null=True, blank=True)
    seed_digest = models.CharField("SHA-256 của refresh token ban đầu", max_length=64)
    updated_at = models.DateTimeField("cập nhật lúc")

    class Meta:
        verbose_name = "mã truy cập Zalo"
        verbose_name_plural = "mã truy cập Zalo"

    def __str__(self) -> str:
        return f"Zalo app {self.app_id}"
