"""One way for an app to react to another: each app's flows.py, read into one registry at start-up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from egov.core import events, outbox, periodic, reactions
from egov.core.errors import DomainError
from egov.core.reactions import Guard, Step, Total
from egov.dossiers.services import closing, intake, processing

SRC = Path(__file__).resolve().parents[2] / "src" / "egov"
DECLARING = re.compile(
    r"^\s*reactions\.(on_event|on_outbox|every|guard|contribute|take_part)\(", re.MULTILINE
)


@pytest.fixture
def registry() -> Iterator[reactions.Registry]:
    with reactions.isolated() as fresh:
        yield fresh


def test_every_apps_flows_are_discovered_at_start_up() -> None:
    live = reactions.registry()
    assert any(f.__module__ == "egov.notifications.planning" for f in live.subscribers["dossier.received"])
    assert {"notification.deliver", "dossier.status_changed", "catalog.version_published"} <= set(
        live.handlers
    )
    assert set(live.dead_handlers) == {"notification.deliver"}
    assert {"portal.expire_drafts", "payments.reconcile", "payments.refunds"} <= set(live.jobs)
    assert set(live.guards) == {"dossier.before_receipt", "dossier.before_result"}
    assert set(live.steps) == {"catalog.hand_over"}
    assert set(live.totals) == {"dossier.obligation_amount"}


def test_reactions_are_declared_only_in_the_flows_modules() -> None:
    outside = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "flows.py" and path.name != "reactions.py" and DECLARING.search(path.read_text())
    ]
    assert outside == []


def test_the_old_ways_to_react_are_gone() -> None:
    gone = [
        (events, "subscribe"),
        (outbox, "register_handler"),
        (outbox, "register_dead_handler"),
        (periodic, "register_periodic"),
        (intake, "RECEIVE_CHECKS"),
        (closing, "RESULT_CHECKS"),
        (processing, "DEFAULT_OBLIGATION_AMOUNT"),
    ]
    assert [f"{module.__name__}.{name}" for module, name in gone if hasattr(module, name)] == []


def test_a_topic_claimed_by_two_handlers_fails_at_start_up(registry: reactions.Registry) -> None:
    def first(message: object) -> None: ...

    def second(message: object) -> None: ...

    reactions.on_outbox("sync.national_portal", first)
    reactions.on_outbox("sync.national_portal", first)  # the same declaration read twice: harmless
    with pytest.raises(ImproperlyConfigured, match=r"sync\.national_portal"):
        reactions.on_outbox("sync.national_portal", second)
    assert registry.handlers == {"sync.national_portal": first}


def test_a_job_name_declared_twice_fails_at_start_up(registry: reactions.Registry) -> None:
    reactions.every("reports.facts", 60, lambda: None)
    with pytest.raises(ImproperlyConfigured, match=r"reports\.facts"):
        reactions.every("reports.facts", 30, lambda: None)


def test_a_guard_runs_every_check_and_the_first_refusal_stops(registry: reactions.Registry) -> None:
    point: Guard[str] = Guard("test.before")
    seen: list[str] = []

    def note(subject: str) -> None:
        seen.append(subject)

    def refuse(subject: str) -> None:
        raise DomainError("Không được.", "Not allowed.")

    reactions.check(point, "nothing registered")  # no check: agreed
    reactions.guard(point, note)
    reactions.guard(point, refuse)
    with pytest.raises(DomainError):
        reactions.check(point, "x")
    assert seen == ["x"]


def test_a_total_adds_every_contribution(registry: reactions.Registry) -> None:
    point: Total[int] = Total("test.amount")
    assert reactions.total(point, 3) == 0
    reactions.contribute(point, lambda n: n * 1000)
    reactions.contribute(point, lambda n: 500)
    assert reactions.total(point, 3) == 3500


def test_a_step_lets_every_part_do_its_work_in_order(registry: reactions.Registry) -> None:
    point: Step[list[str]] = Step("test.change")
    done: list[str] = []
    reactions.run_parts(point, done)  # no part: nothing to do
    reactions.take_part(point, lambda log: log.append("accounts"))
    reactions.take_part(point, lambda log: log.append("payments"))
    reactions.run_parts(point, done)
    assert done == ["accounts", "payments"]


def test_an_isolated_registry_is_put_back_afterwards() -> None:
    real = reactions.registry()
    with reactions.isolated(keep=True) as copy:
        assert copy is not real and copy.handlers == real.handlers
        reactions.on_outbox("test.only_here", lambda message: None)
    assert "test.only_here" not in reactions.registry().handlers
