"""A dossier at its last step and a node PKI holding the receiving agency's key."""

from __future__ import annotations

from pathlib import Path

from egov.dossiers.models import Dossier
from egov.results import services
from egov.results.models import ResultDocument
from tests.dossiers.factories import World
from tests.results.conftest import add_agency_keys


def at_last_step(world: World) -> Dossier:
    return world.at_step(
        4, applicant={"name": "Nguyễn Thị Ánh Tuyết", "phone": "0912345678", "id_number": "001190000001"}
    )


def issued(world: World, node_pki: Path) -> ResultDocument:
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    return services.issue_result(world.leader, at_last_step(world))
