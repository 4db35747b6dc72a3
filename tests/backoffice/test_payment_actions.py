"""The desk records fee exemptions and refunds payments from the dossier page (sandbox over loopback)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.payments import fees
from egov.payments.models import FeeExemption, Payment, Refund, SandboxRefund
from tests.backoffice.dossier_fixtures import as_officer
from tests.dossiers.factories import World
from tests.payments.conftest import fee_world, site, world  # noqa: F401  (live node + sandbox)
from tests.payments.test_refunds import paid

TOKEN = re.compile(r'name="token" value="([0-9a-f]{32})"')


@pytest.fixture
def office_world(fee_world: World, settings: Any) -> World:  # noqa: F811
    """The fee world on the live node (the payment platform); the officer's browser is the test client."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return fee_world


def page(d: Dossier) -> str:
    return reverse("office:dossier", args=[d.code])


def exemption_url(d: Dossier) -> str:
    return reverse("office:payment_exemption", args=[d.code])


def refund_url(p: Payment) -> str:
    return reverse("office:payment_refund", args=[p.dossier.code, p.pk])


def in_english(user: Any) -> Client:
    client = as_officer(user)
    client.cookies["egov_language"] = "en"
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def token_from(client: Client, d: Dossier) -> str:
    found = TOKEN.search(client.get(page(d)).content.decode())
    assert found is not None
    return found.group(1)


def refund_form(client: Client, p: Payment, amount: str, reason: str = "Nộp thừa") -> dict[str, str]:
    return {"token": token_from(client, p.dossier), "amount": amount, "reason": reason}


def refunded(p: Payment) -> int:
    return Payment.objects.get(pk=p.pk).refunded_amount


# --- exemption ---------------------------------------------------------------------------------


def test_the_desk_records_and_clears_the_exemption_offered_by_the_fees(office_world: World) -> None:
    dossier = office_world.create().dossier
    client = as_officer(office_world.desk)
    html = client.get(page(dossier)).content.decode()
    assert 'value="ho-ngheo"' in html and "Người có công với cách mạng" in html
    response = client.post(exemption_url(dossier), {"exemption": "ho-ngheo"})
    assert response.status_code == 302 and response["Location"].endswith("#payments")
    assert messages_of(response) == ["Đã ghi nhận đối tượng miễn phí, lệ phí: Hộ nghèo."]
    assert FeeExemption.objects.get(dossier=dossier).recorded_by == office_world.desk
    assert fees.total_due(dossier) == 8000
    timeline = client.get(page(dossier)).content.decode()
    assert "Ghi nhận đối tượng miễn phí, lệ phí" in timeline
    cleared = client.post(exemption_url(dossier), {"exemption": ""})
    assert messages_of(cleared) == ["Đã bỏ đối tượng miễn phí, lệ phí."]
    assert not FeeExemption.objects.filter(dossier=dossier).exists() and fees.total_due(dossier) == 58000


@pytest.mark.parametrize("code", ["khong-co", "ho-ngheo' OR '1'='1", "x" * 500, "<script>alert(1)</script>"])
def test_an_exemption_the_fees_do_not_offer_is_refused_in_both_languages(
    office_world: World, code: str
) -> None:
    dossier = office_world.create().dossier
    client = as_officer(office_world.desk)
    response = client.post(exemption_url(dossier), {"exemption": code})
    assert messages_of(response) == ["Đối tượng miễn phí, lệ phí không có trong danh mục của thủ tục này."]
    response = in_english(office_world.desk).post(exemption_url(dossier), {"exemption": code})
    assert messages_of(response) == ["This exemption is not offered by the procedure's fees."]
    assert not FeeExemption.objects.exists()


def test_only_the_desk_of_the_agency_records_an_exemption(office_world: World) -> None:
    dossier = office_world.create().dossier
    assert (
        as_officer(office_world.outsider).post(exemption_url(dossier), {"exemption": "ho-ngheo"}).status_code
        == 404
    )
    citizen = Client()
    citizen.force_login(office_world.citizen)
    assert citizen.post(exemption_url(dossier), {"exemption": "ho-ngheo"}).status_code == 403
    assert as_officer(office_world.desk).get(exemption_url(dossier)).status_code == 405
    assert not FeeExemption.objects.exists()


def test_the_exemption_is_locked_once_the_fees_are_paid(office_world: World) -> None:
    payment = paid(office_world)
    response = as_officer(office_world.desk).post(exemption_url(payment.dossier), {"exemption": "ho-ngheo"})
    assert messages_of(response) == [
        "Không thể thay đổi đối tượng miễn phí khi có khoản thanh toán đang chờ hoặc đã thanh toán."
    ]
    assert not FeeExemption.objects.exists()
    page = as_officer(office_world.desk).get(f"/office/dossiers/{payment.dossier.code}/")
    assert exemption_url(payment.dossier) not in page.content.decode()  # the form is not offered


def test_the_desk_is_offered_the_exemption_form_before_any_payment(office_world: World) -> None:
    dossier = office_world.create().dossier
    page = as_officer(office_world.desk).get(f"/office/dossiers/{dossier.code}/")
    assert exemption_url(dossier) in page.content.decode()


def test_the_exemption_form_is_not_offered_once_the_dossier_has_ended(office_world: World) -> None:
    """The page asks the rule the service enforces: an ended dossier's exemption cannot change."""
    dossier = services.refuse_dossier(office_world.desk, office_world.create().dossier, reason="Thiếu hồ sơ")
    desk = as_officer(office_world.desk)
    assert exemption_url(dossier) not in desk.get(f"/office/dossiers/{dossier.code}/").content.decode()
    response = desk.post(exemption_url(dossier), {"exemption": "ho-ngheo"})
    assert messages_of(response) == [
        "Không thể thay đổi đối tượng miễn phí khi có khoản thanh toán đang chờ hoặc đã thanh toán."
    ]
    assert not FeeExemption.objects.exists()


# --- refund ------------------------------------------------------------------------------------


def test_a_partial_then_the_full_refund_go_through_the_sandbox(office_world: World) -> None:
    payment = paid(office_world)
    client = as_officer(office_world.desk)
    response = client.post(refund_url(payment), refund_form(client, payment, "20.000", "Trả lại phí bản sao"))
    assert response.status_code == 302 and response["Location"].endswith("#payments")
    assert messages_of(response) == [f"Đã hoàn tiền khoản {payment.order_id}; tổng số đã hoàn 20.000 đ."]
    row = Refund.objects.get()
    assert row.status == Refund.Status.DONE and row.amount == 20000 and row.reason == "Trả lại phí bản sao"
    assert SandboxRefund.objects.get().amount == 20000
    html = client.get(page(payment.dossier)).content.decode()
    assert 'value="38000"' in html and "Hoàn tiền" in html
    client.post(refund_url(payment), refund_form(client, payment, ""))
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.REFUNDED
    assert refunded(payment) == 58000 and SandboxRefund.objects.count() == 2
    assert TOKEN.search(client.get(page(payment.dossier)).content.decode()) is None


def test_a_double_submit_refunds_once(office_world: World) -> None:
    payment = paid(office_world)
    client = as_officer(office_world.desk)
    form = refund_form(client, payment, "10000")
    client.post(refund_url(payment), form)
    client.post(refund_url(payment), form)
    assert refunded(payment) == 10000
    assert Refund.objects.count() == 1 and SandboxRefund.objects.count() == 1


def test_an_over_refund_is_refused_in_both_languages(office_world: World) -> None:
    payment = paid(office_world)
    client = as_officer(office_world.desk)
    response = client.post(refund_url(payment), refund_form(client, payment, "58001"))
    assert messages_of(response) == [
        "Không thể hoàn tiền: số tiền hoàn vượt quá số đã thanh toán hoặc khoản thanh toán chưa hoàn tất."
    ]
    english = in_english(office_world.desk)
    response = english.post(refund_url(payment), refund_form(english, payment, "58001"))
    assert messages_of(response) == [
        "Refund refused: it exceeds the amount paid or the payment is not settled."
    ]
    assert refunded(payment) == 0 and not Refund.objects.exists() and not SandboxRefund.objects.exists()


@pytest.mark.parametrize(
    "amount",
    ["-5", "0", "abc", "12,5", "9" * 30, "1; DROP TABLE payments_payment; --", "1' OR '1'='1", "1e3"],
)
def test_an_invalid_refund_amount_changes_nothing(office_world: World, amount: str) -> None:
    payment = paid(office_world)
    client = as_officer(office_world.desk)
    response = client.post(refund_url(payment), refund_form(client, payment, amount))
    [message] = messages_of(response)
    assert message.startswith("Số tiền hoàn phải là số nguyên dương") or message.startswith(
        "Không thể hoàn tiền"
    )
    assert refunded(payment) == 0 and not Refund.objects.exists() and not SandboxRefund.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"reason": "  "}, "Give the reason for the refund."),
        ({"token": ""}, "The refund form has expired; reload the page and try again."),
        (
            {"token": "'; DELETE FROM payments_refund; --"},
            "The refund form has expired; reload the page and try again.",
        ),
    ],
)
def test_a_refund_needs_a_reason_and_the_form_token(
    office_world: World, change: dict[str, str], message: str
) -> None:
    payment = paid(office_world)
    client = in_english(office_world.desk)
    response = client.post(refund_url(payment), {**refund_form(client, payment, "1000"), **change})
    assert messages_of(response) == [message]
    assert not Refund.objects.exists() and not SandboxRefund.objects.exists()


def test_only_officers_of_the_agency_refund(office_world: World) -> None:
    payment = paid(office_world)
    form = refund_form(as_officer(office_world.desk), payment, "1000")
    assert as_officer(office_world.outsider).post(refund_url(payment), form).status_code == 404
    citizen = Client()
    citizen.force_login(office_world.citizen)
    assert citizen.post(refund_url(payment), form).status_code == 403
    assert as_officer(office_world.desk).get(refund_url(payment)).status_code == 405
    other = office_world.create().dossier
    wrong = reverse("office:payment_refund", args=[other.code, payment.pk])
    assert as_officer(office_world.desk).post(wrong, form).status_code == 404
    assert refunded(payment) == 0 and not Refund.objects.exists() and not SandboxRefund.objects.exists()


def test_the_forms_need_the_csrf_token(office_world: World) -> None:
    payment = paid(office_world)
    client = as_officer(office_world.desk)
    form = refund_form(client, payment, "1000")
    guarded = Client(enforce_csrf_checks=True)
    guarded.cookies = client.cookies
    assert guarded.post(refund_url(payment), form).status_code == 403
    assert guarded.post(exemption_url(payment.dossier), {"exemption": "ho-ngheo"}).status_code == 403
    assert not Refund.objects.exists() and not FeeExemption.objects.exists()
