"""The reception desk: the queue of submitted dossiers and the counter/postal intake with scans."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.backoffice.selectors import waiting_at_desk
from egov.catalog.models import ChannelTerms
from egov.dossiers.models import Dossier, DossierFile, Status
from tests.backoffice.dossier_fixtures import as_officer, pdf, requirement
from tests.dossiers.factories import World

pytestmark = pytest.mark.django_db

DESK = reverse("office:desk")
NEW = reverse("office:desk_new")


def start_query(world: World, channel: str = "counter", agency: str | None = None) -> str:
    agency = agency or world.department.code
    return f"{NEW}?procedure={world.procedure.code}&agency={agency}&channel={channel}"


def intake(**extra: Any) -> dict[str, Any]:
    data = {
        "applicant_type": "1",
        "name": "Trần Thị Bình",
        "id_number": "001190000001",
        "phone": "0987654321",
        "email": "",
        "address": "Số 1 Tràng Tiền, Hà Nội",
        "subject": "Đăng ký khai sinh cho con",
        "decl-full_name": "Trần Văn Cường",
        "decl-birth_date": "2026-02-01",
        "decl-copies": "2",
        "receive_now": "on",
    }
    data.update(extra)
    return data


# --- the queue -------------------------------------------------------------------------------


def test_desk_lists_submitted_dossiers_of_its_agency_only(world: World) -> None:
    waiting = world.create().dossier
    received = world.received()
    response = as_officer(world.desk).get(DESK)
    html = response.content.decode()
    assert response.status_code == 200
    assert waiting.code in html and received.code not in html
    assert reverse("office:dossier", args=[waiting.code]) in html
    assert waiting.code not in as_officer(world.outsider).get(DESK).content.decode()


def test_queue_is_keyset_paginated(world: World) -> None:
    codes = [world.create().dossier.code for _ in range(3)]
    first = waiting_at_desk(world.desk, limit=2)
    assert [d.code for d in first.items] == codes[:2] and first.next_cursor
    second = waiting_at_desk(world.desk, cursor=first.next_cursor, limit=2)
    assert [d.code for d in second.items] == codes[2:] and second.next_cursor is None
    assert waiting_at_desk(world.specialist).items == []


def test_bad_cursor_is_an_error_message_not_a_crash(world: World) -> None:
    response = as_officer(world.desk).get(DESK + "?cursor=%27%3B--")
    assert response.status_code == 200


def test_citizen_may_not_open_the_desk(world: World) -> None:
    assert as_officer(world.citizen).get(DESK).status_code == 403
    assert as_officer(world.citizen).get(NEW).status_code == 403


# --- counter and postal intake -----------------------------------------------------------------


def test_choosing_the_procedure_shows_declaration_and_scan_fields(world: World) -> None:
    requirement(world)
    response = as_officer(world.desk).get(start_query(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="decl-full_name"' in html and 'name="decl-birth_date"' in html
    assert "Tờ khai đăng ký khai sinh" in html and 'type="file"' in html
    assert 'enctype="multipart/form-data"' in html


def test_agency_outside_the_officers_desk_is_refused(world: World) -> None:
    response = as_officer(world.outsider).get(start_query(world, agency=world.department.code))
    assert response.status_code == 200
    assert 'name="decl-full_name"' not in response.content.decode()


def test_counter_dossier_with_scan_is_received_and_receipt_printed(world: World) -> None:
    req = requirement(world)
    client = as_officer(world.desk)
    response = client.post(start_query(world), intake(**{f"scan_{req.pk}": pdf("to-khai-scan.pdf")}))
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Trần Thị Bình")
    assert response["Location"] == reverse("office:dossier_print", args=[dossier.code, "01"])
    assert dossier.channel == "counter" and dossier.status == Status.RECEIVED
    assert dossier.declaration == {"full_name": "Trần Văn Cường", "birth_date": "2026-02-01", "copies": 2}
    scan = DossierFile.objects.get(dossier=dossier)
    assert scan.kind == DossierFile.Kind.SCAN and scan.requirement_id == req.pk
    receipt = client.get(response["Location"]).content.decode()
    assert dossier.code in receipt and "egov-pin" in receipt


def test_post_is_refused_when_the_procedure_does_not_offer_it(world: World) -> None:
    response = as_officer(world.desk).post(start_query(world, channel="post"), intake())
    assert response.status_code == 400
    assert "usa-alert--error" in response.content.decode()
    assert not Dossier.objects.exists()


def test_postal_dossier_without_receiving_stays_submitted(world: World) -> None:
    ChannelTerms.objects.create(version=world.version, channel="post", time_limit=Decimal(5))
    client = as_officer(world.desk)
    data = intake()
    del data["receive_now"]
    response = client.post(start_query(world, channel="post"), data)
    dossier = Dossier.objects.get(applicant_name="Trần Thị Bình")
    assert response["Location"] == reverse("office:dossier", args=[dossier.code])
    assert dossier.channel == "post" and dossier.status == Status.SUBMITTED


def test_invalid_declaration_is_a_clear_error_and_nothing_is_created(world: World) -> None:
    response = as_officer(world.desk).post(start_query(world), intake(**{"decl-birth_date": "31/02/2026"}))
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_rejected_scan_leaves_no_dossier(world: World) -> None:
    req = requirement(world)
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = as_officer(world.desk).post(start_query(world), intake(**{f"scan_{req.pk}": fake}))
    assert response.status_code == 400
    assert "usa-alert--error" in response.content.decode()
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()


def test_a_second_scan_rejected_leaves_no_dossier_no_row_and_no_stored_file(
    world: World, media: Path
) -> None:
    first = requirement(world)
    second = requirement(world, code="TP2", name="Giấy chứng sinh")
    fake = SimpleUploadedFile("chung-sinh.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    scans = {f"scan_{first.pk}": pdf("to-khai-scan.pdf"), f"scan_{second.pk}": fake}
    response = as_officer(world.desk).post(start_query(world), intake(**scans))
    assert response.status_code == 400
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_hostile_applicant_text_is_stored_verbatim(world: World) -> None:
    name = "O'Brien\"; DROP TABLE accounts_user; --"
    client = as_officer(world.desk)
    client.post(start_query(world), intake(name=name))
    dossier = Dossier.objects.get()
    assert dossier.applicant_name == name
    page = client.get(reverse("office:dossier", args=[dossier.code])).content.decode()
    assert "O&#x27;Brien&quot;; DROP TABLE accounts_user; --" in page


def test_too_long_and_invalid_applicant_fields_are_form_errors(world: World) -> None:
    response = as_officer(world.desk).post(start_query(world), intake(name="x" * 500, email="not-an-email"))
    assert response.status_code == 400
    assert response.content.decode().count('role="alert"') >= 2
    assert not Dossier.objects.exists()


def test_without_a_form_schema_the_declaration_is_json_checked_by_the_core(world: World) -> None:
    world.version.declaration_schema = {}
    world.version.save()
    client = as_officer(world.desk)
    assert 'name="declaration"' in client.get(start_query(world)).content.decode()
    data = {k: v for k, v in intake().items() if not k.startswith("decl-")}
    bad = client.post(start_query(world), {**data, "declaration": "{not json"})
    assert bad.status_code == 400 and not Dossier.objects.exists()
    listed = client.post(start_query(world), {**data, "declaration": "[1, 2]"})
    assert listed.status_code == 400 and not Dossier.objects.exists()
    client.post(start_query(world), {**data, "declaration": '{"ghi_chu": "Bản chính"}'})
    assert Dossier.objects.get().declaration == {"ghi_chu": "Bản chính"}
