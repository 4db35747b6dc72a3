"""Admin autocomplete fields that survive a wrong value in the query string or a posted form.

Django's AutocompleteSelect renders the selected options by querying `pk__in=<raw values>`; a value
that is not a valid key (`?parent=abc` on an add page, or a re-shown form after a bad POST) raised
a ValueError while rendering, a server error. The values are converted by the target field first and
the ones that cannot be keys are dropped, so the page shows the form with its usual error instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Field


class _ValidKeysOnly:
    field: Any

    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        target: Field[Any, Any] = self.field.target_field
        return super().optgroups(name, [v for v in value if _is_key(target, v)], attr)  # type: ignore[misc]


def _is_key(field: Field[Any, Any], value: Any) -> bool:
    if value in (None, ""):
        return False
    try:
        field.get_prep_value(field.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    return "\x00" not in str(value)


class SafeAutocompleteSelect(_ValidKeysOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidKeysOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteMixin:
    """First base of every model admin or inline with `autocomplete_fields`."""

    admin_site: Any

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            widget = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs.setdefault("widget", widget)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            widget = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs.setdefault("widget", widget)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
