"""The fee exemption of a dossier: claimed by the applicant in the pay box, or recorded by the desk.

The proof (a certificate of a poor household, of a person with meritorious services, a birth
certificate...) is a document of the dossier, which the desk checks when it receives the dossier.
An exemption cannot change while a payment is open or once the fees are paid, nor after the dossier
has ended (`egov.payments.policies`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.core.events import record_event
from egov.dossiers.models import Dossier
from egov.payments import fees, policies
from egov.payments.models import FeeExemption


class ExemptionInvalid(ValidationFailed):
    code = "fee_exemption_invalid"
    vi = "Đối tượng miễn phí, lệ phí không có trong danh mục của thủ tục này."
    en = "This exemption is not offered by the procedure's fees."


class ExemptionLocked(Conflict):
    code = "fee_exemption_locked"
    vi = "Không thể thay đổi đối tượng miễn phí khi có khoản thanh toán đang chờ hoặc đã thanh toán."
    en = "The exemption cannot change while a payment is open or once the fees are paid."


def claim_exemption(actor: Any, dossier: Dossier, code: str) -> FeeExemption | None:
    """Record (or, with an empty code, clear) the dossier's exemption; returns what is recorded."""
    if not policies.may_claim_exemption(actor, dossier):
        raise PermissionDenied()
    code = str(code or "").strip()
    offered = {e.code: e for e in fees.exemptions_offered(dossier)}
    if code and code not in offered:
        raise ExemptionInvalid(detail={"code": code[:40], "offered": sorted(offered)})
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        if not policies.exemption_may_change(locked):
            raise ExemptionLocked(detail={"status": locked.status})
        current = FeeExemption.objects.filter(dossier=locked).first()
        before = {"exemption": current.code if current else ""}
        if current is not None and current.code != code:
            current.delete()
            current = None
        if code and current is None:
            current = FeeExemption.objects.create(
                dossier=locked,
                code=code,
                name=offered[code].name[:255],
                recorded_by=actor,
                recorded_at=timezone.now(),
            )
        record_event(
            actor=actor,
            aggregate_type="dossier",
            aggregate_id=locked.code,
            kind="payment.exemption_recorded" if code else "payment.exemption_cleared",
            before=before,
            after={"exemption": code},
            data={"name": current.name if current else ""},
        )
        return current
