"""Helpers of the dossier-page and desk tests: files to attach, a signed-in client, the print check."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.accounts.models import User
from egov.catalog.models import DocumentRequirement
from egov.core.uploads import check_upload
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierFile

SECOND_FACTOR_SESSION_KEY = "egov_second_factor"


def _one_page_pdf() -> bytes:
    """A valid one-page PDF (with a correct xref table), so a browser's viewer renders it."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R/Resources<<>>>>",
        b"<</Length 21>>stream\n0 0 1 rg 20 20 80 40 re f\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


PDF_BYTES = _one_page_pdf()
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def as_officer(user: User) -> Client:
    """A test client signed in as `user` with the second factor passed."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def pdf(name: str = "don.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png(name: str = "anh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def attach(actor: User, dossier: Dossier, upload: Any, kind: str = DossierFile.Kind.COMPONENT) -> DossierFile:
    return services.attach_file(actor, dossier, upload=check_upload(upload), kind=kind)


def requirement(
    world: Any, code: str = "TP1", name: str = "Tờ khai đăng ký khai sinh"
) -> DocumentRequirement:
    return DocumentRequirement.objects.create(version=world.version, code=code, name=name, position=1)


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)
