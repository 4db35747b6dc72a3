"""The node's revocation list (CRL) kept current: short lived, signed again before it lapses.

A verifier needs a CRL that is still valid for every signing certificate (verification.py requires
one): past its next update, no signature of the node can be checked any more. So the CRL lives only
`EGOV_CRL_DAYS` (7 by default, as public CAs publish theirs), and `egov worker` signs the same list
again (next CRL number) when less than half of that is left — or when it was signed for longer than
the setting now allows (a list from before the setting). `egov pki crl` shows it and renews it by hand.
Every writer holds the PKI folder's file lock (`pki.crl_lock`), so several workers and a revocation at
the same moment end with one list holding every entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from egov.results import pki
from egov.results.signers import pki_dir


@dataclass(frozen=True)
class CrlState:
    """What a CRL says about itself, read at `now`."""

    number: int
    revoked: int
    last_update: dt.datetime
    next_update: dt.datetime
    now: dt.datetime

    @property
    def lapsed(self) -> bool:
        return self.next_update <= self.now

    @property
    def due(self) -> bool:
        """Less than half of a CRL's life left, or signed for longer than the setting allows."""
        life = dt.timedelta(days=pki.crl_days())
        left = self.next_update - self.now
        return left < life / 2 or left > life


def crl_state(directory: Path | str, *, now: dt.datetime | None = None) -> CrlState | None:
    """The state of ``crl.pem`` in a PKI folder, or None when there is no CRL there."""
    path = Path(directory) / "crl.pem"
    if not path.is_file():
        return None
    return _state_of(pki.load_crl(path), now or dt.datetime.now(dt.UTC))


def _state_of(crl: x509.CertificateRevocationList, now: dt.datetime) -> CrlState:
    next_update = crl.next_update_utc
    if next_update is None:  # not written by this PKI; treat it as lapsed rather than as eternal
        next_update = crl.last_update_utc
    return CrlState(pki.crl_number(crl), len(list(crl)), crl.last_update_utc, next_update, now)


def renew_crl(
    directory: Path | str, *, force: bool = False, now: dt.datetime | None = None
) -> tuple[CrlState, bool]:
    """Sign the CRL again — same entries, next number, a full life from `now` — when it is due (or
    with `force`); returns its state after, and whether it was signed."""
    directory = Path(directory)
    ca_key, ca_cert = pki.load_ca(directory)
    now = now or dt.datetime.now(dt.UTC)
    with pki.crl_lock(directory):
        old = pki.load_crl(directory / "crl.pem")  # read under the lock: another worker may have renewed
        state = _state_of(old, now)
        if not (force or state.due):
            return state, False
        crl = pki.sign_crl(ca_key, ca_cert, number=pki.crl_number(old) + 1, entries=old, now=now)
        pki.write_crl(directory, crl)
        return _state_of(crl, now), True


def renew_node_crl() -> str:
    """`egov worker`'s periodic job: the node's CRL (DATA_DIR/pki) signed again when it is due."""
    directory = pki_dir()
    if not (directory / "crl.pem").is_file() or not (directory / "ca.p12").is_file():
        return "no PKI"
    current = crl_state(directory)
    if current is not None and not current.due:
        return f"CRL {current.number} valid until {current.next_update:%Y-%m-%d %H:%M} UTC"
    state, _renewed = renew_crl(directory)
    return f"CRL {state.number} signed, valid until {state.next_update:%Y-%m-%d %H:%M} UTC"
