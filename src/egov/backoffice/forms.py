"""Forms of the back office: one form per dossier action, notes, and the counter/postal intake."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import User
from egov.catalog.models import Agency, DocumentRequirement, Procedure
from egov.core import safejson
from egov.core.forms import Form
from egov.core.ui import in_language
from egov.dossiers.models import ApplicantType

MAX_TEXT = 4000
MAX_AMOUNT = 10**13
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name()} ({obj.username})"


def _text(label: Any, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _field(name: str, assignees: QuerySet[User], assignee_required: bool) -> forms.Field:
    if name == "reason":
        return _text(_("Reason"), help_text=_("The applicant reads this reason."))
    if name == "content":
        return _text(_("Content"), help_text=_("What the applicant must do or supply."))
    if name == "note":
        return _text(_("Note"), required=False)
    if name == "amount":
        return forms.IntegerField(
            label=_("Amount (VND)"),
            min_value=1,
            max_value=MAX_AMOUNT,
            required=False,
            help_text=_("Leave empty to ask for the procedure's fees not paid yet."),
        )
    if name == "assignee":
        return OfficerChoiceField(
            label=_("Officer"),
            queryset=assignees,
            required=assignee_required,
            empty_label=_("— anyone of the unit —") if not assignee_required else _("— choose —"),
        )
    if name == "new_due_at":
        return forms.DateTimeField(
            label=_("New appointment"),
            input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
            help_text=_("Date and time, later than the current appointment."),
        )
    raise KeyError(name)


class ActionForm(Form):
    """The fields one action needs; ids are prefixed with the action so many forms share a page."""

    action_fields: tuple[str, ...] = ()

    def arguments(self) -> dict[str, Any]:
        """The cleaned values as the service expects them (blank optional text as "")."""
        data = dict(self.cleaned_data)
        if "note" in self.action_fields:
            data["note"] = data.get("note") or ""
        return data


def action_form(
    action: str,
    fields: tuple[str, ...],
    data: Any = None,
    *,
    assignees: QuerySet[User] | None = None,
) -> ActionForm:
    """A form class built for one action (Django collects the declared fields), bound to `data`."""
    choices = assignees if assignees is not None else User.objects.none()
    declared: dict[str, Any] = {name: _field(name, choices, action == "assign") for name in fields}
    declared["action_fields"] = fields
    form_class = type(f"{action.title().replace('-', '')}Form", (ActionForm,), declared)
    form: ActionForm = form_class(data, auto_id=f"id_{action}_%s")
    return form


class NoteForm(Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Internal: only officers see notes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)


CHANNELS = [("counter", _("At the counter")), ("post", _("By public post"))]


class DeskStartForm(Form):
    """Step 1 of a counter/postal dossier: which procedure, at which agency, through which channel."""

    procedure = forms.ModelChoiceField(
        label=_("Administrative procedure"),
        queryset=Procedure.objects.none(),
        to_field_name="code",
        empty_label=_("— choose —"),
    )
    agency = forms.ModelChoiceField(
        label=_("Receiving agency"), queryset=Agency.objects.none(), to_field_name="code", empty_label=None
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=CHANNELS, widget=forms.RadioSelect, initial="counter"
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        procedure_field = self.fields["procedure"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        assert isinstance(procedure_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        procedure_field.queryset = Procedure.objects.filter(agencies__in=agencies).distinct().order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        procedure, agency = data.get("procedure"), data.get("agency")
        if (
            procedure is not None
            and agency is not None
            and not procedure.agencies.filter(pk=agency.pk).exists()
        ):
            raise forms.ValidationError(_("This agency does not handle the chosen procedure."))
        return data


APPLICANT_TYPES = [(str(v), label) for v, label in ApplicantType.choices]


class DeskApplicantForm(Form):
    """Step 2: the applicant, the declaration (JSON, checked by the core) and the scans."""

    applicant_type = forms.ChoiceField(label=_("Applicant type"), choices=APPLICANT_TYPES, initial="1")
    name = forms.CharField(label=_("Applicant name"), max_length=200)
    id_number = forms.CharField(label=_("Identity number or tax code"), max_length=20, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    subject = forms.CharField(label=_("Summary (trích yếu)"), max_length=500, required=False)
    declaration = forms.CharField(
        label=_("Declaration data (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The fields of the procedure's declaration form as a JSON object."),
    )
    receive_now = forms.BooleanField(
        label=_("Receive now and issue the receipt"), required=False, initial=True
    )

    def clean_declaration(self) -> dict[str, Any]:
        """JSON typed at the desk when the procedure has no form schema; the core validates it."""
        text = (self.cleaned_data.get("declaration") or "").strip()
        if not text:
            return {}
        try:
            value = safejson.loads(text)  # strict: no NaN/1e999, NUL or deep nesting (no column stores them)
        except safejson.JsonRefused as exc:
            raise forms.ValidationError(_("Not valid JSON.") + " " + in_language(exc.vi, exc.en)) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The declaration must be a JSON object."))
        return value

    def applicant(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "id_number": data.get("id_number") or "",
            "phone": data.get("phone") or "",
            "email": data.get("email") or "",
            "address": data.get("address") or "",
            "type": int(data["applicant_type"]),
        }

    requirements: list[DocumentRequirement] = []

    def scans(self) -> list[tuple[DocumentRequirement | None, Any]]:
        found: list[tuple[DocumentRequirement | None, Any]] = []
        for req in self.requirements:
            upload = self.cleaned_data.get(f"scan_{req.pk}")
            if upload:
                found.append((req, upload))
        other = self.cleaned_data.get("scan_other")
        if other:
            found.append((None, other))
        return found


def applicant_form(
    requirements: list[DocumentRequirement],
    data: Any = None,
    files: Any = None,
    *,
    json_declaration: bool = True,
) -> DeskApplicantForm:
    """The applicant form with one scan upload per dossier component of the procedure.

    Without `json_declaration` the declaration comes from the form generated from the schema.
    """
    scan_attrs = {"accept": "application/pdf,image/*"}
    declared: dict[str, Any] = {
        f"scan_{req.pk}": forms.FileField(
            label=req.name,
            required=False,
            help_text=_("Scan of the paper document (PDF or image)."),
            widget=forms.ClearableFileInput(attrs=dict(scan_attrs)),
        )
        for req in requirements
    }
    declared["scan_other"] = forms.FileField(
        label=_("Other scanned document"),
        required=False,
        widget=forms.ClearableFileInput(attrs=dict(scan_attrs)),
    )
    declared["requirements"] = requirements
    if not json_declaration:
        declared["declaration"] = None
    form_class = type("DeskIntakeForm", (DeskApplicantForm,), declared)
    form: DeskApplicantForm = form_class(data, files)
    return form


def link_descriptions(form: forms.Form) -> forms.Form:
    """Point aria-describedby at the hint and error ids the field template really renders.

    Needed for prefixed forms, whose ids carry the prefix the styling mixin does not know.
    """
    for name, field in form.fields.items():
        bound = form[name]
        ids = [f"{bound.auto_id}_helptext"] if field.help_text else []
        ids.append(f"{bound.auto_id}-error")
        field.widget.attrs["aria-describedby"] = " ".join(ids)
    return form
