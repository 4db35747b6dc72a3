"""How the portal reacts: expired drafts of online applications are deleted every hour."""

from __future__ import annotations

from egov.core import reactions
from egov.portal.services import expire_drafts

reactions.every("portal.expire_drafts", 3600, expire_drafts)
