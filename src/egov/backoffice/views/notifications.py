"""Resend a notification from the dossier page: the officers who may read the dossier, by POST only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from egov.backoffice import selectors
from egov.backoffice.permissions import officer_required
from egov.backoffice.views.dossier import load_dossier
from egov.core.errors import DomainError
from egov.core.ui import flash_done, flash_error
from egov.notifications import services


@require_POST
@officer_required
def resend_notification(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A new notification with the same text, through the outbox; the old one stays in the log."""
    dossier = load_dossier(request.user, code)
    notification = selectors.dossier_notification(dossier, pk)
    if notification is None:
        raise Http404("notification")
    try:
        services.resend(notification, request.user)
    except DomainError as err:
        flash_error(request, err)
    else:
        flash_done(
            request,
            "Đã lên lịch gửi lại thông báo; kết quả gửi hiện trên dòng thời gian.",
            "The notification will be sent again; the outcome shows on the timeline.",
        )
    return redirect(reverse("office:dossier", args=[dossier.code]) + "#timeline")


urlpatterns = [
    path(
        "dossiers/<str:code>/notifications/<int:pk>/resend/",
        resend_notification,
        name="notification_resend",
    )
]
