"""Placeholders: only the documented names render; amounts in dong with dot grouping."""

from __future__ import annotations

import pytest

from egov.notifications.admin import MessageTemplateForm
from egov.notifications.rendering import TemplateError, format_vnd, render, validate_template_text


def test_known_placeholders_render_and_unknown_ones_are_refused() -> None:
    assert (
        render("Hồ sơ {dossier_code}: {amount}", {"dossier_code": "X-1", "amount": "1 đ"}) == "Hồ sơ X-1: 1 đ"
    )
    with pytest.raises(TemplateError, match="secret"):
        validate_template_text("{secret}")
    with pytest.raises(TemplateError):
        validate_template_text("{dossier_code")


def test_amounts_are_written_the_vietnamese_way() -> None:
    assert format_vnd(1_000_000) == "1.000.000 đ"
    assert format_vnd(500) == "500 đ"
    assert format_vnd(None) == ""


@pytest.mark.django_db
def test_the_admin_form_rejects_an_unknown_placeholder() -> None:
    data = {
        "kind": "dossier.received",
        "channel": "sms",
        "language": "vi",
        "version": 9,
        "valid_from": "2026-01-01",
        "subject": "",
        "body": "Hồ sơ {dossier_code} {nope}",
    }
    form = MessageTemplateForm(data=data)
    assert not form.is_valid() and "body" in form.errors
    assert MessageTemplateForm(data={**data, "body": "Hồ sơ {dossier_code}"}).is_valid()
