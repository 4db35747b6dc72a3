"""What the core does when things happen elsewhere: it posts signed webhooks (egov.core.webhooks)."""

from __future__ import annotations

from egov.core import reactions, webhooks

reactions.on_outbox(webhooks.DOSSIER_STATUS_CHANGED, webhooks.deliver_dossier_status_changed)
reactions.on_outbox(webhooks.CATALOG_VERSION_PUBLISHED, webhooks.deliver_catalog_version_published)
