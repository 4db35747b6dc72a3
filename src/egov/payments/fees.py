"""Fees and charges of a dossier, from its procedure version and channel, and what is left to pay.

The catalogue keeps the fee lines per channel (`ChannelTerms.fees`): `{code, name, kind: fee|charge,
amount (VND), note, conditional, exemptions: [{code, name}]}`. A line is waived when the dossier's
exemption (`FeeExemption`, claimed by the applicant or recorded by the desk) is one of the line's
exemptions. A *conditional* line (e.g. "per copy from the third copy") is published but never billed
by itself: the handler asks for it with a financial obligation when the case applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from egov.catalog.models import Channel
from egov.catalog.rules import version_rules
from egov.core.models import Event
from egov.dossiers.models import Dossier, Status
from egov.payments.models import FeeExemption, Payment

BEFORE_RECEIPT = "before_receipt"
BEFORE_RESULT = "before_result"
OBLIGATION_EVENT = "dossier.financial_obligation_requested"


@dataclass(frozen=True)
class Exemption:
    code: str
    name: str


@dataclass(frozen=True)
class FeeLine:
    code: str
    name: str
    kind: str
    amount: int
    exemptions: tuple[Exemption, ...] = ()
    exempt: bool = False
    conditional: bool = False

    @property
    def due(self) -> int:
        return 0 if self.exempt or self.conditional else self.amount

    def as_bill_line(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind, "amount": self.amount}


@dataclass(frozen=True)
class Due:
    """What the applicant has to pay now, computed on the server (never taken from a form)."""

    purpose: str
    lines: list[dict[str, Any]]

    @property
    def amount(self) -> int:
        return sum(int(line["amount"]) for line in self.lines)


def payment_when() -> str:
    return BEFORE_RESULT if settings.EGOV.get("PAYMENT_WHEN") == BEFORE_RESULT else BEFORE_RECEIPT


def _exemptions(raw: Any) -> tuple[Exemption, ...]:
    if not isinstance(raw, list):
        return ()
    items = [e for e in raw if isinstance(e, dict) and e.get("code") and e.get("name")]
    return tuple(Exemption(code=str(e["code"]), name=str(e["name"])) for e in items)


def _amount(raw: Any) -> int:
    return raw if type(raw) is int and raw > 0 else 0


def catalogue_lines(dossier: Dossier) -> list[FeeLine]:
    """The fee lines the catalogue publishes for the dossier's procedure version and channel."""
    terms = version_rules(dossier.procedure_version_id).channels.get(dossier.channel)
    if terms is None:
        return []
    return [
        FeeLine(
            code=str(raw.get("code", "")),
            name=str(raw.get("name", "")),
            kind=str(raw.get("kind", "fee")),
            amount=_amount(raw.get("amount")),
            exemptions=_exemptions(raw.get("exemptions")),
            conditional=raw.get("conditional") is True,
        )
        for raw in terms.fees
        if isinstance(raw, dict)
    ]


def exemptions_offered(dossier: Dossier) -> list[Exemption]:
    """Every exemption any charged line of the dossier allows, once each, in catalogue order."""
    seen: dict[str, Exemption] = {}
    for line in catalogue_lines(dossier):
        if line.amount:
            for exemption in line.exemptions:
                seen.setdefault(exemption.code, exemption)
    return list(seen.values())


def exemption_of(dossier: Dossier) -> FeeExemption | None:
    return FeeExemption.objects.filter(dossier_id=dossier.pk).first()


def fee_lines(dossier: Dossier) -> list[FeeLine]:
    """The dossier's fee lines, each marked exempt when the dossier's exemption waives it."""
    claimed = exemption_of(dossier)
    code = claimed.code if claimed is not None else None
    return [
        FeeLine(
            code=line.code,
            name=line.name,
            kind=line.kind,
            amount=line.amount,
            exemptions=line.exemptions,
            exempt=code is not None and any(e.code == code for e in line.exemptions),
            conditional=line.conditional,
        )
        for line in catalogue_lines(dossier)
    ]


def total_due(dossier: Dossier) -> int:
    """The fees to pay after exemptions, in VND (the default amount of a financial obligation)."""
    return sum(line.due for line in fee_lines(dossier))


def obligation_default(dossier: Dossier) -> int:
    """The amount a financial obligation asks when the handler gives none: the fees not paid yet."""
    return 0 if has_paid(dossier, Payment.Purpose.FEES) else total_due(dossier)


def _due_lines(dossier: Dossier) -> list[dict[str, Any]]:
    return [line.as_bill_line() for line in fee_lines(dossier) if line.due]


def has_paid(dossier: Dossier, purpose: str, since: Any = None) -> bool:
    """A confirmed payment (fully refunded ones no longer count: the money went back)."""
    paid = Payment.objects.filter(dossier_id=dossier.pk, purpose=purpose, status=Payment.Status.PAID)
    if since is not None:
        paid = paid.filter(created_at__gte=since)
    return paid.exists()


def _obligation(dossier: Dossier) -> Event | None:
    return (
        Event.objects.filter(aggregate_type="dossier", aggregate_id=dossier.code, kind=OBLIGATION_EVENT)
        .order_by("-id")
        .first()
    )


def amount_due(dossier: Dossier) -> Due | None:
    """What the applicant must pay online now, or None (nothing to pay, or not yet, or paid)."""
    if dossier.status == Status.FINANCIAL:
        return _obligation_due(dossier)
    if (
        payment_when() == BEFORE_RECEIPT
        and dossier.channel == Channel.ONLINE
        and dossier.status == Status.SUBMITTED
        and not has_paid(dossier, Payment.Purpose.FEES)
    ):
        lines = _due_lines(dossier)
        return Due(Payment.Purpose.FEES, lines) if lines else None
    return None


def _obligation_due(dossier: Dossier) -> Due | None:
    event = _obligation(dossier)
    if event is None or has_paid(dossier, Payment.Purpose.OBLIGATION, since=event.occurred_at):
        return None
    amount = _amount(event.data.get("amount"))
    if not amount:
        return None
    lines = _due_lines(dossier)
    if sum(line["amount"] for line in lines) != amount:
        name = "Nghĩa vụ tài chính: " + str(event.data.get("content", ""))
        lines = [{"code": "", "name": name[:300], "kind": "charge", "amount": amount}]
    return Due(Payment.Purpose.OBLIGATION, lines)


def result_withheld(dossier: Dossier) -> bool:
    """Before-result mode: an online dossier's result waits until its fees are paid (either as the fees
    or as the financial obligation that asked for them)."""
    if payment_when() != BEFORE_RESULT or dossier.channel != Channel.ONLINE or total_due(dossier) <= 0:
        return False
    return not (has_paid(dossier, Payment.Purpose.FEES) or has_paid(dossier, Payment.Purpose.OBLIGATION))


def receipt_blocked(dossier: Dossier) -> bool:
    """Before-receipt mode: an online dossier with fees left to pay waits for the payment."""
    if payment_when() != BEFORE_RECEIPT or dossier.channel != Channel.ONLINE:
        return False
    return total_due(dossier) > 0 and not has_paid(dossier, Payment.Purpose.FEES)
