"""How results react.

- `egov worker` keeps the node's revocation list (CRL) current: it signs it again before it lapses
  (`egov.results.crl`), so signatures stay verifiable.
"""

from __future__ import annotations

from egov.core import reactions
from egov.results.crl import renew_node_crl

reactions.every("results.crl", 3600, renew_node_crl)
