"""Fees from the procedure version and channel, exemptions, and when the fees are paid."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection

from egov.catalog import bundle
from egov.catalog.errors import BundleInvalid
from egov.core.errors import PermissionDenied
from egov.core.models import Event
from egov.dossiers import services as dossiers
from egov.dossiers.models import Dossier, OnlinePayment, Status
from egov.dossiers.services.processing import confirm_financial_obligation
from egov.payments import exemptions, fees, sandbox, selectors, services
from egov.payments.models import FeeExemption, Payment
from tests.dossiers.factories import World
from tests.payments.conftest import ONLINE_FEES, set_fees


def pay(world: World, dossier: Dossier, key: str = "k1") -> Payment:
    """Pay what is due through the sandbox, as the payer page would, with its HTTP callback."""
    payment = services.pay_due(world.citizen, dossier, idempotency_key=key)
    sandbox.pay_order(payment.order_id, "success")
    return Payment.objects.get(pk=payment.pk)


# --- fee lines --------------------------------------------------------------------------------------


def test_fee_lines_come_from_the_version_and_the_channel(fee_world: World) -> None:
    online = fee_world.create().dossier
    counter = fee_world.create(channel="counter").dossier
    assert [(line.code, line.amount, line.kind) for line in fees.fee_lines(online)] == [
        ("LP", 50000, "fee"),
        ("PBS", 8000, "charge"),
    ]
    assert fees.total_due(online) == 58000
    assert fees.total_due(counter) == 100000
    assert [e.code for e in fees.exemptions_offered(online)] == ["ho-ngheo", "nguoi-co-cong"]
    assert fees.exemptions_offered(counter) == []


def test_a_conditional_line_is_published_but_never_billed_by_itself(world: World) -> None:
    per_copy = {"code": "BS3", "name": "Phí cấp từ bản thứ 3", "kind": "charge", "amount": 5000}
    set_fees(world, "online", [*ONLINE_FEES, {**per_copy, "conditional": True}])
    dossier = world.create().dossier
    lines = fees.fee_lines(dossier)
    assert [(line.code, line.conditional, line.due) for line in lines][-1] == ("BS3", True, 0)
    assert fees.total_due(dossier) == 58000
    assert "BS3" not in [line["code"] for line in fees.amount_due(dossier).lines]  # type: ignore[union-attr]


def test_the_bundle_refuses_a_conditional_flag_that_is_not_a_boolean() -> None:
    from jsonschema import Draft202012Validator, ValidationError

    from egov.catalog.bundle_format import _FEE

    with pytest.raises(ValidationError):
        Draft202012Validator(_FEE).validate({"name": "x", "amount": 1, "conditional": "yes"})
    Draft202012Validator(_FEE).validate({"name": "x", "amount": 1, "conditional": True})


def test_an_exemption_waives_only_the_lines_that_offer_it(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    exemptions.claim_exemption(fee_world.citizen, dossier, "ho-ngheo")
    lines = fees.fee_lines(dossier)
    assert [(line.code, line.exempt, line.due) for line in lines] == [("LP", True, 0), ("PBS", False, 8000)]
    assert fees.amount_due(dossier).lines == [  # type: ignore[union-attr]
        {"code": "PBS", "name": "Phí cấp bản sao", "kind": "charge", "amount": 8000}
    ]
    exemptions.claim_exemption(fee_world.citizen, dossier, "")
    assert fees.total_due(dossier) == 58000 and not FeeExemption.objects.exists()
    kinds = list(
        Event.objects.filter(aggregate_id=dossier.code, kind__startswith="payment.").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["payment.exemption_recorded", "payment.exemption_cleared"]


def test_the_desk_may_record_an_exemption_others_may_not(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    exemptions.claim_exemption(fee_world.desk, dossier, "nguoi-co-cong")
    assert FeeExemption.objects.get().recorded_by == fee_world.desk
    for stranger in (fee_world.other_citizen, fee_world.outsider):
        with pytest.raises(PermissionDenied):
            exemptions.claim_exemption(stranger, dossier, "ho-ngheo")
    assert FeeExemption.objects.get().code == "nguoi-co-cong"


@pytest.mark.parametrize("code", ["tre-em", "'; DROP TABLE payments_payment; --", "x" * 5000])
def test_an_exemption_the_fees_do_not_offer_is_refused(fee_world: World, code: str) -> None:
    dossier = fee_world.create().dossier
    events = Event.objects.count()
    with pytest.raises(exemptions.ExemptionInvalid) as err:
        exemptions.claim_exemption(fee_world.citizen, dossier, code)
    assert err.value.vi and err.value.en
    assert not FeeExemption.objects.exists() and Event.objects.count() == events


def test_the_exemption_is_locked_while_a_payment_is_open(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    services.pay_due(fee_world.citizen, dossier, idempotency_key="k1")
    with pytest.raises(exemptions.ExemptionLocked):
        exemptions.claim_exemption(fee_world.citizen, dossier, "ho-ngheo")
    assert not FeeExemption.objects.exists()


def test_fully_exempted_means_nothing_to_pay(fee_world: World) -> None:
    set_fees(fee_world, "online", ONLINE_FEES[:1])
    dossier = fee_world.create().dossier
    exemptions.claim_exemption(fee_world.citizen, dossier, "ho-ngheo")
    assert fees.amount_due(dossier) is None
    with pytest.raises(services.NothingToPay):
        services.pay_due(fee_world.citizen, dossier, idempotency_key="k1")
    assert dossiers.receive_dossier(fee_world.desk, dossier).status == Status.RECEIVED


# --- the catalogue's format --------------------------------------------------------------------------


def _bundle_with(world: World, lines: list[dict[str, Any]]) -> bytes:
    set_fees(world, "online", lines)
    return json.dumps(bundle.export_bundle([world.procedure.code])).encode()


def test_the_bundle_carries_and_checks_exemptions(fee_world: World) -> None:
    data = bundle.parse_bundle(_bundle_with(fee_world, ONLINE_FEES))
    online = next(c for c in data["procedures"][0]["versions"][0]["channels"] if c["channel"] == "online")
    assert online["fees"][0]["exemptions"][0] == {"code": "ho-ngheo", "name": "Hộ nghèo"}
    bad_lines: list[list[dict[str, Any]]] = [
        [{**ONLINE_FEES[0], "exemptions": [{"code": "ho-ngheo"}]}],
        [{**ONLINE_FEES[0], "exemptions": [{"code": "ho ngheo!", "name": "x"}]}],
        [{**ONLINE_FEES[0], "exemptions": [{"code": "a", "name": "x", "rate": 50}]}],
        [{**ONLINE_FEES[0], "exemptions": "ho-ngheo"}],
        [{**ONLINE_FEES[0], "exemptions": [{"code": "a", "name": "x"}, {"code": "a", "name": "y"}]}],
    ]
    for lines in bad_lines:
        with pytest.raises(BundleInvalid) as err:
            bundle.parse_bundle(_bundle_with(fee_world, lines))
        assert err.value.vi and err.value.en


# --- before receipt (default) ------------------------------------------------------------------------


def test_the_desk_cannot_receive_an_unpaid_online_dossier(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    events = Event.objects.count()
    with pytest.raises(services.FeesNotPaid) as err:
        dossiers.receive_dossier(fee_world.desk, dossier)
    assert err.value.status == 409 and "phí, lệ phí" in err.value.vi and "fees" in err.value.en
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.received_at is None
    assert Event.objects.count() == events


def test_a_paid_online_dossier_is_received_and_marked_paid_online(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    payment = pay(fee_world, dossier)
    assert payment.status == Payment.Status.PAID and payment.amount == 58000
    dossier.refresh_from_db()
    assert dossier.online_payment == OnlinePayment.NATIONAL_PLATFORM
    assert fees.amount_due(dossier) is None
    assert dossiers.receive_dossier(fee_world.desk, dossier).status == Status.RECEIVED


def test_counter_dossiers_and_free_procedures_are_not_held(fee_world: World, world: World) -> None:
    counter = fee_world.create(channel="counter").dossier
    assert dossiers.receive_dossier(fee_world.desk, counter).status == Status.RECEIVED
    set_fees(world, "online", [{"name": "Lệ phí (miễn)", "kind": "fee", "amount": 0}])
    free = world.create().dossier
    assert fees.amount_due(free) is None
    assert dossiers.receive_dossier(world.desk, free).status == Status.RECEIVED


def test_the_local_gateway_setting_reports_two(fee_world: World, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "PAYMENT_PLATFORM_KIND": "local"}
    dossier = fee_world.create().dossier
    pay(fee_world, dossier)
    dossier.refresh_from_db()
    # The live server reads the same settings object: the callback it handled used "local".
    assert dossier.online_payment == OnlinePayment.LOCAL_GATEWAY


# --- before result -----------------------------------------------------------------------------------


@pytest.fixture
def before_result(settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "PAYMENT_WHEN": "before_result"}


def _xmin(table: str, pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text::bigint FROM {table} WHERE id = %s", [pk])
        return int(cursor.fetchone()[0])


def test_before_result_the_desk_receives_unpaid_dossiers(fee_world: World, before_result: None) -> None:
    dossier = fee_world.create().dossier
    assert fees.amount_due(dossier) is None
    assert dossiers.receive_dossier(fee_world.desk, dossier).status == Status.RECEIVED


def test_the_obligation_paid_online_resumes_processing_in_one_transaction(
    fee_world: World, before_result: None
) -> None:
    dossier = fee_world.at_step(2)
    dossier = dossiers.request_financial_obligation(fee_world.specialist, dossier, content="Nộp lệ phí")
    assert dossier.status == Status.FINANCIAL and dossier.national_status == 6
    asked = Event.objects.get(aggregate_id=dossier.code, kind="dossier.financial_obligation_requested")
    assert asked.data["amount"] == 58000  # the fee lines' total by default
    due = fees.amount_due(dossier)
    assert due is not None and due.purpose == "obligation" and due.amount == 58000
    payment = pay(fee_world, dossier)
    assert payment.purpose == "obligation" and payment.status == Payment.Status.PAID
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.paused_at is None
    assert dossier.online_payment == OnlinePayment.NATIONAL_PLATFORM
    paid = Event.objects.get(aggregate_id=dossier.code, kind="payment.paid")
    confirmed = Event.objects.get(aggregate_id=dossier.code, kind="dossier.financial_obligation_confirmed")
    assert confirmed.actor is None and confirmed.data["by"] == "payment"
    assert confirmed.after["status"] == Status.PROCESSING
    # Written by one PostgreSQL transaction: the same transaction id on every row.
    xids = {
        _xmin("payments_payment", payment.pk),
        _xmin("dossiers_dossier", dossier.pk),
        _xmin("core_event", paid.pk),
        _xmin("core_event", confirmed.pk),
    }
    assert len(xids) == 1
    assert fees.amount_due(dossier) is None


def test_before_result_no_result_leaves_while_the_fees_are_unpaid(
    fee_world: World, before_result: None
) -> None:
    dossier = fee_world.at_step(4)
    dossier = dossiers.finish_dossier(fee_world.holder_of(dossier), dossier)
    events = Event.objects.count()
    with pytest.raises(services.FeesNotPaidForResult) as refused:
        dossiers.return_result(fee_world.desk, dossier)
    assert "nghĩa vụ tài chính" in refused.value.vi and "financial obligation" in refused.value.en
    dossier.refresh_from_db()
    assert dossier.status == Status.FINISHED and Event.objects.count() == events


def test_before_result_the_result_is_returned_once_the_obligation_is_paid(
    fee_world: World, before_result: None
) -> None:
    dossier = fee_world.at_step(4)
    holder = fee_world.holder_of(dossier)
    dossier = dossiers.request_financial_obligation(
        holder, dossier, content="Nộp lệ phí trước khi trả kết quả"
    )
    pay(fee_world, dossier)
    dossier = dossiers.finish_dossier(holder, Dossier.objects.get(pk=dossier.pk))
    assert dossiers.return_result(fee_world.desk, dossier).status == Status.RETURNED


def test_counter_dossiers_are_never_held_at_the_result(fee_world: World, before_result: None) -> None:
    dossier = fee_world.at_step(4, channel="counter")
    dossier = dossiers.finish_dossier(fee_world.holder_of(dossier), dossier)
    assert dossiers.return_result(fee_world.desk, dossier).status == Status.RETURNED


def test_an_obligation_of_another_amount_is_billed_as_one_line(fee_world: World, before_result: None) -> None:
    dossier = fee_world.at_step(2)
    dossiers.request_financial_obligation(
        fee_world.specialist, dossier, content="Thuế trước bạ", amount=123000
    )
    dossier.refresh_from_db()
    due = fees.amount_due(dossier)
    assert due is not None and due.amount == 123000 and len(due.lines) == 1
    assert "Thuế trước bạ" in due.lines[0]["name"]


def test_an_officer_still_confirms_by_hand_and_a_citizen_cannot(
    fee_world: World, before_result: None
) -> None:
    dossier = fee_world.at_step(2)
    dossiers.request_financial_obligation(fee_world.specialist, dossier, content="Nộp lệ phí")
    with pytest.raises(PermissionDenied):
        confirm_financial_obligation(fee_world.citizen, dossier)
    dossier = confirm_financial_obligation(fee_world.specialist, dossier, note="Đã nộp tại quầy")
    assert dossier.status == Status.PROCESSING


def test_the_catalogue_api_and_the_back_office_facts_show_exemptions(fee_world: World) -> None:
    from django.test import Client

    body = Client(HTTP_HOST="localhost").get(f"/api/v1/procedures/{fee_world.procedure.code}").json()
    online = next(c for c in body["channels"] if c["channel"] == "online")
    assert online["fees"][0]["exemptions"][0] == {"code": "ho-ngheo", "name": "Hộ nghèo"}
    dossier = fee_world.create().dossier
    exemptions.claim_exemption(fee_world.citizen, dossier, "ho-ngheo")
    pay(fee_world, dossier)
    dossier.refresh_from_db()
    facts = selectors.payment_facts(dossier)
    assert facts["total"] == 8000 and facts["exemption"].code == "ho-ngheo" and facts["due"] is None
    assert [p.status for p in facts["payments"]] == ["paid"] and facts["online_payment"] == 1
