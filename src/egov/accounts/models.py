"""People and machines that use a node, and the roles officers hold in agencies."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A citizen, a business representative, an officer or a machine client.

    `identity_provider` + `identity_subject` are filled by the OIDC login to the national identity
    provider (a later issue); a local password account leaves them empty.
    """

    class Kind(models.TextChoices):
        CITIZEN = "citizen", "Công dân / citizen"
        BUSINESS = "business", "Doanh nghiệp / business"
        OFFICER = "officer", "Cán bộ / officer"
        MACHINE = "machine", "Hệ thống / machine client"

    kind = models.CharField("loại tài khoản", max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    full_name = models.CharField("họ và tên", max_length=200, blank=True, default="")
    phone = models.CharField("số điện thoại", max_length=20, blank=True, default="")
    id_number = models.CharField(
        "số định danh / mã số thuế",
        max_length=20,
        blank=True,
        default="",
        help_text="Personal identification number or tax code.",
    )
    identity_provider = models.CharField("nhà cung cấp định danh", max_length=60, blank=True, default="")
    identity_subject = models.CharField(
        "mã định danh tại nhà cung cấp", max_length=120, blank=True, default=""
    )
    identity_verified = models.BooleanField(
        "đã xác thực định danh điện tử", default=False, help_text="Authenticated with the national e-ID."
    )
    totp_secret = models.TextField(
        "khoá bí mật TOTP",
        blank=True,
        default="",
        help_text="TOTP secret, encrypted at rest (Fernet, key derived from SECRET_KEY).",
    )
    totp_confirmed_at = models.DateTimeField("đăng ký xác thực hai lớp lúc", null=True, blank=True)
    totp_last_step = models.BigIntegerField(
        "bước thời gian của mã đã dùng gần nhất",
        default=0,
        help_text="Time step of the last accepted code: older or equal steps are replays.",
    )
    failed_logins = models.PositiveIntegerField(
        "số lần đăng nhập sai liên tiếp", default=0, help_text="Failed sign-ins in a row."
    )
    locked_until = models.DateTimeField("khoá đến", null=True, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider", "identity_subject"],
                condition=~models.Q(identity_subject=""),
                name="user_identity_unique",
            )
        ]

    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_confirmed_at is not None and bool(self.totp_secret)


class Role(models.TextChoices):
    """Roles of the one-stop process (GLOSSARY.md)."""

    DESK = "desk", "Cán bộ một cửa / one-stop desk"
    SPECIALIST = "specialist", "Chuyên viên / specialist"
    DIVISION_HEAD = "division_head", "Lãnh đạo phòng / division head"
    LEADER = "leader", "Lãnh đạo đơn vị / leader"
    CLERK = "clerk", "Văn thư / clerk"
    SUPERVISOR = "supervisor", "Giám sát / supervisor (read only)"


class RoleAssignment(models.Model):
    """An officer holds a role in an agency (a department, a district, a commune…)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "phân vai trò"
        verbose_name_plural = "phân vai trò"
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="role_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.agency_id}"
