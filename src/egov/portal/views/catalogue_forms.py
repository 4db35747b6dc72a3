"""Forms of the public catalogue pages: the procedure search filters and the public lookup."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from egov.catalog.selectors import list_sectors
from egov.core.forms import Form
from egov.core.ui import in_language
from egov.portal import selectors

MAX_QUERY_CHARS = 200
MAX_CURSOR_CHARS = 500


class ProcedureSearchForm(Form):
    """GET filters of the procedure list; every field optional, unknown choices are a validation error."""

    q = forms.CharField(
        label=_("Search procedures"),
        help_text=_("Words of the name or the code; accents do not matter."),
        max_length=MAX_QUERY_CHARS,
        required=False,
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    event = forms.ChoiceField(label=_("Life event"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "search_%s")
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self._choices(
            "sector",
            everything + [(s.code, in_language(s.name, s.name_en or s.name)) for s in list_sectors()],
        )
        self._choices("agency", everything + selectors.agency_choices())
        self._choices(
            "event",
            everything
            + [(e.code, in_language(e.name, e.name_en or e.name)) for e in selectors.life_events()],
        )
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


DOSSIER_CODE = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z.\-]*$",
    _("A dossier code has only letters, digits, dots and dashes, as printed on the receipt."),
    code="invalid_code",
)
PIN = RegexValidator(r"^[0-9]{4,12}$", _("The PIN has 4 to 12 digits."), code="invalid_pin")


class LookupForm(Form):
    code = forms.CharField(
        label=_("Dossier code"),
        help_text=_("As printed on the receipt, e.g. 000.00.13.H62-261125-0001."),
        max_length=60,
        validators=[DOSSIER_CODE],
    )
    pin = forms.CharField(
        label=_("PIN (lookup code)"),
        help_text=_("The digits printed on the receipt next to the dossier code."),
        max_length=12,
        validators=[PIN],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "lookup_%s")
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()

    def clean_pin(self) -> str:
        return str(self.cleaned_data["pin"]).strip()
