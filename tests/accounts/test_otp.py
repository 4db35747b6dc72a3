"""Second-factor secrets: django-otp's TOTP checked against pyotp, keys encrypted, recovery codes hashed."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from django_otp.oath import TOTP

from egov.accounts import otp

T = 1_772_400_000  # a fixed instant


def test_generated_keys_are_160_bits_and_fresh() -> None:
    assert len(otp.generate_key()) == 20
    assert otp.generate_key() != otp.generate_key()


@pytest.mark.parametrize("offset", [0, 29, 30, 12345, 10**6])
def test_django_otp_codes_match_pyotp(offset: int) -> None:
    key = otp.generate_key()
    totp = TOTP(key)
    totp.time = T + offset
    assert str(totp.token()).zfill(6) == pyotp.TOTP(otp.base32(key)).at(T + offset)


def test_the_published_demo_secret_still_decodes() -> None:
    key = otp.from_base32("EGOVDEMOTOTPSECRETKEYFORDEMOONLY")
    assert otp.base32(key) == "EGOVDEMOTOTPSECRETKEYFORDEMOONLY"


def test_provisioning_uri_is_read_by_pyotp(settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "NODE_NAME": "Hà Nam"}
    key = otp.generate_key()
    uri = otp.provisioning_uri(key, "so.motcua")
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == otp.base32(key)
    assert parsed.issuer == "Hà Nam" and parsed.name == "so.motcua"
    assert otp.provisioning_uri(key, "so.motcua", issuer="egov").startswith("otpauth://totp/egov:so.motcua?")
    assert parse_qs(urlparse(uri).query)["issuer"] == ["Hà Nam"]


def test_keys_are_encrypted_at_rest_in_the_format_of_2026(settings: Any) -> None:
    key = otp.generate_key()
    token = otp.encrypt_key(key)
    assert otp.base32(key) not in token and base64.b32encode(key).decode() not in token
    assert otp.decrypt_key(token) == key
    settings.SECRET_KEY = "another-key-" * 5
    assert otp.decrypt_key(token) == b""


def test_recovery_codes_are_random_typable_and_stored_only_as_keyed_digests(settings: Any) -> None:
    codes = {otp.new_recovery_code() for _ in range(50)}
    assert len(codes) == 50
    code = codes.pop()
    assert otp.looks_like_recovery_code(code) and otp.looks_like_recovery_code(code.upper().replace("-", " "))
    assert not otp.looks_like_recovery_code("123456")
    digest = otp.recovery_digest(code)
    assert code.replace("-", "") not in digest and digest == otp.recovery_digest(code.upper())
    settings.SECRET_KEY = "another-key-" * 5
    assert otp.recovery_digest(code) != digest


def test_grouped_in_fours() -> None:
    assert otp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"
