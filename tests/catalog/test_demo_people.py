"""The demo's officers are people with Vietnamese names (printed on signed results and in their
certificates), not role labels; their user names stay, and the printed account list shows both."""

from __future__ import annotations

from typing import Any

import pytest

from egov.accounts.models import Role, RoleAssignment, User
from egov.catalog.demo import load_demo_catalog
from egov.demo import DEMO_NAMES, DEMO_UNITS, ROLE_SUFFIX, account_lines, create_demo_accounts

pytestmark = pytest.mark.django_db

FAMILY_NAMES = {
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
}
USERNAMES = {
    f"{prefix}.{ROLE_SUFFIX[role]}" for prefix, (_code, roles) in DEMO_UNITS.items() for role in roles
}


def looks_like_a_person(name: str) -> bool:
    """A family name, a middle name or two and a given name, each a capitalised word."""
    words = name.split(" ")
    return (
        words[0] in FAMILY_NAMES
        and 3 <= len(words) <= 4
        and all(w.isalpha() and w[0].isupper() and w[1:].islower() for w in words)
    )


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_demo_officer_has_a_persons_name_of_their_own() -> None:
    load_demo_catalog()
    create_demo_accounts()
    officers = {u.username: u.full_name for u in User.objects.filter(username__in=USERNAMES)}
    assert set(officers) == USERNAMES == set(DEMO_NAMES)  # user names unchanged
    assert all(looks_like_a_person(name) for name in officers.values()), officers
    labels = [str(label).split(" / ")[0].lower() for label in Role.labels]
    assert not [n for n in officers.values() if "—" in n or any(label in n.lower() for label in labels)]
    citizen = User.objects.get(username="congdan").full_name
    assert len(set(officers.values()) | {citizen}) == len(officers) + 1
    leader = User.objects.get(username="xa.lanhdao")
    assert RoleAssignment.objects.filter(user=leader, role=Role.LEADER, agency__code="000.01.50.H44").exists()


def test_the_printed_account_list_shows_each_persons_name_and_role() -> None:
    load_demo_catalog()
    lines = account_lines(create_demo_accounts())
    (leader,) = [line for line in lines if line.split()[0] == "xa.lanhdao"]
    assert DEMO_NAMES["xa.lanhdao"] in leader and "Lãnh đạo đơn vị / leader" in leader
    assert "UBND phường Vĩnh Phúc (000.01.50.H44)" in leader
    (desk,) = [line for line in lines if line.split()[0] == "ttpvhcc.motcua"]
    assert DEMO_NAMES["ttpvhcc.motcua"] in desk and "Trung tâm Phục vụ hành chính công" in desk
