"""Back office: issue a signed electronic result for a dossier, or revoke one."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from egov.backoffice import selectors as office_selectors
from egov.backoffice.permissions import officer_required
from egov.backoffice.views.dossier import load_dossier
from egov.core.errors import DomainError
from egov.core.ui import flash_done, flash_error
from egov.results import services, wording


def _back(code: str) -> HttpResponse:
    return redirect(reverse("office:dossier", args=[code]) + "#results")


@require_POST
@officer_required
def issue(request: HttpRequest, code: str) -> HttpResponse:
    dossier = load_dossier(request.user, code)
    chosen = str(request.POST.get("template", ""))
    templates = {str(t.pk): t for t in wording.templates_for(dossier)}
    if chosen and chosen not in templates:
        raise Http404(chosen)
    try:
        result = services.issue_result(request.user, dossier, template=templates.get(chosen))
    except DomainError as err:
        flash_error(request, err)
        return _back(dossier.code)
    flash_done(
        request,
        f"Đã ký số và cấp kết quả số {result.number}, mã tra cứu {result.display_code}.",
        f"The result No. {result.number} was signed and issued; verification code {result.display_code}.",
    )
    return _back(dossier.code)


@require_POST
@officer_required
def revoke(request: HttpRequest, code: str, short_code: str) -> HttpResponse:
    dossier = load_dossier(request.user, code)
    result = office_selectors.dossier_result(dossier, short_code)
    if result is None:
        raise Http404(short_code)
    try:
        services.revoke_result(request.user, result, str(request.POST.get("reason", "")))
    except DomainError as err:
        flash_error(request, err)
    else:
        flash_done(request, "Đã thu hồi kết quả.", "The result was revoked.")
    return _back(dossier.code)


urlpatterns = [
    path("dossiers/<str:code>/issue-result/", issue, name="result_issue"),
    path("dossiers/<str:code>/results/<str:short_code>/revoke/", revoke, name="result_revoke"),
]
