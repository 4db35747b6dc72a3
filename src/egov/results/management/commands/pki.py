"""`egov pki init|show|enrol|revoke|crl`: the node's development PKI.

A root CA, one signing certificate per agency (init) and personal signing certificates of the officers
who sign results as the competent person (enrol), with revocation onto the CRL (revoke); the CRL is
short lived and `egov worker` signs it again in time (crl shows it, `crl --renew` signs it now)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core.errors import DomainError
from egov.results import crl, enrolment, pki


def _agency(value: str) -> tuple[str, str]:
    code, sep, name = value.partition("=")
    if not sep or not code.strip() or not name.strip():
        raise CommandError(
            f"--agency phải có dạng MÃ=TÊN: {value!r}\n--agency must look like CODE=NAME: {value!r}"
        )
    return code.strip(), name.strip()


def describe(cert: x509.Certificate) -> str:
    fingerprint = cert.fingerprint(hashes.SHA256()).hex(":").upper()
    return "\n".join(
        [
            f"  Chủ thể / subject:   {cert.subject.rfc4514_string()}",
            f"  Cấp bởi / issuer:    {cert.issuer.rfc4514_string()}",
            f"  Hiệu lực / validity: {cert.not_valid_before_utc:%Y-%m-%d %H:%M} → "
            f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC",
            f"  SHA-256:             {fingerprint}",
        ]
    )


class Command(BaseCommand):
    help = "Create the node's development PKI (init) or print its certificates (show)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="Create a development CA, a CRL and agency signing certificates.")
        init.add_argument("--dir", help="PKI folder (default: DATA_DIR/pki).")
        init.add_argument("--node-name", default="", help="Node name (O= of every certificate).")
        init.add_argument("--agency", action="append", default=[], help="CODE=NAME (repeatable).")
        init.add_argument(
            "--days", type=int, default=pki.DEFAULT_DAYS, help="Validity of agency certificates."
        )
        init.add_argument("--force", action="store_true", help="Replace an existing PKI.")
        show = sub.add_parser("show", help="Print subjects, validity and fingerprints.")
        show.add_argument("--dir", help="PKI folder (default: DATA_DIR/pki).")
        enrol = sub.add_parser("enrol", help="Issue a personal signing certificate to an officer.")
        enrol.add_argument("--user", required=True, help="The officer's user name.")
        enrol.add_argument("--agency", required=True, help="Code of the agency they sign for.")
        enrol.add_argument(
            "--position", default="", help="Printed position (default: a leader's, from the agency)."
        )
        enrol.add_argument(
            "--on-behalf", default="", help="Signing authority printed above, e.g. 'KT. CHỦ TỊCH'."
        )
        enrol.add_argument("--deputy", action="store_true", help="A deputy leader: PHÓ … / KT. ….")
        enrol.add_argument(
            "--name", default="", help="Name in the certificate (default: the user's full name)."
        )
        enrol.add_argument("--days", type=int, default=pki.DEFAULT_DAYS, help="Validity in days.")
        revoke = sub.add_parser("revoke", help="Revoke a personal certificate (its serial goes on the CRL).")
        revoke.add_argument("--serial", required=True, help="Hexadecimal serial (see `egov pki show`).")
        revoke.add_argument("--reason", required=True, help="Why (kept in the register).")
        renew = sub.add_parser("crl", help="Show the revocation list's next update; --renew signs it now.")
        renew.add_argument("--dir", help="PKI folder (default: DATA_DIR/pki).")
        renew.add_argument("--renew", action="store_true", help="Sign the CRL again now (next number).")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options.get("dir") or Path(settings.DATA_DIR) / "pki")
        try:
            if options["action"] == "init":
                self._init(directory, options)
            elif options["action"] == "enrol":
                self._enrol(options)
            elif options["action"] == "revoke":
                row = enrolment.revoke_signer_certificate(None, options["serial"], options["reason"])
                self.stdout.write(
                    f"Đã thu hồi / revoked: {row.serial} ({row.full_name}); CRL cập nhật / updated"
                )
            elif options["action"] == "crl":
                self._crl(directory, renew=options["renew"])
            else:
                self._show(directory)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.vi}\n{exc.en}") from exc

    def _init(self, directory: Path, options: dict[str, Any]) -> None:
        node_name = options["node_name"] or getattr(settings, "NODE_NAME", "") or "egov"
        agencies = [_agency(value) for value in options["agency"]]
        files = pki.init_pki(
            directory, node_name=node_name, agencies=agencies, days=options["days"], force=options["force"]
        )
        self.stdout.write(f"Đã tạo PKI / PKI created: {files.directory}")
        self.stdout.write(f"  ca.pem, ca.p12, crl.pem; {len(files.agency_p12)} agency key(s)")
        if pki.configured_password() is None:
            self.stdout.write("  Mật khẩu trong *.p12.pass (0600) / passwords in *.p12.pass (0600)")

    def _enrol(self, options: dict[str, Any]) -> None:
        from egov.accounts.models import User
        from egov.catalog.models import Agency

        user = User.objects.filter(username=options["user"]).first()
        agency = Agency.objects.filter(code=options["agency"]).first()
        if user is None or agency is None:
            raise CommandError(
                "Không có người dùng hoặc cơ quan này.\nNo such user or agency: "
                f"{options['user']!r}, {options['agency']!r}"
            )
        row = enrolment.enrol_signer(
            None,
            user,
            agency,
            position=options["position"],
            on_behalf=options["on_behalf"],
            deputy=options["deputy"],
            full_name=options["name"],
            days=options["days"],
        )
        behalf = f"{row.on_behalf} / " if row.on_behalf else ""
        self.stdout.write(
            f"Đã cấp / issued: {row.serial}  {row.full_name}, {behalf}{row.position}, {agency.name}"
        )

    def _show(self, directory: Path) -> None:
        files = pki.pki_files(directory)
        if not files.ca_cert.exists():
            raise CommandError(
                f"Chưa có PKI trong {directory} (chạy `egov pki init`).\n"
                f"No PKI in {directory} (run `egov pki init`)."
            )
        self.stdout.write(f"CA ({files.ca_cert}):")
        for cert in pki.load_certificates(files.ca_cert):
            self.stdout.write(describe(cert))
        for code in files.agency_p12:
            pem = directory / "agencies" / f"{code}.pem"
            self.stdout.write(f"Cơ quan / agency {code}:")
            for cert in pki.load_certificates(pem):
                self.stdout.write(describe(cert))
        for pem in sorted((directory / pki.PEOPLE).glob("*.pem")):
            self.stdout.write(f"Cá nhân / personal {pem.stem}:")
            for cert in pki.load_certificates(pem):
                self.stdout.write(describe(cert))
        state = crl.crl_state(directory)
        if state is not None:
            self.stdout.write(crl_line(state))

    def _crl(self, directory: Path, *, renew: bool) -> None:
        state = crl.crl_state(directory)
        if state is None:
            raise CommandError(
                f"Chưa có CRL trong {directory} (chạy `egov pki init`).\n"
                f"No CRL in {directory} (run `egov pki init`)."
            )
        if renew:
            state, _signed = crl.renew_crl(directory, force=True)
            self.stdout.write(f"Đã ký lại CRL / CRL signed again: số / number {state.number}")
        self.stdout.write(crl_line(state))


def crl_line(state: crl.CrlState) -> str:
    """The CRL in one line, and plainly when it has lapsed: then no signature can be checked."""
    when = f"{state.next_update:%Y-%m-%d %H:%M} UTC"
    line = f"CRL: {state.revoked} thu hồi / revoked; số / number {state.number}; "
    if not state.lapsed:
        return line + f"cập nhật tiếp / next update {when}"
    return line + (
        f"ĐÃ HẾT HẠN từ {when}: mọi chữ ký không kiểm tra được, chạy `egov pki crl --renew` / "
        f"LAPSED on {when}: no signature can be checked, run `egov pki crl --renew`"
    )
