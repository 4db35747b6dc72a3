"""Forms of the online application: the applicant block.

The declaration form is generated from the procedure version's JSON Schema by
`egov.dossiers.forms` (the desk's counter intake uses it too).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from egov.core.forms import Form
from egov.dossiers.models import ApplicantType


class ApplicantForm(Form):
    """Who applies; prefilled from the signed-in account."""

    name = forms.CharField(label=_("Full name"), max_length=200)
    id_number = forms.CharField(
        label=_("Personal identification number"),
        max_length=20,
        required=False,
        help_text=_("12 digits on the citizen identity card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        validators=[RegexValidator(r"^\+?[0-9 .-]{6,20}$", _("Enter a valid phone number."))],
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "pattern": r"\+?[0-9 .\-]{6,20}"}
        ),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    type = forms.TypedChoiceField(
        label=_("Applicant type"),
        choices=[
            (ApplicantType.CITIZEN, _("Citizen")),
            (ApplicantType.BUSINESS, _("Business or organisation")),
        ],
        coerce=int,
        initial=ApplicantType.CITIZEN,
        widget=forms.RadioSelect,
    )


def applicant_initial(user: Any) -> dict[str, Any]:
    return {
        "name": user.display_name(),
        "id_number": user.id_number,
        "phone": user.phone,
        "email": user.email,
        "type": ApplicantType.BUSINESS if getattr(user, "kind", "") == "business" else ApplicantType.CITIZEN,
    }
