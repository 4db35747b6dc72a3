"""Demo only: the node's history before the 2025 reorganisation, replayed through the services.

On a new demo node, before today's map is loaded: Vĩnh Phúc's 2024 catalogue (the historical bundle),
the demo's commune officers at the city of Vĩnh Yên and its ward Liên Bảo, a few dossiers of 2024-25
there (finished, in progress, not yet received), then the 2025 reorganisation plan, which closes
those units, names their successors and moves the officers. So the demo shows what the plan keeps:
old dossiers with their old codes, counted and worked on by the successor (phường Vĩnh Phúc).

The services stamp every change with `timezone.now()`; to write these rows as they would have been
written then, the replay sets that clock for its own duration (as the tests' `clock` fixture does)
and always puts it back. Nothing else runs in the process while `egov demo` prepares its data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from egov.catalog.demo import DEMO_BUNDLE

OLD_CATALOGUE = DEMO_BUNDLE.with_name("vinh-phuc-2024.json")
PLAN = DEMO_BUNDLE.with_name("reorganisation-2025.json")
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
OLD_CITY = "000.00.31.H62"  # UBND thành phố Vĩnh Yên (district level, closed on 1 July 2025)
OLD_WARD = "000.01.31.H62"  # UBND phường Liên Bảo
OTHER_OLD_WARD = "000.02.31.H62"  # UBND phường Đống Đa
ROLES = ("desk", "specialist", "division_head", "leader", "clerk")


class ReplayClock:
    def __init__(self, start: str) -> None:
        self.now = self.local(start)

    @staticmethod
    def local(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=HANOI)

    def at(self, text: str) -> None:
        self.now = self.local(text)

    def advance(self, minutes: int = 20) -> None:
        self.now += timedelta(minutes=minutes)


@contextmanager
def replayed_time(start: str) -> Iterator[ReplayClock]:
    clock = ReplayClock(start)
    original = timezone.now
    timezone.now = lambda: clock.now
    try:
        yield clock
    finally:
        timezone.now = original


def replay_reorganisation() -> bool:
    """On a node without agencies: the 2024 map, its dossiers of 2024-25 and the 2025 plan, in one
    transaction. Returns False (and does nothing) on a node that already has a catalogue."""
    from egov.catalog import bundle, services
    from egov.catalog.models import Agency
    from egov.catalog.reorganisation import parse_plan
    from egov.catalog.services_reorganisation import reorganise

    if Agency.objects.exists():
        return False
    plan = parse_plan(PLAN.read_bytes())
    with transaction.atomic(), replayed_time("2024-11-12 08:00") as clock:
        services.import_bundle(bundle.parse_bundle(OLD_CATALOGUE.read_bytes()))
        _officers_before()
        _dossiers_of_2024_25(clock)
        clock.at("2025-07-01 07:00")
        reorganise(plan)
    return True


def _officers_before() -> None:
    """The commune officers of today worked for the city of Vĩnh Yên and for phường Liên Bảo."""
    from egov.catalog.models import Agency
    from egov.demo import ROLE_SUFFIX, demo_citizen, demo_officer

    demo_citizen()
    for code in (OLD_CITY, OLD_WARD):
        agency = Agency.objects.get(code=code)
        for role in ROLES:
            demo_officer(f"xa.{ROLE_SUFFIX[role]}", agency, role)


def _dossiers_of_2024_25(clock: ReplayClock) -> None:
    from egov.accounts.models import User

    citizen = User.objects.get(username="congdan")
    desk = User.objects.get(username="xa.motcua")

    clock.at("2024-11-12 08:30")  # a certified copy at the city's counter, returned the same day
    copy = _at_counter(desk, "2.000815", OLD_CITY, "Chứng thực bản sao giấy khai sinh")
    _received_and_done(clock, desk, copy)

    clock.at("2025-06-09 09:00")  # a birth registration online at the ward, returned the same day
    birth = _online(citizen, "1.001193", OLD_WARD, "Đăng ký khai sinh cho con — năm 2025")
    _received_and_done(clock, desk, birth)

    clock.at("2025-06-26 10:00")  # a household business at the city, with the specialist since
    business = _at_counter(desk, "1.001612", OLD_CITY, "Đăng ký thành lập hộ kinh doanh Tạp hóa Hương Sen")
    _received_and_forwarded(clock, desk, business)

    clock.at("2025-06-27 14:00")  # a marriage registration at the ward, with the specialist since
    marriage = _online(citizen, "1.000894", OLD_WARD, "Đăng ký kết hôn — nộp trước khi sắp xếp")
    _received_and_forwarded(clock, desk, marriage)

    clock.at("2025-06-30 16:30")  # submitted online to phường Đống Đa on its last afternoon
    _online(citizen, "1.001193", OTHER_OLD_WARD, "Đăng ký khai sinh — nộp ngày 30/6/2025")


def _online(citizen: Any, procedure: str, agency: str, subject: str) -> Any:
    from egov.dossiers import services

    version = _version(procedure)
    return services.create_dossier(
        citizen,
        procedure_code=procedure,
        agency_code=agency,
        channel="online",
        applicant=_applicant(citizen),
        declaration=_declaration(version),
        subject=subject,
    ).dossier


def _at_counter(desk: Any, procedure: str, agency: str, subject: str) -> Any:
    from egov.dossiers import services

    version = _version(procedure)
    applicant = {"name": "Trần Thị Hương", "phone": "0987654321", "address": "Phường Liên Bảo, Vĩnh Yên"}
    return services.create_dossier(
        desk,
        procedure_code=procedure,
        agency_code=agency,
        channel="counter",
        applicant=applicant,
        declaration=_declaration(version),
        subject=subject,
    ).dossier


def _received_and_forwarded(clock: ReplayClock, desk: Any, dossier: Any) -> Any:
    from egov.dossiers import services

    clock.advance(10)
    dossier = services.receive_dossier(desk, dossier)
    clock.advance(30)
    return services.forward_dossier(desk, dossier, note="Chuyển thẩm định")


def _received_and_done(clock: ReplayClock, desk: Any, dossier: Any) -> None:
    """Received, taken through every counted step, finished and handed over, a little later each time."""
    from egov.accounts.models import RoleAssignment
    from egov.dossiers import services
    from egov.dossiers.models import Dossier

    dossier = _received_and_forwarded(clock, desk, dossier)
    last = max(s.position for s in dossier.procedure_version.process_steps.all() if s.counted)
    while True:
        dossier = Dossier.objects.select_related("current_step").get(pk=dossier.pk)
        holder = RoleAssignment.objects.filter(agency=dossier.current_unit, role=dossier.current_role)[0].user
        clock.advance(40)
        if dossier.current_step is not None and dossier.current_step.position == last:
            break
        services.forward_dossier(holder, dossier, note="Chuyển bước tiếp")
    dossier = services.finish_dossier(holder, dossier, note="Đã giải quyết xong")
    clock.advance(30)
    services.return_result(desk, dossier, note="Đã trả kết quả tại bộ phận một cửa")


def _version(procedure: str) -> Any:
    from egov.catalog.models import Procedure
    from egov.catalog.selectors import version_in_force

    version = version_in_force(Procedure.objects.get(code=procedure), timezone.localdate())
    if version is None:
        raise RuntimeError(
            f"the 2024 catalogue has no version of {procedure} in force on {timezone.localdate()}"
        )
    return version


def _applicant(citizen: Any) -> dict[str, Any]:
    from egov.demo import demo_applicant

    return {**demo_applicant(citizen), "address": "Phường Liên Bảo, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc"}


def _declaration(version: Any) -> dict[str, Any]:
    from egov.demo import demo_declaration

    return demo_declaration(version.declaration_schema)
