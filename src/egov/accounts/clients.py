"""Machine clients: create one, change its scopes, issue (rotate) its credentials, revoke it. Services,
one transaction each.

A client is a machine user (roles in agencies, like an officer) with a MachineClient row bounding its
scopes; narrowing them binds the tokens it already holds too. Each issue makes a new
django-oauth-toolkit application (client id + secret, the secret shown once and stored hashed); the
previous credentials keep working for EGOV_CLIENT_SECRET_GRACE_HOURS, so the integrator can switch
without downtime. Revoking deactivates the client and deletes its tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from egov.accounts.models import ClientCredential, MachineClient, Role, RoleAssignment, User
from egov.api.scopes import SCOPE_DESCRIPTIONS
from egov.core.errors import NotFound, ValidationFailed
from egov.core.events import record_event


@dataclass(frozen=True)
class IssuedCredentials:
    client_id: str
    client_secret: str
    previous_expire_at: datetime | None


def _event(actor: Any, client: MachineClient, kind: str, **data: Any) -> None:
    record_event(actor=actor, aggregate_type="machine_client", aggregate_id=client.pk, kind=kind, data=data)


def clean_scopes(scopes: list[str]) -> list[str]:
    """Known scopes, sorted and once each; ValidationFailed for an unknown one or none."""
    unknown = [s for s in scopes if s not in SCOPE_DESCRIPTIONS]
    if unknown or not scopes:
        raise ValidationFailed(
            "Phạm vi không hợp lệ. Chọn trong: " + ", ".join(SCOPE_DESCRIPTIONS),
            "Unknown or missing scopes. Choose from: " + ", ".join(SCOPE_DESCRIPTIONS),
            code="invalid_scopes",
            detail={"unknown": unknown},
        )
    return sorted(set(scopes))


def create_machine_client(
    actor: Any,
    *,
    name: str,
    scopes: list[str],
    roles: list[tuple[Any, str]] = (),  # type: ignore[assignment]
) -> tuple[MachineClient, IssuedCredentials]:
    """A machine user named `client.<name>` with the given (agency, role) pairs, and its first credentials."""
    name = name.strip()
    if not name or len(name) > 100 or MachineClient.objects.filter(name=name).exists():
        raise ValidationFailed(
            "Tên hệ thống trống, quá dài hoặc đã có.",
            "The client name is empty, too long or taken.",
            code="invalid_client_name",
        )
    clean = clean_scopes(scopes)
    for _agency, role in roles:
        if role not in Role.values:
            raise ValidationFailed("Vai trò không hợp lệ.", f"Unknown role {role!r}.", code="invalid_role")
    with transaction.atomic():
        user = User(username=f"client.{name}"[:150], kind=User.Kind.MACHINE, full_name=name)
        user.set_unusable_password()
        user.save()
        for agency, role in roles:
            RoleAssignment.objects.create(user=user, agency=agency, role=role)
        client = MachineClient.objects.create(user=user, name=name, scopes=" ".join(clean))
        _event(
            actor, client, "machine_client.created", scopes=clean, roles=[(str(a.code), r) for a, r in roles]
        )
        issued = _issue(actor, client)
    return client, issued


def _issue(actor: Any, client: MachineClient) -> IssuedCredentials:
    now = timezone.now()
    grace = timedelta(hours=int(str(settings.EGOV["CLIENT_SECRET_GRACE_HOURS"])))
    previous = ClientCredential.objects.filter(client=client, expires_at=None)
    until = now + grace if previous.exists() else None
    previous.update(expires_at=until)
    secret = generate_client_secret()
    application = Application.objects.create(
        name=f"{client.name} {now:%Y-%m-%d %H:%M}",
        user=client.user,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    ClientCredential.objects.create(client=client, application=application, created_at=now)
    _event(actor, client, "machine_client.credentials_issued", client_id=application.client_id)
    return IssuedCredentials(application.client_id, secret, until)


def issue_credentials(actor: Any, client: MachineClient) -> IssuedCredentials:
    """New credentials; the current ones keep working for the grace period, then stop."""
    with transaction.atomic():
        locked = MachineClient.objects.select_for_update().get(pk=client.pk)
        if not locked.active:
            raise ValidationFailed(
                "Hệ thống đã bị thu hồi quyền truy cập.", "The client was revoked.", code="client_revoked"
            )
        return _issue(actor, locked)


def set_scopes(actor: Any, client: MachineClient, scopes: list[str]) -> MachineClient:
    """Change what the client may do; its tokens are bound by the new scopes at once (egov.api.auth)."""
    clean = clean_scopes(scopes)
    with transaction.atomic():
        locked = MachineClient.objects.select_for_update().get(pk=client.pk)
        before = sorted(set(locked.scope_list))
        locked.scopes = " ".join(clean)
        locked.save(update_fields=["scopes"])
        _event(actor, locked, "machine_client.scopes_changed", before=before, after=clean)
    return locked


def revoke_machine_client(actor: Any, client: MachineClient) -> MachineClient:
    """Stop the client at once: its credentials and every token it holds."""
    with transaction.atomic():
        locked = MachineClient.objects.select_for_update().get(pk=client.pk)
        locked.active = False
        locked.save(update_fields=["active"])
        now = timezone.now()
        ClientCredential.objects.filter(client=locked).filter(expires_at=None).update(expires_at=now)
        ClientCredential.objects.filter(client=locked, expires_at__gt=now).update(expires_at=now)
        deleted, _ = AccessToken.objects.filter(application__credential__client=locked).delete()
        _event(actor, locked, "machine_client.revoked", tokens_deleted=deleted)
    return locked


def machine_client(name: str) -> MachineClient:
    client = MachineClient.objects.select_related("user").filter(name=name).first()
    if client is None:
        raise NotFound(
            f"Không có hệ thống {name!r}.", f"No machine client {name!r}.", code="client_not_found"
        )
    return client
