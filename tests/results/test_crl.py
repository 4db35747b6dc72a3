"""The node's CRL is short lived and signed again by `egov worker` before it lapses; a lapsed one is
reported plainly (egov pki show / crl, deploy check egov.W012, the verification's reasons)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from egov.core import periodic, reactions
from egov.results import checking, checks, crl, enrolment, pki
from egov.results.management.commands.pki import Command
from egov.results.models import ResultDocument
from tests.dossiers.factories import World
from tests.results.helpers import issued

DAY = dt.timedelta(days=1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def signed_days_ago(directory: Path, days: float) -> crl.CrlState:
    """Put a CRL in place as if it had been signed `days` ago (the CA's real key, an earlier clock)."""
    _state, signed = crl.renew_crl(directory, force=True, now=now() - dt.timedelta(days=days))
    state = crl.crl_state(directory)
    assert signed and state is not None
    return state


def show(directory: Path, *action: str) -> str:
    out = StringIO()
    call_command(Command(), *(action or ("show",)), "--dir", str(directory), stdout=out)
    return out.getvalue()


@pytest.fixture
def result(world: World, node_pki: Path) -> ResultDocument:
    return issued(world, node_pki)


def test_a_new_pki_has_a_crl_of_the_configured_life(pki_dir: Path, settings: Any) -> None:
    state = crl.crl_state(pki_dir)
    assert state is not None and state.number == 1 and not state.lapsed and not state.due
    assert abs(state.next_update - (now() + 7 * DAY)) < dt.timedelta(minutes=2)  # EGOV_CRL_DAYS=7
    settings.EGOV = {**settings.EGOV, "CRL_DAYS": 2}
    state, signed = crl.renew_crl(pki_dir, force=True)
    assert signed and abs(state.next_update - (now() + 2 * DAY)) < dt.timedelta(minutes=2)


def test_an_old_crl_is_signed_again_by_the_worker_and_signatures_still_verify(
    result: ResultDocument, node_pki: Path
) -> None:
    personal = result.signatures.get(order=1).certificate
    assert personal is not None
    enrolment.revoke_signer_certificate(None, personal.serial, "Lộ khóa bí mật")
    old = signed_days_ago(node_pki, 4)  # 3 of 7 days left: less than half
    assert old.due and not old.lapsed
    with reactions.isolated(keep=True) as registry:
        registry.jobs = {"results.crl": registry.jobs["results.crl"]}  # the job flows.py declared
        assert periodic.run_due_jobs() == ["results.crl"]
    new = crl.crl_state(node_pki)
    assert new is not None and new.number == old.number + 1 and not new.due
    assert abs(new.next_update - (now() + 7 * DAY)) < dt.timedelta(minutes=2)
    assert pki.revoked_serials(node_pki) == {personal.serial}  # the entries are kept
    (ca,) = pki.load_certificates(node_pki / "ca.pem")
    assert pki.load_crl(node_pki / "crl.pem").is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    verdict = checking.verify_issued(result)
    person, agency = verdict.signatures
    assert agency.valid and agency.chain_ok and person.revoked and not person.valid


def test_a_crl_with_more_than_half_its_life_left_is_left_alone(
    node_pki: Path, result: ResultDocument
) -> None:
    before = signed_days_ago(node_pki, 2)
    assert not before.due
    assert "valid until" in crl.renew_node_crl()
    after = crl.crl_state(node_pki)
    assert after is not None and after.number == before.number
    assert checking.verify_issued(result).valid


def test_a_crl_signed_for_longer_than_the_setting_is_replaced(pki_dir: Path) -> None:
    ca_key, ca_cert = pki.load_ca(pki_dir)
    pki.write_crl(pki_dir, pki.sign_crl(ca_key, ca_cert, number=5, days=pki.DEFAULT_DAYS))  # as before
    state, signed = crl.renew_crl(pki_dir)
    assert signed and state.number == 6 and state.next_update < now() + 8 * DAY


def test_workers_renewing_at_once_sign_one_new_crl(pki_dir: Path) -> None:
    old = signed_days_ago(pki_dir, 5)
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: crl.renew_crl(pki_dir)[1], range(4)))
    assert outcomes.count(True) == 1
    state = crl.crl_state(pki_dir)
    assert state is not None and state.number == old.number + 1


def test_a_revocation_while_the_crl_is_renewed_stays_on_the_list(pki_dir: Path) -> None:
    person = pki.issue_personal_certificate(
        pki_dir, full_name="Trần Văn Bình", position="GIÁM ĐỐC", agency_code="A", agency_name="Cơ quan A"
    )
    signed_days_ago(pki_dir, 5)
    with ThreadPoolExecutor(max_workers=2) as pool:
        renewal = pool.submit(crl.renew_crl, pki_dir)
        revocation = pool.submit(pki.revoke_certificate, pki_dir, person.serial)
        renewal.result(), revocation.result()
    assert pki.revoked_serials(pki_dir) == {person.serial}
    state = crl.crl_state(pki_dir)
    assert state is not None and not state.due


def test_a_lapsed_crl_is_reported_by_show_crl_and_the_deploy_check(
    node_pki: Path, result: ResultDocument
) -> None:
    lapsed = signed_days_ago(node_pki, 8)
    assert lapsed.lapsed
    for text in (show(node_pki), show(node_pki, "crl")):
        assert "ĐÃ HẾT HẠN" in text and "LAPSED" in text and "egov pki crl --renew" in text
    (warning,) = checks.check_crl_current()
    assert warning.id == "egov.W012" and "hết hạn" in warning.msg and "lapsed" in warning.msg
    assert "egov worker" in str(warning.hint)

    renewed = show(node_pki, "crl", "--renew")
    assert f"number {lapsed.number + 1};" in renewed and "next update" in renewed
    assert "LAPSED" not in show(node_pki) and checks.check_crl_current() == []


def test_verification_with_a_lapsed_crl_says_so_not_untrusted(
    client: Client, node_pki: Path, result: ResultDocument
) -> None:
    signed_days_ago(node_pki, 8)
    body = client.get(f"/api/v1/results/{result.short_code}").json()
    assert body["valid"] is False
    assert [r["code"] for r in body["reasons"]] == ["crl_lapsed"]
    (reason,) = body["reasons"]
    assert "CRL" in reason["vi"] and "hết hạn" in reason["vi"] and "lapsed" in reason["en"]
    crl.renew_crl(node_pki)  # overdue: signed again
    assert client.get(f"/api/v1/results/{result.short_code}").json()["valid"] is True


def test_no_pki_no_crl_nothing_to_renew_or_warn(node_pki: Path, db: None) -> None:
    assert crl.renew_node_crl() == "no PKI" and checks.check_crl_current() == []
    with pytest.raises(CommandError, match="egov pki init"):
        show(node_pki, "crl")


def test_a_crl_life_below_one_day_is_a_bilingual_error(pki_dir: Path, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "CRL_DAYS": 0}
    with pytest.raises(pki.PkiError) as info:
        crl.renew_crl(pki_dir, force=True)
    assert "EGOV_CRL_DAYS" in info.value.vi and "EGOV_CRL_DAYS" in info.value.en
    state = crl.crl_state(pki_dir)
    assert state is not None and state.number == 1  # nothing written
