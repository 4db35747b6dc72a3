"""Dossier files served after a permission check (never from a public media URL)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from egov.core.errors import NotFound
from egov.core.uploads import PREVIEWABLE
from egov.dossiers.files import file_for


@require_GET
def dossier_file(request: HttpRequest, token: str) -> FileResponse:
    """Download by default; `?inline=1` shows PDFs and images in place (framed by this site only)."""
    try:
        row = file_for(request.user, token)
    except NotFound as exc:
        raise Http404 from exc
    inline = request.GET.get("inline") == "1" and row.content_type in PREVIEWABLE
    response = FileResponse(
        row.file.open("rb"), as_attachment=not inline, filename=row.name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response.egov_frameable = True  # type: ignore[attr-defined]
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response
