"""A channel mistyped or configured by halves is named by `egov check`, not discovered by citizens."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.checks import run_checks


def _ids(include_deployment_checks: bool = False) -> set[str]:
    return {m.id for m in run_checks(include_deployment_checks=include_deployment_checks) if m.id}


def _egov(settings: Any, **values: Any) -> None:
    settings.EGOV = {**settings.EGOV, **values}


def test_an_unknown_sms_protocol_is_an_error(settings: Any) -> None:
    _egov(settings, SMS_PROTOCOL="smtp")
    assert "egov.E010" in _ids()


def test_the_known_sms_protocols_pass(settings: Any) -> None:
    for protocol in ("http", "smpp", "SMPP ", ""):
        _egov(settings, SMS_PROTOCOL=protocol)
        assert "egov.E010" not in _ids(), protocol


def test_smpp_without_its_account_is_a_deploy_warning_naming_what_is_missing(settings: Any) -> None:
    _egov(settings, SMS_PROTOCOL="smpp", SMPP_HOST="127.0.0.1", SMPP_SYSTEM_ID="egov")
    messages = [m for m in run_checks(include_deployment_checks=True) if m.id == "egov.W011"]
    assert len(messages) == 1
    assert "EGOV_SMPP_PASSWORD" in messages[0].msg and "EGOV_SMPP_SOURCE_ADDR" in messages[0].msg
    assert "EGOV_SMPP_SYSTEM_ID" not in messages[0].msg


def test_zalo_without_templates_is_a_deploy_warning(settings: Any) -> None:
    _egov(settings, ZALO_APP_ID="123", ZALO_SECRET="s", ZALO_REFRESH_TOKEN="r", ZALO_TEMPLATES=[])
    messages = [m for m in run_checks(include_deployment_checks=True) if m.id == "egov.W011"]
    assert [("EGOV_ZALO_TEMPLATES" in m.msg) for m in messages] == [True]


def test_complete_channels_give_no_warning(settings: Any) -> None:
    _egov(
        settings,
        SMS_PROTOCOL="smpp",
        SMPP_HOST="127.0.0.1",
        SMPP_SYSTEM_ID="egov",
        SMPP_PASSWORD="pw",
        SMPP_SOURCE_ADDR="EGOV",
        ZALO_APP_ID="123",
        ZALO_SECRET="s",
        ZALO_REFRESH_TOKEN="r",
        ZALO_TEMPLATES=["dossier.received=231456"],
    )
    assert "egov.W011" not in _ids(include_deployment_checks=True)


def test_egov_check_stops_on_a_mistyped_protocol() -> None:
    env = {**os.environ, "EGOV_DEMO": "true", "EGOV_SMS_PROTOCOL": "smtp"}
    done = subprocess.run(
        [sys.executable, "-m", "egov.cli", "check"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode != 0
    assert "egov.E010" in done.stderr and "http hoặc smpp" in done.stderr
