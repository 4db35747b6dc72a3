"""Who signs a result and where the keys are, behind one small interface.

Decree 30/2020/NĐ-CP (art. 8 and Annex I) puts two digital signatures on an electronic document:
the competent person's own (the leader who decides), then the agency's, added by its clerk. A
result here gets both, in that order, each with a certificate from the node's CA.

:class:`KeyHolder` gives the pyHanko signer for each. This node keeps every key itself, as an
encrypted PKCS#12 under ``DATA_DIR/pki`` (:class:`NodeKeyHolder`): a development / node PKI. In a
real deployment the person's key stays on their USB token (PKCS#11, pyHanko's ``PKCS11Signer``) or
at a remote signing service (the CSC API), and the agency's on the clerk's token or an HSM: write a
``KeyHolder`` for them and return it from :func:`key_holder`. Whatever holds them, a personal key
signs only inside ``issue_result``, which the back office calls when the signer presses "Ký số và
cấp kết quả" in a session that passed the second factor.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from pyhanko.sign.signers import Signer

from egov.catalog.models import Agency
from egov.core.errors import DomainError
from egov.results import pki
from egov.results.models import SignerCertificate

# Title of the head of an agency, from the start of its name (checked in this order), else its level.
HEAD_BY_NAME: tuple[tuple[str, str], ...] = (
    ("ủy ban nhân dân", "CHỦ TỊCH"),
    ("uỷ ban nhân dân", "CHỦ TỊCH"),
    ("ubnd", "CHỦ TỊCH"),
    ("văn phòng", "CHÁNH VĂN PHÒNG"),
    ("chi cục", "CHI CỤC TRƯỞNG"),
    ("cục", "CỤC TRƯỞNG"),
    ("bộ", "BỘ TRƯỞNG"),
    ("sở", "GIÁM ĐỐC"),
    ("trung tâm", "GIÁM ĐỐC"),
    ("phòng", "TRƯỞNG PHÒNG"),
    ("ban", "TRƯỞNG BAN"),
)
HEAD_BY_LEVEL = {
    Agency.Level.CENTRAL: "BỘ TRƯỞNG",
    Agency.Level.PROVINCE: "CHỦ TỊCH",
    Agency.Level.DISTRICT: "CHỦ TỊCH",
    Agency.Level.COMMUNE: "CHỦ TỊCH",
    Agency.Level.DEPARTMENT: "GIÁM ĐỐC",
    Agency.Level.SERVICE_CENTRE: "GIÁM ĐỐC",
}
HEAD_DEFAULT = "THỦ TRƯỞNG CƠ QUAN"


class NoSigningCertificate(DomainError):
    code = "result_no_certificate"
    status = 409
    vi = "Cơ quan chưa có chứng thư số để ký kết quả; quản trị viên cần chạy `egov pki init` (hoặc nạp PKCS#12)."  # noqa: E501
    en = "The agency has no signing certificate; an administrator must run `egov pki init` (or load a PKCS#12)."  # noqa: E501


class NoPersonalCertificate(DomainError):
    code = "result_no_personal_certificate"
    status = 409
    vi = (
        "Bạn chưa có chứng thư số cá nhân còn hiệu lực để ký kết quả (chữ ký của người có thẩm quyền); "
        "quản trị viên cấp bằng `egov pki enrol`."
    )
    en = (
        "You have no valid personal signing certificate (the competent person's signature); "
        "an administrator issues one with `egov pki enrol`."
    )


def head_title(agency: Agency) -> str:
    """ "CHỦ TỊCH" for a People's Committee, "GIÁM ĐỐC" for a department, "TRƯỞNG PHÒNG" for a division…"""
    name = " ".join(str(agency.name).lower().split())
    for prefix, title in HEAD_BY_NAME:
        if name == prefix or name.startswith(prefix + " "):
            return title
    return HEAD_BY_LEVEL.get(agency.level, HEAD_DEFAULT)  # type: ignore[call-overload]


def leader_position(agency: Agency, *, deputy: bool = False) -> tuple[str, str]:
    """(position, on behalf) printed for the agency's leader: ("CHỦ TỊCH", "") or, for a deputy who
    signs for the head (ký thay), ("PHÓ CHỦ TỊCH", "KT. CHỦ TỊCH")."""
    head = head_title(agency)
    return (f"PHÓ {head}", f"KT. {head}") if deputy else (head, "")


def pki_dir() -> Path:
    return Path(settings.DATA_DIR) / "pki"


class KeyHolder(Protocol):
    def personal_signer(self, certificate: SignerCertificate) -> Signer: ...

    def agency_signer(self, agency: Agency) -> Signer: ...


class NodeKeyHolder:
    """Keys as PKCS#12 files of the node's PKI folder, read when a signature is made."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or pki_dir()

    def personal_signer(self, certificate: SignerCertificate) -> Signer:
        p12 = self.directory / certificate.key_file
        if not p12.is_file():
            raise NoPersonalCertificate(
                detail={"certificate": certificate.serial, "reason": "key file missing"}
            )
        return pki.load_signer(p12, pki.password_for(p12))

    def agency_signer(self, agency: Agency) -> Signer:
        p12 = self.directory / "agencies" / f"{agency.code}.p12"
        if not p12.is_file():
            raise NoSigningCertificate(detail={"agency": agency.code})
        stat = p12.stat()
        return _agency_signer(str(p12), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _agency_signer(path: str, mtime_ns: int, size: int) -> Signer:
    """The agency's key, decrypted once per process and file version (the node signs with it for every
    result, as a web server holds its TLS key); a person's key is read only when that person signs."""
    p12 = Path(path)
    return pki.load_signer(p12, pki.password_for(p12))


def key_holder() -> KeyHolder:
    """Where this node's signing keys are (see the module docstring to plug in tokens or an HSM)."""
    return NodeKeyHolder()


def live_certificate(user: Any, agencies: list[Agency]) -> SignerCertificate | None:
    """The user's unrevoked, unexpired personal certificate for the first of `agencies` that has one."""
    from django.utils import timezone

    if getattr(user, "pk", None) is None:
        return None
    now = timezone.now()
    rows = SignerCertificate.objects.select_related("agency").filter(
        user_id=user.pk,
        agency__in=agencies,
        revoked_at__isnull=True,
        valid_from__lte=now,
        valid_to__gt=now,
    )
    by_agency = {row.agency_id: row for row in rows}
    return next((by_agency[a.pk] for a in agencies if a.pk in by_agency), None)
