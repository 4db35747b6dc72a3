"""Who may act on a dossier: officers through their RoleAssignments, applicants on their own dossiers.

Each check is one small indexed query, asked inside the service's transaction so it sees the same
state as the change it guards.
"""

from __future__ import annotations

from typing import Any

from egov.accounts.models import Role, RoleAssignment, User
from egov.catalog.selectors import successor_chain_ids
from egov.dossiers.errors import DossierPermissionDenied
from egov.dossiers.models import Dossier

SUPERVISING_ROLES = (Role.LEADER, Role.DIVISION_HEAD)


def _is_user(actor: Any) -> bool:
    return isinstance(actor, User) and actor.pk is not None and actor.is_active


def holds_role(actor: Any, agency_id: int | None, *roles: str) -> bool:
    """One of `roles` at the agency, or at an agency that took over its work (its successor chain)."""
    if not _is_user(actor) or agency_id is None:
        return False
    units = successor_chain_ids(agency_id)
    return RoleAssignment.objects.filter(user=actor, agency_id__in=units, role__in=roles).exists()


def is_applicant(actor: Any, dossier: Dossier) -> bool:
    return _is_user(actor) and dossier.applicant_id is not None and dossier.applicant_id == actor.pk


def is_desk(actor: Any, dossier: Dossier) -> bool:
    return holds_role(actor, dossier.agency_id, Role.DESK)


def is_step_holder(actor: Any, dossier: Dossier) -> bool:
    """The current step's assignee, or — while it is unassigned — anyone with its role in its unit."""
    if not _is_user(actor) or not dossier.current_role:
        return False
    if dossier.current_assignee_id is not None:
        return bool(dossier.current_assignee_id == actor.pk)
    return holds_role(actor, dossier.current_unit_id, dossier.current_role)


def is_handler(actor: Any, dossier: Dossier) -> bool:
    """An officer who may decide on the dossier as a whole: its desk, the step holder or a unit leader."""
    return (
        is_desk(actor, dossier)
        or is_step_holder(actor, dossier)
        or holds_role(actor, dossier.current_unit_id, *SUPERVISING_ROLES)
    )


def require(allowed: bool, action: str) -> None:
    if not allowed:
        raise DossierPermissionDenied(detail={"action": action})
