"""The actions the dossier page offers an officer: the dossier action registry, seen from the back office.

Which actions exist, what they call and who may take them now is decided once, in
`egov.dossiers.actions` (the registry the REST API is generated from too) and `egov.dossiers.policies`
(the rules the services enforce). This module only adds what a page needs: officers only, and the
officers a select offers for the assign and forward forms. The services still decide: a stale page
whose action is no longer allowed gets the service's error.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from egov.accounts.models import User
from egov.backoffice.selectors import eligible_officers
from egov.dossiers import policies
from egov.dossiers.actions import DossierAction, allowed_actions
from egov.dossiers.models import Dossier


def _is_officer(user: Any) -> bool:
    return isinstance(user, User) and user.kind == User.Kind.OFFICER


def available_actions(user: Any, dossier: Dossier) -> list[DossierAction]:
    """The actions `user` may take on `dossier` right now, in the order of the registry."""
    return allowed_actions(user, dossier) if _is_officer(user) else []


def assignee_choices(action: str, dossier: Dossier) -> QuerySet[User]:
    """The officers an assign (current step) or forward (next step) form offers."""
    if action == "assign" and dossier.current_step is not None:
        return eligible_officers(dossier.current_unit, dossier.current_role)
    if action == "forward":
        nxt = policies.neighbour_step(dossier, +1)
        if nxt is not None:
            return eligible_officers(policies.step_unit(nxt, dossier), nxt.role)
    return User.objects.none()


def may_add_note(user: Any, dossier: Dossier) -> bool:
    return _is_officer(user) and policies.ADD_NOTE.allows(user, dossier)


def may_attach(user: Any, dossier: Dossier) -> bool:
    """An officer's attachment (the result, a scan, another document): as `attach_file` checks."""
    return _is_officer(user) and policies.ATTACH.allows(user, dossier)
