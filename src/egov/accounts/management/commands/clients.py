"""`egov clients`: machine clients of the API (OAuth2 client credentials with scopes).

egov clients create NAME --scopes "dossiers:create dossiers:read" [--role AGENCY_CODE:desk ...]
egov clients rotate NAME     new client id + secret; the previous ones work for the grace period
egov clients revoke NAME     stop the client and its tokens now
egov clients list

The secret is printed once and stored only hashed: hand it to the integrator over a safe channel.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.accounts import clients
from egov.accounts.clients import IssuedCredentials
from egov.accounts.models import MachineClient
from egov.core.errors import DomainError


def _roles(values: list[str]) -> list[tuple[Any, str]]:
    from egov.catalog.models import Agency

    pairs: list[tuple[Any, str]] = []
    for value in values:
        code, _, role = value.rpartition(":")
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan {code!r} / no agency {code!r}", returncode=2)
        pairs.append((agency, role))
    return pairs


class Command(BaseCommand):
    help = "Hệ thống kết nối API / machine clients of the API (client credentials, scopes, rotation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "rotate", "revoke", "list"])
        parser.add_argument("name", nargs="?", default="")
        parser.add_argument("--scopes", default="", help="Space-separated scopes, e.g. 'dossiers:create'.")
        parser.add_argument("--role", action="append", default=[], help="AGENCY_CODE:role, repeatable.")

    def handle(self, *args: Any, **options: Any) -> None:
        action, name = options["action"], options["name"]
        if action == "list":
            for client in MachineClient.objects.order_by("name"):
                state = "active" if client.active else "revoked"
                self.stdout.write(f"{client.name}\t{state}\t{client.scopes}")
            return
        if not name:
            raise CommandError("Cần tên hệ thống / NAME is required", returncode=2)
        try:
            if action == "create":
                _client, issued = clients.create_machine_client(
                    None, name=name, scopes=options["scopes"].split(), roles=_roles(options["role"])
                )
                self._print(issued)
            elif action == "rotate":
                self._print(clients.issue_credentials(None, clients.machine_client(name)))
            else:
                clients.revoke_machine_client(None, clients.machine_client(name))
                self.stdout.write(f"Đã thu hồi / revoked: {name}")
        except DomainError as err:
            raise CommandError(f"{err.vi} / {err.en}", returncode=2) from None

    def _print(self, issued: IssuedCredentials) -> None:
        self.stdout.write(f"client_id={issued.client_id}")
        self.stdout.write(f"client_secret={issued.client_secret}")
        if issued.previous_expire_at:
            self.stdout.write(f"previous credentials stop at {issued.previous_expire_at.isoformat()}")
