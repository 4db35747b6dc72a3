"""Every event kind the results app records on a dossier's timeline.

Pages that show a timeline label each of these; tests check that the list matches the source.
"""

from __future__ import annotations

EVENT_KINDS: tuple[str, ...] = ("result.issued", "result.revoked")

# On the `signer_certificate` aggregate (personal certificates, enrolment.py): the admin's audit trail.
SIGNER_EVENT_KINDS: tuple[str, ...] = ("signer.enrolled", "signer.revoked")
