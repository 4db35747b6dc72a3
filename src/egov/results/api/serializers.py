"""Response shapes of the public result-verification API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from egov.results.checking import PublicVerification, SignatureView, verify_issued
from egov.results.models import ResultDocument
from egov.results.services import verification_url


class ReasonOut(serializers.Serializer):
    code = serializers.CharField()
    vi = serializers.CharField()
    en = serializers.CharField()


class ResultAgencyOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SignatureOut(serializers.Serializer):
    order = serializers.IntegerField(help_text="1: the competent person's signature, 2: the agency's.")
    kind = serializers.ChoiceField(choices=["personal", "agency"])
    signer = serializers.CharField(help_text="The person, or the agency (the certificate's name).")
    position = serializers.CharField(allow_blank=True, help_text="The person's position, e.g. CHỦ TỊCH.")
    on_behalf = serializers.CharField(allow_blank=True, help_text="Signing authority, e.g. KT. CHỦ TỊCH.")
    agency = serializers.CharField(help_text="The agency the person signs for, or the signing agency.")
    signed_at = serializers.DateTimeField(allow_null=True)
    valid = serializers.BooleanField(help_text="Intact, a good signature, nothing shown changed after it.")
    intact = serializers.BooleanField()
    chain_ok = serializers.BooleanField(help_text="The certificate chains to this node's CA.")
    revoked = serializers.BooleanField(help_text="The certificate is on the node's CRL.")
    certificate_serial = serializers.CharField()


class VerifyOut(serializers.Serializer):
    valid = serializers.BooleanField(help_text="Intact, trusted, issued by this node and not revoked.")
    intact = serializers.BooleanField(help_text="The signed bytes are unchanged.")
    trusted = serializers.BooleanField(help_text="The signing certificate chains to this node's CA.")
    revoked = serializers.BooleanField()
    signer = serializers.CharField(allow_blank=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    dossier_code = serializers.CharField(allow_null=True)
    short_code = serializers.CharField(allow_null=True)
    number = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    agency = ResultAgencyOut(allow_null=True)
    reasons = ReasonOut(many=True)
    signatures = SignatureOut(many=True, help_text="Every signature of the file, in signing order.")


class ResultFactsOut(serializers.Serializer):
    """The facts of a result, without the holder's personal data (no name, identity number or
    dossier code): what the printed code lets anyone check."""

    short_code = serializers.CharField()
    valid = serializers.BooleanField(help_text="The register's copy verifies and is not revoked.")
    number = serializers.CharField()
    title = serializers.CharField(help_text="The type of the result, e.g. Giấy khai sinh.")
    agency = ResultAgencyOut()
    signed_at = serializers.DateTimeField(help_text="When it was issued (the agency's signature).")
    sha256 = serializers.CharField()
    revoked = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    signatures = SignatureOut(many=True, help_text="The competent person's and the agency's signatures.")
    reasons = ReasonOut(many=True)
    verify_url = serializers.CharField()


def agency_of(document: ResultDocument) -> dict[str, str]:
    return {"code": document.agency.code, "name": document.agency.name}


def signature_body(view: SignatureView) -> dict[str, Any]:
    return {
        "order": view.order,
        "kind": view.kind,
        "signer": view.signer,
        "position": view.position,
        "on_behalf": view.on_behalf,
        "agency": view.agency,
        "signed_at": view.signed_at,
        "valid": view.valid,
        "intact": view.intact,
        "chain_ok": view.chain_ok,
        "revoked": view.revoked,
        "certificate_serial": view.certificate_serial,
    }


def reasons_body(result: PublicVerification) -> list[dict[str, str]]:
    return [{"code": r.code, "vi": r.vi, "en": r.en} for r in result.reasons]


def verify_body(result: PublicVerification) -> dict[str, Any]:
    document = result.document
    return {
        "valid": result.valid,
        "intact": result.intact,
        "trusted": result.trusted,
        "revoked": result.revoked,
        "signer": result.signer,
        "signed_at": result.signed_at,
        "dossier_code": result.dossier_code,
        "short_code": result.short_code,
        "number": document.number if document else None,
        "title": document.title if document else None,
        "agency": agency_of(document) if document else None,
        "reasons": reasons_body(result),
        "signatures": [signature_body(view) for view in result.signatures],
    }


def facts_body(document: ResultDocument) -> dict[str, Any]:
    """The facts, checked against the register's own signed copy (both signatures verified now)."""
    checked = verify_issued(document)
    return {
        "short_code": document.display_code,
        "valid": checked.valid,
        "number": document.number,
        "title": document.title,
        "agency": agency_of(document),
        "signed_at": document.signed_at,
        "sha256": document.sha256,
        "revoked": document.revoked,
        "revoked_at": document.revoked_at,
        "signatures": [signature_body(view) for view in checked.signatures],
        "reasons": reasons_body(checked),
        "verify_url": verification_url(document.short_code),
    }
