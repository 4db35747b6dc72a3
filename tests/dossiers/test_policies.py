"""One rule per action, asked by the services, the API and the back office: what a page offers is what
the service accepts, and the API and the back office expose the same registry of actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from egov.backoffice import actions as office_actions
from egov.backoffice.selectors import eligible_officers
from egov.core.errors import DomainError
from egov.dossiers import policies
from egov.dossiers.actions import ACTIONS, DossierAction
from egov.dossiers.api import urls as api_urls
from egov.dossiers.errors import TransitionNotAllowed
from egov.dossiers.models import Dossier, Status
from tests.dossiers.conftest import Clock, local
from tests.dossiers.factories import World
from tests.dossiers.test_transitions import in_status

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    """Raised to undo an accepted call, so every action is tried on the same dossier."""


def sample_arguments(action: DossierAction, dossier: Dossier) -> dict[str, Any]:
    due = dossier.due_at or local("2026-03-09 09:00")
    values: dict[str, Any] = {
        "reason": "Lý do",
        "content": "Nội dung",
        "note": "",
        "amount": 150_000,
        "new_due_at": due + timedelta(days=30),
        "assignee": None,
    }
    if action.name == "assign":
        values["assignee"] = eligible_officers(dossier.current_unit, dossier.current_role).first()
    return {name: values[name] for name in action.fields}


def accepted(action: DossierAction, actor: Any, dossier: Dossier) -> bool:
    try:
        with transaction.atomic():
            action.call(actor, Dossier.objects.get(pk=dossier.pk), sample_arguments(action, dossier))
            raise Rollback
    except Rollback:
        return True
    except DomainError:
        return False


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_what_a_rule_allows_is_exactly_what_the_service_accepts(
    world: World, clock: Clock, status: str
) -> None:
    dossier = in_status(world, status)
    actors = {
        "desk": world.desk,
        "specialist": world.specialist,
        "head": world.head,
        "leader": world.leader,
        "outsider": world.outsider,
        "citizen": world.citizen,
    }
    disagreements = []
    for action in ACTIONS.values():
        if action.name == "assign" and sample_arguments(action, dossier)["assignee"] is None:
            continue  # nobody to assign to: the service would refuse the assignee, not the action
        for who, actor in actors.items():
            fresh = Dossier.objects.select_related("current_step", "agency").get(pk=dossier.pk)
            allowed = action.rule.allows(actor, fresh)
            if allowed != accepted(action, actor, fresh):
                disagreements.append((action.name, who, allowed))
    assert disagreements == []


def test_the_back_office_offers_a_button_only_when_the_service_would_accept_it(
    world: World, clock: Clock
) -> None:
    dossier = world.at_step(2)
    offered = {a.name for a in office_actions.available_actions(world.specialist, dossier)}
    assert offered == {
        "request-supplement",
        "assign",
        "forward",
        "return-to-previous",
        "request-financial-obligation",
        "stop",
        "refuse",
    }
    assert office_actions.available_actions(world.citizen, dossier) == []  # pages are for officers


def test_the_apology_button_appears_with_the_window_the_service_checks(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 09:00")
    dossier = world.received()  # due 2026-03-09 09:00
    clock.set("2026-03-05 09:00")
    assert "apologise" not in {a.name for a in office_actions.available_actions(world.desk, dossier)}
    clock.set("2026-03-06 10:00")  # within one working day of the appointment
    assert "apologise" in {a.name for a in office_actions.available_actions(world.desk, dossier)}


def test_the_api_and_the_back_office_expose_the_same_registry_of_actions() -> None:
    routes = {p.name for p in api_urls.urlpatterns if getattr(p, "name", "")}
    generated = {
        name for name in routes if name not in {"dossier-create", "dossier-detail", "dossier-timeline"}
    }
    assert {f"dossier-{name}" for name in ACTIONS} <= generated
    for name in ACTIONS:
        assert reverse("office:dossier_action", args=["X-1", name]).endswith(f"/{name}/")
    assert not hasattr(office_actions, "ACTIONS")  # no second table in the back office


def test_a_refused_transition_names_the_action_in_vietnamese_and_in_english(world: World) -> None:
    dossier = ACTIONS["refuse"].call(world.desk, world.create().dossier, {"reason": "Thiếu giấy tờ"})
    with pytest.raises(TransitionNotAllowed) as info:
        ACTIONS["refuse"].call(world.desk, dossier, {"reason": "Lý do"})
    assert info.value.vi == "Không thể từ chối hồ sơ khi hồ sơ đang ở trạng thái «Từ chối»."
    assert info.value.en == "Cannot refuse while the dossier is 'refused'."
    assert info.value.detail == {
        "status": "refused",
        "action": "refuse",
        "allowed_from": list(policies.REFUSABLE),
    }
