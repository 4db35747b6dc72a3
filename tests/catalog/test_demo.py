from __future__ import annotations

import re
from datetime import date

import pytest

from egov.catalog import bundle, services
from egov.catalog.demo import DEMO_BUNDLE, load_demo_catalog
from egov.catalog.models import Agency, Channel, Procedure
from egov.catalog.selectors import in_force_q, procedure_agencies
from egov.core.models import Event

pytestmark = pytest.mark.django_db

QCVN_102 = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H\d{2}$")


def test_demo_catalogue_loads_and_every_process_adds_up() -> None:
    load_demo_catalog()
    procedures = list(Procedure.objects.all())
    assert len(procedures) >= 12
    for procedure in procedures:
        version = services.version_in_force(procedure, date(2026, 1, 15))
        assert version is not None, procedure.code
        services.validate_process(version)
        assert version.channels.filter(channel=Channel.COUNTER).exists(), procedure.code
        assert version.components.exists() and version.declaration_schema["properties"], procedure.code
        assert procedure.agencies.exists(), procedure.code


def test_demo_covers_the_sectors_and_levels_asked_for() -> None:
    load_demo_catalog()
    codes = set(Procedure.objects.values_list("code", flat=True))
    assert {"1.001193", "1.000894", "1.000656", "2.000488", "1.001612", "2.000815"} <= codes
    assert Procedure.objects.values("sector").distinct().count() >= 6
    assert all(QCVN_102.match(code) for code in Agency.objects.values_list("code", flat=True))


def test_demo_is_todays_map_two_levels_with_a_service_centre() -> None:
    load_demo_catalog()
    today = Agency.objects.filter(in_force_q(date(2026, 1, 15)))
    assert set(today.values_list("level", flat=True)) == {
        "province",
        "department",
        "service_centre",
        "commune",
    }
    assert today.filter(level="province").get().name == "UBND tỉnh Phú Thọ"
    assert today.filter(level="commune").count() >= 5
    for unit in today.exclude(level="province"):
        assert unit.parent is not None and unit.parent.name == "UBND tỉnh Phú Thọ", unit
    for old in Agency.objects.filter(level="district"):
        assert old.valid_to == date(2025, 7, 1) and old.successor is not None, old
    for procedure in Procedure.objects.all():
        assert procedure_agencies(procedure, date(2026, 1, 15)), procedure.code


def test_loading_the_demo_twice_changes_nothing() -> None:
    load_demo_catalog()
    events = Event.objects.count()
    diff = load_demo_catalog()
    assert not diff.added and not diff.changed
    assert Event.objects.count() == events


def test_nothing_in_the_demo_file_is_lost_on_the_way_through_the_database() -> None:
    load_demo_catalog()
    source = bundle.parse_bundle(DEMO_BUNDLE.read_bytes())
    exported = bundle.export_bundle()
    assert [bundle.canonical_procedure(p) for p in source["procedures"]] == sorted(
        exported["procedures"], key=lambda p: [q["code"] for q in source["procedures"]].index(p["code"])
    )
    assert sorted(bundle.canonical_agency(a)["code"] for a in source["agencies"]) == [
        a["code"] for a in exported["agencies"]
    ]


def test_demo_round_trip_through_an_empty_database() -> None:
    load_demo_catalog()
    first = bundle.dump_bundle(bundle.export_bundle())
    Procedure.objects.all().delete()
    Agency.objects.update(parent=None)
    Agency.objects.all().delete()
    services.import_bundle(bundle.parse_bundle(first.encode()))
    assert bundle.dump_bundle(bundle.export_bundle()) == first
