"""The forged callback of issue 10: a 'paid' callback signed with the documented sandbox secret.

A node outside demo mode cannot run with that secret (tests/core/test_checks.py starts real processes);
a node configured with its own secret rejects the forgery and the desk still cannot receive the dossier.
"""

from __future__ import annotations

from typing import Any

import pytest

from egov.core.checks import DEMO_PAYMENT_SECRET
from egov.dossiers import services as dossiers
from egov.payments import services
from egov.payments.models import Payment
from tests.dossiers.factories import World
from tests.payments.test_payments import callback, paid_fields

REAL_SECRET = "issued-by-the-platform-" + "7" * 32


def test_a_callback_signed_with_the_published_secret_is_rejected_by_a_configured_node(
    fee_world: World, site: str, settings: Any
) -> None:
    settings.EGOV = {**settings.EGOV, "PAYMENT_SECRET": REAL_SECRET}
    dossier = fee_world.create().dossier
    payment = services.pay_due(fee_world.citizen, dossier, idempotency_key="k1")
    response = callback(site, paid_fields(payment), secret=DEMO_PAYMENT_SECRET)
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_checksum"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and payment.paid_at is None
    with pytest.raises(services.FeesNotPaid):
        dossiers.receive_dossier(fee_world.desk, dossier)


def test_with_the_published_secret_the_same_forgery_would_pass(fee_world: World, site: str) -> None:
    """Why the default is refused outside demo mode: here (a demo node) the forgery marks the fees paid."""
    dossier = fee_world.create().dossier
    payment = services.pay_due(fee_world.citizen, dossier, idempotency_key="k1")
    response = callback(site, paid_fields(payment), secret=DEMO_PAYMENT_SECRET)
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
