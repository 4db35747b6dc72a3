"""Other apps plug into the dossier services through the points of dossiers/extensions.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from egov.core import reactions
from egov.core.errors import Conflict
from egov.core.models import Event
from egov.dossiers import extensions, services
from egov.dossiers.models import Dossier, Status
from tests.dossiers.conftest import Clock
from tests.dossiers.factories import World
from tests.dossiers.test_transitions import in_status

pytestmark = pytest.mark.django_db


class NotYet(Conflict):
    code = "test_not_yet"
    vi = "Chưa được."
    en = "Not yet."


@pytest.fixture
def plugged() -> Iterator[reactions.Registry]:
    with reactions.isolated(keep=True) as registry:
        yield registry


def refuse(dossier: Dossier) -> None:
    raise NotYet(detail={"dossier": dossier.code})


def test_a_guard_before_receipt_refuses_it_and_nothing_changes(
    world: World, clock: Clock, plugged: reactions.Registry
) -> None:
    dossier = world.create().dossier
    events = Event.objects.count()
    reactions.guard(extensions.BEFORE_RECEIPT, refuse)
    with pytest.raises(NotYet):
        services.receive_dossier(world.desk, dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.received_at is None
    assert Event.objects.count() == events


def test_a_guard_before_the_result_holds_it_back(
    world: World, clock: Clock, plugged: reactions.Registry
) -> None:
    dossier = in_status(world, "finished")
    reactions.guard(extensions.BEFORE_RESULT, refuse)
    with pytest.raises(NotYet):
        services.return_result(world.desk, dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.FINISHED


def test_the_obligation_amount_is_what_the_other_apps_add_up(
    world: World, clock: Clock, plugged: reactions.Registry
) -> None:
    reactions.contribute(extensions.OBLIGATION_AMOUNT, lambda d: 50_000)
    reactions.contribute(extensions.OBLIGATION_AMOUNT, lambda d: 25_000)
    dossier = services.request_financial_obligation(world.specialist, world.at_step(2), content="Lệ phí")
    event = Event.objects.get(aggregate_id=dossier.code, kind="dossier.financial_obligation_requested")
    assert event.data["amount"] == 75_000
