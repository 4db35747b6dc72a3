"""My dossiers: the signed-in applicant's list, detail, receipt, supplement, withdrawal and rating.

Every page looks the dossier up through `dossier_for` and then keeps it only if the signed-in user
is its applicant: an officer who may read the dossier in the back office still gets a 404 here, as
does anyone typing another citizen's code. Views stay thin: validate a form, call one service,
redirect (POST-redirect-GET) or re-render with the errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.catalog.models import DocumentRequirement
from egov.core.cursors import InvalidCursor
from egov.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from egov.core.forms import Form
from egov.core.templatetags.egov_format import with_amount
from egov.core.ui import error_message, flash_done, flash_error, in_language
from egov.core.uploads import ACCEPT
from egov.dossiers import policies, selectors
from egov.dossiers.errors import DossierNotFound
from egov.dossiers.files import files_of
from egov.dossiers.models import Dossier, DossierFile, Status, SupplementRequest
from egov.dossiers.services import withdraw_dossier
from egov.feedback import criteria
from egov.feedback.selectors import rating_of
from egov.feedback.services import (
    MAX_COMMENT,
    AlreadyRated,
    RatingInvalid,
    RatingNotAllowedYet,
    rate_dossier,
    rating_open,
)
from egov.notifications.selectors import with_notifications
from egov.portal.services_mine import (
    MAX_NOTE,
    SUPPLEMENT_SUBMITTED,
    NoOpenSupplement,
    SupplementUpload,
    open_supplement,
    submit_supplement,
)

PAGE_SIZE = 20
FILE_HINT = _("PDF, PNG, JPEG, DOCX or ODT.")
RATED = "dossier.rated"

# What each recorded change means to the applicant, in plain words.
EVENT_LABELS: dict[str, Any] = {
    "dossier.created": _("Dossier submitted"),
    "dossier.received": _("Dossier received by the one-stop desk; appointment date set"),
    "dossier.refused": _("Dossier refused"),
    "dossier.forwarded": _("Passed to the next processing step"),
    "dossier.step_assigned": _("Assigned to an officer"),
    "dossier.returned_to_previous_step": _("Sent back to the previous step for checking"),
    "dossier.supplement_requested": _("Supplement requested: please send the missing documents"),
    SUPPLEMENT_SUBMITTED: _("You sent the missing documents"),
    "dossier.supplement_received": _("Supplement received; processing continues"),
    "dossier.financial_obligation_requested": _("Fees or taxes to pay"),
    "dossier.financial_obligation_confirmed": _("Payment confirmed; processing continues"),
    "dossier.apologised": _("Apology letter with a new appointment date"),
    "dossier.stopped": _("Processing stopped"),
    "dossier.withdrawn": _("Dossier withdrawn"),
    "dossier.finished": _("Processing finished; the result is ready"),
    "dossier.result_returned": _("Result returned"),
    "dossier.file_attached": _("Document attached"),
    RATED: _("You rated the service"),
    "payment.paid": _("Fees paid online"),
    "payment.duplicate": _("Paid twice: the agency refunds the second payment"),
    "payment.failed": _("Online payment not completed"),
    "payment.expired": _("Online payment expired unpaid"),
    "payment.refunded": _("Fees refunded"),
    "payment.refund_refused": _("Refund refused by the payment platform"),
    "payment.exemption_recorded": _("Fee exemption recorded"),
    "payment.exemption_cleared": _("Fee exemption withdrawn"),
    "result.issued": _("Signed electronic result issued"),
    "result.revoked": _("Electronic result revoked"),
}
# Officers' internal working records: never on the applicant's timeline.
SHOWN_FILE_KINDS = (DossierFile.Kind.COMPONENT, DossierFile.Kind.SUPPLEMENT, DossierFile.Kind.SCAN)


def status_label(status: str) -> str:
    """The model's bilingual label ("Đã tiếp nhận / received") in the page language."""
    vi, _sep, en = str(Status(status).label).partition(" / ")
    return in_language(vi, en[:1].upper() + en[1:] if en else vi)


# --- forms -------------------------------------------------------------------------------------


class WithdrawForm(Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give the reason for withdrawing.")},
    )


class SupplementForm(Form):
    """One optional file input per dossier component of the procedure, one for any other document."""

    note = forms.CharField(
        label=_("Message to the one-stop desk (optional)"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, requirements: list[DocumentRequirement], **kwargs: Any) -> None:
        self.requirements = {f"file_{r.pk}": r for r in requirements}
        super().__init__(*args, **kwargs)
        for name, requirement in self.requirements.items():
            label = f"{requirement.name} ({requirement.case})" if requirement.case else requirement.name
            self.fields[name] = forms.FileField(label=label, required=False, help_text=FILE_HINT)
            self._style(name)
        self.fields["file_other"] = forms.FileField(
            label=_("Another document"), required=False, help_text=FILE_HINT
        )
        self._style("file_other")
        self.order_fields([*self.requirements, "file_other", "note"])

    def _style(self, name: str) -> None:
        field_id = self._field_id(name)
        attrs = self.fields[name].widget.attrs
        attrs["class"] = "usa-file-input"
        attrs["accept"] = ACCEPT
        attrs["aria-describedby"] = f"{field_id}_helptext {field_id}-error"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.uploads():
            raise forms.ValidationError(_("Choose at least one file to send."))
        return data

    def uploads(self) -> list[SupplementUpload]:
        items = []
        for name in [*self.requirements, "file_other"]:
            upload = self.cleaned_data.get(name)
            if upload:
                items.append(SupplementUpload(upload=upload, requirement=self.requirements.get(name)))
        return items


def _score_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(score, criteria.scale_label(score)) for score in criteria.SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one answer."),
            "invalid_choice": _("Choose one of the answers shown."),
        },
    )


class RatingForm(Form):
    """The survey's criteria as radio groups (a fieldset with a legend each), then overall and comment."""

    def __init__(self, *args: Any, survey: criteria.Survey = criteria.CURRENT, **kwargs: Any) -> None:
        self.survey = survey
        super().__init__(*args, **kwargs)
        for number, criterion in enumerate(survey.criteria, start=1):
            self.fields[criterion.code] = _score_field(f"{number}. {criterion.text}")
        self.fields["overall"] = _score_field(str(_("Overall, how satisfied are you with this service?")))
        self.fields["comment"] = forms.CharField(
            label=_("Comments or suggestions (optional)"),
            max_length=MAX_COMMENT,
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        self._restyle()

    def _restyle(self) -> None:
        # Fields added after the mixin's pass: give them the same classes and ARIA links.
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            attrs["class"] = "usa-textarea" if name == "comment" else "usa-radio__input"
            attrs["aria-describedby"] = f"{self._field_id(name)}-error"

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code in self.survey.codes}


# --- lookups -------------------------------------------------------------------------------------


def own_dossier(request: HttpRequest, code: str) -> Dossier:
    """The signed-in user's own dossier, or 404 (never 403: a code must not reveal that it exists)."""
    try:
        dossier = selectors.dossier_for(request.user, code)
    except DossierNotFound as exc:
        raise Http404("dossier") from exc
    if dossier.applicant_id is None or dossier.applicant_id != request.user.pk:
        raise Http404("dossier")
    return dossier


def _requirements(dossier: Dossier) -> list[DocumentRequirement]:
    return selectors.requirements_of(dossier.procedure_version_id)


def _timeline(dossier: Dossier) -> list[dict[str, Any]]:
    entries = []
    for entry in selectors.applicant_timeline(dossier):
        kind = entry["kind"]
        after = entry["status_after"]
        entries.append(
            {
                **entry,
                "label": EVENT_LABELS.get(kind, kind),
                "note": with_amount(entry["note"], entry.get("amount")) if entry["note"] else "",
                "status_label": status_label(after) if after and after != entry["status_before"] else "",
            }
        )
    return entries


def _appointment(dossier: Dossier) -> Any:
    return dossier.apology_due_at or dossier.due_at


def _detail(
    request: HttpRequest,
    dossier: Dossier,
    *,
    supplement_form: SupplementForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    request_open: SupplementRequest | None = open_supplement(dossier)
    if request_open is not None and supplement_form is None:
        supplement_form = SupplementForm(requirements=_requirements(dossier))
    files = list(files_of(dossier))
    context = {
        "dossier": dossier,
        "status_label": status_label(dossier.status),
        "appointment": _appointment(dossier),
        "timeline": with_notifications(_timeline(dossier), dossier),
        "supplement_request": request_open,
        "supplement_form": supplement_form,
        "files": [f for f in files if f.kind in SHOWN_FILE_KINDS],
        "results": [f for f in files if f.kind == DossierFile.Kind.RESULT],
        "can_withdraw": policies.WITHDRAW.allows(request.user, dossier),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "rating": rating_of(dossier),
        "can_rate": rating_open(dossier),
    }
    return render(request, "portal/mine/detail.html", context, status=status)


# --- views -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def my_dossiers(request: HttpRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.applicant_dossiers(request.user, cursor=cursor, limit=PAGE_SIZE)
    except InvalidCursor as exc:
        raise Http404("cursor") from exc
    rows = [
        {"dossier": d, "status_label": status_label(d.status), "appointment": _appointment(d)}
        for d in page.items
    ]
    context = {"rows": rows, "next_cursor": page.next_cursor, "first_page": cursor is None}
    return render(request, "portal/mine/list.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, own_dossier(request, code))


@login_required
@require_http_methods(["GET", "HEAD"])
def my_receipt(request: HttpRequest, code: str) -> HttpResponse:
    dossier = own_dossier(request, code)
    components = list(files_of(dossier, kinds=(DossierFile.Kind.COMPONENT, DossierFile.Kind.SCAN)))
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure_version.procedure,
        "agency": dossier.agency,
        "appointment": _appointment(dossier),
        "components": components,
        "status_label": status_label(dossier.status),
    }
    return render(request, "portal/mine/receipt.html", context)


@login_required
@require_POST
def my_supplement(request: HttpRequest, code: str) -> HttpResponse:
    dossier = own_dossier(request, code)
    if open_supplement(dossier) is None:
        flash_error(request, NoOpenSupplement(detail={"status": dossier.status}))
        return redirect("portal:my_dossier", code=dossier.code)
    form = SupplementForm(request.POST, request.FILES, requirements=_requirements(dossier))
    if not form.is_valid():
        return _detail(request, dossier, supplement_form=form, status=400)
    try:
        submit_supplement(
            request.user, dossier, uploads=form.uploads(), note=form.cleaned_data.get("note", "")
        )
    except (Conflict, NotFound, PermissionDenied) as err:
        flash_error(request, err)  # the state moved on: show the page as it is now
        return redirect("portal:my_dossier", code=dossier.code)
    except DomainError as err:  # the files themselves: size, type, virus scan
        form.add_error(None, error_message(request, err))
        return _detail(request, dossier, supplement_form=form, status=400)
    flash_done(
        request,
        "Đã gửi giấy tờ bổ sung. Bộ phận một cửa sẽ kiểm tra và xác nhận.",
        "The missing documents were sent. The one-stop desk will check them and confirm.",
    )
    return redirect("portal:my_dossier", code=dossier.code)


@login_required
@require_POST
def my_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    dossier = own_dossier(request, code)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail(request, dossier, withdraw_form=form, status=400)
    try:
        withdraw_dossier(request.user, dossier, reason=form.cleaned_data["reason"])
    except DomainError as err:
        flash_error(request, err)
        return redirect("portal:my_dossier", code=dossier.code)
    flash_done(request, "Đã rút hồ sơ.", "The dossier was withdrawn.")
    return redirect("portal:my_dossier", code=dossier.code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_rating(request: HttpRequest, code: str) -> HttpResponse:
    dossier = own_dossier(request, code)
    rating = rating_of(dossier)
    blocked = "" if rating_open(dossier) else error_message(request, RatingNotAllowedYet())
    form = RatingForm(request.POST if request.method == "POST" else None)
    status, error = 200, ""
    if request.method == "POST":
        if blocked or rating is not None:
            status, error = 409, blocked or error_message(request, AlreadyRated())
        elif form.is_valid():
            try:
                rate_dossier(
                    request.user,
                    dossier,
                    form.scores(),
                    form.cleaned_data["overall"],
                    form.cleaned_data.get("comment", ""),
                )
            except RatingInvalid as err:
                form.add_error(None, error_message(request, err))
                status = 400
            except DomainError as err:
                flash_error(request, err)
                return redirect("portal:my_rating", code=dossier.code)
            else:
                flash_done(
                    request,
                    "Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp cải thiện dịch vụ công.",
                    "Thank you for your rating. It helps improve public services.",
                )
                return redirect("portal:my_dossier", code=dossier.code)
        else:
            status = 400
    context = {
        "dossier": dossier,
        "form": form,
        "rating": rating,
        "blocked": blocked,
        "error": error,
        "survey": form.survey,
        "answers": _answers(rating) if rating is not None else [],
    }
    return render(request, "portal/mine/rating.html", context, status=status)


def _answers(rating: Any) -> list[tuple[str, str]]:
    survey = criteria.SURVEYS.get(rating.survey, criteria.CURRENT)
    texts = {c.code: c.text for c in survey.criteria}
    return [
        (texts.get(code, code), criteria.scale_label(score))
        for code, score in rating.scores.items()
        if score in criteria.SCALE
    ]


urlpatterns = [
    path("my/dossiers/", my_dossiers, name="my_dossiers"),
    path("my/dossiers/<str:code>/", my_dossier, name="my_dossier"),
    path("my/dossiers/<str:code>/receipt/", my_receipt, name="my_receipt"),
    path("my/dossiers/<str:code>/supplement/", my_supplement, name="my_supplement"),
    path("my/dossiers/<str:code>/withdraw/", my_withdraw, name="my_withdraw"),
    path("my/dossiers/<str:code>/rating/", my_rating, name="my_rating"),
]
