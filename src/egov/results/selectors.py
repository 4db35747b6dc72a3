"""Reads of electronic results: the back office panel, and who may fetch a signed original.

(The leader's KPI lives in backoffice.selectors.)"""

from __future__ import annotations

from typing import Any

from egov.accounts.models import Role
from egov.core.errors import DomainError
from egov.dossiers.errors import LookupFailed
from egov.dossiers.models import Dossier
from egov.dossiers.permissions import holds_role, is_applicant
from egov.dossiers.selectors import guarded_public_lookup
from egov.results import enrolment, services, wording
from egov.results.models import ResultDocument


class PinRequired(DomainError):
    code = "result_pin_required"
    status = 403
    vi = "Để tải bản gốc có ký số, hãy nhập mã PIN in trên giấy tiếp nhận hồ sơ (hoặc đăng nhập tài khoản của chủ hồ sơ)."  # noqa: E501
    en = "To download the signed original, type the PIN printed on the dossier's receipt (or sign in as its holder)."  # noqa: E501


class PinIncorrect(DomainError):
    code = "result_pin_incorrect"
    status = 403
    vi = "Mã PIN không đúng. PIN được in trên giấy tiếp nhận hồ sơ."
    en = "The PIN is not correct. It is printed on the dossier's receipt."


def results_of(dossier: Dossier) -> list[ResultDocument]:
    return list(
        ResultDocument.objects.filter(dossier=dossier).select_related("file", "template").order_by("id")
    )


def office_panel(user: Any, dossier: Dossier) -> dict[str, Any]:
    """Issued results, and the templates the user may issue from now (empty when not allowed)."""
    documents = results_of(dossier)
    templates = []
    if services.may_issue(user, dossier) and services.issuable_now(dossier) and may_sign(user, dossier):
        live = {d.template.code for d in documents if not d.revoked}
        templates = [t for t in wording.templates_for(dossier) if t.code not in live]
    may_revoke = holds_role(user, dossier.agency_id, *services.ISSUER_ROLES) or any(
        d.issued_by_id == getattr(user, "pk", None) for d in documents
    )
    return {"documents": documents, "templates": templates, "may_revoke": may_revoke}


def may_sign(user: Any, dossier: Dossier) -> bool:
    """Whether the user holds a personal certificate for the dossier (or, on a demo node, is a
    leader who would be enrolled on signing): only then is "Ký số và cấp kết quả" offered."""
    agencies = services.signer_agencies(dossier)
    return enrolment.live_certificate(user, agencies) is not None or enrolment.demo_enrolable(user, agencies)


def may_download_original(user: Any, document: ResultDocument) -> bool:
    """The signed PDF without a PIN: its holder (the dossier's applicant) or an officer of the agency."""
    return is_applicant(user, document.dossier) or holds_role(user, document.agency_id, *Role.values)


def check_pin(document: ResultDocument, pin: str) -> None:
    """The dossier's PIN (printed on its receipt), behind the same per-code lock as the public lookup."""
    try:
        guarded_public_lookup(document.dossier.code, str(pin or "")[:20])
    except LookupFailed as exc:
        raise PinIncorrect() from exc
