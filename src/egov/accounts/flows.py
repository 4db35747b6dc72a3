"""How accounts react.

- When a reorganisation plan closes agencies, the officers' role assignments there move to the
  successors, or are listed for a person to decide (the catalogue's `HAND_OVER` point).
"""

from __future__ import annotations

from egov.accounts.services_reorganisation import hand_over_roles
from egov.catalog import extensions
from egov.core import reactions

reactions.take_part(extensions.HAND_OVER, hand_over_roles)
