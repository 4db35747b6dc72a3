"""A small province for dossier tests: a department under a People's Committee, one procedure, officers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from egov.accounts.models import Role, RoleAssignment, User
from egov.catalog.models import Agency, ChannelTerms, Procedure, ProcedureVersion, ProcessStep, Sector
from egov.dossiers import services
from egov.dossiers.models import CodeFormat, Dossier

_seq = itertools.count(1)

DECLARATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "full_name": {"type": "string", "minLength": 1},
        "birth_date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "copies": {"type": "integer", "minimum": 1, "maximum": 10},
    },
    "required": ["full_name", "birth_date"],
}

GOOD_DECLARATION = {"full_name": "Nguyễn Văn An", "birth_date": "2026-02-01", "copies": 2}

# (role, budget in days, decided by the parent agency, counted): 0.5 + 3 + 0.5 + 1 = 5 days.
PROCESS = [
    (Role.DESK, "0.5", False, True),
    (Role.SPECIALIST, "3", False, True),
    (Role.DIVISION_HEAD, "0.5", False, True),
    (Role.LEADER, "1", True, True),
    (Role.DESK, "0", False, False),
]


def user(username: str, kind: str = User.Kind.OFFICER, **extra: Any) -> User:
    """No password: hashing one costs more than the rest of a test."""
    return User.objects.create(username=username, password="!", kind=kind, full_name=username, **extra)


def officer(username: str, agency: Agency, *roles: str) -> User:
    person = user(username)
    for role in roles:
        RoleAssignment.objects.create(user=person, agency=agency, role=role)
    return person


@dataclass
class World:
    province: Agency
    department: Agency
    other_agency: Agency
    procedure: Procedure
    version: ProcedureVersion
    desk: User
    specialist: User
    specialist2: User
    head: User
    leader: User
    citizen: User
    other_citizen: User
    outsider: User
    extra: dict[str, Any] = field(default_factory=dict)

    def create(
        self, channel: str = "online", actor: User | None = None, **kwargs: Any
    ) -> services.CreateResult:
        if actor is None:
            actor = self.citizen if channel == "online" else self.desk
        kwargs.setdefault("applicant", {"name": "Nguyễn Văn An", "phone": "0912345678"})
        kwargs.setdefault("declaration", dict(GOOD_DECLARATION))
        return services.create_dossier(
            actor,
            procedure_code=self.procedure.code,
            agency_code=self.department.code,
            channel=channel,
            **kwargs,
        )

    def received(self, **kwargs: Any) -> Dossier:
        return services.receive_dossier(self.desk, self.create(**kwargs).dossier)

    def at_step(self, position: int, **kwargs: Any) -> Dossier:
        """A received dossier forwarded until the step at `position` (1-based) is current."""
        dossier = self.received(**kwargs)
        holders = {2: self.specialist, 3: self.head, 4: self.leader}
        for target in range(2, position + 1):
            dossier = services.forward_dossier(self.holder_of(dossier), dossier, assignee=holders[target])
        return dossier

    def holder_of(self, dossier: Dossier) -> User:
        dossier.refresh_from_db()
        if dossier.current_assignee is not None:
            return dossier.current_assignee
        by_role = {Role.DESK: self.desk, Role.SPECIALIST: self.specialist, Role.DIVISION_HEAD: self.head}
        return by_role.get(dossier.current_role, self.leader)


def ensure_code_format() -> None:
    """The seeded Circular 01/2018 rule; a transactional test elsewhere may have flushed it."""
    CodeFormat.objects.get_or_create(
        valid_from=date(2018, 7, 1), defaults={"template": "{unit}-{yymmdd}-{seq:04d}"}
    )


def build_world(time_limit: str = "5", time_unit: str = "days") -> World:
    ensure_code_format()
    n = next(_seq) % 100  # agency codes have room for two digits; each test starts from an empty database
    province = Agency.objects.create(code=f"000.00.00.H{n:02d}", name=f"UBND tỉnh {n}", level="province")
    department = Agency.objects.create(
        code=f"000.00.13.H{n:02d}", name=f"Sở Tư pháp {n}", level="department", parent=province
    )
    other = Agency.objects.create(code=f"000.00.14.H{n:02d}", name=f"Sở Xây dựng {n}", level="department")
    sector = Sector.objects.create(code=f"HT{n}", name="Hộ tịch")
    procedure = Procedure.objects.create(code=f"1.{n:06d}", name="Đăng ký khai sinh", sector=sector)
    procedure.agencies.add(department, other)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        effective_from=date(2020, 1, 1),
        declaration_schema=DECLARATION_SCHEMA,
    )
    for channel in ("online", "counter"):
        ChannelTerms.objects.create(
            version=version, channel=channel, time_limit=Decimal(time_limit), time_unit=time_unit
        )
    for position, (role, budget, parent, counted) in enumerate(PROCESS, start=1):
        ProcessStep.objects.create(
            version=version,
            position=position,
            name=f"Bước {position}",
            role=role,
            unit_level="parent" if parent else "",
            budget=Decimal(budget),
            counted=counted,
        )
    return World(
        province=province,
        department=department,
        other_agency=other,
        procedure=procedure,
        version=version,
        desk=officer(f"desk{n}", department, Role.DESK),
        specialist=officer(f"spec{n}", department, Role.SPECIALIST),
        specialist2=officer(f"spec{n}b", department, Role.SPECIALIST),
        head=officer(f"head{n}", department, Role.DIVISION_HEAD),
        leader=officer(f"leader{n}", province, Role.LEADER),
        citizen=user(f"citizen{n}", User.Kind.CITIZEN, phone="0912345678"),
        other_citizen=user(f"citizen{n}b", User.Kind.CITIZEN),
        outsider=officer(f"outsider{n}", other, Role.DESK, Role.SPECIALIST),
    )
