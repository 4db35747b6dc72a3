"""Officers attach the result (or a scan) to a dossier; the applicant then finds it in My dossiers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.dossiers.models import DossierFile
from tests.backoffice.dossier_fixtures import as_officer, pdf
from tests.dossiers.factories import World
from tests.portal.mine_fixtures import client_for

pytestmark = pytest.mark.django_db


def attach_url(code: str) -> str:
    return reverse("office:dossier_attach", args=[code])


def test_the_step_holder_attaches_the_result_and_the_applicant_sees_it(world: World) -> None:
    dossier = world.at_step(4)
    response = as_officer(world.leader).post(
        attach_url(dossier.code), {"kind": "result", "upload": pdf("giay-phep.pdf")}, follow=True
    )
    assert response.status_code == 200
    row = DossierFile.objects.get(dossier=dossier)
    assert (row.kind, row.name, row.uploaded_by) == ("result", "giay-phep.pdf", world.leader)
    page = client_for(world.citizen).get(reverse("portal:my_dossier", args=[dossier.code]))
    assert "giay-phep.pdf" in page.content.decode()


def test_an_officer_of_another_agency_gets_not_found_and_nothing_is_stored(world: World) -> None:
    dossier = world.at_step(2)
    response = as_officer(world.outsider).post(attach_url(dossier.code), {"kind": "result", "upload": pdf()})
    assert response.status_code == 404
    assert not DossierFile.objects.exists()


def test_an_officer_who_does_not_hold_the_dossier_gets_the_core_error(world: World) -> None:
    dossier = world.at_step(3)
    client = as_officer(world.specialist2)
    response = client.post(attach_url(dossier.code), {"kind": "result", "upload": pdf()}, follow=True)
    assert response.status_code in (200, 404)
    assert not DossierFile.objects.exists()


def test_a_file_that_is_not_a_pdf_or_image_is_refused_with_a_clear_message(world: World) -> None:
    dossier = world.at_step(4)
    fake = SimpleUploadedFile("ketqua.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = as_officer(world.leader).post(
        attach_url(dossier.code), {"kind": "result", "upload": fake}, follow=True
    )
    assert "PDF" in response.content.decode()
    assert not DossierFile.objects.exists()


def test_missing_file_or_unknown_kind_changes_nothing(world: World) -> None:
    dossier = world.at_step(4)
    client = as_officer(world.leader)
    client.post(attach_url(dossier.code), {"kind": "result"})
    client.post(attach_url(dossier.code), {"kind": "../../etc", "upload": pdf()})
    assert not DossierFile.objects.exists()
