"""The dossier page: what it shows, every action through the page, rights, prints and hostile input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.backoffice.actions import available_actions
from egov.dossiers.models import Dossier, DossierNote, Status
from tests.backoffice.dossier_fixtures import as_officer, attach, fresh, pdf, png
from tests.dossiers.factories import World

pytestmark = pytest.mark.django_db


def page_url(d: Dossier) -> str:
    return reverse("office:dossier", args=[d.code])


def action_url(d: Dossier, action: str) -> str:
    return reverse("office:dossier_action", args=[d.code, action])


def print_url(d: Dossier, form: str) -> str:
    return reverse("office:dossier_print", args=[d.code, form])


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def names(user: Any, dossier: Dossier) -> list[str]:
    return [a.name for a in available_actions(user, fresh(dossier))]


# --- what the page shows ---------------------------------------------------------------------


def test_page_shows_applicant_declaration_and_attachment_previews(world: World) -> None:
    dossier = world.create().dossier
    attach(world.citizen, dossier, pdf("to-khai.pdf"))
    attach(world.citizen, dossier, png("anh-the.png"))
    response = as_officer(world.desk).get(page_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert "Nguyễn Văn An" in html
    assert "full_name" in html and "2026-02-01" in html
    assert 'class="egov-preview"' in html
    assert "?inline=1" in html and "<iframe" in html and 'title="' in html
    assert "<img" in html and "anh-the.png" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_declaration_uses_schema_titles(world: World) -> None:
    schema = dict(world.version.declaration_schema)
    schema["properties"] = dict(schema["properties"])
    schema["properties"]["full_name"] = {
        "type": "string",
        "minLength": 1,
        "title": "Họ và tên người được khai sinh",
    }
    world.version.declaration_schema = schema
    world.version.save()
    dossier = world.create().dossier
    html = as_officer(world.desk).get(page_url(dossier)).content.decode()
    assert "Họ và tên người được khai sinh" in html


def test_page_shows_slip_rows_supplements_and_timeline(world: World) -> None:
    dossier = world.at_step(2)
    html = as_officer(world.specialist).get(page_url(dossier)).content.decode()
    assert "Bước 1" in html and "Bước 2" in html
    assert world.department.name in html


def test_submitted_dossier_offers_the_desk_receive_supplement_and_refuse(world: World) -> None:
    dossier = world.create().dossier
    assert names(world.desk, dossier) == ["receive", "request-supplement", "refuse"]
    assert names(world.specialist, dossier) == []
    assert names(world.citizen, dossier) == []


def test_specialist_at_his_step_may_forward_and_send_back(world: World) -> None:
    dossier = world.at_step(2)
    allowed = names(world.specialist, dossier)
    assert "forward" in allowed and "return-to-previous" in allowed
    assert "receive" not in allowed and "finish" not in allowed
    assert names(world.specialist2, dossier) == []


def test_sensitive_actions_ask_for_confirmation(world: World) -> None:
    dossier = world.received(channel="counter")
    html = as_officer(world.desk).get(page_url(dossier)).content.decode()
    assert html.count("data-confirm=") == 3  # refuse, stop, withdraw


# --- rights --------------------------------------------------------------------------------


def test_officer_of_another_agency_gets_404_everywhere(world: World) -> None:
    dossier = world.received()
    client = as_officer(world.outsider)
    assert client.get(page_url(dossier)).status_code == 404
    assert client.post(action_url(dossier, "refuse"), {"reason": "x"}).status_code == 404
    assert client.post(action_url(dossier, "note"), {"text": "x"}).status_code == 404
    assert client.get(print_url(dossier, "01")).status_code == 404
    assert client.get(print_url(dossier, "slip")).status_code == 404
    assert fresh(dossier).status == Status.RECEIVED


def test_citizen_gets_403_even_on_own_dossier(world: World) -> None:
    dossier = world.received()
    client = as_officer(world.citizen)
    assert client.get(page_url(dossier)).status_code == 403
    assert client.post(action_url(dossier, "refuse"), {"reason": "x"}).status_code == 403
    assert client.get(print_url(dossier, "01")).status_code == 403
    assert fresh(dossier).status == Status.RECEIVED


def test_unknown_dossier_and_unknown_action_are_404(world: World) -> None:
    dossier = world.received()
    client = as_officer(world.desk)
    assert client.get(reverse("office:dossier", args=["000.00.13.H99-010101-0001"])).status_code == 404
    assert client.post(action_url(dossier, "delete-everything")).status_code == 404
    assert client.get(action_url(dossier, "refuse")).status_code == 405


def test_wrong_role_gets_the_service_error_and_nothing_changes(world: World) -> None:
    dossier = world.create().dossier
    response = as_officer(world.specialist).post(action_url(dossier, "receive"), follow=True)
    assert response.status_code == 200
    assert any("quyền" in m for m in messages_of(response))
    assert fresh(dossier).status == Status.SUBMITTED


def test_stale_action_is_refused_by_the_core(world: World) -> None:
    dossier = world.received()
    response = as_officer(world.desk).post(action_url(dossier, "receive"), follow=True)
    assert any("Không thể" in m for m in messages_of(response))
    assert fresh(dossier).status == Status.RECEIVED


# --- every action through the page ---------------------------------------------------------


def test_desk_receives_and_prints_form_01(world: World) -> None:
    dossier = world.create().dossier
    client = as_officer(world.desk)
    response = client.post(action_url(dossier, "receive"))
    assert response.status_code == 302 and response["Location"] == page_url(dossier) + "#prints"
    dossier = fresh(dossier)
    assert dossier.status == Status.RECEIVED
    page = client.get(page_url(dossier))
    assert "Đã tiếp nhận hồ sơ" in page.content.decode()
    printed = client.get(print_url(dossier, "01"))
    html = printed.content.decode()
    assert printed.status_code == 200
    assert dossier.code in html
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in html
    assert "data-print" in html


def test_desk_requests_a_supplement_and_prints_form_02(world: World) -> None:
    dossier = world.received()
    client = as_officer(world.desk)
    client.post(action_url(dossier, "request-supplement"), {"content": "Bản sao giấy chứng sinh"})
    assert fresh(dossier).status == Status.SUPPLEMENT
    html = client.get(print_url(dossier, "02")).content.decode()
    assert "Bản sao giấy chứng sinh" in html and dossier.code in html
    client.post(action_url(dossier, "receive-supplement"), {"note": ""})
    assert fresh(dossier).status == Status.RECEIVED


def test_desk_refuses_and_prints_form_03_with_the_reason(world: World) -> None:
    dossier = world.create().dossier
    client = as_officer(world.desk)
    response = client.post(action_url(dossier, "refuse"), {"reason": "Không thuộc thẩm quyền"})
    assert response.status_code == 302
    assert fresh(dossier).status == Status.REFUSED
    html = client.get(print_url(dossier, "03")).content.decode()
    assert "Không thuộc thẩm quyền" in html


def test_head_assigns_the_step_to_an_eligible_specialist(world: World) -> None:
    dossier = world.at_step(2)
    client = as_officer(world.head)
    client.post(action_url(dossier, "assign"), {"assignee": world.specialist2.pk})
    assert fresh(dossier).current_assignee_id == world.specialist2.pk


def test_assigning_an_ineligible_officer_is_a_form_error(world: World) -> None:
    dossier = world.at_step(2)
    response = as_officer(world.head).post(action_url(dossier, "assign"), {"assignee": world.outsider.pk})
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()
    assert fresh(dossier).current_assignee_id == world.specialist.pk


def test_specialist_forwards_and_sends_back(world: World) -> None:
    dossier = world.at_step(2)
    client = as_officer(world.specialist)
    client.post(action_url(dossier, "forward"), {"assignee": world.head.pk, "note": "Đủ điều kiện"})
    dossier = fresh(dossier)
    assert dossier.current_step.position == 3 and dossier.current_assignee_id == world.head.pk
    as_officer(world.head).post(action_url(dossier, "return-to-previous"), {"reason": "Kiểm tra lại"})
    assert fresh(dossier).current_step.position == 2


def test_financial_obligation_round_trip_and_invalid_amount(world: World) -> None:
    dossier = world.at_step(2)
    client = as_officer(world.specialist)
    bad = client.post(
        action_url(dossier, "request-financial-obligation"), {"content": "Lệ phí", "amount": "abc"}
    )
    assert bad.status_code == 400 and fresh(dossier).status == Status.PROCESSING
    client.post(action_url(dossier, "request-financial-obligation"), {"content": "Lệ phí", "amount": "50000"})
    assert fresh(dossier).status == Status.FINANCIAL
    client.post(action_url(dossier, "confirm-financial-obligation"), {"note": "Đã nộp"})
    assert fresh(dossier).status == Status.PROCESSING


def test_stop_prints_form_05(world: World) -> None:
    dossier = world.received()
    client = as_officer(world.desk)
    client.post(action_url(dossier, "stop"), {"reason": "Quá hạn bổ sung"})
    assert fresh(dossier).status == Status.STOPPED
    html = client.get(print_url(dossier, "05")).content.decode()
    assert "Quá hạn bổ sung" in html


def test_desk_withdraws_a_counter_dossier(world: World) -> None:
    dossier = world.received(channel="counter")
    as_officer(world.desk).post(action_url(dossier, "withdraw"), {"reason": "Người nộp đề nghị rút"})
    assert fresh(dossier).status == Status.WITHDRAWN


def test_finish_and_return_the_result(world: World) -> None:
    dossier = world.at_step(4)
    as_officer(world.leader).post(action_url(dossier, "finish"), {"note": ""})
    assert fresh(dossier).status == Status.FINISHED
    as_officer(world.desk).post(action_url(dossier, "return-result"), {"note": "Trả tại quầy"})
    assert fresh(dossier).status == Status.RETURNED


def test_apology_with_new_appointment_prints_form_04(world: World, clock: Any) -> None:
    dossier = world.received()
    client = as_officer(world.desk)
    assert "apologise" not in names(world.desk, dossier)
    clock.now = fresh(dossier).due_at - timedelta(hours=2)
    assert "apologise" in names(world.desk, dossier)
    new_due = timezone.localtime(fresh(dossier).due_at + timedelta(days=3))
    invalid = client.post(
        action_url(dossier, "apologise"), {"reason": "Chờ xác minh", "new_due_at": "32/13/2026"}
    )
    assert invalid.status_code == 400 and fresh(dossier).apology_due_at is None
    past = client.post(
        action_url(dossier, "apologise"),
        {"reason": "Chờ xác minh", "new_due_at": "2020-01-01T08:00"},
        follow=True,
    )
    assert messages_of(past) and fresh(dossier).apology_due_at is None
    client.post(
        action_url(dossier, "apologise"),
        {"reason": "Chờ xác minh", "new_due_at": new_due.strftime("%Y-%m-%dT%H:%M")},
    )
    assert fresh(dossier).apology_due_at is not None
    html = client.get(print_url(dossier, "04")).content.decode()
    assert "Chờ xác minh" in html and new_due.strftime("%d/%m/%Y") in html


# --- notes and hostile input ---------------------------------------------------------------


def test_notes_are_stored_verbatim(world: World) -> None:
    dossier = world.received()
    text = "'; DROP TABLE dossiers_dossier; -- <script>alert(1)</script>"
    response = as_officer(world.desk).post(action_url(dossier, "note"), {"text": text}, follow=True)
    assert DossierNote.objects.get(dossier=dossier).text == text
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_huge_reason_is_a_clear_error_and_nothing_changes(world: World) -> None:
    dossier = world.received()
    response = as_officer(world.desk).post(action_url(dossier, "refuse"), {"reason": "x" * 5000})
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()
    assert fresh(dossier).status == Status.RECEIVED
    huge_note = as_officer(world.desk).post(action_url(dossier, "note"), {"text": "y" * 5000})
    assert huge_note.status_code == 400 and not DossierNote.objects.exists()


def test_blank_reason_is_required(world: World) -> None:
    dossier = world.received()
    response = as_officer(world.desk).post(action_url(dossier, "stop"), {"reason": "   "})
    assert response.status_code == 400
    assert fresh(dossier).status == Status.RECEIVED


def test_sql_meta_characters_in_reason_are_kept(world: World) -> None:
    dossier = world.received()
    reason = "Robert'); DELETE FROM dossiers_dossier WHERE 1=1; --"
    client = as_officer(world.desk)
    client.post(action_url(dossier, "refuse"), {"reason": reason})
    assert Dossier.objects.filter(pk=dossier.pk, status=Status.REFUSED).exists()
    assert (
        "Robert&#x27;); DELETE FROM dossiers_dossier WHERE 1=1; --"
        in client.get(print_url(dossier, "03")).content.decode()
    )


# --- prints ----------------------------------------------------------------------------------


def test_print_forms_exist_only_when_they_apply(world: World) -> None:
    dossier = world.create().dossier
    client = as_officer(world.desk)
    assert client.get(print_url(dossier, "01")).status_code == 404
    assert client.get(print_url(dossier, "03")).status_code == 404
    assert client.get(print_url(dossier, "99")).status_code == 404
    assert client.get(print_url(dossier, "slip")).status_code == 200


def test_process_control_slip_lists_every_hand_over(world: World) -> None:
    dossier = world.at_step(3)
    html = as_officer(world.head).get(print_url(dossier, "slip")).content.decode()
    for name in ("Bước 1", "Bước 2", "Bước 3"):
        assert name in html
    assert world.specialist.display_name() in html
    assert "data-print" in html


# --- sign-in, language ---------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(world: World) -> None:
    dossier = world.received()
    response = Client().get(page_url(dossier))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post(action_url(dossier, "refuse"), {"reason": "x"}).status_code == 302
    assert fresh(dossier).status == Status.RECEIVED


def test_officer_without_second_factor_acts_on_nothing(world: World) -> None:
    dossier = world.create().dossier
    client = Client()
    client.force_login(world.desk)
    response = client.post(action_url(dossier, "receive"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert fresh(dossier).status == Status.SUBMITTED


def test_page_in_english_shows_english_action_labels(world: World) -> None:
    dossier = world.create().dossier
    client = as_officer(world.desk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(page_url(dossier)).content.decode()
    assert "Receive (print the receipt and appointment)" in html
    response = client.post(action_url(dossier, "receive"), follow=True)
    assert "The dossier was received" in response.content.decode()


def test_only_handlers_get_the_note_form_and_others_get_the_core_error(world: World) -> None:
    dossier = world.at_step(3)
    assert 'id="id_note_text"' in as_officer(world.head).get(page_url(dossier)).content.decode()
    former = as_officer(world.specialist)
    assert 'id="id_note_text"' not in former.get(page_url(dossier)).content.decode()
    response = former.post(action_url(dossier, "note"), {"text": "Ghi chú"}, follow=True)
    assert any("quyền" in m for m in messages_of(response))
    assert not DossierNote.objects.exists()
