"""Every change to a dossier: one function per use case, one transaction each (the only writers).

Each service locks the dossier row, checks that the transition is allowed from the current status
(`transition_not_allowed`, 409) and that the actor may do it (`permission_denied`, 403), changes the
state, and records one event — plus a `dossier.status_changed` outbox row whenever the national
status code moves — in the same transaction. On any error nothing is written.
"""

from egov.dossiers.services.closing import (
    apologise,
    finish_dossier,
    refuse_dossier,
    return_result,
    stop_processing,
    withdraw_dossier,
)
from egov.dossiers.services.files import (
    Scan,
    StoredFile,
    add_note,
    attach_file,
    create_dossier_with_files,
    create_dossier_with_scans,
)
from egov.dossiers.services.intake import CreateResult, create_dossier, receive_dossier
from egov.dossiers.services.processing import (
    assign_step,
    confirm_financial_obligation,
    forward_dossier,
    receive_supplement,
    request_financial_obligation,
    request_supplement,
    return_to_previous_step,
)

__all__ = [
    "CreateResult",
    "Scan",
    "StoredFile",
    "add_note",
    "apologise",
    "assign_step",
    "attach_file",
    "confirm_financial_obligation",
    "create_dossier",
    "create_dossier_with_files",
    "create_dossier_with_scans",
    "finish_dossier",
    "forward_dossier",
    "receive_dossier",
    "receive_supplement",
    "refuse_dossier",
    "request_financial_obligation",
    "request_supplement",
    "return_result",
    "return_to_previous_step",
    "stop_processing",
    "withdraw_dossier",
]
