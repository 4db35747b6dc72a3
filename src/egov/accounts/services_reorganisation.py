"""What a reorganisation of the agencies does to accounts: officers follow their unit's work.

The catalogue closes agencies and names their successors (`egov.catalog.services_reorganisation`);
it cannot import accounts (it sits below), so it asks its `HAND_OVER` point and accounts answers
here (declared in accounts/flows.py), in the catalogue's transaction.
"""

from __future__ import annotations

from egov.accounts.models import RoleAssignment
from egov.catalog.extensions import HandOver


def hand_over_roles(hand_over: HandOver) -> None:
    """Role assignments at a closed agency move to its successor (plan `"roles": "move"`), or are
    listed in the report for a person to decide; on a dry run both are only reported (rolled back)."""
    assignments = (
        RoleAssignment.objects.filter(agency_id__in=hand_over.successors)
        .select_related("user", "agency")
        .order_by("agency__code", "user__username", "role")
    )
    for assignment in assignments:
        new = hand_over.successors[assignment.agency_id]
        hand_over.report.roles.append(
            {
                "user": assignment.user.username,
                "role": assignment.role,
                "from": assignment.agency.code,
                "to": new.code,
                "moved": hand_over.move,
            }
        )
        if hand_over.move:
            RoleAssignment.objects.get_or_create(user=assignment.user, agency=new, role=assignment.role)
            assignment.delete()
