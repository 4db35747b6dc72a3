"""Safe by default: outside demo mode a node refuses default secrets and the payment sandbox."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from egov.core.checks import (
    DEMO_PAYMENT_SECRET,
    check_database,
    check_payment_platform,
    check_payment_secret,
    check_public_url,
    check_secret_key,
    check_webhook_secret,
    unsafe_settings,
)

EGOV = [sys.executable, "-m", "egov.cli"]
SAFE: dict[str, str] = {
    "EGOV_SECRET_KEY": "k" * 64,
    "EGOV_PAYMENT_SECRET": "issued-by-the-platform-" + "x" * 32,
    "EGOV_PAYMENT_PLATFORM_URL": "https://thanhtoan.example.gov.vn/api",
}


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test process as a node outside demo mode."""
    from django.conf import settings

    monkeypatch.setitem(settings.EGOV, "DEMO", False)


def ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True) if message.id}


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Only what a fresh machine has: no EGOV_* variable except those given (and a throwaway data dir)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DJANGO_"))}
    env["EGOV_DATA_DIR"] = str(tmp_path)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the checks ------------------------------------------------------------------------------------


def test_the_demo_secret_key_is_an_error_outside_demo_mode(production: None) -> None:
    with override_settings(SECRET_KEY="insecure-demo-key-for-the-test"):
        [error] = check_secret_key()
        assert error.id == "egov.E001" and error.is_serious()
        assert "khoá mẫu" in error.msg and "published demo secret key" in error.msg
        assert "EGOV_SECRET_KEY" in str(error.hint)
    with override_settings(SECRET_KEY="x" * 64):
        assert check_secret_key() == []


def test_the_sandbox_payment_secret_is_an_error_outside_demo_mode(
    production: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    monkeypatch.setitem(settings.EGOV, "PAYMENT_SECRET", DEMO_PAYMENT_SECRET)
    assert [(m.id, m.is_serious()) for m in check_payment_secret()] == [("egov.E002", True)]
    monkeypatch.setitem(settings.EGOV, "PAYMENT_SECRET", SAFE["EGOV_PAYMENT_SECRET"])
    assert check_payment_secret() == []


@pytest.mark.parametrize(
    ("urls", "secret", "flagged"),
    [
        ([], "", False),
        (["https://lgsp.example.gov.vn/hook"], "", True),
        (["https://lgsp.example.gov.vn/hook"], "  ", True),
        (["https://lgsp.example.gov.vn/hook"], "change-me", True),
        (["https://lgsp.example.gov.vn/hook"], "a-long-secret-but-not-standard-webhooks", True),
        (["https://lgsp.example.gov.vn/hook"], "whsec_dG9vLXNob3J0", True),
        (["https://lgsp.example.gov.vn/hook"], "whsec_" + "A" * 40, False),
    ],
)
def test_webhooks_without_a_real_secret_are_an_error(
    production: None, monkeypatch: pytest.MonkeyPatch, urls: list[str], secret: str, flagged: bool
) -> None:
    from django.conf import settings

    monkeypatch.setitem(settings.EGOV, "WEBHOOK_URLS", urls)
    monkeypatch.setitem(settings.EGOV, "WEBHOOK_SECRET", secret)
    assert ([m.id for m in check_webhook_secret()] == ["egov.E003"]) is flagged


@pytest.mark.django_db
def test_the_built_in_sandbox_platform_is_an_error_and_closed_when_a_platform_is_set(
    production: None, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    from django.conf import settings

    monkeypatch.setitem(settings.EGOV, "PAYMENT_PLATFORM_URL", "")
    assert [m.id for m in check_payment_platform()] == ["egov.E004"]
    create = "/payments/sandbox/api/transactions"
    monkeypatch.setitem(settings.EGOV, "PAYMENT_PLATFORM_URL", SAFE["EGOV_PAYMENT_PLATFORM_URL"])
    assert check_payment_platform() == []
    assert client.post(create, data="{}", content_type="application/json").status_code == 404


def test_a_demo_node_accepts_every_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    monkeypatch.setitem(settings.EGOV, "DEMO", True)
    monkeypatch.setitem(settings.EGOV, "PAYMENT_SECRET", DEMO_PAYMENT_SECRET)
    monkeypatch.setitem(settings.EGOV, "PAYMENT_PLATFORM_URL", "")
    monkeypatch.setitem(settings.EGOV, "WEBHOOK_URLS", ["https://lgsp.example.gov.vn/hook"])
    monkeypatch.setitem(settings.EGOV, "WEBHOOK_SECRET", "")
    with override_settings(SECRET_KEY="insecure-demo-key-for-the-test"):
        assert unsafe_settings() == []
        assert not {"egov.E001", "egov.E002", "egov.E003", "egov.E004"} & ids()


@pytest.mark.parametrize(
    "engine, flagged", [("django.db.backends.sqlite3", True), ("django.db.backends.postgresql", False)]
)
def test_sqlite_is_a_warning_for_deployment(
    engine: str, flagged: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", engine)
    messages = check_database()
    assert ("egov.W002" in {m.id for m in messages}) is flagged
    assert not any(m.is_serious() for m in messages)


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

    monkeypatch.setitem(settings.EGOV, "PUBLIC_URL", url)
    assert ([m.id for m in check_public_url()] == ["egov.W004"]) is flagged


# --- real processes with a clean environment -----------------------------------------------------


def test_check_deploy_fails_with_every_default_named(tmp_path: Path) -> None:
    env = clean_env(tmp_path, EGOV_WEBHOOK_URLS="https://lgsp.example.gov.vn/hook")
    done = subprocess.run(
        [*EGOV, "check", "--deploy"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode != 0
    for error in ("egov.E001", "egov.E002", "egov.E003", "egov.E004"):
        assert error in done.stderr, error
    assert "EGOV_SECRET_KEY" in done.stderr and "EGOV_DEMO=true" in done.stderr


def test_check_deploy_passes_the_errors_once_configured(tmp_path: Path) -> None:
    done = subprocess.run(
        [*EGOV, "check", "--deploy"],
        env=clean_env(tmp_path, **SAFE),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "egov.E00" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker", "--once"], ["migrate"]])
def test_a_node_with_default_secrets_refuses_to_start(tmp_path: Path, command: list[str]) -> None:
    if command[0] == "serve":
        command = ["serve", "--port", str(free_port())]
    done = subprocess.run(
        [*EGOV, *command], env=clean_env(tmp_path), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert "refusing to start" in done.stderr
    assert "egov.E001" in done.stderr and "egov.E004" in done.stderr
    assert not (tmp_path / "egov.sqlite3").exists()  # nothing was migrated or opened


def test_gunicorn_started_directly_refuses_too(tmp_path: Path) -> None:
    """`gunicorn egov.wsgi` without `egov serve`: the worker does not boot, the master exits."""
    port = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "egov.wsgi:application", "--bind", f"127.0.0.1:{port}"],
        env=clean_env(tmp_path, EGOV_SECRET_KEY="k" * 64, EGOV_PAYMENT_SECRET=SAFE["EGOV_PAYMENT_SECRET"]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "egov.E004" in done.stderr and "egov.E001" not in done.stderr


def test_the_same_node_in_demo_mode_starts(tmp_path: Path) -> None:
    done = subprocess.run(
        [*EGOV, "migrate", "--verbosity", "0"],
        env=clean_env(tmp_path, EGOV_DEMO="true"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "egov.sqlite3").exists()
