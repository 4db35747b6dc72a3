"""Refunds asked of the sandbox platform over HTTP, and hostile messages at the platform's doors."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from egov.core.models import Event
from egov.payments import client, policies, protocol, refunds, sandbox, services
from egov.payments.models import Payment, PaymentAttempt, Refund, SandboxRefund, SandboxTransaction
from tests.dossiers.factories import World
from tests.payments.test_payments import TIMEOUT, callback, paid_fields


def paid(world: World) -> Payment:
    dossier = world.create().dossier
    payment = services.pay_due(world.citizen, dossier, idempotency_key="k1")
    sandbox.pay_order(payment.order_id)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    return payment


def test_a_refund_is_asked_of_the_platform_and_recorded(fee_world: World) -> None:
    payment = paid(fee_world)
    refunds.refund(fee_world.desk, payment, 20000, reason="Trả lại phí bản sao")
    row = Refund.objects.get()
    at_platform = SandboxRefund.objects.get()
    assert row.status == Refund.Status.DONE and row.refund_no == at_platform.refund_no
    assert at_platform.refund_id == row.refund_id and at_platform.amount == 20000
    assert row.answer["error_code"] == "00"
    done = refunds.refund(fee_world.desk, payment, 38000)
    assert done.status == Payment.Status.REFUNDED and done.refunded_amount == 58000
    assert SandboxRefund.objects.count() == 2
    with pytest.raises(refunds.RefundRefused):
        refunds.refund(fee_world.desk, payment, 1)
    assert SandboxRefund.objects.count() == 2
    kinds = Event.objects.filter(aggregate_id=payment.dossier.code, kind__startswith="payment.refund")
    assert (
        sorted(kinds.values_list("kind", flat=True))
        == ["payment.refund_requested"] * 2 + ["payment.refunded"] * 2
    )


def test_the_same_refund_key_refunds_once(fee_world: World) -> None:
    payment = paid(fee_world)
    refunds.refund(fee_world.desk, payment, 10000, idempotency_key="r1")
    again = refunds.refund(fee_world.desk, payment, 10000, idempotency_key="r1")
    assert again.refunded_amount == 10000
    assert Refund.objects.count() == 1 and SandboxRefund.objects.count() == 1


def test_only_the_desk_or_the_leader_of_the_agency_refunds(fee_world: World) -> None:
    from tests.dossiers.factories import officer

    payment = paid(fee_world)
    supervisor = officer("giamsat", fee_world.department, "supervisor")
    head_of_the_agency = officer("giamdoc", fee_world.department, "leader")
    for stranger in (
        fee_world.citizen,
        fee_world.outsider,
        fee_world.specialist,
        supervisor,
        fee_world.leader,
    ):
        with pytest.raises(refunds.RefundForbidden):
            refunds.refund(stranger, payment, 1000)
    assert not Refund.objects.exists() and not SandboxRefund.objects.exists()
    assert policies.may_refund(fee_world.desk, payment) and policies.may_refund(head_of_the_agency, payment)


def test_after_a_reorganisation_the_successors_desk_refunds_the_old_units_payment(fee_world: World) -> None:
    """The department closes and its officers move to the successor: the money of a dossier it
    received is refunded by the successor's desk, as every other action on that dossier is."""
    from tests.catalog.test_reorganised_dossiers import merge_department

    payment = paid(fee_world)
    new = merge_department(fee_world, effective=timezone.localdate().isoformat())
    assert fee_world.desk.role_assignments.get().agency == new

    assert policies.may_refund(fee_world.desk, payment)
    refunds.refund(fee_world.desk, payment, 1000, reason="Trả lại phí")
    assert Refund.objects.get().status == Refund.Status.DONE
    with pytest.raises(refunds.RefundForbidden):
        refunds.refund(fee_world.outsider, payment, 1000)


@pytest.mark.parametrize("amount", [0, -5, 58001, "1000", 10.5, True])
def test_a_bad_amount_is_refused_before_any_request(fee_world: World, amount: Any) -> None:
    payment = paid(fee_world)
    with pytest.raises(refunds.RefundRefused):
        refunds.refund(fee_world.desk, payment, amount)
    assert not Refund.objects.exists() and not SandboxRefund.objects.exists()


def test_concurrent_refunds_of_the_whole_amount_refund_once(fee_world: World) -> None:
    payment = paid(fee_world)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def officer_refunds() -> None:
        try:
            start.wait()
            refunds.refund(fee_world.desk, Payment.objects.get(pk=payment.pk), 58000)
            outcomes.append("refunded")
        except refunds.RefundRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=officer_refunds) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refunded", "refused"]
    assert SandboxRefund.objects.count() == 1 and Refund.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 58000


def test_a_refund_the_platform_refuses_is_recorded_and_changes_nothing(fee_world: World) -> None:
    payment = paid(fee_world)
    txn = SandboxTransaction.objects.get()
    SandboxRefund.objects.create(
        transaction=txn, refund_id="elsewhere", refund_no="X1", amount=58000, created_at=timezone.now()
    )
    with pytest.raises(refunds.RefundRefused) as err:
        refunds.refund(fee_world.desk, payment, 1000)
    assert err.value.vi and err.value.en
    row = Refund.objects.get()
    assert row.status == Refund.Status.REFUSED and row.answer["error_code"] == "24"
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 0
    # A refused refund frees its amount: the next request is judged on what was really refunded.
    assert Refund.objects.filter(status=Refund.Status.REQUESTED).count() == 0


def test_an_unanswered_refund_stays_requested_and_is_sent_again(fee_world: World, settings: Any) -> None:
    payment = paid(fee_world)
    settings.EGOV = {**settings.EGOV, "PAYMENT_PLATFORM_URL": "http://127.0.0.1:9/nowhere"}
    with pytest.raises(client.PlatformUnavailable):
        refunds.refund(fee_world.desk, payment, 58000)
    assert Refund.objects.get().status == Refund.Status.REQUESTED
    with pytest.raises(refunds.RefundRefused):  # the requested amount is reserved
        refunds.refund(fee_world.desk, payment, 1)
    settings.EGOV = {**settings.EGOV, "PAYMENT_PLATFORM_URL": ""}
    assert refunds.retry_refunds(timezone.now() + timedelta(minutes=2)) == 1
    assert refunds.retry_refunds(timezone.now() + timedelta(minutes=2)) == 0
    assert Refund.objects.get().status == Refund.Status.DONE and SandboxRefund.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.REFUNDED


def test_the_sandbox_refuses_a_forged_refund(fee_world: World, site: str) -> None:
    payment = paid(fee_world)
    fields = {
        "client_id": settings.EGOV["PAYMENT_CLIENT_ID"],
        "order_id": payment.order_id,
        "refund_id": "forged",
        "amount": 58000,
        "command": "REFUND",
    }
    forged = protocol.signed(fields, "not-the-secret", protocol.REFUND_FIELDS)
    answer = httpx.post(f"{site}/payments/sandbox/api/refunds", json=forged, timeout=TIMEOUT)
    assert answer.status_code == 400 and set(answer.json()["message"]) == {"vi", "en"}
    assert not SandboxRefund.objects.exists()


# --- hostile messages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order_id", ["x' OR '1'='1", "'; DROP TABLE payments_payment; --", "%", "\\x00", "../" * 30]
)
def test_sql_meta_characters_in_the_order_id_match_nothing(
    fee_world: World, site: str, order_id: str
) -> None:
    payment = paid(fee_world)
    events = Event.objects.count()
    response = callback(site, paid_fields(payment, order_id=order_id, error_code="24"))
    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_order"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    assert Event.objects.count() == events and Payment.objects.count() == 1


def test_oversized_bodies_are_refused_unread(fee_world: World, site: str) -> None:
    payment = paid(fee_world)
    huge = {**paid_fields(payment), "padding": "x" * 200_000}
    for path in ("/payments/callback", "/payments/sandbox/api/transactions", "/payments/sandbox/api/refunds"):
        response = httpx.post(f"{site}{path}", json=huge, timeout=TIMEOUT)
        assert response.status_code == 400, path
    assert PaymentAttempt.objects.filter(kind="callback", checksum_ok=False).count() == 1
    assert SandboxTransaction.objects.count() == 1 and not SandboxRefund.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[]", b"null", b'{"amount": 1e999}', b"\xff\xfe"])
def test_malformed_callbacks_change_nothing(fee_world: World, site: str, body: bytes) -> None:
    payment = paid(fee_world)
    response = httpx.post(
        f"{site}/payments/callback",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_checksum"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID


def test_a_forged_callback_leaves_only_the_protocol_fields_cut_short_in_the_log(
    fee_world: World, site: str
) -> None:
    payment = paid(fee_world)
    forged = {**paid_fields(payment), "checksum": "0" * 64, "padding": "x" * 60_000, "order_id": "y" * 5000}
    response = httpx.post(f"{site}/payments/callback", json=forged, timeout=TIMEOUT)
    assert response.status_code == 400
    [row] = PaymentAttempt.objects.filter(kind="callback", checksum_ok=False)
    assert "padding" not in row.payload and set(row.payload) <= {*paid_fields(payment), "checksum"}
    assert len(row.payload["order_id"]) == 200 and len(str(row.payload)) < 2000
