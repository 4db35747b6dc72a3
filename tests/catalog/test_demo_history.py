"""The demo's history: Vĩnh Phúc's 2024 map and its dossiers of 2024-25, then the 2025 plan."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from egov.accounts.models import RoleAssignment, User
from egov.catalog import bundle
from egov.catalog.demo import DEMO_BUNDLE, load_demo_catalog
from egov.catalog.models import Agency
from egov.core.models import Event
from egov.demo import COMMUNE, DEMO_NAMES, create_demo_accounts
from egov.demo_history import replay_reorganisation
from egov.dossiers import selectors
from egov.dossiers.models import Dossier, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_replay_leaves_old_dossiers_with_old_codes_at_closed_units() -> None:
    assert replay_reorganisation() is True
    dossiers = {d.code[:20]: d for d in Dossier.objects.select_related("agency")}
    assert sorted(dossiers) == [
        "000.00.31.H62-241112",
        "000.00.31.H62-250626",
        "000.01.31.H62-250609",
        "000.01.31.H62-250627",
        "000.02.31.H62-250630",
    ]
    for dossier in dossiers.values():
        assert dossier.agency.valid_to == date(2025, 7, 1) and not dossier.agency.in_force(
            timezone.localdate()
        )
        assert timezone.localdate(dossier.submitted_at).strftime("%y%m%d") == dossier.code[14:20]
    assert dossiers["000.01.31.H62-250609"].status == Status.RETURNED
    assert dossiers["000.00.31.H62-250626"].status == Status.PROCESSING
    assert dossiers["000.02.31.H62-250630"].status == Status.SUBMITTED
    closed = Event.objects.get(kind="catalog.reorganised")
    assert timezone.localdate(closed.occurred_at) == date(2025, 7, 1)


def test_the_clock_is_back_after_the_replay() -> None:
    replay_reorganisation()
    assert abs(timezone.now() - datetime.now(tz=timezone.get_current_timezone())) < timedelta(minutes=1)


def test_after_the_replay_the_catalogue_is_the_demos_and_officers_work_at_the_ward() -> None:
    replay_reorganisation()
    assert not load_demo_catalog().changed and not load_demo_catalog().added
    assert bundle.export_bundle() == bundle.parse_bundle(DEMO_BUNDLE.read_bytes())
    create_demo_accounts()
    ward = Agency.objects.get(code=COMMUNE)
    assert set(
        RoleAssignment.objects.filter(user__username__startswith="xa.").values_list("agency", flat=True)
    ) == {ward.pk}
    specialist = User.objects.get(username="xa.chuyenvien")
    assert specialist.full_name == DEMO_NAMES["xa.chuyenvien"]  # a person, the same before and after
    unit = [d.code[:20] for d in selectors.worklist(specialist, "unit").items]
    assert unit == ["000.00.31.H62-250626", "000.01.31.H62-250627"]


def test_a_node_with_a_catalogue_is_not_replayed() -> None:
    load_demo_catalog()
    assert replay_reorganisation() is False
    assert not Dossier.objects.exists()
