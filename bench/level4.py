"""`python -m bench.level4` (also run by `make bench`): the level-4 figures of issue 5.

- signatures and verifications per second of a 2-page result PDF (PAdES B-B, the node's PKI);
- results issued per second through `issue_result` (render, the leader's and the agency's signatures,
  store, event);
- payment round trips per second: start the payment (create at the platform over HTTP), the payer
  pays in the sandbox, the platform calls the node back over HTTP, the payment is paid. The node runs
  under gunicorn on a loopback port, as in production; sequential and with a few payers at once.

It uses its own small database (`<bench name>_level4`, recreated each run) with the demo catalogue,
so the million-dossier data set is never touched. Bounded in count and time; loopback only.

bench.issuing compares the two-signature issuing of this checkout with the single-signature issuing of
the baseline commit, with each side's own `prepare`, `new_dossier` and `at_last_step` below.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.database import ensure_database, resolve

ROUND_TRIP_TIMEOUT = 30.0
ROWS = 20  # rows of the business lines table: the result fills two A4 pages
FEE_PROCEDURE = "1.001612"  # household business registration: 50,000 VND online (demo catalogue)
ISSUE_PROCEDURE = "1.001193"  # birth registration: free, at the demo commune


def log(message: str) -> None:
    sys.stderr.write(f"[bench level4 {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=20, method="inclusive") if len(ordered) > 1 else ordered * 19
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(cut[18] * 1000, 1)}


def timed(count: int, action: Callable[[int], Any]) -> tuple[float, list[float]]:
    samples = []
    started = time.perf_counter()
    for index in range(count):
        t0 = time.perf_counter()
        action(index)
        samples.append(time.perf_counter() - t0)
    return time.perf_counter() - started, samples


# --- set-up ---------------------------------------------------------------------------------------


def prepare(data_dir: Path) -> None:
    """Schema, demo catalogue and accounts, the development PKI of every agency with procedures."""
    from django.conf import settings
    from django.core.management import call_command

    from egov.catalog.demo import load_demo_catalog
    from egov.catalog.models import Agency
    from egov.demo import create_demo_accounts
    from egov.results.pki import init_pki

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    load_demo_catalog()
    create_demo_accounts()
    agencies = Agency.objects.filter(procedures__isnull=False).distinct()
    init_pki(data_dir / "pki", node_name="egov bench", agencies=[(a.code, a.name) for a in agencies])
    enrol_leaders(agencies)


def enrol_leaders(agencies: Any) -> None:
    """Every leader of those agencies gets the personal certificate they sign results with, up front
    (as `egov pki enrol` does), so no enrolment falls inside a timed issue."""
    from egov.accounts.models import RoleAssignment
    from egov.results.enrolment import enrol_signer

    for role in RoleAssignment.objects.filter(agency__in=agencies, role="leader").select_related(
        "user", "agency"
    ):
        enrol_signer(None, role.user, role.agency)


def two_page_result() -> bytes:
    from egov.core import pdf

    rows = [[f"Ngành, nghề kinh doanh {i}", f"Bán lẻ hàng hóa, mã ngành 47{i:03d}"] for i in range(ROWS)]
    spec = pdf.DocumentSpec(
        agency_name="Ủy ban nhân dân huyện Thử Tải",
        parent_agency="Ủy ban nhân dân tỉnh Thử Tải",
        title="Giấy chứng nhận đăng ký hộ kinh doanh",
        number="01/GCN-HKD",
        place="Thử Tải",
        blocks=["Chứng nhận hộ kinh doanh do ông Nguyễn Văn An làm chủ.", pdf.Table(rows=rows)],
        signer=pdf.Signer(position="CHỦ TỊCH", name="Trần Thị Bình", note="(Đã ký số)"),
        qr_text="http://127.0.0.1/verify/ABCDE12345/",
        short_code="ABCDE-12345",
    )
    return pdf.render_document(spec)


def page_count(document: bytes) -> int:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(BytesIO(document)).root["/Pages"]["/Count"])


# --- signatures -----------------------------------------------------------------------------------


def measure_signing(count: int, data_dir: Path) -> dict[str, Any]:
    from egov.results import pki, signing
    from egov.results.verification import verify_pdf

    document = two_page_result()
    agency_p12 = sorted((data_dir / "pki" / "agencies").glob("*.p12"))[0]
    signer = pki.load_signer(agency_p12, pki.password_for(agency_p12))
    roots = pki.load_certificates(data_dir / "pki" / "ca.pem")
    crls = [pki.load_crl(data_dir / "pki" / "crl.pem")]
    signed: list[bytes] = []

    def sign(_: int) -> None:
        signed.append(signing.sign_pdf(document, signer, reason="Bench", location="Thử Tải"))

    def verify(index: int) -> None:
        result = verify_pdf(signed[index], trust_roots=roots, crls=crls)
        if not result.valid:
            raise RuntimeError(f"a signed result did not verify: {result.reasons}")

    sign_seconds, sign_samples = timed(count, sign)
    verify_seconds, verify_samples = timed(count, verify)
    return {
        "count": count,
        "pages": page_count(document),
        "pdf_bytes": len(document),
        "signed_bytes": len(signed[0]),
        "signatures_per_second": rate(count, sign_seconds),
        "sign": percentiles(sign_samples),
        "verifications_per_second": rate(count, verify_seconds),
        "verify": percentiles(verify_samples),
    }


def new_dossier(citizen: Any, procedure_code: str) -> Any:
    """An online application of the demo citizen at the demo agency that handles the procedure."""
    from egov.demo import demo_agency_for, demo_applicant, demo_declaration
    from egov.dossiers import services

    agency, version = demo_agency_for(procedure_code)
    return services.create_dossier(
        citizen,
        procedure_code=procedure_code,
        agency_code=agency.code,
        channel="online",
        applicant=demo_applicant(citizen),
        declaration=demo_declaration(version.declaration_schema),
        subject="Thử tải / benchmark",
    ).dossier


def at_last_step(dossier: Any) -> Any:
    """Received and forwarded to the last counted step; returns the agency's leader, who signs."""
    from egov.accounts.models import RoleAssignment
    from egov.demo import forward_to_last_step
    from egov.dossiers import services

    desk = RoleAssignment.objects.filter(agency=dossier.agency, role="desk").first()
    assert desk is not None
    services.receive_dossier(desk.user, dossier)
    holder = forward_to_last_step(dossier)
    leader = RoleAssignment.objects.filter(agency=dossier.agency, role="leader").first()
    return leader.user if leader else holder


def measure_issuing(count: int) -> dict[str, Any]:
    """Issue through the service: render, the leader's and the agency's signatures, store the file,
    number and event in one transaction.

    On birth registrations (free, so no payment stands in the way; a result template of their own).
    """
    from egov.accounts.models import User
    from egov.dossiers.models import Dossier
    from egov.results.services import issue_result

    citizen = User.objects.get(username="congdan")
    made = [new_dossier(citizen, ISSUE_PROCEDURE) for _ in range(count)]
    holders = [at_last_step(dossier) for dossier in made]
    dossiers = [Dossier.objects.get(pk=d.pk) for d in made]
    issued = []

    def issue(index: int) -> None:
        issued.append(issue_result(holders[index], dossiers[index]))

    seconds, samples = timed(count, issue)
    assert len(issued) == count
    return {"count": count, "per_second": rate(count, seconds), **percentiles(samples)}


# --- payments -------------------------------------------------------------------------------------


@contextmanager
def node_server(port: int, env: dict[str, str]) -> Iterator[str]:
    """The node under gunicorn on 127.0.0.1:port until the block ends (stopped in every case)."""
    import httpx

    command = [sys.executable, "-m", "egov.cli", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the node did not start: " + (proc.stderr.read() or b"").decode()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def round_trip(dossier: Any, index: int) -> None:
    from egov.payments import sandbox, services
    from egov.payments.models import Payment

    payment = services.pay_due(dossier.applicant, dossier, idempotency_key=f"bench-{index}")
    sandbox.pay_order(payment.order_id, "success")
    deadline = time.monotonic() + ROUND_TRIP_TIMEOUT
    while Payment.objects.get(pk=payment.pk).status != Payment.Status.PAID:
        if time.monotonic() > deadline:
            raise RuntimeError(f"payment {payment.order_id} was not confirmed in {ROUND_TRIP_TIMEOUT} s")
        time.sleep(0.005)


def measure_payments(count: int, concurrency: int) -> dict[str, Any]:
    from django.db import connections

    from egov.accounts.models import User

    citizen = User.objects.get(username="congdan")
    dossiers = [new_dossier(citizen, FEE_PROCEDURE) for _ in range(count * 2)]
    for dossier in dossiers:
        dossier.applicant = citizen
    sequential, seq_samples = timed(count, lambda i: round_trip(dossiers[i], i))

    def one(index: int) -> float:
        t0 = time.perf_counter()
        try:
            round_trip(dossiers[count + index], count + index)
        finally:
            connections.close_all()
        return time.perf_counter() - t0

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        par_samples = list(pool.map(one, range(count)))
    parallel = time.perf_counter() - started
    return {
        "count": count,
        "sequential": {"per_second": rate(count, sequential), **percentiles(seq_samples)},
        "concurrent": {
            "payers": concurrency,
            "per_second": rate(count, parallel),
            **percentiles(par_samples),
        },
    }


# --- entry point ----------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.level4", description=__doc__)
    p.add_argument("--signatures", type=int, default=100, help="signatures and verifications (default 100)")
    p.add_argument("--issues", type=int, default=30, help="results issued through the service (default 30)")
    p.add_argument("--payments", type=int, default=100, help="payment round trips per mode (default 100)")
    p.add_argument("--payers", type=int, default=4, help="payers at once in the concurrent run (default 4)")
    p.add_argument("--database-url", default=None, help="as for python -m bench; `_level4` is appended")
    p.add_argument("--output", default=None, help="write the JSON here as well as to stdout")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    for name in ("signatures", "issues", "payments", "payers"):
        if not 1 <= getattr(args, name) <= 2000:
            sys.stderr.write(f"--{name} must be between 1 and 2000\n")
            return 2
    base = resolve(args.database_url)
    target = base.with_name(f"{base.name}_level4")
    ensure_database(target, drop_first=True)
    from egov.demo_mail import free_port

    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="egov-bench-level4-"))
    try:
        return run(args, target, port, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, target: Any, port: int, data_dir: Path) -> int:
    env = {
        **os.environ,
        "EGOV_DATABASE_URL": target.url,
        "EGOV_DATA_DIR": str(data_dir),
        "EGOV_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "EGOV_PAYMENT_WHEN": "before_receipt",
        "EGOV_PAYMENT_PLATFORM_URL": "",
        "EGOV_SMTP_HOST": "",
        "EGOV_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "egov.settings",
        "EGOV_DEMO": os.environ.get("EGOV_DEMO", "true"),  # a loopback node: sandbox, demo secrets
    }
    os.environ.update(env)
    import logging

    import django

    logging.getLogger("httpx").setLevel(logging.WARNING)
    django.setup()
    log(f"database {target.name}: schema, demo catalogue, PKI")
    prepare(data_dir)
    result: dict[str, Any] = {"database": target.name}
    log(f"signing and verifying a 2-page result {args.signatures} times each")
    result["signing"] = measure_signing(args.signatures, data_dir)
    log(f"issuing {args.issues} results through the service")
    result["issuing"] = measure_issuing(args.issues)
    log(
        f"payment round trips through the sandbox over HTTP: {args.payments} one by one, {args.payments} "
        f"with {args.payers} payers at once"
    )
    with node_server(port, env):
        result["payments"] = measure_payments(args.payments, args.payers)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
