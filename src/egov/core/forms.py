"""Django forms rendered with the U.S. Web Design System markup, accessible by default.

Every visible field gets the USWDS class of its widget, `aria-describedby` pointing at its hint and
its error message, and `aria-invalid` when it has an error; `{{ form }}` renders the whole form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates

WIDGET_CLASSES = {
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
    forms.RadioSelect: "usa-radio__input",
    forms.CheckboxSelectMultiple: "usa-checkbox__input",
    forms.ClearableFileInput: "usa-file-input",
    forms.FileInput: "usa-file-input",
}


class FormRenderer(DjangoTemplates):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


def widget_class(widget: forms.Widget) -> str:
    for kind in type(widget).__mro__:
        if kind in WIDGET_CLASSES:
            return WIDGET_CLASSES[kind]
    return "usa-input"


class StyledFormMixin:
    """Adds USWDS classes and ARIA links to every field of a form."""

    fields: dict[str, forms.Field]
    errors: Any
    auto_id: str | bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} {widget_class(field.widget)}".strip()
            field_id = self._field_id(name)
            described = [f"{field_id}_helptext"] if field.help_text else []
            described.append(f"{field_id}-error")
            attrs["aria-describedby"] = " ".join(described)

    def _field_id(self, name: str) -> str:
        pattern = self.auto_id if isinstance(self.auto_id, str) else "id_%s"
        return pattern % name if "%s" in pattern else name

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} usa-input--error"


class Form(StyledFormMixin, forms.Form):
    pass


class ModelForm(StyledFormMixin, forms.ModelForm):
    pass
