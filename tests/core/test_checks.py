from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from egov.core.checks import check_database


def deploy_warning_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True) if message.id}


def test_demo_secret_key_is_flagged_for_deployment() -> None:
    with override_settings(SECRET_KEY="insecure-demo-key-for-the-test"):
        assert "egov.W001" in deploy_warning_ids()
    with override_settings(SECRET_KEY="x" * 64):
        assert "egov.W001" not in deploy_warning_ids()


@pytest.mark.parametrize(
    "engine, flagged", [("django.db.backends.sqlite3", True), ("django.db.backends.postgresql", False)]
)
def test_sqlite_is_flagged_for_deployment(
    engine: str, flagged: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", engine)
    assert ("egov.W002" in {m.id for m in check_database()}) is flagged


def test_the_sandbox_payment_secret_is_flagged_for_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    from egov.core.checks import DEMO_PAYMENT_SECRET, check_payment_secret

    monkeypatch.setitem(settings.EGOV, "PAYMENT_SECRET", DEMO_PAYMENT_SECRET)
    assert [m.id for m in check_payment_secret()] == ["egov.W003"]
    monkeypatch.setitem(settings.EGOV, "PAYMENT_SECRET", "issued-by-the-platform-" + "x" * 32)
    assert check_payment_secret() == []


@pytest.mark.parametrize(
    ("url", "flagged"),
    [
        ("http://127.0.0.1:8000", True),
        ("https://localhost", True),
        ("http://dichvucong.vinhphuc.gov.vn", True),
        ("", True),
        ("https://dichvucong.vinhphuc.gov.vn", False),
    ],
)
def test_a_public_url_that_outsiders_cannot_reach_is_flagged(
    monkeypatch: pytest.MonkeyPatch, url: str, flagged: bool
) -> None:
    from django.conf import settings

    from egov.core.checks import check_public_url

    monkeypatch.setitem(settings.EGOV, "PUBLIC_URL", url)
    assert ([m.id for m in check_public_url()] == ["egov.W004"]) is flagged


@pytest.mark.django_db
def test_the_built_in_sandbox_platform_is_flagged_and_closed_when_a_platform_is_set(
    monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    from django.conf import settings

    from egov.core.checks import check_payment_platform

    monkeypatch.setitem(settings.EGOV, "PAYMENT_PLATFORM_URL", "")
    assert [m.id for m in check_payment_platform()] == ["egov.W005"]
    assert client.get("/payments/sandbox/pay/UNKNOWN/").status_code == 404  # open, but no such order
    create = "/payments/sandbox/api/transactions"
    assert client.post(create, data="{}", content_type="application/json").status_code == 400
    monkeypatch.setitem(settings.EGOV, "PAYMENT_PLATFORM_URL", "https://thanhtoan.example.gov.vn/api")
    assert check_payment_platform() == []
    assert client.post(create, data="{}", content_type="application/json").status_code == 404
