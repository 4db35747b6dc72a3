"""Public verification: the API (PDF upload, short-code lookup) and the /verify/ pages."""

from __future__ import annotations

import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.results import pki, services, signing
from egov.results.models import ResultDocument
from tests.dossiers.factories import World
from tests.results.conftest import make_pdf
from tests.results.helpers import issued

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/results/verify"


def _bytes(result: ResultDocument) -> bytes:
    with result.file.file.open("rb") as fh:
        return bytes(fh.read())


def _post_pdf(client: Client, data: bytes, content_type: str = "application/pdf") -> dict:  # type: ignore[type-arg]
    response = client.post(VERIFY, data=data, content_type=content_type)
    return {"status": response.status_code, **response.json()}


@pytest.fixture
def result(world: World, node_pki: Path) -> ResultDocument:
    return issued(world, node_pki)


def test_valid_document_as_body_and_as_multipart(client: Client, result: ResultDocument) -> None:
    body = _post_pdf(client, _bytes(result))
    assert body["status"] == 200 and body["valid"] and body["intact"] and body["trusted"], body
    assert body["revoked"] is False and body["reasons"] == []
    assert body["dossier_code"] == result.dossier.code and body["short_code"] == result.display_code
    assert body["signer"] == result.agency.name and body["signed_at"]
    person, agency = body["signatures"]
    assert (person["order"], person["kind"], person["signer"], person["position"]) == (
        1,
        "personal",
        "Phạm Văn Đức",
        "CHỦ TỊCH",
    )
    assert person["agency"] == result.signatures.get(order=1).agency.name
    assert (agency["order"], agency["kind"], agency["signer"]) == (2, "agency", result.agency.name)
    for signature in (person, agency):
        assert signature["valid"] and signature["chain_ok"] and not signature["revoked"], signature
        assert signature["signed_at"] and signature["certificate_serial"]
    upload = SimpleUploadedFile("kq.pdf", _bytes(result), content_type="application/pdf")
    multipart = client.post(VERIFY, {"file": upload}).json()
    assert multipart["valid"] and multipart["dossier_code"] == result.dossier.code


def test_one_byte_changed_inside_the_signed_range_is_invalid(client: Client, result: ResultDocument) -> None:
    data = bytearray(_bytes(result))
    index = data.index(b"stream\n") + 40
    data[index] ^= 0x01
    body = _post_pdf(client, bytes(data))
    assert body["status"] == 200 and body["valid"] is False and body["intact"] is False
    assert "modified" in [r["code"] for r in body["reasons"]]
    assert all(r["vi"] and r["en"] for r in body["reasons"])
    assert body["dossier_code"] is None


def test_unsigned_pdf(client: Client, result: ResultDocument) -> None:
    body = _post_pdf(client, make_pdf(1))
    assert body["valid"] is False and [r["code"] for r in body["reasons"]] == ["no_signature"]


def test_signature_of_another_ca(client: Client, result: ResultDocument, tmp_path: Path) -> None:
    other = tmp_path / "other"
    pki.init_pki(other, node_name="Nút khác", agencies=[("X", "Cơ quan giả")])
    p12 = other / "agencies" / "X.p12"
    forged = signing.sign_pdf(
        make_pdf(1), pki.load_signer(p12, pki.password_for(p12)), reason="r", location="l"
    )
    body = _post_pdf(client, forged)
    assert body["valid"] is False and body["trusted"] is False and body["intact"] is True
    assert "untrusted" in [r["code"] for r in body["reasons"]]


def test_revoked_document(client: Client, world: World, result: ResultDocument) -> None:
    services.revoke_result(world.leader, result, "Cấp nhầm")
    body = _post_pdf(client, _bytes(result))
    assert body["valid"] is False and body["revoked"] is True and body["intact"] is True
    assert "revoked" in [r["code"] for r in body["reasons"]] and body["dossier_code"] == result.dossier.code
    facts = client.get(f"/api/v1/results/{result.short_code}").json()
    assert facts["revoked"] is True and facts["revoked_at"]


def test_update_appended_after_signing_is_still_found_but_not_valid(
    client: Client, result: ResultDocument
) -> None:
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(_bytes(result)))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    body = _post_pdf(client, out.getvalue())
    assert body["valid"] is False and body["dossier_code"] == result.dossier.code
    assert "changed_after_signing" in [r["code"] for r in body["reasons"]]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"hello, not a pdf", "application/pdf", 400, "pdf_invalid"),
        (b"", "application/pdf", 400, "pdf_empty"),
        (b'{"file": "x"}', "application/json", 415, "unsupported_media_type"),
    ],
)
def test_bad_input_is_a_clear_bilingual_error(
    client: Client, data: bytes, content_type: str, status: int, code: str
) -> None:
    response = client.post(VERIFY, data=data, content_type=content_type)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]["vi"] and error["message"]["en"]


def test_multipart_without_file_and_oversized(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    response = client.post(VERIFY, {"other": "x"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "pdf_empty"
    settings.EGOV = {**settings.EGOV, "UPLOAD_MAX_BYTES": 2048}
    big = b"%PDF-1.7\n" + b"0" * 4096
    response = client.post(VERIFY, data=big, content_type="application/pdf")
    assert response.status_code == 413 and response.json()["error"]["code"] == "pdf_too_large"
    upload = SimpleUploadedFile("big.pdf", big, content_type="application/pdf")
    response = client.post(VERIFY, {"file": upload})
    assert response.status_code == 413 and "MiB" in response.json()["error"]["message"]["en"]


def test_decompression_bomb_is_refused_before_parsing(client: Client) -> None:
    bomb = zlib.compress(b"\0" * (80 * 1024 * 1024), 9)
    data = (
        b"%PDF-1.7\n1 0 obj<</Length "
        + str(len(bomb)).encode()
        + b"/Filter/FlateDecode>>stream\n"
        + bomb
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    response = client.post(VERIFY, data=data, content_type="application/pdf")
    assert response.status_code == 400 and response.json()["error"]["code"] == "pdf_too_complex"


def test_lookup_by_short_code(client: Client, result: ResultDocument) -> None:
    facts = client.get(f"/api/v1/results/{result.display_code.lower()}").json()
    assert facts["valid"] is True and facts["reasons"] == []
    assert facts["number"] == result.number and facts["title"] == result.title
    assert facts["agency"]["name"] == result.agency.name and facts["revoked"] is False
    assert facts["sha256"] == result.sha256 and facts["signed_at"]
    assert facts["verify_url"].endswith(f"/verify/{result.short_code}/")
    assert [(s["kind"], s["signer"], s["position"]) for s in facts["signatures"]] == [
        ("personal", "Phạm Văn Đức", "CHỦ TỊCH"),
        ("agency", result.agency.name, ""),
    ]
    assert all(s["valid"] and s["chain_ok"] and not s["revoked"] for s in facts["signatures"])
    unknown = client.get("/api/v1/results/ABCDEFGHJK")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "result_not_found"
    for bad in ("short", "' OR 1=1 --", "ABCDE%25GHJK", "ABCDEFGHJU"):
        response = client.get(f"/api/v1/results/{quote(bad)}")
        assert response.status_code == 400, bad
        # a "%" is refused before routing by the request filter, the rest by the code check
        assert response.json()["error"]["code"] in {"short_code_invalid", "invalid_characters"}


def test_the_facts_carry_no_personal_data_of_the_holder(client: Client, result: ResultDocument) -> None:
    """Anyone with the printed code sees the facts of the result, nothing about the person it is for."""
    dossier = result.dossier
    text = client.get(f"/api/v1/results/{result.short_code}").content.decode()
    for personal in (dossier.applicant_name, dossier.applicant_id_number, dossier.phone, dossier.code):
        assert personal and personal not in text, personal
    assert "dossier_code" not in text and "applicant" not in text


def test_a_revoked_personal_certificate_shows_on_its_signature(
    client: Client, world: World, result: ResultDocument
) -> None:
    from egov.results import enrolment

    personal = result.signatures.get(order=1)
    assert personal.certificate is not None
    enrolment.revoke_signer_certificate(None, personal.certificate.serial, "Lộ khóa bí mật")
    for body in (
        _post_pdf(client, _bytes(result)),
        client.get(f"/api/v1/results/{result.short_code}").json(),
    ):
        assert body["valid"] is False
        person, agency = body["signatures"]
        assert person["revoked"] is True and person["chain_ok"] is True and person["valid"] is False
        assert agency["revoked"] is False and agency["valid"] is True
        assert "certificate_revoked" in [r["code"] for r in body["reasons"]]


def test_public_endpoints_are_throttled(client: Client, settings, result: ResultDocument) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "result_verify": "2/min"}
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [client.get(f"/api/v1/results/{result.short_code}").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert client.post(VERIFY, data=b"x", content_type="application/pdf").status_code == 429
        assert client.get(f"/verify/{result.short_code}/").status_code == 429
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original


def test_openapi_schema_lists_the_endpoints(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/results/verify" in schema["paths"] and "/api/v1/results/{short_code}" in schema["paths"]
    verify = schema["paths"]["/api/v1/results/verify"]["post"]
    assert {"multipart/form-data", "application/pdf"} <= set(verify["requestBody"]["content"])


def test_node_without_pki_reports_untrusted_not_a_crash(
    client: Client, node_pki: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    pki.init_pki(other, node_name="Nút khác", agencies=[("X", "Cơ quan X")])
    p12 = other / "agencies" / "X.p12"
    signed = signing.sign_pdf(
        make_pdf(1), pki.load_signer(p12, pki.password_for(p12)), reason="r", location="l"
    )
    assert not node_pki.exists()
    body = _post_pdf(client, signed)
    assert body["status"] == 200 and body["valid"] is False and body["trusted"] is False
