"""A result issued after a reorganisation closed the receiving agency: the successor issues it.

The dossier keeps its code and receiving agency, but an agency that no longer exists cannot put its
name, number or seal on a document dated today: the agency that took over its work does, with its
own key, and its leaders sign with the personal certificates they hold there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from egov.catalog.models import Agency
from egov.results import enrolment, pki, services
from egov.results.models import ResultDocument
from egov.results.verification import verify_pdf
from tests.catalog.test_reorganised_dossiers import merge_department
from tests.dossiers.factories import World, officer
from tests.results.conftest import add_agency_keys
from tests.results.helpers import at_last_step, enrolled_leader, pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


def closed_today(world: World) -> Agency:
    """The world's department closes today; its successor takes over (and its officers move there)."""
    return merge_department(world, effective=timezone.localdate().isoformat())


def test_the_successor_issues_a_result_for_a_dossier_the_closed_agency_received(
    world: World, node_pki: Path, tmp_path: Path
) -> None:
    dossier = at_last_step(world)
    successor = closed_today(world)
    add_agency_keys(node_pki, (successor.code, successor.name))  # the closed agency's key is gone
    enrolled_leader(world)

    result = services.issue_result(world.leader, dossier)

    assert result.agency == successor and result.dossier.agency == world.department
    assert result.dossier.code.startswith(world.department.code)  # the code never changes
    personal, agency = result.signatures.order_by("order")
    assert personal.agency == world.province  # the province's leader signs the last step
    assert (agency.signer_name, agency.agency) == (successor.name, successor)
    assert successor.code in result.signer_subject
    check = verify_pdf(stored_bytes(result), trust_roots=pki.load_certificates(node_pki / "ca.pem"))
    assert check.valid and check.signer == successor.name
    text = pdf_text(stored_bytes(result), tmp_path)
    assert successor.name.upper() in text.upper() and world.department.name.upper() not in text.upper()


def test_the_successors_own_leader_signs_with_the_certificate_held_there(
    world: World, node_pki: Path
) -> None:
    head = officer("giamdoc", world.department, "leader")
    dossier = at_last_step(world)
    successor = closed_today(world)
    assert head.role_assignments.get().agency == successor
    add_agency_keys(node_pki, (successor.code, successor.name))
    enrolment.enrol_signer(None, head, successor, full_name="Lê Minh Quân")

    result = services.issue_result(head, dossier)

    personal, agency = result.signatures.order_by("order")
    assert (personal.signer_name, personal.agency) == ("Lê Minh Quân", successor)
    assert agency.agency == successor and ResultDocument.objects.count() == 1
