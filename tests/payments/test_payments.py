"""Payments against the sandbox platform over real HTTP on loopback."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from egov.core.models import Event
from egov.payments import client, protocol, refunds, services
from egov.payments.models import Payment, PaymentAttempt, SandboxTransaction
from tests.dossiers.factories import World

LINES = [{"name": "Lệ phí đăng ký khai sinh", "amount": 8000}, {"name": "Phí bản sao", "amount": 16000}]
TIMEOUT = 15.0


def start(world: World, key: str = "k1") -> Payment:
    dossier = world.create().dossier
    return services.start_payment(world.citizen, dossier, lines=LINES, idempotency_key=key)


def pay_in_sandbox(payment: Payment, outcome: str) -> httpx.Response:
    """What the payer does: open the payment page, press one of its buttons (with the CSRF token)."""
    with httpx.Client(timeout=TIMEOUT) as browser:
        page = browser.get(payment.payment_url)
        assert page.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None
        return browser.post(
            payment.payment_url,
            data={"csrfmiddlewaretoken": token.group(1), "outcome": outcome},
            headers={"Referer": payment.payment_url},
        )


def callback(site: str, fields: dict[str, Any], secret: str | None = None) -> httpx.Response:
    body = protocol.signed(fields, secret or str(settings.EGOV["PAYMENT_SECRET"]), protocol.CALLBACK_FIELDS)
    return httpx.post(f"{site}/payments/callback", json=body, timeout=TIMEOUT)


def paid_fields(payment: Payment, **changes: Any) -> dict[str, Any]:
    fields = {
        "client_id": settings.EGOV["PAYMENT_CLIENT_ID"],
        "order_id": payment.order_id,
        "transaction_no": "TXN1",
        "amount": payment.amount,
        "pay_date": "20260302090000",
        "error_code": "00",
    }
    return {**fields, **changes}


def test_start_creates_a_sandbox_transaction_with_the_sum_of_the_lines(world: World) -> None:
    payment = start(world)
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == 24000
    assert payment.order_id.startswith(payment.dossier.code + "-")
    txn = SandboxTransaction.objects.get()
    assert txn.amount == 24000 and txn.bill["dossier_code"] == payment.dossier.code
    page = httpx.get(payment.payment_url, timeout=TIMEOUT)
    assert "Nền tảng thanh toán" in page.text and "usa-button" in page.text


def test_same_idempotency_key_gives_one_payment_and_one_sandbox_transaction(world: World) -> None:
    first = start(world)
    again = services.start_payment(world.citizen, first.dossier, lines=LINES, idempotency_key="k1")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1 and SandboxTransaction.objects.count() == 1


def test_platform_down_is_retryable_and_the_retry_reuses_the_payment(world: World, settings: Any) -> None:
    dossier = world.create().dossier
    settings.EGOV = {**settings.EGOV, "PAYMENT_PLATFORM_URL": "http://127.0.0.1:9/nowhere"}
    with pytest.raises(client.PlatformUnavailable) as err:
        services.start_payment(world.citizen, dossier, lines=LINES, idempotency_key="k1")
    assert err.value.retryable
    assert Payment.objects.get().status == Payment.Status.CREATED
    settings.EGOV = {**settings.EGOV, "PAYMENT_PLATFORM_URL": ""}
    payment = services.start_payment(world.citizen, dossier, lines=LINES, idempotency_key="k1")
    assert payment.status == Payment.Status.PENDING
    assert Payment.objects.count() == 1 and SandboxTransaction.objects.count() == 1


def test_only_the_applicant_may_pay(world: World) -> None:
    dossier = world.create().dossier
    with pytest.raises(services.NotApplicant):
        services.start_payment(world.other_citizen, dossier, lines=LINES, idempotency_key="k1")
    assert not Payment.objects.exists()


def test_successful_payment_is_confirmed_by_the_callback(world: World) -> None:
    payment = start(world)
    answer = pay_in_sandbox(payment, "success")
    assert answer.status_code == 302 and answer.headers["location"].endswith(f"/return/{payment.order_id}/")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.paid_at is not None
    assert payment.transaction_no == SandboxTransaction.objects.get().transaction_no


def test_failed_payment_is_recorded_as_failed(world: World) -> None:
    payment = start(world)
    pay_in_sandbox(payment, "fail")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED


def test_forged_checksum_is_rejected_and_changes_nothing(world: World, site: str) -> None:
    payment = start(world)
    events = Event.objects.count()
    response = callback(site, paid_fields(payment), secret="not-the-secret")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_checksum"
    assert set(response.json()["error"]["message"]) == {"vi", "en"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and payment.paid_at is None
    assert Event.objects.count() == events
    assert PaymentAttempt.objects.filter(kind="callback", checksum_ok=False).count() == 1


def test_amount_mismatch_is_rejected(world: World, site: str) -> None:
    payment = start(world)
    response = callback(site, paid_fields(payment, amount=1000))
    assert response.status_code == 400 and response.json()["error"]["code"] == "amount_mismatch"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_replayed_callback_is_a_no_op_with_the_same_answer(world: World, site: str) -> None:
    payment = start(world)
    pay_in_sandbox(payment, "success")
    payment.refresh_from_db()
    events = Event.objects.count()
    record = httpx.get(
        f"{site}/payments/sandbox/api/transactions/{payment.order_id}",
        params=protocol.signed(
            {"client_id": settings.EGOV["PAYMENT_CLIENT_ID"], "order_id": payment.order_id},
            str(settings.EGOV["PAYMENT_SECRET"]),
            protocol.QUERY_FIELDS,
        ),
        timeout=TIMEOUT,
    ).json()
    replay = httpx.post(f"{site}/payments/callback", json=record, timeout=TIMEOUT)
    assert replay.status_code == 200 and replay.json() == {"result": "success"}
    again = Payment.objects.get(pk=payment.pk)
    assert (again.status, again.paid_at, again.transaction_no) == (
        payment.status,
        payment.paid_at,
        payment.transaction_no,
    )
    assert Event.objects.count() == events


def test_lost_callback_is_healed_by_reconciliation(world: World) -> None:
    payment = start(world)
    pay_in_sandbox(payment, "silent")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert services.reconcile(timezone.now() + timedelta(minutes=5)).paid == 0  # too early to ask
    report = services.reconcile(timezone.now() + timedelta(minutes=20))
    assert report.paid == 1 and not report.errors
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert PaymentAttempt.objects.filter(payment=payment, kind="query", checksum_ok=True).exists()


def test_unpaid_payments_expire(world: World) -> None:
    payment = start(world)
    report = services.reconcile(timezone.now() + timedelta(minutes=61))
    assert report.expired == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED


def test_the_sandbox_takes_no_money_after_the_order_expired(world: World) -> None:
    payment = start(world)
    txn = SandboxTransaction.objects.get(transaction_id=payment.order_id)
    assert txn.bill["expire_date"] == timezone.localtime(payment.expires_at).strftime("%Y%m%d%H%M%S")
    txn.bill = {**txn.bill, "expire_date": "20200101000000"}
    txn.save(update_fields=["bill"])
    pay_in_sandbox(payment, "success")
    assert SandboxTransaction.objects.get(pk=txn.pk).status == SandboxTransaction.Status.FAILED
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.FAILED


def test_a_late_payment_of_an_expired_order_is_recorded_and_flagged_as_paid_twice(
    world: World, site: str
) -> None:
    first = start(world)
    services.reconcile(timezone.now() + timedelta(minutes=61))
    assert Payment.objects.get(pk=first.pk).status == Payment.Status.EXPIRED
    second = services.start_payment(world.citizen, first.dossier, lines=LINES, idempotency_key="k2")
    pay_in_sandbox(second, "success")
    assert callback(site, paid_fields(first, transaction_no="LATE1")).status_code == 200  # money moved
    assert Payment.objects.get(pk=first.pk).status == Payment.Status.PAID
    flagged = Event.objects.get(kind="payment.duplicate")
    assert flagged.data["order_id"] == first.order_id and flagged.data["duplicate_of"] == second.order_id
    assert Event.objects.filter(kind="payment.duplicate").count() == 1


def test_refund_is_guarded_against_double_refunds(world: World) -> None:
    payment = start(world)
    pay_in_sandbox(payment, "success")
    payment.refresh_from_db()
    refunds.refund(world.desk, payment, 20000)
    with pytest.raises(refunds.RefundRefused):
        refunds.refund(world.desk, payment, 20000)
    done = refunds.refund(world.desk, payment, 4000)
    assert done.status == Payment.Status.REFUNDED and done.refunded_amount == 24000
    with pytest.raises(refunds.RefundRefused):
        refunds.refund(world.desk, payment, 1)
    with pytest.raises(services.DomainError):
        refunds.refund(world.citizen, payment, 1)


def test_return_url_leads_the_applicant_only_to_the_payment_page(world: World) -> None:
    from django.test import Client

    payment = start(world)
    pay_in_sandbox(payment, "success")
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(world.citizen)
    page = browser.get(f"/payments/return/{payment.order_id}/", follow=True)
    assert page.status_code == 200 and "Đã xác nhận thanh toán" in page.content.decode()
    browser.force_login(world.other_citizen)
    assert browser.get(f"/payments/return/{payment.order_id}/").status_code == 404


def test_the_worker_reconciles_payments_every_minute() -> None:
    from egov.core.reactions import periodic_jobs

    jobs = {job.name: job for job in periodic_jobs()}
    assert jobs["payments.reconcile"].every_seconds == 60
