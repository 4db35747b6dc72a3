"""Standard Webhooks signatures as a receiver sees them: verified, and a captured call not replayable."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from egov.core.models import OutboxMessage
from egov.core.outbox import RelayReport, relay_outbox
from egov.core.webhooks import deliver_webhook, new_secret, secret_problem
from tests.core.conftest import Delivery, Receiver
from tests.core.test_outbox import SECRET, egov_settings, status_changed

pytestmark = pytest.mark.django_db
API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
Verifier = Callable[[bytes, dict[str, str], str], bool]


def documented_recipe() -> Verifier:
    """The verification function docs/api.md gives integrators, run exactly as written there."""
    section = API_DOC.read_text(encoding="utf-8").split("## Webhooks: receiving and verifying", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "docs/api.md lost its verification recipe"
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(API_DOC), "exec"), namespace)
    return namespace["verify_egov_webhook"]  # type: ignore[no-any-return]


def capture(receiver: Receiver, code: str, *, signed_at: dt.datetime | None = None) -> Delivery:
    """One real request of the node to the receiver, as it arrived."""
    message = status_changed(code)
    with egov_settings([receiver.url]):
        deliver_webhook(message, now=signed_at)
    return receiver.deliveries[-1]


def test_a_captured_call_verifies_with_the_reference_library_and_the_documented_recipe(
    receiver: Receiver,
) -> None:
    call = capture(receiver, "H12-260401-0001")
    assert call.headers["webhook-id"] == "dossier:H12-260401-0001:1"
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", call.headers["webhook-signature"])
    assert abs(int(call.headers["webhook-timestamp"]) - dt.datetime.now(dt.UTC).timestamp()) < 30
    assert Webhook(SECRET).verify(call.body, call.headers) == call.json()
    assert documented_recipe()(call.body, call.headers, SECRET)


def test_a_call_replayed_after_the_tolerance_is_refused(receiver: Receiver) -> None:
    six_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6)
    old = capture(receiver, "H12-260401-0002", signed_at=six_minutes_ago)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(SECRET).verify(old.body, old.headers)
    assert not documented_recipe()(old.body, old.headers, SECRET)
    four_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=4)
    recent = capture(receiver, "H12-260401-0003", signed_at=four_minutes_ago)
    assert Webhook(SECRET).verify(recent.body, recent.headers) and documented_recipe()(
        recent.body, recent.headers, SECRET
    )


@pytest.mark.parametrize(
    "change",
    [
        {"webhook-id": "dossier:H12-260401-0099:1"},  # passed off as another message
        {"webhook-timestamp": str(int(dt.datetime.now(dt.UTC).timestamp()) + 1)},  # re-dated
    ],
    ids=["changed-id", "changed-timestamp"],
)
def test_a_captured_call_with_a_changed_id_or_time_is_refused(
    receiver: Receiver, change: dict[str, str]
) -> None:
    call = capture(receiver, "H12-260401-0004")
    altered = {**call.headers, **change}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(SECRET).verify(call.body, altered)
    assert not documented_recipe()(call.body, altered, SECRET)


def test_a_changed_body_or_another_secret_is_refused(receiver: Receiver) -> None:
    call = capture(receiver, "H12-260401-0005")
    forged = call.body.replace(b'"received"', b'"finished"')
    assert forged != call.body
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(forged, call.headers)
    other = new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(call.body, call.headers)
    assert not documented_recipe()(forged, call.headers, SECRET)
    assert not documented_recipe()(call.body, call.headers, other)


def test_a_retry_keeps_the_id_and_signs_its_own_time(receiver: Receiver) -> None:
    message = status_changed("H12-260401-0006")
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    with egov_settings([receiver.url]):
        deliver_webhook(message, now=earlier)
        deliver_webhook(message)
    first, second = receiver.deliveries
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == message.key
    assert int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"]) >= 119
    assert first.headers["webhook-signature"] != second.headers["webhook-signature"]
    for call in (first, second):
        Webhook(SECRET).verify(call.body, call.headers)


@pytest.mark.parametrize(
    "secret",
    ["", "bí-mật-chia-sẻ", "whsec_not*base64", "whsec_c2hvcnQ="],
    ids=["empty", "not-whsec", "not-base64", "too-short"],
)
def test_without_a_valid_secret_nothing_is_sent_and_the_message_waits(
    receiver: Receiver, secret: str
) -> None:
    message = status_changed("H12-260401-0007")
    with egov_settings([receiver.url], WEBHOOK_SECRET=secret):
        assert relay_outbox() == RelayReport(retried=1)
    assert receiver.deliveries == []
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert "not sent, unsigned" in message.last_error and "EGOV_WEBHOOK_SECRET" in message.last_error
    assert secret_problem(secret) is not None


def test_a_new_secret_is_valid_and_random() -> None:
    first, second = new_secret(), new_secret()
    assert secret_problem(first) is None and secret_problem(SECRET) is None and first != second
    assert first.startswith("whsec_")
