"""Every event kind the payments app records on a dossier's timeline.

Pages that show a timeline label each of these; tests check that the list matches the source.
"""

from __future__ import annotations

EVENT_KINDS: tuple[str, ...] = (
    "payment.created",
    "payment.pending",
    "payment.paid",
    "payment.duplicate",
    "payment.failed",
    "payment.expired",
    "payment.refund_requested",
    "payment.refunded",
    "payment.refund_refused",
    "payment.exemption_recorded",
    "payment.exemption_cleared",
)
