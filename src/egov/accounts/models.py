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

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    full_name = models.CharField(max_length=200, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    id_number = models.CharField(
        max_length=20, blank=True, default="", help_text="Personal identification number or tax code."
    )
    identity_provider = models.CharField(max_length=60, blank=True, default="")
    identity_subject = models.CharField(max_length=120, blank=True, default="")
    identity_verified = models.BooleanField(default=False, help_text="Authenticated with the national e-ID.")

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
