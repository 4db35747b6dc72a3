"""The financial obligation from the dossier page: the amount is optional, the unpaid fees by default."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from egov.core.models import Event
from egov.dossiers.models import Dossier, Status
from tests.backoffice.dossier_fixtures import as_officer, fresh
from tests.dossiers.factories import World
from tests.payments.conftest import COUNTER_FEES, set_fees

pytestmark = pytest.mark.django_db
OBLIGATION = "dossier.financial_obligation_requested"
AMOUNT_ERROR = re.compile(r'id="id_request-financial-obligation_amount-error"[^>]*>([^<]+)<')


def url(d: Dossier) -> str:
    return reverse("office:dossier_action", args=[d.code, "request-financial-obligation"])


def counter_dossier_with_fees(world: World) -> Dossier:
    set_fees(world, "counter", COUNTER_FEES)
    return world.at_step(2, channel="counter")


def asked(d: Dossier) -> list[int]:
    events = Event.objects.filter(aggregate_id=d.code, kind=OBLIGATION).order_by("id")
    return [e.data["amount"] for e in events]


def test_the_form_says_an_empty_amount_asks_for_the_unpaid_fees(world: World) -> None:
    dossier = counter_dossier_with_fees(world)
    html = as_officer(world.specialist).get(reverse("office:dossier", args=[dossier.code])).content.decode()
    assert "Để trống để yêu cầu nộp các khoản phí, lệ phí của thủ tục chưa nộp." in html
    english = as_officer(world.specialist)
    english.cookies["egov_language"] = "en"
    page = english.get(reverse("office:dossier", args=[dossier.code])).content.decode()
    assert "Leave empty to ask for the procedure&#x27;s fees not paid yet." in page


def test_an_empty_amount_asks_for_the_fee_total(world: World) -> None:
    dossier = counter_dossier_with_fees(world)
    response = as_officer(world.specialist).post(url(dossier), {"content": "Nộp lệ phí", "amount": ""})
    assert response.status_code == 302
    assert fresh(dossier).status == Status.FINANCIAL
    assert asked(dossier) == [100000]


def test_an_explicit_amount_is_asked_as_given(world: World) -> None:
    dossier = counter_dossier_with_fees(world)
    as_officer(world.specialist).post(url(dossier), {"content": "Thuế trước bạ", "amount": "250000"})
    assert fresh(dossier).status == Status.FINANCIAL
    assert asked(dossier) == [250000]


def test_without_fees_an_empty_amount_is_refused_in_both_languages(world: World) -> None:
    dossier = world.at_step(2, channel="counter")
    client = as_officer(world.specialist)
    response = client.post(url(dossier), {"content": "Nộp lệ phí", "amount": ""}, follow=True)
    assert "Số tiền nghĩa vụ tài chính phải là số nguyên dương (đồng)." in response.content.decode()
    client.cookies["egov_language"] = "en"
    response = client.post(url(dossier), {"content": "Nộp lệ phí", "amount": ""}, follow=True)
    assert "The financial obligation must be a positive whole number of VND." in response.content.decode()
    assert fresh(dossier).status == Status.PROCESSING and asked(dossier) == []


@pytest.mark.parametrize(
    "amount",
    ["-5", "0", "abc", "12.5", "99999999999999999999", "1; DROP TABLE dossiers_dossier; --", "1' OR '1'='1"],
)
def test_an_invalid_amount_is_refused_and_changes_nothing(world: World, amount: str) -> None:
    dossier = counter_dossier_with_fees(world)
    client = as_officer(world.specialist)
    vi = client.post(url(dossier), {"content": "Nộp lệ phí", "amount": amount})
    client.cookies["egov_language"] = "en"
    en = client.post(url(dossier), {"content": "Nộp lệ phí", "amount": amount})
    assert vi.status_code == en.status_code == 400
    vi_error = AMOUNT_ERROR.search(vi.content.decode())
    en_error = AMOUNT_ERROR.search(en.content.decode())
    assert vi_error and en_error and vi_error.group(1).strip() != en_error.group(1).strip()
    assert fresh(dossier).status == Status.PROCESSING and asked(dossier) == []
