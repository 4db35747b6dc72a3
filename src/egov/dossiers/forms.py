"""Declaration forms generated from a procedure version's JSON Schema (the portal's wizard and the
desk's counter intake both use them, so they live with the dossier, below both).

Each property becomes a field with its `title` as label and `description` as hint, and the schema's
limits become HTML5 attributes (required, maxlength, pattern, min, max, type) so the browser checks
them as the user types. The server checks the same limits, then validates the whole declaration with
jsonschema, as `create_dossier` does again on submission.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from jsonschema import SchemaError
from jsonschema.validators import validator_for

from egov.core.forms import Form

RADIO_MAX = 4


def _html_pattern(pattern: str) -> str | None:
    """JSON Schema patterns are unanchored; HTML's are anchored, so only ^…$ ones carry over."""
    if pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[1:-1]
    return None


def _string_field(prop: dict[str, Any], common: dict[str, Any]) -> forms.Field:
    fmt = prop.get("format")
    attrs: dict[str, Any] = {}
    if fmt == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    if fmt == "email":
        return forms.EmailField(max_length=prop.get("maxLength"), **common)
    validators = []
    if "pattern" in prop:
        validators.append(
            RegexValidator(re.compile(prop["pattern"]), _("The value does not have the expected form."))
        )
        html = _html_pattern(prop["pattern"])
        if html is not None:
            attrs["pattern"] = html
            if re.fullmatch(r"\[0-9\](\{\d+(,\d*)?\}|\+|\*)?", html):
                attrs["inputmode"] = "numeric"
    long_text = int(prop.get("maxLength") or 0) > 500
    widget = forms.Textarea(attrs={**attrs, "rows": 4}) if long_text else forms.TextInput(attrs=attrs)
    return forms.CharField(
        min_length=prop.get("minLength"),
        max_length=prop.get("maxLength"),
        validators=validators,
        widget=widget,
        strip=True,
        **common,
    )


def _number_field(prop: dict[str, Any], common: dict[str, Any]) -> forms.Field:
    limits: dict[str, Any] = {"min_value": prop.get("minimum"), "max_value": prop.get("maximum")}
    if prop.get("type") == "integer":
        return forms.IntegerField(
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **limits, **common
        )
    return forms.FloatField(
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}), **limits, **common
    )


def _enum_field(prop: dict[str, Any], common: dict[str, Any]) -> forms.Field:
    values = list(prop["enum"])
    by_text = {str(v): v for v in values}
    choices = [(str(v), str(v)) for v in values]
    if len(values) <= RADIO_MAX:
        return forms.TypedChoiceField(
            choices=choices, coerce=by_text.__getitem__, widget=forms.RadioSelect, **common
        )
    return forms.TypedChoiceField(
        choices=[("", _("— choose —")), *choices], coerce=by_text.__getitem__, **common
    )


def _array_field(prop: dict[str, Any], common: dict[str, Any]) -> forms.Field:
    items = prop.get("items") or {}
    if "enum" in items:
        choices = [(str(v), str(v)) for v in items["enum"]]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    hint = common.pop("help_text", "")
    help_text = f"{hint} {_('One per line.')}".strip() if hint else _("One per line.")
    return LinesField(widget=forms.Textarea(attrs={"rows": 4}), help_text=help_text, **common)


class LinesField(forms.CharField):
    """A list of strings typed one per line."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value


def schema_field(prop: dict[str, Any], required: bool) -> forms.Field | None:
    """The form field for one property, or None for a shape the wizard does not render."""
    common: dict[str, Any] = {"label": prop.get("title") or "", "required": required}
    if prop.get("description"):
        common["help_text"] = prop["description"]
    if "default" in prop:
        common["initial"] = prop["default"]
    kind = prop.get("type")
    if "enum" in prop:
        return _enum_field(prop, common)
    if kind == "string":
        return _string_field(prop, common)
    if kind in ("integer", "number"):
        return _number_field(prop, common)
    if kind == "boolean":
        common["required"] = False
        return forms.BooleanField(**common)
    if kind == "array":
        return _array_field(prop, common)
    return None


class DeclarationForm(Form):
    """Base of the generated forms; `to_declaration()` gives the JSON the schema validates."""

    schema: dict[str, Any] = {}

    def to_declaration(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", []):
                continue
            data[name] = value.isoformat() if isinstance(value, date) else value
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            for name, message in schema_errors(self.schema, self.to_declaration()).items():
                if name in self.fields:
                    self.add_error(name, message)
                else:
                    self.add_error(None, message)
        return cleaned


def declaration_form_class(schema: dict[str, Any], *, lenient: bool = False) -> type[DeclarationForm]:
    """A form class for `schema`; `lenient` makes every field optional (save and continue later)."""
    required = set(schema.get("required") or [])
    fields: dict[str, forms.Field] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        field = schema_field(prop, name in required and not lenient)
        if field is not None:
            if not field.label:
                field.label = name
            fields[name] = field
    attrs: dict[str, Any] = {**fields, "schema": {} if lenient else schema}
    return type("GeneratedDeclarationForm", (DeclarationForm,), attrs)


def schema_errors(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """Field name → first jsonschema message ("" names the whole form)."""
    if not schema:
        return {}
    try:
        validator = validator_for(schema)(schema)
        errors = list(validator.iter_errors(data))
    except SchemaError:
        return {"": str(_("The form of this procedure is not valid; tell the agency."))}
    found: dict[str, str] = {}
    for error in errors:
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required" and isinstance(error.instance, dict):
            required: Any = error.validator_value
            for name in required:
                if name not in error.instance:
                    found.setdefault(name, str(_("This field is required.")))
            continue
        found.setdefault(path[0] if path else "", error.message)
    return found


def draft_values(form_class: type[DeclarationForm], data: Any) -> dict[str, Any]:
    """What a lenient "save and continue later" keeps: clean values, else the text as typed."""
    form = form_class(data)
    form.is_valid()
    kept: dict[str, Any] = {}
    for name, field in form.fields.items():
        if name in form.errors:
            raw = form[name].value()
            if raw not in (None, "", []):
                kept[name] = raw
            continue
        value = form.cleaned_data.get(name)
        if value not in (None, "", []):
            kept[name] = value.isoformat() if isinstance(value, date) else value
        elif isinstance(field, forms.BooleanField):
            kept[name] = False
    return kept
