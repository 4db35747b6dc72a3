"""Reads of electronic results for the back office (the leader's KPI lives in backoffice.selectors)."""

from __future__ import annotations

from typing import Any

from egov.dossiers.models import Dossier
from egov.dossiers.permissions import holds_role
from egov.results import services, wording
from egov.results.models import ResultDocument


def results_of(dossier: Dossier) -> list[ResultDocument]:
    return list(
        ResultDocument.objects.filter(dossier=dossier).select_related("file", "template").order_by("id")
    )


def office_panel(user: Any, dossier: Dossier) -> dict[str, Any]:
    """Issued results, and the templates the user may issue from now (empty when not allowed)."""
    documents = results_of(dossier)
    templates = []
    if services.may_issue(user, dossier) and services.issuable_now(dossier):
        live = {d.template.code for d in documents if not d.revoked}
        templates = [t for t in wording.templates_for(dossier) if t.code not in live]
    may_revoke = holds_role(user, dossier.agency_id, *services.ISSUER_ROLES) or any(
        d.issued_by_id == getattr(user, "pk", None) for d in documents
    )
    return {"documents": documents, "templates": templates, "may_revoke": may_revoke}
