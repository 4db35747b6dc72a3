"""The dossier page and the desk speak the page language and write dates the local way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.backoffice.views.dossier import timeline_rows
from tests.backoffice.dossier_fixtures import as_officer
from tests.dossiers.factories import World

pytestmark = pytest.mark.django_db


def test_declaration_dates_and_the_subject_label_in_vietnamese(world: World) -> None:
    dossier = world.create(subject="Xin cấp bản sao").dossier
    version = dossier.procedure_version
    version.declaration_schema["properties"]["birth_date"]["format"] = "date"
    version.save(update_fields=["declaration_schema"])
    client = as_officer(world.desk)
    client.cookies["egov_language"] = "vi"
    html = client.get(reverse("office:dossier", args=[dossier.code])).content.decode()
    assert "01/02/2026" in html and "2026-02-01" not in html
    assert "<dt>Trích yếu</dt>" in html and "trích yếu)" not in html


def test_desk_shows_the_channel_label_and_styled_links(world: World) -> None:
    dossier = world.create(channel="online").dossier
    client = as_officer(world.desk)
    client.cookies["egov_language"] = "en"
    html = client.get(reverse("office:desk")).content.decode()
    assert "<td>Online</td>" in html
    assert f'class="usa-link" href="{reverse("office:dossier", args=[dossier.code])}"' in html
    client.cookies["egov_language"] = "vi"
    assert "<td>Trực tuyến</td>" in client.get(reverse("office:desk")).content.decode()


def test_a_financial_obligation_shows_its_amount(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    dossier = world.received()
    entry = {"kind": "dossier.financial_obligation_requested", "note": "Lệ phí", "amount": 200000}
    monkeypatch.setattr("egov.dossiers.selectors.timeline", lambda d: [entry])
    assert timeline_rows(dossier)[0]["note"] in {"Lệ phí (200.000 đ)", "Lệ phí (VND 200,000)"}
