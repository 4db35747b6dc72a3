"""Life events (sự kiện cuộc sống) travel in the catalogue bundle; bundles without them stay valid."""

from __future__ import annotations

import json
from typing import Any

import pytest

from egov.catalog import bundle, services
from egov.catalog.errors import BundleInvalid
from egov.catalog.models import LifeEvent, Procedure
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _bundle(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": bundle.FORMAT,
        "version": bundle.FORMAT_VERSION,
        "sectors": [{"code": "HOTICH", "name": "Hộ tịch"}],
        "procedures": [{"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "sector": "HOTICH"}],
    }
    data.update(extra)
    return data


def _parse(data: dict[str, Any]) -> dict[str, Any]:
    return bundle.parse_bundle(json.dumps(data, ensure_ascii=False).encode())


BIRTH = {"code": "khai-sinh", "name": "Khai sinh", "name_en": "Birth", "position": 10}


def test_a_bundle_without_life_events_is_still_valid_and_imports() -> None:
    services.import_bundle(_parse(_bundle()))
    procedure = Procedure.objects.get(code="1.001193")
    assert list(procedure.life_events.all()) == []


def test_life_events_and_their_procedures_are_imported() -> None:
    data = _bundle(life_events=[BIRTH])
    data["procedures"][0]["life_events"] = ["khai-sinh"]
    services.import_bundle(_parse(data))
    event = LifeEvent.objects.get(code="khai-sinh")
    assert (event.name, event.name_en, event.position) == ("Khai sinh", "Birth", 10)
    assert [p.code for p in event.procedures.all()] == ["1.001193"]


def test_export_then_import_round_trips_life_events() -> None:
    data = _bundle(life_events=[BIRTH])
    data["procedures"][0]["life_events"] = ["khai-sinh"]
    services.import_bundle(_parse(data))
    first = bundle.dump_bundle(bundle.export_bundle())
    exported = json.loads(first)
    assert exported["life_events"] == [BIRTH]
    assert exported["procedures"][0]["life_events"] == ["khai-sinh"]
    Procedure.objects.all().delete()
    LifeEvent.objects.all().delete()
    services.import_bundle(bundle.parse_bundle(first.encode()))
    assert bundle.dump_bundle(bundle.export_bundle()) == first


def test_reimport_changes_nothing_and_a_rename_is_a_change() -> None:
    data = _bundle(life_events=[BIRTH])
    data["procedures"][0]["life_events"] = ["khai-sinh"]
    services.import_bundle(_parse(data))
    again = bundle.diff_bundle(_parse(data))
    assert not again.added and not again.changed
    data["life_events"] = [{**BIRTH, "name": "Sinh con"}]
    diff = bundle.diff_bundle(_parse(data))
    assert [(c.kind, c.code, list(c.fields)) for c in diff.changed] == [("life_event", "khai-sinh", ["name"])]


def test_removing_a_procedure_from_a_life_event_is_imported() -> None:
    data = _bundle(life_events=[BIRTH])
    data["procedures"][0]["life_events"] = ["khai-sinh"]
    services.import_bundle(_parse(data))
    data["procedures"][0]["life_events"] = []
    services.import_bundle(_parse(data))
    assert not Procedure.objects.get(code="1.001193").life_events.exists()


def test_unknown_life_event_reference_is_refused() -> None:
    data = _bundle()
    data["procedures"][0]["life_events"] = ["no-such-event"]
    with pytest.raises(BundleInvalid) as err:
        _parse(data)
    assert err.value.code == "bundle_unknown_reference"


def test_a_life_event_already_in_the_database_may_be_referred_to() -> None:
    LifeEvent.objects.create(code="ket-hon", name="Kết hôn")
    data = _bundle()
    data["procedures"][0]["life_events"] = ["ket-hon"]
    services.import_bundle(_parse(data))
    assert Procedure.objects.get(code="1.001193").life_events.get().code == "ket-hon"


@pytest.mark.parametrize(
    "event",
    [
        {"code": "khai sinh", "name": "Khai sinh"},
        {"code": "khai-sinh"},
        {"code": "khai-sinh", "name": "Khai sinh", "colour": "red"},
        {"code": "khai-sinh", "name": "Khai sinh", "position": -1},
    ],
)
def test_malformed_life_events_are_refused(event: dict[str, Any]) -> None:
    with pytest.raises(BundleInvalid) as err:
        _parse(_bundle(life_events=[event]))
    assert err.value.code == "bundle_wrong_type"


def test_duplicate_life_event_codes_are_refused() -> None:
    with pytest.raises(BundleInvalid) as err:
        _parse(_bundle(life_events=[BIRTH, BIRTH]))
    assert err.value.code == "bundle_duplicate_code"


def test_export_of_named_procedures_brings_only_their_life_events() -> None:
    f.procedure("1.000894", "Thủ tục đăng ký kết hôn")
    data = _bundle(life_events=[BIRTH, {"code": "ket-hon", "name": "Kết hôn"}])
    data["procedures"][0]["life_events"] = ["khai-sinh"]
    services.import_bundle(_parse(data))
    exported = bundle.export_bundle(["1.001193"])
    assert [e["code"] for e in exported["life_events"]] == ["khai-sinh"]
