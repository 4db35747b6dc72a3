from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from egov.accounts import totp

T = 1_772_400_000.0  # a fixed instant


def test_generated_secret_is_160_bits_of_base32() -> None:
    secret = totp.generate_secret()
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20
    assert secret != totp.generate_secret()


@pytest.mark.parametrize("offset", [0, 29, 30, 12345, 10**6])
def test_codes_match_pyotp(offset: int) -> None:
    secret = totp.generate_secret()
    assert totp.code_at(secret, T + offset) == pyotp.TOTP(secret).at(T + offset)


def test_rfc6238_vector() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59) == "287082"  # RFC 6238 appendix B, SHA-1, last 6 digits
    assert totp.code_at(secret, 1111111109) == "081804"


def test_verify_accepts_one_step_either_side_only() -> None:
    secret = totp.generate_secret()
    now_step = totp.step_at(T)
    for delta in (-1, 0, 1):
        assert totp.verify(secret, pyotp.TOTP(secret).at(T + 30 * delta), at=T) == now_step + delta
    assert totp.verify(secret, pyotp.TOTP(secret).at(T - 60), at=T) is None
    assert totp.verify(secret, pyotp.TOTP(secret).at(T + 60), at=T) is None


def test_verify_refuses_a_replayed_step() -> None:
    secret = totp.generate_secret()
    code = totp.code_at(secret, T)
    step = totp.verify(secret, code, at=T)
    assert step is not None
    assert totp.verify(secret, code, last_step=step, at=T) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 345"])
def test_verify_refuses_malformed_codes(code: str) -> None:
    assert totp.verify(totp.generate_secret(), code, at=T) is None


def test_provisioning_uri_is_read_by_pyotp(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EGOV = {**settings.EGOV, "NODE_NAME": "Hà Nam"}
    secret = totp.generate_secret()
    uri = totp.provisioning_uri(secret, "so.motcua")
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == secret
    assert parsed.issuer == "Hà Nam"
    assert parsed.name == "so.motcua"
    assert totp.provisioning_uri(secret, "so.motcua", issuer="egov").startswith(
        "otpauth://totp/egov:so.motcua?"
    )
    assert parse_qs(urlparse(uri).query)["issuer"] == ["Hà Nam"]


def test_secret_is_encrypted_at_rest(settings) -> None:  # type: ignore[no-untyped-def]
    secret = totp.generate_secret()
    token = totp.encrypt_secret(secret)
    assert secret not in token
    assert totp.decrypt_secret(token) == secret
    settings.SECRET_KEY = "another-key-" * 5
    assert totp.decrypt_secret(token) == ""


def test_grouped_in_fours() -> None:
    assert totp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"
