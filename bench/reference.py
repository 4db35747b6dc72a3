"""The small reference world the dossiers live in: agencies, procedures, officers and citizens.

It is made through the ORM (a few thousand rows, a second or two) so it always matches the models; only
the million dossiers go through COPY. Everything carries the `Z99` province code or a `bench-` prefix so
the bench rows are easy to tell apart and never collide with the demo catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from egov.accounts.models import RoleAssignment, User
from egov.catalog.models import (
    Agency,
    ChannelTerms,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    Sector,
    TimeUnit,
)

PROVINCE = "Z99"
PROCEDURE_PREFIX = "bench-"
OFFICERS_PER_AGENCY = {"desk": 2, "specialist": 4, "division_head": 2, "leader": 1, "clerk": 1}
CITIZENS = 5000
DECLARATION_SCHEMA = {
    "type": "object",
    "properties": {"purpose": {"type": "string", "title": "Mục đích / purpose", "maxLength": 200}},
    "additionalProperties": True,
}

# (code suffix, name, time limit, unit, share of dossiers, steps: (role, budget, parent unit?, counted))
PROCEDURES: list[tuple[str, str, str, str, float, list[tuple[str, str, bool, bool]]]] = [
    (
        "xay-dung",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "15",
        TimeUnit.DAYS,
        0.25,
        [
            ("desk", "0.5", False, True),
            ("specialist", "10", False, True),
            ("division_head", "2", False, True),
            ("leader", "2", False, True),
            ("clerk", "0.5", False, True),
            ("desk", "0", False, False),
        ],
    ),
    (
        "ho-kinh-doanh",
        "Đăng ký thành lập hộ kinh doanh",
        "3",
        TimeUnit.DAYS,
        0.35,
        [
            ("desk", "0.5", False, True),
            ("specialist", "1.5", False, True),
            ("division_head", "0.5", False, True),
            ("clerk", "0.5", False, True),
            ("desk", "0", False, False),
        ],
    ),
    (
        "trich-luc",
        "Cấp bản sao trích lục hộ tịch",
        "8",
        TimeUnit.HOURS,
        0.30,
        [
            ("desk", "1", False, True),
            ("specialist", "4", False, True),
            ("leader", "2", False, True),
            ("clerk", "1", False, True),
            ("desk", "0", False, False),
        ],
    ),
    (
        "tham-dinh",
        "Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở",
        "10",
        TimeUnit.DAYS,
        0.10,
        [
            ("desk", "0.5", False, True),
            ("specialist", "6", False, True),
            ("division_head", "1.5", False, True),
            ("leader", "1.5", True, True),
            ("clerk", "0.5", False, True),
            ("desk", "0", False, False),
        ],
    ),
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quốc", "Thu", "Xuân"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
]


@dataclass(frozen=True)
class StepPlan:
    process_step_id: int
    position: int
    role: str
    budget_seconds: int
    parent_unit: bool
    counted: bool


@dataclass(frozen=True)
class VersionPlan:
    version_id: int
    procedure_code: str
    limit_seconds: int
    share: float
    steps: tuple[StepPlan, ...]

    @property
    def counted(self) -> tuple[StepPlan, ...]:
        return tuple(step for step in self.steps if step.counted)


@dataclass(frozen=True)
class AgencyPlan:
    id: int
    code: str
    parent_id: int | None
    weight: float


@dataclass
class Reference:
    agencies: list[AgencyPlan]
    versions: list[VersionPlan]
    officers: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    citizens: list[int] = field(default_factory=list)

    def unit_for(self, agency: AgencyPlan, step: StepPlan) -> int:
        if step.parent_unit and agency.parent_id is not None:
            return agency.parent_id
        return agency.id


def agency_code(index: int) -> str:
    """QCVN 102:2016 shape (000.00.NN.Z99); Z99 is not a real province, so no clash with real codes."""
    return f"000.00.{index:02d}.{PROVINCE}"


def _working_seconds(amount: str, unit: str) -> int:
    hours = Decimal(amount) * (8 if unit == TimeUnit.DAYS else 1)
    return int(hours * 3600)


def create_reference(agencies: int) -> Reference:
    """Make the agencies, procedures and people (idempotent only on an empty bench database)."""
    if not 2 <= agencies <= 99:
        raise ValueError("--agencies must be between 2 and 99")
    root = Agency.objects.create(
        code=agency_code(0),
        name="Ủy ban nhân dân tỉnh Thử Tải",
        name_en="Bench Province People's Committee",
        level=Agency.Level.PROVINCE,
    )
    children = [
        Agency(
            code=agency_code(i),
            name=(f"Sở chuyên ngành số {i}" if i < 20 else f"Ủy ban nhân dân huyện số {i}"),
            level=(Agency.Level.DEPARTMENT if i < 20 else Agency.Level.DISTRICT),
            parent=root,
        )
        for i in range(1, agencies)
    ]
    Agency.objects.bulk_create(children)
    every_agency = [root, *Agency.objects.filter(code__in=[a.code for a in children]).order_by("code")]
    sector = Sector.objects.create(code=f"{PROCEDURE_PREFIX}sector", name="Thử tải / benchmark")
    for suffix, name, limit, unit, _share, steps in PROCEDURES:
        procedure = Procedure.objects.create(code=f"{PROCEDURE_PREFIX}{suffix}", name=name, sector=sector)
        procedure.agencies.set(every_agency)
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=1,
            status=ProcedureVersion.Status.PUBLISHED,
            effective_from="2018-07-01",
            implementing_levels=["province", "department", "district"],
            applicant_types=["citizen", "business"],
            declaration_schema=DECLARATION_SCHEMA,
        )
        ChannelTerms.objects.bulk_create(
            ChannelTerms(version=version, channel=channel, time_limit=Decimal(limit), time_unit=unit)
            for channel in ("counter", "online", "post")
        )
        ProcessStep.objects.bulk_create(
            ProcessStep(
                version=version,
                position=pos,
                name=f"Bước {pos}: {role}",
                role=role,
                unit_level="parent" if parent else "",
                budget=Decimal(budget),
                budget_unit=unit,
                counted=counted,
            )
            for pos, (role, budget, parent, counted) in enumerate(steps, start=1)
        )
    _create_people(every_agency)
    return load_reference()


def _create_people(agencies: list[Agency]) -> None:
    password = make_password(None)
    officers: list[User] = []
    for agency in agencies:
        for role, count in OFFICERS_PER_AGENCY.items():
            for n in range(count):
                officers.append(
                    User(
                        username=f"bench.{agency.code}.{role}.{n}",
                        kind=User.Kind.OFFICER,
                        full_name=_name(len(officers)),
                        password=password,
                    )
                )
    User.objects.bulk_create(officers, batch_size=1000)
    by_name = dict(User.objects.filter(username__startswith="bench.0").values_list("username", "id"))
    assignments = [
        RoleAssignment(user_id=by_name[f"bench.{agency.code}.{role}.{n}"], agency=agency, role=role)
        for agency in agencies
        for role, count in OFFICERS_PER_AGENCY.items()
        for n in range(count)
    ]
    RoleAssignment.objects.bulk_create(assignments, batch_size=1000)
    citizens = [
        User(
            username=f"bench-citizen-{n:05d}",
            kind=User.Kind.CITIZEN,
            full_name=_name(n),
            phone=f"09{n:08d}",
            id_number=f"0010900{n:05d}",
            password=password,
        )
        for n in range(CITIZENS)
    ]
    User.objects.bulk_create(citizens, batch_size=1000)


def _name(n: int) -> str:
    return f"{FAMILY[n % len(FAMILY)]} {MIDDLE[(n // 7) % len(MIDDLE)]} {GIVEN[(n // 3) % len(GIVEN)]}"


def load_reference() -> Reference:
    """Read the bench world back (after seeding, or when reusing an already seeded database)."""
    rows = list(
        Agency.objects.filter(code__endswith=f".{PROVINCE}")
        .order_by("code")
        .values_list("id", "code", "parent_id")
    )
    if not rows:
        raise LookupError("no bench agencies in this database")
    agencies = [
        AgencyPlan(id=pk, code=code, parent_id=parent, weight=1.0 / (1 + i) ** 0.6)
        for i, (pk, code, parent) in enumerate(rows)
    ]
    # The province committee receives less than its departments and districts, like in real life.
    agencies[0] = AgencyPlan(agencies[0].id, agencies[0].code, None, agencies[-1].weight)
    versions: list[VersionPlan] = []
    shares = {f"{PROCEDURE_PREFIX}{p[0]}": p[4] for p in PROCEDURES}
    for version in (
        ProcedureVersion.objects.filter(procedure__code__startswith=PROCEDURE_PREFIX)
        .select_related("procedure")
        .order_by("procedure__code")
    ):
        terms = ChannelTerms.objects.get(version=version, channel="counter")
        steps = tuple(
            StepPlan(
                s.id,
                s.position,
                s.role,
                _working_seconds(str(s.budget), s.budget_unit),
                s.unit_level == "parent",
                s.counted,
            )
            for s in ProcessStep.objects.filter(version=version).order_by("position")
        )
        versions.append(
            VersionPlan(
                version.id,
                version.procedure.code,
                _working_seconds(str(terms.time_limit), terms.time_unit),
                shares.get(version.procedure.code, 0.1),
                steps,
            )
        )
    reference = Reference(agencies=agencies, versions=versions)
    for user_id, agency_id, role in (
        RoleAssignment.objects.filter(agency_id__in=[a.id for a in agencies])
        .order_by("user_id")
        .values_list("user_id", "agency_id", "role")
    ):
        reference.officers.setdefault((agency_id, role), []).append(user_id)
    reference.citizens = list(
        User.objects.filter(username__startswith="bench-citizen-").order_by("id").values_list("id", flat=True)
    )
    return reference
