"""Dossier files and notes: who may attach, what is recorded, who may read, how files are served."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY
from egov.catalog.models import DocumentRequirement, ProcedureVersion
from egov.core.errors import NotFound, ValidationFailed
from egov.core.models import Event
from egov.core.uploads import check_upload
from egov.dossiers import services
from egov.dossiers.errors import DossierPermissionDenied, TextRequired, TransitionNotAllowed
from egov.dossiers.files import file_for, files_of
from egov.dossiers.models import Dossier, DossierFile, DossierNote
from tests.dossiers.factories import World
from tests.dossiers.test_transitions import in_status

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def checked(content: bytes = PDF, name: str = "to-khai.pdf") -> Any:
    return check_upload(SimpleUploadedFile(name, content))


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True  # officers must have passed it
    session.save()
    return client


def stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_applicant_attaches_a_component_while_the_dossier_is_submitted(world: World) -> None:
    dossier = world.create().dossier
    row = services.attach_file(world.citizen, dossier, upload=checked(), kind=DossierFile.Kind.COMPONENT)
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    assert row.size == len(PDF) and row.content_type == "application/pdf"
    assert row.token in str(row.file.name) and "to-khai" not in str(row.file.name)
    assert row.file.read() == PDF
    event = Event.objects.get(aggregate_id=dossier.code, kind="dossier.file_attached")
    assert event.data["token"] == row.token and event.data["sha256"] == row.sha256
    assert list(files_of(dossier)) == [row]


def test_the_applicant_may_not_attach_after_receipt(world: World) -> None:
    dossier = world.received()
    with pytest.raises(DossierPermissionDenied):
        services.attach_file(world.citizen, dossier, upload=checked(), kind=DossierFile.Kind.COMPONENT)


def test_an_answer_to_a_supplement_request_is_accepted_from_the_applicant(world: World) -> None:
    dossier = services.request_supplement(world.desk, world.received(), content="Thiếu giấy chứng sinh")
    supplement = dossier.supplements.get()
    row = services.attach_file(
        world.citizen, dossier, upload=checked(), kind=DossierFile.Kind.SUPPLEMENT, supplement=supplement
    )
    assert row.supplement == supplement


def test_officers_handling_the_dossier_attach_scans_and_others_may_not(world: World, media: Path) -> None:
    dossier = world.received()
    row = services.attach_file(
        world.desk, dossier, upload=checked(PNG, "scan.png"), kind=DossierFile.Kind.SCAN
    )
    assert row.kind == "scan" and row.uploaded_by == world.desk
    before = stored(media)
    for stranger in (world.outsider, world.other_citizen):
        with pytest.raises(DossierPermissionDenied):
            services.attach_file(stranger, dossier, upload=checked(), kind=DossierFile.Kind.SCAN)
    assert stored(media) == before
    assert DossierFile.objects.filter(dossier=dossier).count() == 1


def test_an_officer_attaches_nothing_once_the_dossier_has_ended(world: World, media: Path) -> None:
    """The statuses open for files are the rule the service enforces, not only what the page shows."""
    returned = in_status(world, "returned")
    refused = services.refuse_dossier(world.desk, world.received(), reason="Không đủ điều kiện")
    for dossier in (returned, refused):
        with pytest.raises(TransitionNotAllowed) as info:
            services.attach_file(world.desk, dossier, upload=checked(), kind=DossierFile.Kind.OTHER)
        assert info.value.status == 409 and info.value.detail["action"] == "attach a file"
    assert stored(media) == [] and not DossierFile.objects.exists()


def test_counter_intake_stores_the_dossier_and_every_scan_in_one_call(world: World, media: Path) -> None:
    first = DocumentRequirement.objects.create(version=world.version, code="TP1", name="Tờ khai", position=1)
    second = DocumentRequirement.objects.create(
        version=world.version, code="TP2", name="Chứng sinh", position=2
    )
    result = services.create_dossier_with_scans(
        world.desk,
        scans=[
            services.Scan(SimpleUploadedFile("to-khai.pdf", PDF), first),
            services.Scan(SimpleUploadedFile("chung-sinh.png", PNG), second),
        ],
        procedure_code=world.procedure.code,
        agency_code=world.department.code,
        channel="counter",
        applicant={"name": "Trần Thị Bình"},
        declaration={"full_name": "Cường", "birth_date": "2026-02-01"},
    )
    rows = list(files_of(result.dossier))
    assert [(r.kind, r.requirement_id) for r in rows] == [("scan", first.pk), ("scan", second.pk)]
    assert len(stored(media)) == 2
    assert Event.objects.filter(aggregate_id=result.dossier.code, kind="dossier.file_attached").count() == 2


def test_a_second_scan_failing_after_the_first_was_stored_leaves_nothing(world: World, media: Path) -> None:
    """The first scan is in storage when the second is refused (a requirement of another version)."""
    mine = DocumentRequirement.objects.create(version=world.version, code="TP1", name="Tờ khai", position=1)
    later = ProcedureVersion.objects.create(
        procedure=world.procedure, number=2, effective_from=date(2099, 1, 1)
    )
    foreign = DocumentRequirement.objects.create(version=later, code="X", name="X")
    with pytest.raises(ValidationFailed):
        services.create_dossier_with_scans(
            world.desk,
            scans=[
                services.Scan(SimpleUploadedFile("to-khai.pdf", PDF), mine),
                services.Scan(SimpleUploadedFile("khac.pdf", PDF), foreign),
            ],
            procedure_code=world.procedure.code,
            agency_code=world.department.code,
            channel="counter",
            applicant={"name": "Trần Thị Bình"},
            declaration={"full_name": "Cường", "birth_date": "2026-02-01"},
        )
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert stored(media) == []


def test_a_requirement_of_another_procedure_is_refused(world: World) -> None:
    dossier = world.create().dossier
    later = ProcedureVersion.objects.create(
        procedure=world.procedure, number=2, effective_from=date(2099, 1, 1)
    )
    other = DocumentRequirement.objects.create(version=later, code="X", name="X")
    with pytest.raises(ValidationFailed):
        services.attach_file(
            world.citizen, dossier, upload=checked(), kind=DossierFile.Kind.COMPONENT, requirement=other
        )


def test_notes_are_for_handlers_only_and_keep_no_text_in_the_event(world: World) -> None:
    dossier = world.received()
    note = services.add_note(world.desk, dossier, text="Đã gọi điện cho công dân.")
    assert DossierNote.objects.get(pk=note.pk).text == "Đã gọi điện cho công dân."
    event = Event.objects.get(aggregate_id=dossier.code, kind="dossier.note_added")
    assert event.data == {"note_id": note.pk}
    with pytest.raises(DossierPermissionDenied):
        services.add_note(world.citizen, dossier, text="xin chào")
    with pytest.raises(TextRequired):
        services.add_note(world.desk, dossier, text="   ")


def test_create_with_files_copies_every_file_in_one_transaction(world: World, media: Path) -> None:
    requirement = DocumentRequirement.objects.create(version=world.version, code="TK", name="Tờ khai")
    source = DossierFile(token="s" * 32, sha256="0" * 64)
    source.file.save("source", ContentFile(PDF), save=False)
    files = [
        services.StoredFile(
            file=source.file,
            name="to-khai.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
            requirement_id=requirement.pk,
        )
    ]
    result = services.create_dossier_with_files(
        world.citizen,
        files=files,
        procedure_code=world.procedure.code,
        agency_code=world.department.code,
        channel="online",
        applicant={"name": "Nguyễn Văn An"},
        declaration={"full_name": "An", "birth_date": "2026-02-01"},
        idempotency_key="draft-1",
    )
    row = result.dossier.files.get()
    assert row.requirement == requirement and row.file.read() == PDF
    again = services.create_dossier_with_files(
        world.citizen,
        files=files,
        procedure_code=world.procedure.code,
        agency_code=world.department.code,
        channel="online",
        applicant={"name": "Nguyễn Văn An"},
        declaration={"full_name": "An", "birth_date": "2026-02-01"},
        idempotency_key="draft-1",
    )
    assert again.created is False and again.dossier.pk == result.dossier.pk
    assert DossierFile.objects.filter(dossier=result.dossier).count() == 1


def test_a_failed_copy_leaves_no_dossier_and_no_file(world: World, media: Path) -> None:
    source = DossierFile(token="t" * 32, sha256="0" * 64)
    source.file.save("source", ContentFile(PDF), save=False)
    good = services.StoredFile(
        file=source.file, name="a.pdf", content_type="application/pdf", size=len(PDF), sha256="0" * 64
    )
    missing = DossierFile(token="u" * 32, sha256="0" * 64)
    missing.file.name = "does/not/exist"
    bad = services.StoredFile(
        file=missing.file, name="b.pdf", content_type="application/pdf", size=1, sha256="0" * 64
    )
    before = set(stored(media))
    with pytest.raises(FileNotFoundError):
        services.create_dossier_with_files(
            world.citizen,
            files=[good, bad],
            procedure_code=world.procedure.code,
            agency_code=world.department.code,
            channel="online",
            applicant={"name": "Nguyễn Văn An"},
            declaration={"full_name": "An", "birth_date": "2026-02-01"},
        )
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists()
    assert set(stored(media)) == before


# --- reading and serving -------------------------------------------------------------------------


def test_file_for_answers_the_applicant_and_the_officers_and_no_one_else(world: World) -> None:
    dossier = world.received()
    row = services.attach_file(world.desk, dossier, upload=checked(), kind=DossierFile.Kind.SCAN)
    assert file_for(world.citizen, row.token) == row
    assert file_for(world.desk, row.token) == row
    for stranger in (world.other_citizen, world.outsider):
        with pytest.raises(NotFound):
            file_for(stranger, row.token)
    with pytest.raises(NotFound):
        file_for(world.citizen, "no-such-token")


def test_the_file_view_downloads_with_safe_headers(world: World) -> None:
    dossier = world.create().dossier
    row = services.attach_file(
        world.citizen, dossier, upload=checked(name="../../etc/passwd.pdf"), kind=DossierFile.Kind.COMPONENT
    )
    client = signed_in(world.citizen)
    response = client.get(f"/files/{row.token}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")
    assert "passwd.pdf" in response["Content-Disposition"] and ".." not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_inline_preview_only_for_pdf_and_images(world: World) -> None:
    dossier = world.received()
    pdf = services.attach_file(world.desk, dossier, upload=checked(), kind=DossierFile.Kind.SCAN)
    client = signed_in(world.desk)
    response = client.get(f"/files/{pdf.token}/?inline=1")
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.get("Content-Security-Policy", "frame-ancestors 'self'")
    docx = DossierFile.objects.create(
        dossier=dossier,
        token="d" * 32,
        name="don.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        size=3,
        sha256="0" * 64,
        file=ContentFile(b"PK\x03\x04", name="d"),
        uploaded_at=dossier.submitted_at,
    )
    response = client.get(f"/files/{docx.token}/?inline=1")
    assert response["Content-Disposition"].startswith("attachment")


def test_the_file_view_is_404_for_strangers_and_anonymous_users(world: World) -> None:
    dossier = world.create().dossier
    row = services.attach_file(world.citizen, dossier, upload=checked(), kind=DossierFile.Kind.COMPONENT)
    stranger = signed_in(world.other_citizen)
    assert stranger.get(f"/files/{row.token}/").status_code == 404
    assert Client().get(f"/files/{row.token}/").status_code == 404
