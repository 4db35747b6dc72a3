"""Demo mode never reaches a real node by accident.

`egov demo` writes published secrets into the database it is given (an `admin` superuser with the demo
password, every demo officer with the published TOTP secret) and signs demo results with the keys of
the data folder. Started in a shell that holds a real node's settings it would hand that node to anyone
who read the README; so it runs only on its own SQLite database and its own PKI. And a node left in demo
mode says so in `egov check --deploy`. Real processes, bounded, on loopback only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from egov.demo_mail import free_port
from egov.results.pki import init_pki

EGOV = [sys.executable, "-m", "egov.cli"]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DJANGO_"))}
    env.update(EGOV_DATA_DIR=str(tmp_path), PORT=str(free_port()), **extra)
    return env


def run_demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`egov demo`, stopped after 60 s if it went on to serve (what the refusal must prevent)."""
    process = subprocess.Popen(
        [*EGOV, "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
        pytest.fail(f"egov demo did not refuse; it ran:\n{stderr[-2000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_the_demo_refuses_a_configured_database(tmp_path: Path) -> None:
    real = tmp_path / "node.sqlite3"
    done = run_demo(clean_env(tmp_path, EGOV_DATABASE_URL=f"sqlite:///{real}"))
    assert done.returncode == 2
    assert "EGOV_DATABASE_URL" in done.stderr
    assert "cơ sở dữ liệu" in done.stderr and "database" in done.stderr
    assert not real.exists() and not (tmp_path / "egov.sqlite3").exists()  # nothing written anywhere


def test_the_demo_refuses_a_data_folder_with_a_real_pki(tmp_path: Path) -> None:
    init_pki(tmp_path / "pki", node_name="UBND tỉnh Phú Thọ", agencies=[("000.00.02.H44", "Sở Tài chính")])
    done = run_demo(clean_env(tmp_path))
    assert done.returncode == 2
    assert "PKI" in done.stderr and "EGOV_DATA_DIR" in done.stderr
    assert not (tmp_path / "egov.sqlite3").exists()
    assert not (tmp_path / "pki" / "people").exists()  # no demo leader was given a key of this CA


def test_a_node_in_demo_mode_says_so_at_deployment(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setitem(settings.EGOV, "DEMO", True)
    [warning] = [m for m in run_checks(include_deployment_checks=True) if m.id == "egov.W013"]
    assert "EGOV_DEMO" in warning.msg and "chạy thử" in warning.msg and "demo" in warning.msg
    assert not warning.is_serious()
    monkeypatch.setitem(settings.EGOV, "DEMO", False)
    assert "egov.W013" not in {m.id for m in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
def test_the_payment_sandbox_answers_only_on_a_demo_node(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A real node (no EGOV_DEMO) without a platform URL is refused at start (egov.E004); a process that
    serves it anyway (a server started some other way) still has no sandbox to take 'payments'."""
    from django.test import Client

    from egov.payments.models import SandboxTransaction

    txn = SandboxTransaction.objects.create(
        client_id="egov-demo",
        transaction_id="ORDER-1",
        transaction_no="T1",
        amount=50_000,
        return_url="/",
        callback_url="http://127.0.0.1:9/payments/callback",
        bill={},
        created_at=timezone.now(),
    )
    monkeypatch.setitem(settings.EGOV, "PAYMENT_PLATFORM_URL", "")
    monkeypatch.setitem(settings.EGOV, "DEMO", False)
    browser = Client()
    assert browser.get(f"/payments/sandbox/pay/{txn.transaction_id}/").status_code == 404
    assert (
        browser.post(f"/payments/sandbox/pay/{txn.transaction_id}/", {"outcome": "silent"}).status_code == 404
    )
    create = browser.post("/payments/sandbox/api/transactions", data="{}", content_type="application/json")
    assert create.status_code == 404
    txn.refresh_from_db()
    assert txn.status == SandboxTransaction.Status.PENDING
    monkeypatch.setitem(settings.EGOV, "DEMO", True)
    assert browser.get(f"/payments/sandbox/pay/{txn.transaction_id}/").status_code == 200


@pytest.mark.parametrize(
    ("extra", "secure"),
    [
        ({}, True),  # a real node: cookies over https only, without anyone having to remember it
        ({"EGOV_DEMO": "true"}, False),  # the demo on http://127.0.0.1
        ({"EGOV_SECURE_COOKIES": "false"}, False),  # said explicitly
        ({"EGOV_DEMO": "true", "EGOV_SECURE_COOKIES": "true"}, True),
    ],
)
def test_cookies_are_secure_outside_demo_mode(tmp_path: Path, extra: dict[str, str], secure: bool) -> None:
    code = (
        "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    env = {**clean_env(tmp_path, **extra), "DJANGO_SETTINGS_MODULE": "egov.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(secure), str(secure)]


def test_an_unreadable_secure_cookies_value_is_named(tmp_path: Path) -> None:
    done = subprocess.run(
        [*EGOV, "config"],
        env=clean_env(tmp_path, EGOV_SECURE_COOKIES="maybe"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "EGOV_SECURE_COOKIES" in done.stderr and "Traceback" not in done.stderr
