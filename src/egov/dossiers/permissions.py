"""Who may act on a dossier: officers through their RoleAssignments, applicants on their own dossiers.

Officers' rights come from `egov.dossiers.authority`: the (unit, role) pairs they may act in, their
units' predecessors included. A service's row lock reads the actor's pairs in the same statement
(`Dossier.authority`), so the checks of a service call cost no query and see the state inside its
transaction; anyone else asking (a page, the API listing actions) reads them with one query.
"""

from __future__ import annotations

from typing import Any

from egov.accounts.models import Role, User
from egov.dossiers.authority import Authority, acting_user_id, authority_of
from egov.dossiers.errors import DossierPermissionDenied
from egov.dossiers.models import Dossier

SUPERVISING_ROLES = (Role.LEADER, Role.DIVISION_HEAD)


def _is_user(actor: Any) -> bool:
    return isinstance(actor, User) and actor.pk is not None and actor.is_active


def holds_role(actor: Any, agency_id: int | None, *roles: str) -> bool:
    """One of `roles` at the agency, or at an agency that took over its work (its successor chain)."""
    if not _is_user(actor) or agency_id is None:
        return False
    return authority_of(actor).holds(agency_id, roles)


def authority_on(actor: Any, dossier: Dossier) -> Authority:
    """The actor's pairs as the service's row lock read them for this actor, else read now."""
    known = dossier.authority
    if known is not None and known.user_id == acting_user_id(actor):
        return known
    return authority_of(actor)


def holds_role_on(actor: Any, dossier: Dossier, agency_id: int | None, *roles: str) -> bool:
    """`holds_role` while acting on `dossier`: the pairs its row lock read, when it read them."""
    if not _is_user(actor) or agency_id is None:
        return False
    return authority_on(actor, dossier).holds(agency_id, roles)


def is_applicant(actor: Any, dossier: Dossier) -> bool:
    return _is_user(actor) and dossier.applicant_id is not None and dossier.applicant_id == actor.pk


def is_desk(actor: Any, dossier: Dossier) -> bool:
    return holds_role_on(actor, dossier, dossier.agency_id, Role.DESK)


def is_step_holder(actor: Any, dossier: Dossier) -> bool:
    """The current step's assignee, or — while it is unassigned — anyone with its role in its unit."""
    if not _is_user(actor) or not dossier.current_role:
        return False
    if dossier.current_assignee_id is not None:
        return bool(dossier.current_assignee_id == actor.pk)
    return holds_role_on(actor, dossier, dossier.current_unit_id, dossier.current_role)


def is_handler(actor: Any, dossier: Dossier) -> bool:
    """An officer who may decide on the dossier as a whole: its desk, the step holder or a unit leader."""
    return (
        is_desk(actor, dossier)
        or is_step_holder(actor, dossier)
        or holds_role_on(actor, dossier, dossier.current_unit_id, *SUPERVISING_ROLES)
    )


def require(allowed: bool, action: str) -> None:
    if not allowed:
        raise DossierPermissionDenied(detail={"action": action})
