"""Apply online: the wizard, drafts (save, resume, expiry), uploads, submit once, the receipt and PIN."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.dossiers.forms import declaration_form_class
from egov.dossiers.models import Dossier, DossierFile
from egov.portal import services
from egov.portal.models import Draft, DraftFile
from egov.portal.tasks import expire_drafts_task
from tests.dossiers.factories import World
from tests.portal import apply_fixtures
from tests.portal.apply_fixtures import CASE, EXE, PDF, client_for, stored_files, upload

world = apply_fixtures.world

GOOD = {"full_name": "Nguyễn Văn An", "birth_date": "2026-02-01", "copies": "2"}
APPLICANT = {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn", "type": "1"}


def step_url(draft: Draft | Any, step: str) -> str:
    return reverse("portal:draft_step", args=[draft.pk, step])


def start(world: World, client: Client, case: str = "") -> Draft:
    response = client.post(
        reverse("portal:apply_start", args=[world.procedure.code]),
        {"agency": world.department.code, "case": case},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Draft.objects.get(owner=world.citizen, submitted_dossier__isnull=True, case=case)


def fill(world: World, client: Client, draft: Draft) -> None:
    assert client.post(step_url(draft, "applicant"), {**APPLICANT, "intent": "continue"}).status_code == 302
    assert client.post(step_url(draft, "declaration"), {**GOOD, "intent": "continue"}).status_code == 302
    form = world.extra["form"]
    response = client.post(step_url(draft, "files"), {f"file_{form.pk}": upload(), "intent": "continue"})
    assert response.status_code == 302 and response["Location"] == step_url(draft, "review")


# --- start and the wizard ------------------------------------------------------------------------


def test_the_start_page_offers_the_agencies_and_the_cases(world: World) -> None:
    page = client_for(world.citizen).get(reverse("portal:apply_start", args=[world.procedure.code]))
    html = page.content.decode()
    assert world.department.name in html and world.other_agency.name in html
    assert CASE in html


def test_starting_requires_sign_in(world: World) -> None:
    response = Client().get(reverse("portal:apply_start", args=[world.procedure.code]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_officers_cannot_apply_online(world: World) -> None:
    response = client_for(world.desk).post(
        reverse("portal:apply_start", args=[world.procedure.code]), {"agency": world.department.code}
    )
    assert response.status_code == 422
    assert not Draft.objects.exists()


def test_the_applicant_step_is_prefilled_from_the_account(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    html = client.get(step_url(draft, "applicant")).content.decode()
    assert 'value="0912345678"' in html
    assert "usa-step-indicator" in html and 'aria-current="step"' in html
    assert "is kept until" in html


def test_the_declaration_form_carries_html5_validation_attributes(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    html = client.get(step_url(draft, "declaration")).content.decode()
    assert 'name="full_name"' in html and "required" in html
    assert 'pattern="\\d{4}-\\d{2}-\\d{2}"' in html
    assert 'type="number"' in html and 'min="1"' in html and 'max="10"' in html
    assert "data-validate" in html


def test_declaration_values_violating_the_schema_show_inline_errors_and_save_nothing(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    bad = {"full_name": "", "birth_date": "01/02/2026", "copies": "99", "intent": "continue"}
    response = client.post(step_url(draft, "declaration"), bad)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "usa-error-message" in html and 'role="alert"' in html
    draft.refresh_from_db()
    assert draft.declaration == {} and draft.step == Draft.Step.APPLICANT
    assert not Dossier.objects.exists()


def test_save_and_continue_later_keeps_partial_values_without_required_checks(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    response = client.post(
        step_url(draft, "declaration"), {"full_name": "An", "copies": "abc", "intent": "save"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:drafts")
    draft.refresh_from_db()
    assert draft.declaration == {"full_name": "An", "copies": "abc"}
    resumed = client.get(step_url(draft, "declaration")).content.decode()
    assert 'value="An"' in resumed


def test_drafts_list_shows_expiry_and_resume_links(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    html = client.get(reverse("portal:drafts")).content.decode()
    assert world.procedure.name in html
    assert timezone.localtime(draft.expires_at).strftime("%d/%m/%Y") in html
    assert step_url(draft, draft.step) in html


def test_each_save_pushes_the_expiry_back(world: World, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "DRAFT_DAYS": 2}
    client = client_for(world.citizen)
    draft = start(world, client)
    first = draft.expires_at
    assert first - draft.created_at == timedelta(days=2)
    client.post(step_url(draft, "applicant"), {**APPLICANT, "intent": "save"})
    draft.refresh_from_db()
    assert draft.expires_at > first


def test_a_case_adds_its_components(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client, case=CASE)
    html = client.get(step_url(draft, "files")).content.decode()
    assert "Văn bản mang thai hộ" in html
    plain = start(world, client)
    assert "Văn bản mang thai hộ" not in client.get(step_url(plain, "files")).content.decode()


# --- uploads -------------------------------------------------------------------------------------


def test_the_files_step_has_one_input_per_component_and_a_progress_bar(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    html = client.get(step_url(draft, "files")).content.decode()
    assert 'enctype="multipart/form-data"' in html and "data-upload-progress" in html
    assert '<progress class="egov-progress" hidden max="100" value="0">' in html
    assert (
        f'name="file_{world.extra["form"].pk}"' in html
        and f'name="file_{world.extra["optional"].pk}"' in html
    )


def test_required_components_must_have_a_file_before_review(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    response = client.post(step_url(draft, "files"), {"intent": "continue"})
    assert response.status_code == 422
    assert "Some required documents are still missing." in response.content.decode()


def test_an_oversized_file_gets_a_clear_error_and_nothing_is_stored(
    world: World, settings: Any, media: Path
) -> None:
    settings.EGOV = {**settings.EGOV, "UPLOAD_MAX_BYTES": 64}
    client = client_for(world.citizen)
    draft = start(world, client)
    form = world.extra["form"]
    response = client.post(
        step_url(draft, "files"), {f"file_{form.pk}": upload(PDF + b"x" * 100), "intent": "upload"}
    )
    assert response.status_code == 422
    assert "The file is larger than allowed." in response.content.decode()
    assert not DraftFile.objects.exists() and stored_files(media) == []


def test_an_exe_renamed_to_pdf_is_rejected(world: World, media: Path) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    form = world.extra["form"]
    response = client.post(
        step_url(draft, "files"), {f"file_{form.pk}": upload(EXE, "giay-to.pdf"), "intent": "upload"}
    )
    assert response.status_code == 422
    assert (
        "Only PDF, PNG, JPEG, DOCX (Word), ODT (OpenDocument) files are accepted" in response.content.decode()
    )
    assert not DraftFile.objects.exists() and stored_files(media) == []


def test_a_path_traversal_name_is_kept_as_a_display_name_only(world: World, media: Path) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    form = world.extra["form"]
    client.post(
        step_url(draft, "files"), {f"file_{form.pk}": upload(PDF, "../../etc/passwd.pdf"), "intent": "upload"}
    )
    row = DraftFile.objects.get()
    assert row.name == "passwd.pdf"
    assert row.file.name == f"drafts/{draft.pk}/{row.token}"
    assert [p.name for p in stored_files(media)] == [row.token]


def test_uploading_again_replaces_and_remove_deletes_the_file(
    world: World, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    form = world.extra["form"]
    client.post(step_url(draft, "files"), {f"file_{form.pk}": upload(), "intent": "upload"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(step_url(draft, "files"), {f"file_{form.pk}": upload(name="v2.pdf"), "intent": "upload"})
    row = DraftFile.objects.get()
    assert row.name == "v2.pdf" and len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:draft_file_delete", args=[draft.pk, row.token]))
    assert response.status_code == 302
    assert not DraftFile.objects.exists() and stored_files(media) == []


# --- submit and receipt --------------------------------------------------------------------------


def test_submit_creates_the_dossier_with_its_files_and_the_receipt_shows_the_pin_once(
    world: World, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    fill(world, client, draft)
    review = client.get(step_url(draft, "review")).content.decode()
    assert "to-khai.pdf" in review and "Nguyễn Văn An" in review
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:draft_submit", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:receipt", args=[draft.pk])
    dossier = Dossier.objects.get()
    assert dossier.declaration == {"full_name": "Nguyễn Văn An", "birth_date": "2026-02-01", "copies": 2}
    assert dossier.applicant == world.citizen and dossier.email == "an@example.vn"
    row = DossierFile.objects.get(dossier=dossier)
    assert row.requirement == world.extra["form"] and row.file.read() == PDF
    assert not DraftFile.objects.exists()
    assert [p.name for p in stored_files(media)] == [row.token]
    first = client.get(reverse("portal:receipt", args=[draft.pk])).content.decode()
    assert dossier.code in first and 'id="dossier-pin"' in first and "data-print" in first
    second = client.get(reverse("portal:receipt", args=[draft.pk])).content.decode()
    assert dossier.code in second and 'id="dossier-pin"' not in second
    assert "is not shown again" in second
    assert client.get(step_url(draft, "review")).status_code == 404
    assert draft.pk not in [d.pk for d in client.get(reverse("portal:drafts")).context["drafts"]]


def test_a_double_submit_creates_one_dossier(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    fill(world, client, draft)
    first = services.submit_draft(world.citizen, draft.pk)
    second = services.submit_draft(world.citizen, draft.pk)
    assert first.created and not second.created
    assert second.dossier.pk == first.dossier.pk and second.pin is None
    assert client.post(reverse("portal:draft_submit", args=[draft.pk])).status_code == 302
    assert Dossier.objects.count() == 1


def test_a_draft_with_an_invalid_declaration_is_not_submitted(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    fill(world, client, draft)
    Draft.objects.filter(pk=draft.pk).update(declaration={"full_name": "", "birth_date": "x"})
    review = client.get(step_url(draft, "review")).content.decode()
    assert "Complete the declaration" in review
    response = client.post(reverse("portal:draft_submit", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == step_url(draft, "review")
    assert not Dossier.objects.exists()
    assert DraftFile.objects.count() == 1


# --- another user's draft ------------------------------------------------------------------------


def test_another_users_draft_is_404_everywhere(world: World) -> None:
    owner = client_for(world.citizen)
    draft = start(world, owner)
    form = world.extra["form"]
    owner.post(step_url(draft, "files"), {f"file_{form.pk}": upload(), "intent": "upload"})
    token = DraftFile.objects.get().token
    thief = client_for(world.other_citizen)
    for step in ("applicant", "declaration", "files", "review"):
        assert thief.get(step_url(draft, step)).status_code == 404
        assert thief.post(step_url(draft, step), {**APPLICANT, "intent": "continue"}).status_code == 404
    assert thief.post(reverse("portal:draft_submit", args=[draft.pk])).status_code == 404
    assert thief.post(reverse("portal:draft_delete", args=[draft.pk])).status_code == 404
    assert thief.post(reverse("portal:draft_file_delete", args=[draft.pk, token])).status_code == 404
    assert thief.get(reverse("portal:receipt", args=[draft.pk])).status_code == 404
    assert draft.pk not in [d.pk for d in thief.get(reverse("portal:drafts")).context["drafts"]]
    assert Draft.objects.filter(pk=draft.pk).exists() and DraftFile.objects.count() == 1
    assert not Dossier.objects.exists()


def test_an_unknown_step_is_404(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    assert client.get(step_url(draft, "hack")).status_code == 404


# --- expiry --------------------------------------------------------------------------------------


def test_expired_drafts_are_deleted_with_their_files(
    world: World, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    form = world.extra["form"]
    client.post(step_url(draft, "files"), {f"file_{form.pk}": upload(), "intent": "upload"})
    keep = start(world, client, case=CASE)
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(step_url(draft, "applicant")).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        deleted = services.expire_drafts()
    assert deleted == 1
    assert list(Draft.objects.values_list("pk", flat=True)) == [keep.pk]
    assert stored_files(media) == []


def test_the_expiry_task_runs_the_service(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert expire_drafts_task.call() == 1
    assert not Draft.objects.exists()


# --- the schema → form mapping -------------------------------------------------------------------


def test_the_schema_maps_to_fields_with_labels_hints_and_limits() -> None:
    schema = {
        "type": "object",
        "properties": {
            "ten": {"type": "string", "title": "Họ tên", "description": "Như trên CCCD", "maxLength": 50},
            "ngay": {"type": "string", "format": "date", "title": "Ngày sinh"},
            "thu": {"type": "string", "format": "email", "title": "Thư điện tử"},
            "gioi": {"type": "string", "enum": ["Nam", "Nữ"], "title": "Giới tính"},
            "dang": {"type": "string", "enum": ["a", "b", "c", "d", "e"], "title": "Dạng"},
            "so": {"type": "number", "minimum": 0, "title": "Diện tích"},
            "dong_y": {"type": "boolean", "title": "Đồng ý"},
            "nganh": {"type": "array", "items": {"type": "string"}, "title": "Ngành nghề"},
        },
        "required": ["ten", "ngay", "gioi"],
    }
    form = declaration_form_class(schema)(
        {
            "ten": "An",
            "ngay": "2020-01-02",
            "thu": "",
            "gioi": "Nữ",
            "dang": "",
            "so": "12.5",
            "dong_y": "on",
            "nganh": "4711\n\n5610",
        }
    )
    html = str(form)
    assert "Họ tên" in html and "Như trên CCCD" in html and 'maxlength="50"' in html
    assert 'type="date"' in html and 'type="email"' in html and 'type="radio"' in html and "<select" in html
    assert form.is_valid(), form.errors
    assert form.to_declaration() == {
        "ten": "An",
        "ngay": "2020-01-02",
        "gioi": "Nữ",
        "so": 12.5,
        "dong_y": True,
        "nganh": ["4711", "5610"],
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_draft_create_one_dossier(world: World) -> None:
    client = client_for(world.citizen)
    draft = start(world, client)
    fill(world, client, draft)
    barrier = threading.Barrier(4)
    results: list[Any] = []
    errors: list[BaseException] = []

    def body() -> None:
        try:
            barrier.wait()
            results.append(services.submit_draft(world.citizen, draft.pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Dossier.objects.count() == 1
    assert sum(1 for r in results if r.created) == 1
    assert {r.dossier.pk for r in results} == {Dossier.objects.get().pk}
    assert DossierFile.objects.count() == 1
