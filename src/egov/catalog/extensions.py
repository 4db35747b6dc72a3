"""Where other apps plug into the catalogue's services, which may not import them (they sit above).

An app declares what it plugs in here in its own `flows.py` (`reactions.take_part`); each point is asked
inside the catalogue service's transaction, so what the app writes there commits or rolls back with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from egov.catalog.models import Agency
from egov.catalog.reorganisation import ReorganisationReport
from egov.core.reactions import Step


@dataclass(frozen=True)
class HandOver:
    """The agencies a reorganisation plan closes, as the other apps need them to hand their work over.

    `successors` maps each closed agency's id to the agency taking over; with `move` the apps hand what
    they keep at a closed agency over to its successor, without it they only list it for a person to
    decide. Each app adds what it handed over (or would) to `report` — on a dry run too, which rolls
    everything back afterwards.
    """

    successors: Mapping[int, Agency]
    move: bool
    report: ReorganisationReport


# After a plan's agencies are closed and its procedures re-homed (e.g. accounts: officers' role
# assignments at a closed agency go to its successor). A part may refuse the plan with a DomainError;
# nothing of the plan is then written.
HAND_OVER: Step[HandOver] = Step("catalog.hand_over")
