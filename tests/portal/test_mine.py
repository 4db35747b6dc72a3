"""My dossiers: what a signed-in applicant sees and may do, and what nobody else can reach."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from egov.core.models import Event, OutboxMessage
from egov.dossiers import services
from egov.dossiers.models import DossierFile, Status
from egov.feedback.criteria import CURRENT
from egov.feedback.models import Rating
from egov.feedback.services import RatingNotAllowedYet
from egov.portal.services_mine import SUPPLEMENT_SUBMITTED, SUPPLEMENT_TOPIC
from egov.portal.views import mine
from tests.dossiers.factories import World
from tests.portal import mine_fixtures
from tests.portal.mine_fixtures import (
    PDF,
    SUPPLEMENT_CONTENT,
    add_file,
    client_for,
    finished,
    returned,
    with_supplement,
)

# Fixtures shared with the other "My dossiers" tests (kept out of the portal conftest).
world = mine_fixtures.world
citizen_client = mine_fixtures.citizen_client

pytestmark = pytest.mark.django_db


def all_scores(value: int = 3) -> dict[str, Any]:
    return {**{code: str(value) for code in CURRENT.codes}, "overall": str(value), "comment": "Tốt"}


def has_files_service() -> bool:
    try:
        from egov.dossiers.services.files import attach_file  # noqa: F401
    except ImportError:
        return False
    return True


needs_files = pytest.mark.skipif(
    not has_files_service(), reason="egov.dossiers.services.files not written yet"
)


# --- the list -------------------------------------------------------------------------------------


def test_list_shows_only_my_dossiers_with_status_procedure_and_appointment(
    world: World, citizen_client: Client
) -> None:
    mine_received = world.received()
    other = world.create(actor=world.other_citizen).dossier
    response = citizen_client.get(reverse("portal:my_dossiers"))
    body = response.content.decode()
    assert response.status_code == 200
    assert mine_received.code in body
    assert other.code not in body
    assert world.procedure.name in body
    assert 'class="usa-tag"' in body
    assert "Received" in body
    assert mine_received.due_at is not None
    assert mine_received.due_at.strftime("%Y-%m-%d") in body  # <time datetime=...>


def test_list_pages_by_keyset(world: World, citizen_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mine, "PAGE_SIZE", 2)
    codes = [world.create().dossier.code for _ in range(3)]
    first = citizen_client.get(reverse("portal:my_dossiers"))
    assert first.context["next_cursor"]
    assert [r["dossier"].code for r in first.context["rows"]] == codes[:0:-1]
    second = citizen_client.get(reverse("portal:my_dossiers"), {"cursor": first.context["next_cursor"]})
    assert [r["dossier"].code for r in second.context["rows"]] == [codes[0]]
    assert second.context["next_cursor"] is None
    assert "Newest dossiers" in second.content.decode()


def test_a_forged_cursor_is_not_found(world: World, citizen_client: Client) -> None:
    assert citizen_client.get(reverse("portal:my_dossiers"), {"cursor": "garbage"}).status_code == 404


def test_pages_need_sign_in(world: World) -> None:
    dossier = world.create().dossier
    for url in (reverse("portal:my_dossiers"), reverse("portal:my_dossier", args=[dossier.code])):
        response = Client().get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


# --- nobody else's dossier --------------------------------------------------------------------------

PAGES = [
    ("get", "portal:my_dossier"),
    ("get", "portal:my_receipt"),
    ("get", "portal:my_rating"),
    ("post", "portal:my_rating"),
    ("post", "portal:my_supplement"),
    ("post", "portal:my_withdraw"),
]


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_another_citizens_code_is_not_found(world: World, method: str, name: str) -> None:
    dossier = with_supplement(world)
    client = client_for(world.other_citizen)
    response = getattr(client, method)(reverse(name, args=[dossier.code]), {"reason": "x"})
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_an_officer_who_may_read_the_dossier_still_gets_not_found_here(
    world: World, method: str, name: str
) -> None:
    dossier = with_supplement(world)
    client = client_for(world.desk)
    response = getattr(client, method)(reverse(name, args=[dossier.code]), {"reason": "x"})
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT


def test_an_unknown_code_is_not_found(world: World, citizen_client: Client) -> None:
    assert (
        citizen_client.get(reverse("portal:my_dossier", args=["000.00.13.H99-000000-0001"])).status_code
        == 404
    )


# --- the detail page --------------------------------------------------------------------------------


def test_detail_shows_a_timeline_in_plain_words(world: World, citizen_client: Client) -> None:
    dossier = world.at_step(2)
    services.forward_dossier(world.specialist, dossier, assignee=world.head, note="ghi chú nội bộ")
    body = citizen_client.get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert "Dossier submitted" in body
    assert "Dossier received by the one-stop desk" in body
    assert "Passed to the next processing step" in body
    assert "ghi chú nội bộ" not in body  # hand-over notes stay internal
    assert world.procedure.name in body
    assert reverse("portal:my_receipt", args=[dossier.code]) in body


def test_detail_shows_the_open_supplement_request_with_an_upload_form(
    world: World, citizen_client: Client
) -> None:
    dossier = with_supplement(world)
    body = citizen_client.get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert SUPPLEMENT_CONTENT in body
    assert 'enctype="multipart/form-data"' in body
    assert reverse("portal:my_supplement", args=[dossier.code]) in body
    assert 'type="file"' in body
    assert "Send the missing documents" in body


def test_detail_links_results_and_files_through_the_checked_file_url(
    world: World, citizen_client: Client
) -> None:
    dossier = returned(world)
    result = add_file(dossier, DossierFile.Kind.RESULT, name="giay-khai-sinh.pdf")
    component = add_file(dossier, DossierFile.Kind.COMPONENT, name="to-khai.pdf")
    body = citizen_client.get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert reverse("dossier_file", args=[result.token]) in body
    assert reverse("dossier_file", args=[component.token]) in body
    assert "/media/" not in body
    assert reverse("portal:my_rating", args=[dossier.code]) in body


# --- receipt ----------------------------------------------------------------------------------------


def test_receipt_is_form_01_without_the_pin(world: World, citizen_client: Client) -> None:
    created = world.create(applicant={"name": "Trần Thị Bình", "phone": "0987654321"})
    dossier = services.receive_dossier(world.desk, created.dossier)
    add_file(dossier, DossierFile.Kind.COMPONENT, name="to-khai.pdf")
    response = citizen_client.get(reverse("portal:my_receipt", args=[dossier.code]))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (dossier.code, "Trần Thị Bình", world.procedure.name, world.department.name, "to-khai.pdf"):
        assert text in body
    assert dossier.due_at is not None and dossier.due_at.strftime("%Y-%m-%d") in body
    assert "data-print" in body
    assert created.pin and created.pin not in body
    assert "PIN" not in body


# --- supplement -------------------------------------------------------------------------------------


@needs_files
def test_sending_the_missing_documents_attaches_them_and_tells_the_desk(
    world: World, citizen_client: Client
) -> None:
    dossier = with_supplement(world)
    upload = SimpleUploadedFile("giay-chung-sinh.pdf", PDF, content_type="application/pdf")
    url = reverse("portal:my_supplement", args=[dossier.code])
    response = citizen_client.post(url, {"file_other": upload, "note": "Đã bổ sung"})
    assert response.status_code == 302
    files = DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.SUPPLEMENT)
    assert [f.name for f in files] == ["giay-chung-sinh.pdf"]
    assert files[0].supplement is not None
    assert Event.objects.filter(aggregate_id=dossier.code, kind=SUPPLEMENT_SUBMITTED).count() == 1
    assert OutboxMessage.objects.filter(topic=SUPPLEMENT_TOPIC, payload__code=dossier.code).count() == 1
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT  # the desk confirms receipt in the back office
    body = citizen_client.get(response["Location"]).content.decode()
    assert "You sent the missing documents" in body


def test_sending_no_file_is_an_inline_error(world: World, citizen_client: Client) -> None:
    dossier = with_supplement(world)
    response = citizen_client.post(reverse("portal:my_supplement", args=[dossier.code]), {"note": "x"})
    assert response.status_code == 400
    assert "Choose at least one file to send." in response.content.decode()
    assert not Event.objects.filter(aggregate_id=dossier.code, kind=SUPPLEMENT_SUBMITTED).exists()


def test_sending_a_supplement_nobody_asked_for_is_refused_clearly(
    world: World, citizen_client: Client
) -> None:
    dossier = world.received()
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = citizen_client.post(
        reverse("portal:my_supplement", args=[dossier.code]), {"file_other": upload}, follow=True
    )
    assert "The dossier has no open supplement request." in response.content.decode()
    assert not DossierFile.objects.filter(dossier=dossier).exists()


# --- withdrawal -------------------------------------------------------------------------------------


def test_withdrawing_an_active_dossier(world: World, citizen_client: Client) -> None:
    dossier = world.received()
    url = reverse("portal:my_withdraw", args=[dossier.code])
    response = citizen_client.post(url, {"reason": "Tôi nộp nhầm thủ tục"}, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    body = response.content.decode()
    assert "The dossier was withdrawn." in body
    assert "Dossier withdrawn" in body
    assert "Tôi nộp nhầm thủ tục" in body
    assert url not in body  # no second withdrawal offered


def test_the_withdraw_form_asks_for_confirmation(world: World, citizen_client: Client) -> None:
    dossier = world.received()
    body = citizen_client.get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert "data-confirm=" in body
    assert reverse("portal:my_withdraw", args=[dossier.code]) in body


def test_withdrawing_needs_a_reason(world: World, citizen_client: Client) -> None:
    dossier = world.received()
    response = citizen_client.post(reverse("portal:my_withdraw", args=[dossier.code]), {"reason": "  "})
    assert response.status_code == 400
    assert "Please give the reason for withdrawing." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


def test_withdrawing_a_finished_dossier_is_refused_with_a_clear_error(
    world: World, citizen_client: Client
) -> None:
    dossier = finished(world)
    page = citizen_client.get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert reverse("portal:my_withdraw", args=[dossier.code]) not in page
    response = citizen_client.post(
        reverse("portal:my_withdraw", args=[dossier.code]), {"reason": "muộn rồi"}, follow=True
    )
    assert "Cannot withdraw while the dossier is &#x27;finished&#x27;." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.FINISHED


# --- rating -----------------------------------------------------------------------------------------


def test_the_rating_form_has_a_fieldset_with_a_legend_per_question(
    world: World, citizen_client: Client
) -> None:
    dossier = returned(world)
    body = citizen_client.get(reverse("portal:my_rating", args=[dossier.code])).content.decode()
    assert body.count("<fieldset") == 13  # 12 criteria + overall
    assert body.count("<legend") == 13
    assert body.count('type="radio"') == 39
    for criterion in CURRENT.criteria:
        assert criterion.en in body


def test_rating_before_the_result_is_a_clear_error(world: World, citizen_client: Client) -> None:
    dossier = finished(world)
    url = reverse("portal:my_rating", args=[dossier.code])
    page = citizen_client.get(url).content.decode()
    assert RatingNotAllowedYet.en in page  # the service's own refusal, not a copy of it
    assert "<fieldset" not in page
    response = citizen_client.post(url, all_scores())
    assert response.status_code == 409
    assert RatingNotAllowedYet.en in response.content.decode()
    assert not Rating.objects.exists()


def test_rating_a_returned_dossier(world: World, citizen_client: Client) -> None:
    dossier = returned(world)
    response = citizen_client.post(
        reverse("portal:my_rating", args=[dossier.code]), all_scores(2), follow=True
    )
    rating = Rating.objects.get(dossier=dossier)
    assert rating.overall == 2
    assert rating.scores == dict.fromkeys(CURRENT.codes, 2)
    assert rating.survey == CURRENT.version
    assert rating.rated_by == world.citizen
    assert "Thank you for your rating." in response.content.decode()
    assert Event.objects.filter(aggregate_id=dossier.code, kind="dossier.rated").count() == 1


def test_rating_twice_is_an_error(world: World, citizen_client: Client) -> None:
    dossier = returned(world)
    url = reverse("portal:my_rating", args=[dossier.code])
    citizen_client.post(url, all_scores(3))
    response = citizen_client.post(url, all_scores(1))
    assert response.status_code == 409
    assert "already been rated" in response.content.decode()
    assert Rating.objects.get(dossier=dossier).overall == 3
    assert "Your answers" in citizen_client.get(url).content.decode()


def test_missing_and_out_of_range_scores_are_inline_errors(world: World, citizen_client: Client) -> None:
    dossier = returned(world)
    data = all_scores()
    first, second = CURRENT.codes[0], CURRENT.codes[1]
    del data[first]
    data[second] = "7"
    response = citizen_client.post(reverse("portal:my_rating", args=[dossier.code]), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{first}-error" role="alert">Choose one answer.' in body
    assert f'id="id_{second}-error" role="alert">Choose one of the answers shown.' in body
    assert 'aria-invalid="true"' in body
    assert not Rating.objects.exists()


def test_a_too_long_comment_is_an_inline_error(world: World, citizen_client: Client) -> None:
    dossier = returned(world)
    data = {**all_scores(), "comment": "x" * 2001}
    response = citizen_client.post(reverse("portal:my_rating", args=[dossier.code]), data)
    assert response.status_code == 400
    assert 'id="id_comment-error" role="alert">' in response.content.decode()
    assert not Rating.objects.exists()


# --- CSRF -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:my_supplement", "portal:my_withdraw", "portal:my_rating"])
def test_every_post_needs_the_csrf_token(world: World, name: str) -> None:
    dossier = returned(world) if name == "portal:my_rating" else with_supplement(world)
    client = client_for(world.citizen, enforce_csrf_checks=True)
    response = client.post(reverse(name, args=[dossier.code]), {**all_scores(), "reason": "x"})
    assert response.status_code == 403
    assert not Rating.objects.exists()
    dossier.refresh_from_db()
    assert dossier.status in (Status.RETURNED, Status.SUPPLEMENT)


def test_every_form_carries_the_csrf_token(world: World, citizen_client: Client) -> None:
    dossier = with_supplement(world)
    body = citizen_client.get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert body.count('method="post"') == body.count('name="csrfmiddlewaretoken"')


# --- the supplement service ---------------------------------------------------------------------------


@needs_files
def test_a_file_that_is_not_what_its_name_says_is_an_inline_error(
    world: World, citizen_client: Client
) -> None:
    dossier = with_supplement(world)
    fake = SimpleUploadedFile("giay-to.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = citizen_client.post(reverse("portal:my_supplement", args=[dossier.code]), {"file_other": fake})
    assert response.status_code == 400
    assert (
        "Only PDF, PNG, JPEG, DOCX (Word), ODT (OpenDocument) files are accepted" in response.content.decode()
    )
    assert not DossierFile.objects.filter(dossier=dossier).exists()
    assert not Event.objects.filter(aggregate_id=dossier.code, kind=SUPPLEMENT_SUBMITTED).exists()


@needs_files
def test_a_file_can_answer_a_named_component(world: World, citizen_client: Client) -> None:
    from egov.catalog.models import DocumentRequirement

    requirement = DocumentRequirement.objects.create(
        version=world.version, code="GCS", name="Giấy chứng sinh", position=1
    )
    dossier = with_supplement(world)
    page = citizen_client.get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert f'for="id_file_{requirement.pk}"' in page
    upload = SimpleUploadedFile("gcs.pdf", PDF, content_type="application/pdf")
    citizen_client.post(
        reverse("portal:my_supplement", args=[dossier.code]), {f"file_{requirement.pk}": upload}
    )
    assert DossierFile.objects.get(dossier=dossier).requirement == requirement


@needs_files
def test_only_the_applicant_may_send_a_supplement(world: World) -> None:
    from egov.core.errors import PermissionDenied
    from egov.portal.services_mine import SupplementUpload, submit_supplement

    dossier = with_supplement(world)
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    with pytest.raises(PermissionDenied):
        submit_supplement(world.other_citizen, dossier, uploads=[SupplementUpload(upload)])
    assert not DossierFile.objects.filter(dossier=dossier).exists()


def test_officers_internal_notes_never_reach_the_timeline(world: World, citizen_client: Client) -> None:
    from egov.dossiers.services.files import add_note

    dossier = world.received()
    add_note(world.desk, dossier, text="Ghi chú nội bộ bí mật")
    body = citizen_client.get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert "dossier.note_added" not in body
    assert "Ghi chú nội bộ bí mật" not in body
