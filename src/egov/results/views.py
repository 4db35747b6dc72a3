"""The public verification page: upload a result PDF or type the printed code. No sign-in needed.

The page of a code shows the facts and both signatures, never the holder's personal data; the signed
PDF itself (which carries them) goes to the holder, an officer of the agency, or whoever types the
dossier's PIN printed on its receipt."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.throttling import ScopedRateThrottle

from egov.core.errors import DomainError
from egov.core.forms import Form
from egov.core.ui import error_message, in_language
from egov.results import checking, selectors
from egov.results.api.views import THROTTLE_SCOPE
from egov.results.models import ResultDocument
from egov.results.services import normalise_short_code


class VerifyForm(Form):
    file = forms.FileField(
        label=_("The result PDF"), required=False, help_text=_("The signed PDF file you received.")
    )
    code = forms.CharField(
        label=_("or the verification code"),
        required=False,
        max_length=20,
        help_text=_("The 10 characters printed under the QR code, e.g. 7KX2M-QH4TZ."),
    )


class PinForm(Form):
    pin = forms.CharField(
        label=_("The dossier's PIN"),
        max_length=20,
        help_text=_("Printed on the receipt of the dossier, next to its code."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class _ClientThrottle(ScopedRateThrottle):
    """The API's rate for result verification, keyed by client address (the pages are anonymous)."""

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


_VIEW = SimpleNamespace(throttle_scope=THROTTLE_SCOPE)


def _throttled(request: HttpRequest) -> bool:
    return not _ClientThrottle().allow_request(request, _VIEW)  # type: ignore[arg-type]


def _too_many() -> str:
    return in_language(
        "Bạn đã kiểm tra quá nhiều lần. Vui lòng thử lại sau ít phút.",
        "Too many checks from your connection. Please try again in a few minutes.",
    )


def _uploaded(form: VerifyForm) -> bytes | None:
    upload = form.cleaned_data.get("file")
    if upload is None:
        return None
    if upload.size is not None and upload.size > checking.upload_limit():
        raise checking.too_large()
    upload.seek(0)
    return bytes(upload.read(checking.upload_limit() + 1))


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "results/verify.html", {"form": VerifyForm()})
    form = VerifyForm(request.POST, request.FILES)
    context: dict[str, Any] = {"form": form}
    if _throttled(request):
        context["error"] = _too_many()
        return render(request, "results/verify.html", context, status=429)
    if not form.is_valid():
        return render(request, "results/verify.html", context, status=400)
    try:
        data = _uploaded(form)
        if data is None:
            code = normalise_short_code(form.cleaned_data.get("code") or "")
            if code is None:
                raise checking.ShortCodeMalformed()
            return redirect("results:code", short_code=code)
        context["check"] = checking.verify_upload(data)
    except DomainError as err:
        context["error"] = error_message(request, err)
        return render(request, "results/verify.html", context, status=err.status)
    return render(request, "results/verify.html", context)


def _document(request: HttpRequest, short_code: str) -> ResultDocument:
    try:
        return checking.result_by_code(short_code)
    except DomainError:
        raise Http404(short_code) from None


def _code_context(request: HttpRequest, document: ResultDocument, **extra: Any) -> dict[str, Any]:
    return {
        "document": document,
        "check": checking.verify_issued(document),
        "may_download": selectors.may_download_original(request.user, document),
        "pin_form": PinForm(),
        **extra,
    }


@require_GET
def code_page(request: HttpRequest, short_code: str) -> HttpResponse:
    if _throttled(request):
        return render(
            request, "results/verify.html", {"form": VerifyForm(), "error": _too_many()}, status=429
        )
    try:
        document = checking.result_by_code(short_code)
    except DomainError as err:
        context = {
            "form": VerifyForm(initial={"code": short_code[:20]}),
            "error": error_message(request, err),
        }
        return render(request, "results/verify.html", context, status=404)
    return render(request, "results/code.html", _code_context(request, document))


@never_cache
@require_http_methods(["GET", "POST"])
def code_pdf(request: HttpRequest, short_code: str) -> HttpResponseBase:
    """The signed PDF (never once revoked): to its holder or an officer of the agency as they are,
    to anyone else after the dossier's PIN (POST, CSRF-protected, throttled, locked per dossier)."""
    if _throttled(request):
        return HttpResponse(_too_many(), status=429, content_type="text/plain; charset=utf-8")
    document = _document(request, short_code)
    if document.revoked:
        raise Http404(short_code)
    if not selectors.may_download_original(request.user, document):
        form = PinForm(request.POST if request.method == "POST" else None)
        try:
            if not form.is_valid():
                raise selectors.PinRequired()
            selectors.check_pin(document, form.cleaned_data["pin"])
        except DomainError as err:
            context = _code_context(request, document, pin_form=form, pin_error=error_message(request, err))
            return render(request, "results/code.html", context, status=err.status)
    return _original(document)


def _original(document: ResultDocument) -> FileResponse:
    stored = document.file
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=f"{document.short_code}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
