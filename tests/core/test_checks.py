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
