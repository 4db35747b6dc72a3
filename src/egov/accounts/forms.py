"""Sign-in, second-factor and sign-up forms (USWDS markup from egov.core.forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.accounts.models import User
from egov.accounts.services import Registration
from egov.core.forms import Form


class LoginForm(Form):
    username = forms.CharField(
        label=pgettext_lazy("accounts", "Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(Form):
    """The 6 digits of the authenticator app (set-up and regenerating recovery codes)."""

    code = forms.RegexField(
        label=_("6-digit code"),
        help_text=_("The code shown by your authenticator app now."),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=7,
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"[0-9 ]{6,7}",
                "autofocus": True,
                "class": "usa-input--small",
            }
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).replace(" ", "").strip()


class SecondFactorForm(Form):
    """The sign-in's second step: a code from the app, or one of the recovery codes."""

    code = forms.RegexField(
        label=_("6-digit code or recovery code"),
        help_text=_(
            "The code shown by your authenticator app now, or one of your recovery codes (xxxxx-xxxxx)."
        ),
        regex=r"^\s*(\d{3}\s?\d{3}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})\s*$",
        max_length=11,
        error_messages={
            "invalid": _("Enter the 6 digits from your app or a recovery code like abcde-23456.")
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "class": "usa-input--medium",
            }
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).replace(" ", "").strip()


KIND_CHOICES = [
    (User.Kind.CITIZEN.value, _("Citizen")),
    (User.Kind.BUSINESS.value, _("Business")),
]


class SignupForm(Form):
    kind = forms.ChoiceField(
        label=_("I am signing up as"), choices=KIND_CHOICES, initial="citizen", widget=forms.RadioSelect
    )
    full_name = forms.CharField(
        label=_("Full name or business name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Citizen ID number or tax code"),
        help_text=_(
            "Citizens: the 12 digits of the citizen ID card. Businesses: the 10 or 13-digit tax code."
        ),
        max_length=13,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=pgettext_lazy("accounts", "Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=20,
        help_text=_("Enter an email address, a phone number, or both."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    username = forms.CharField(
        label=pgettext_lazy("accounts", "Username"),
        max_length=150,
        help_text=_("3–150 characters: letters without accents, digits and . @ + - _"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        help_text=_("At least 8 characters, not a common password, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        return data

    def registration(self) -> Registration:
        data = self.cleaned_data
        return Registration(
            kind=data["kind"],
            username=data["username"],
            full_name=data["full_name"],
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            id_number=data["id_number"],
            password=data["password1"],
        )
