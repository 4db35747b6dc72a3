from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from egov.catalog import bundle, services
from egov.catalog.errors import BundleInvalid, ProcessBudgetMismatch, VersionOverlap
from egov.catalog.models import Agency, ChannelTerms, Procedure, ProcedureVersion, Sector
from egov.core.errors import DomainError
from egov.core.models import Event
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated() -> None:
    province = f.agency("000.00.00.H62", "UBND tỉnh Vĩnh Phúc", "province")
    f.agency("000.00.06.H62", "Sở Tư pháp", "department", province)
    proc = f.procedure(
        "2.000488",
        "Cấp Phiếu lý lịch tư pháp",
        sector_code="LYLICHTUPHAP",
        agency_codes=("000.00.06.H62",),
        effective_from="2016-01-01",
        effective_to="2024-07-01",
    )
    f.add_version(proc, effective_from="2024-07-01")
    f.procedure("1.001193", "Thủ tục đăng ký khai sinh", publish=False)


def empty_catalogue() -> None:
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Sector.objects.all().delete()
    Agency.objects.update(parent=None, successor=None)
    Agency.objects.all().delete()


def counts() -> tuple[int, ...]:
    return (
        Agency.objects.count(),
        Sector.objects.count(),
        Procedure.objects.count(),
        ProcedureVersion.objects.count(),
        ChannelTerms.objects.count(),
        Event.objects.count(),
    )


def test_round_trip_gives_identical_json(populated: None) -> None:
    first = bundle.dump_bundle(bundle.export_bundle())
    empty_catalogue()
    assert Procedure.objects.count() == 0
    diff = services.import_bundle(bundle.parse_bundle(first.encode()))
    assert len(diff.added) == 2 + 2 + 2 + 3 and not diff.changed
    assert bundle.dump_bundle(bundle.export_bundle()) == first


def test_export_is_keyed_by_codes_never_ids(populated: None) -> None:
    data = bundle.export_bundle()
    text = json.dumps(data)
    assert '"id"' not in text and '"pk"' not in text
    proc = next(p for p in data["procedures"] if p["code"] == "2.000488")
    assert proc["sector"] == "LYLICHTUPHAP" and proc["agencies"] == ["000.00.06.H62"]
    assert [v["number"] for v in proc["versions"]] == [1, 2]
    assert data["agencies"][1]["parent"] == "000.00.00.H62"


def test_export_of_named_procedures_brings_what_they_need(populated: None) -> None:
    data = bundle.export_bundle(["2.000488"])
    assert [p["code"] for p in data["procedures"]] == ["2.000488"]
    assert [a["code"] for a in data["agencies"]] == ["000.00.00.H62", "000.00.06.H62"]
    assert [s["code"] for s in data["sectors"]] == ["LYLICHTUPHAP"]
    with pytest.raises(BundleInvalid) as caught:
        bundle.export_bundle(["9.999999"])
    assert caught.value.code == "procedure_not_found"


def test_reimporting_the_same_bundle_changes_nothing(populated: None) -> None:
    raw = bundle.dump_bundle(bundle.export_bundle()).encode()
    before = counts()
    diff = services.import_bundle(bundle.parse_bundle(raw))
    assert not diff.added and not diff.changed and diff.unchanged == 9
    assert counts() == before


def test_dry_run_prints_field_level_diff_and_changes_nothing(populated: None, tmp_path: Path) -> None:
    data = bundle.export_bundle()
    data["agencies"][1]["name"] = "Sở Tư pháp tỉnh Vĩnh Phúc"
    fee = data["procedures"][1]["versions"][1]["channels"][0]["fees"][0]
    published_amount, fee["amount"] = fee["amount"], 200000
    data["sectors"].append({"code": "DATDAI", "name": "Đất đai"})
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = counts()
    out = StringIO()
    call_command("catalog", "import", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert counts() == before
    assert Agency.objects.get(code="000.00.06.H62").name == "Sở Tư pháp"
    assert "Thêm mới / added: 1" in text and "Thay đổi / changed: 2" in text
    assert "+ sector DATDAI" in text
    assert '    name: "Sở Tư pháp" → "Sở Tư pháp tỉnh Vĩnh Phúc"' in text
    assert "~ version 2.000488 v2" in text and "channels:" in text
    assert "nothing was changed" in text

    with pytest.raises(CommandError, match="published_version_frozen"):
        call_command("catalog", "import", str(path), stdout=StringIO())
    assert counts() == before
    assert Agency.objects.get(code="000.00.06.H62").name == "Sở Tư pháp"

    fee["amount"] = published_amount  # the published version as it is; the agency rename alone
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("catalog", "import", str(path), stdout=StringIO())
    assert Agency.objects.get(code="000.00.06.H62").name == "Sở Tư pháp tỉnh Vĩnh Phúc"


def test_a_published_version_may_only_be_closed_by_an_import(populated: None) -> None:
    data = bundle.export_bundle()
    version = data["procedures"][1]["versions"][-1]
    assert version["status"] == "published"
    version["effective_to"] = "2031-01-01"
    services.import_bundle(data)
    closed = ProcedureVersion.objects.get(
        procedure__code=data["procedures"][1]["code"], number=version["number"]
    )
    assert str(closed.effective_to) == "2031-01-01"
    version["service_level"] = "full" if version["service_level"] != "full" else "partial"
    with pytest.raises(DomainError) as info:
        services.import_bundle(data)
    assert info.value.code == "published_version_frozen" and info.value.detail["fields"] == ["service_level"]


def test_export_command_writes_the_file(populated: None, tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    call_command("catalog", "export", "--out", str(path), "--procedure", "1.001193", stdout=StringIO())
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "egov-catalog" and data["version"] == 1
    assert [p["code"] for p in data["procedures"]] == ["1.001193"]


def valid() -> dict[str, Any]:
    return {
        "format": "egov-catalog",
        "version": 1,
        "agencies": [{"code": "000.00.00.H62", "name": "UBND tỉnh", "level": "province"}],
        "sectors": [{"code": "HOTICH", "name": "Hộ tịch"}],
        "procedures": [
            {
                "code": "1.001193",
                "name": "Khai sinh",
                "sector": "HOTICH",
                "agencies": ["000.00.00.H62"],
                "versions": [{"number": 1, **f.version_data()}],
            }
        ],
    }


def broken(change: Any) -> bytes:
    data = copy.deepcopy(valid())
    change(data)
    return json.dumps(data).encode()


HOSTILE: list[tuple[str, bytes, str]] = [
    ("malformed", b'{"format": "egov-catalog", "version": 1,', "bundle_malformed"),
    ("not utf-8", b"\xff\xfe{}", "bundle_malformed"),
    ("array", b"[]", "bundle_wrong_format"),
    ("other format", broken(lambda d: d.update(format="zaak")), "bundle_wrong_format"),
    ("future version", broken(lambda d: d.update(version=2)), "bundle_wrong_version"),
    ("wrong type", broken(lambda d: d["procedures"][0].update(name=42)), "bundle_wrong_type"),
    ("extra field", broken(lambda d: d["sectors"][0].update(id=7)), "bundle_wrong_type"),
    ("bad level", broken(lambda d: d["agencies"][0].update(level="galaxy")), "bundle_wrong_type"),
    (
        "bad date",
        broken(lambda d: d["procedures"][0]["versions"][0].update(effective_from="2024-02-30")),
        "bundle_wrong_type",
    ),
    (
        "three decimals",
        broken(lambda d: d["procedures"][0]["versions"][0]["process"][0].update(budget=0.125)),
        "bundle_wrong_type",
    ),
    (
        "duplicate agency",
        broken(lambda d: d["agencies"].append(dict(d["agencies"][0]))),
        "bundle_duplicate_code",
    ),
    (
        "duplicate version",
        broken(lambda d: d["procedures"][0]["versions"].append(d["procedures"][0]["versions"][0])),
        "bundle_duplicate_code",
    ),
    (
        "unknown sector",
        broken(lambda d: d["procedures"][0].update(sector="NOPE")),
        "bundle_unknown_reference",
    ),
    (
        "unknown agency",
        broken(lambda d: d["procedures"][0].update(agencies=["000.00.99.H62"])),
        "bundle_unknown_reference",
    ),
    (
        "unknown parent",
        broken(lambda d: d["agencies"][0].update(parent="000.00.00.H99")),
        "bundle_unknown_reference",
    ),
    (
        "parent cycle",
        broken(lambda d: d["agencies"][0].update(parent="000.00.00.H62")),
        "bundle_agency_cycle",
    ),
    (
        "NaN",
        json.dumps(valid()).replace('"time_limit": 10', '"time_limit": NaN', 1).encode(),
        "bundle_malformed",
    ),
    (
        "deeply nested",
        b'{"format": "egov-catalog", "version": 1, "x": ' + b"[" * 100000 + b"]" * 100000 + b"}",
        "bundle_malformed",
    ),
    ("NUL character", broken(lambda d: d["sectors"][0].update(name="Hộ\x00tịch")), "bundle_wrong_type"),
    (
        "huge version number",
        broken(lambda d: d["procedures"][0]["versions"][0].update(number=10**30)),
        "bundle_wrong_type",
    ),
    (
        "bad declaration schema",
        broken(lambda d: d["procedures"][0]["versions"][0].update(declaration_schema={"type": "nonsense"})),
        "bundle_wrong_type",
    ),
]


@pytest.mark.parametrize(("label", "raw", "code"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_refused_with_a_clear_error(label: str, raw: bytes, code: str) -> None:
    before = counts()
    with pytest.raises(BundleInvalid) as caught:
        services.import_bundle(bundle.parse_bundle(raw))
    assert caught.value.code == code
    assert caught.value.vi and caught.value.en
    assert counts() == before


def test_the_valid_example_itself_imports() -> None:
    services.import_bundle(bundle.parse_bundle(json.dumps(valid()).encode()))
    assert Procedure.objects.get().versions.get().process_steps.count() == 7


def test_files_over_the_size_limit_are_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", 1000)
    raw = json.dumps(valid()).encode()
    with pytest.raises(BundleInvalid) as caught:
        bundle.parse_bundle(raw)
    assert caught.value.code == "bundle_too_large"
    path = tmp_path / "big.json"
    path.write_bytes(raw)
    with pytest.raises(CommandError, match="bundle_too_large"):
        call_command("catalog", "import", str(path), stdout=StringIO())


def test_process_mismatch_rolls_back_the_whole_import() -> None:
    data = valid()
    data["sectors"].append({"code": "DATDAI", "name": "Đất đai"})
    data["procedures"][0]["versions"][0]["process"][2]["budget"] = 6
    before = counts()
    with pytest.raises(ProcessBudgetMismatch) as caught:
        services.import_bundle(bundle.parse_bundle(json.dumps(data).encode()))
    assert caught.value.en.startswith("1.001193 v1: ")
    assert counts() == before
    assert not Sector.objects.filter(code="DATDAI").exists()


def test_overlapping_versions_in_a_bundle_are_refused() -> None:
    data = valid()
    data["procedures"][0]["versions"].append({"number": 2, **f.version_data(effective_from="2024-06-01")})
    with pytest.raises(VersionOverlap):
        services.import_bundle(bundle.parse_bundle(json.dumps(data).encode()))
    assert Procedure.objects.count() == 0


def test_command_reports_domain_errors_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b"{oops")
    with pytest.raises(CommandError) as caught:
        call_command("catalog", "import", str(path), "--dry-run", stdout=StringIO())
    message = str(caught.value)
    assert "[bundle_malformed]" in message and "JSON" in message
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("catalog", "import", str(tmp_path / "missing.json"), stdout=StringIO())
