"""People and machines that use a node, the roles officers hold in agencies, and their credentials.

Second-factor devices are django-otp devices (`django_otp.models.Device`) of our own, because
django-otp's stock TOTP and static devices keep their secrets in clear: ours keep the TOTP key
encrypted and the recovery codes as keyed digests (egov.accounts.otp). Machine clients call the API
with OAuth2 client credentials (django-oauth-toolkit applications) and act as a machine user.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from egov.accounts import otp
from egov.core.roles import Role  # declared in core (the catalogue names roles too); importable here


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp managers are untyped
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

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider", "identity_subject"],
                condition=~models.Q(identity_subject=""),
                name="user_identity_unique",
            ),
            # One citizen or business account per id number (an officer may also have a citizen account).
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number="") & models.Q(kind__in=["citizen", "business"]),
                name="user_id_number_unique",
            ),
        ]

    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def totp_enrolled(self) -> bool:
        return TOTPDevice.objects.filter(user=self, confirmed=True).exists()


class RoleAssignment(models.Model):
    """An officer (or a machine client) holds a role in an agency (a department, a commune…)."""

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


# --- second factor ---------------------------------------------------------------------------------


def _throttle_factor() -> int:
    return int(getattr(settings, "OTP_THROTTLE_FACTOR", 1))


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (RFC 6238, SHA-1, 6 digits, 30 s). A code is accepted once (`last_t`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="totp_devices")

    encrypted_key = models.TextField(
        "khoá bí mật (đã mã hoá)", help_text="Base32 key encrypted with Fernet under SECRET_KEY."
    )
    step = models.PositiveSmallIntegerField(default=30)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(
        default=1, help_text="Time steps accepted either side of now (clock skew of the phone)."
    )
    last_t = models.BigIntegerField(
        default=-1, help_text="Time step of the last accepted code: this step and older are replays."
    )

    class Meta(Device.Meta):
        verbose_name = "ứng dụng xác thực"
        verbose_name_plural = "ứng dụng xác thực"

    @property
    def bin_key(self) -> bytes:
        return otp.decrypt_key(self.encrypted_key)

    def get_throttle_factor(self) -> int:
        return _throttle_factor()

    def verify_token(self, token: Any) -> bool:
        """django-otp's TOTP check against `timezone.now()`; the caller holds the row lock."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = str(token or "").strip()
        key = self.bin_key
        verified = False
        if key and code.isdigit() and len(code) == self.digits:
            totp = TOTP(key, self.step, 0, self.digits, 0)
            totp.time = timezone.now().timestamp()
            verified = bool(totp.verify(int(code), self.tolerance, self.last_t + 1))
            if verified:
                self.last_t = totp.t()
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """Single-use recovery codes, for the day the phone is lost. Codes are stored as keyed digests."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_devices")

    class Meta(Device.Meta):
        verbose_name = "mã khôi phục"
        verbose_name_plural = "mã khôi phục"

    def get_throttle_factor(self) -> int:
        return _throttle_factor()

    def verify_token(self, token: Any) -> bool:
        """A matching code is deleted in the same statement, so two requests cannot both use it."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        verified = False
        if otp.looks_like_recovery_code(str(token or "")):
            deleted, _ = self.codes.filter(digest=otp.recovery_digest(str(token))).delete()
            verified = deleted > 0
        if verified:
            self.throttle_reset(commit=True)
        else:
            self.throttle_increment(commit=True)
        return verified


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = "mã khôi phục"
        verbose_name_plural = "mã khôi phục"
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"recovery code #{self.pk}"  # never the digest


# --- machine clients -------------------------------------------------------------------------------


class MachineClient(models.Model):
    """A system (a provincial gateway, a ministry's software) calling the API with its own credentials.

    It acts as its machine user, whose role assignments the dossier permission checks read; `scopes`
    bounds what its tokens may be granted (egov.api.scopes).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="machine_client")
    name = models.CharField("tên hệ thống", max_length=120, unique=True)
    scopes = models.CharField(
        "phạm vi được cấp", max_length=500, help_text="Space-separated scopes, e.g. `dossiers:create`."
    )
    active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "hệ thống kết nối"
        verbose_name_plural = "hệ thống kết nối"

    def __str__(self) -> str:
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class ClientCredential(models.Model):
    """One client id + secret of a machine client. During a rotation two overlap until `expires_at`."""

    client = models.ForeignKey(MachineClient, on_delete=models.CASCADE, related_name="credentials")
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="credential"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("hết hiệu lực lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khoá truy cập"
        verbose_name_plural = "khoá truy cập"

    def __str__(self) -> str:
        return f"{self.client_id} ({self.application_id})"

    def usable(self, now: Any = None) -> bool:
        return self.client.active and (self.expires_at is None or self.expires_at > (now or timezone.now()))
