"""The one way an app reacts to another: every reaction is declared in the reacting app's `flows.py`.

Dependencies point one way (ARCHITECTURE.md), so a lower app (the dossiers) cannot call a higher
one (payments, notifications). Instead the higher app declares, in its `<app>/flows.py`, what it
does when something happens below; `CoreConfig.ready()` imports every installed app's `flows`
module once (`autodiscover`), and the code that does the happening asks this registry:

- `on_event(kinds, subscriber)`: called with each new `Event` of those kinds inside the recording
  transaction (`egov.core.events.record_event`); returns more outbox rows (e.g. notifications).
- `on_outbox(topic, handler, dead=...)`: delivers outbox rows of a topic (`egov.core.outbox`), and
  is told when the relay gives a row up.
- `every(name, seconds, job)`: housekeeping that `egov worker` runs when due (`egov.core.periodic`).
- `guard(point, check)` / `contribute(point, part)` / `take_part(point, part)`: extension points an
  app declares for the others (a `Guard` each check of which may refuse with a `DomainError`; a
  `Total` that adds up every contribution; a `Step` where each app does its own part of the change),
  e.g. the dossier services ask before a receipt whether the fees are paid.

Registering the same function twice is a no-op; a second, different handler for one outbox topic or
one job name is a mistake (two apps claiming the same work) and fails at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule

if TYPE_CHECKING:
    from egov.core.events import Outgoing
    from egov.core.models import Event, OutboxMessage

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

Subscriber = Callable[["Event"], Iterable["Outgoing"]]
Handler = Callable[["OutboxMessage"], None]
DeadHandler = Callable[["OutboxMessage", str], None]
MODULE = "flows"


@dataclass(frozen=True)
class Guard(Generic[T]):
    """A point where the declaring app asks the others whether it may go on with a `T`.

    Each registered check returns nothing to agree or raises a `DomainError` to refuse; the checks run
    in the declaring service's transaction, under its locks.
    """

    name: str


@dataclass(frozen=True)
class Step(Generic[T]):
    """A point where the declaring app lets the others do their part of a change about a `T`.

    Each registered part runs in the declaring service's transaction, so what it writes commits or
    rolls back with the change; a part may still refuse with a `DomainError`, undoing all of it.
    """

    name: str


@dataclass(frozen=True)
class Total(Generic[T]):
    """A point where the declaring app asks the others for an amount about a `T`, summed."""

    name: str


@dataclass
class Job:
    """A periodic job; `next_at` (monotonic seconds) is this process's schedule, not shared state."""

    name: str
    every_seconds: float
    run: Callable[[], object]
    next_at: float = 0.0


@dataclass
class Registry:
    """Everything the apps declared, keyed by event kind, topic, job name or point name."""

    subscribers: dict[str, list[Subscriber]] = field(default_factory=dict)
    handlers: dict[str, Handler] = field(default_factory=dict)
    dead_handlers: dict[str, DeadHandler] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    guards: dict[str, list[Callable[[Any], None]]] = field(default_factory=dict)
    totals: dict[str, list[Callable[[Any], int]]] = field(default_factory=dict)
    steps: dict[str, list[Callable[[Any], None]]] = field(default_factory=dict)

    def copy(self) -> Registry:
        return Registry(
            subscribers={k: list(v) for k, v in self.subscribers.items()},
            handlers=dict(self.handlers),
            dead_handlers=dict(self.dead_handlers),
            jobs={k: Job(j.name, j.every_seconds, j.run) for k, j in self.jobs.items()},
            guards={k: list(v) for k, v in self.guards.items()},
            totals={k: list(v) for k, v in self.totals.items()},
            steps={k: list(v) for k, v in self.steps.items()},
        )


_registry = Registry()


def registry() -> Registry:
    return _registry


def autodiscover() -> None:
    """Import the `flows` module of every installed egov app (run once by `CoreConfig.ready()`)."""
    for config in apps.get_app_configs():
        if config.name.startswith("egov.") and module_has_submodule(config.module, MODULE):
            import_module(f"{config.name}.{MODULE}")


@contextmanager
def isolated(*, keep: bool = False) -> Iterator[Registry]:
    """For tests: a registry of their own (empty, or a copy of the real one with `keep`), put back after."""
    global _registry
    saved = _registry
    _registry = saved.copy() if keep else Registry()
    try:
        yield _registry
    finally:
        _registry = saved


# --- declaring (in an app's flows.py) ---------------------------------------------------------


def _append_once(table: dict[str, list[F]], key: str, func: F) -> None:
    funcs = table.setdefault(key, [])
    if func not in funcs:
        funcs.append(func)


def _claim(table: dict[str, F], key: str, func: F, what: str) -> None:
    current = table.get(key)
    if current is not None and current is not func:
        owner = f"{current.__module__}.{current.__qualname__}"
        raise ImproperlyConfigured(f"{what} {key!r} is already handled by {owner}")
    table[key] = func


def on_event(kinds: Iterable[str], subscriber: Subscriber) -> None:
    """`subscriber(event)` runs for each new event of `kinds`, in its transaction; it returns outbox rows."""
    for kind in kinds:
        _append_once(_registry.subscribers, kind, subscriber)


def on_outbox(topic: str, handler: Handler, *, dead: DeadHandler | None = None) -> None:
    """`handler(message)` delivers rows of `topic`; `dead(message, last_error)` hears of one given up."""
    _claim(_registry.handlers, topic, handler, "Outbox topic")
    if dead is not None:
        _claim(_registry.dead_handlers, topic, dead, "Dead outbox topic")


def every(name: str, seconds: float, job: Callable[[], object]) -> None:
    """`job()` runs in `egov worker` every `seconds`; it must be idempotent and safe on several workers."""
    current = _registry.jobs.get(name)
    if current is not None and current.run is not job:
        raise ImproperlyConfigured(f"Periodic job {name!r} is declared twice")
    if current is None:
        _registry.jobs[name] = Job(name, float(seconds), job)


def guard(point: Guard[T], check: Callable[[T], None]) -> None:
    _append_once(_registry.guards, point.name, check)


def contribute(point: Total[T], part: Callable[[T], int]) -> None:
    _append_once(_registry.totals, point.name, part)


def take_part(point: Step[T], part: Callable[[T], None]) -> None:
    _append_once(_registry.steps, point.name, part)


# --- asking (in the code where things happen) -------------------------------------------------


def subscribers_of(kind: str) -> list[Subscriber]:
    return _registry.subscribers.get(kind, [])


def handler_for(topic: str) -> Handler | None:
    return _registry.handlers.get(topic)


def dead_handler_for(topic: str) -> DeadHandler | None:
    return _registry.dead_handlers.get(topic)


def periodic_jobs() -> list[Job]:
    return list(_registry.jobs.values())


def check(point: Guard[T], subject: T) -> None:
    """Run every check of `point`; the first that refuses raises its `DomainError`."""
    for each in _registry.guards.get(point.name, ()):
        each(subject)


def total(point: Total[T], subject: T) -> int:
    return sum(part(subject) for part in _registry.totals.get(point.name, ()))


def run_parts(point: Step[T], subject: T) -> None:
    """Let every app do its part of `point`, in the order they were declared."""
    for part in _registry.steps.get(point.name, ()):
        part(subject)
