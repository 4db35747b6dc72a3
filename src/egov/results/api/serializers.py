"""Response shapes of the public result-verification API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from egov.results.checking import PublicVerification
from egov.results.models import ResultDocument
from egov.results.services import verification_url


class ReasonOut(serializers.Serializer):
    code = serializers.CharField()
    vi = serializers.CharField()
    en = serializers.CharField()


class ResultAgencyOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


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


class ResultFactsOut(serializers.Serializer):
    short_code = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    agency = ResultAgencyOut()
    signer = serializers.CharField()
    certificate_serial = serializers.CharField()
    signed_at = serializers.DateTimeField()
    dossier_code = serializers.CharField()
    sha256 = serializers.CharField()
    revoked = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    verify_url = serializers.CharField()


def agency_of(document: ResultDocument) -> dict[str, str]:
    return {"code": document.agency.code, "name": document.agency.name}


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
        "reasons": [{"code": r.code, "vi": r.vi, "en": r.en} for r in result.reasons],
    }


def facts_body(document: ResultDocument) -> dict[str, Any]:
    return {
        "short_code": document.display_code,
        "number": document.number,
        "title": document.title,
        "agency": agency_of(document),
        "signer": document.signer_subject,
        "certificate_serial": document.certificate_serial,
        "signed_at": document.signed_at,
        "dossier_code": document.dossier.code,
        "sha256": document.sha256,
        "revoked": document.revoked,
        "revoked_at": document.revoked_at,
        "verify_url": verification_url(document.short_code),
    }
