"""Officers attach files to a dossier: the signed result, a counter scan or another document.

Whether they may (the statuses open for files, an officer handling the dossier) is the rule
`egov.dossiers.policies.ATTACH`, which `attach_file` enforces and the page asks to show the form.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from egov.backoffice.permissions import officer_required
from egov.backoffice.views.dossier import load_dossier
from egov.core.errors import DomainError
from egov.core.forms import Form
from egov.core.ui import flash_done, flash_error
from egov.core.uploads import check_upload
from egov.dossiers import services
from egov.dossiers.models import DossierFile


class AttachForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=[
            (DossierFile.Kind.RESULT, _("Result (licence, certificate, reply)")),
            (DossierFile.Kind.SCAN, _("Scan of a paper document")),
            (DossierFile.Kind.OTHER, _("Other document")),
        ],
    )
    upload = forms.FileField(label=_("File (PDF, PNG or JPEG)"))


@require_POST
@officer_required
def dossier_attach(request: HttpRequest, code: str) -> HttpResponse:
    dossier = load_dossier(request.user, code)
    form = AttachForm(request.POST, request.FILES)
    target = reverse("office:dossier", args=[dossier.code]) + "#attachments"
    if not form.is_valid():
        flash_error(
            request,
            DomainError(
                "Hãy chọn loại tài liệu và tệp cần đính kèm.", "Choose the kind of document and a file."
            ),
        )
        return redirect(target)
    try:
        upload = check_upload(form.cleaned_data["upload"])
        services.attach_file(request.user, dossier, upload=upload, kind=form.cleaned_data["kind"])
    except DomainError as err:
        flash_error(request, err)
        return redirect(target)
    flash_done(request, "Đã đính kèm tệp vào hồ sơ.", "The file was attached to the dossier.")
    return redirect(target)


urlpatterns = [path("dossiers/<str:code>/attach/", dossier_attach, name="dossier_attach")]
