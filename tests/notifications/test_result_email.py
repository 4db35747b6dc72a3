"""The result-ready email carries the signed PDF; one result message per dossier; the payment receipt."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from egov.core.events import record_event
from egov.core.outbox import relay_until_idle
from egov.dossiers import services as dossiers
from egov.dossiers.models import Dossier, DossierFile
from egov.notifications import attachments
from egov.notifications.models import Notification
from egov.payments.models import Payment
from tests.backoffice.dossier_fixtures import PDF_BYTES, attach, pdf, png
from tests.dossiers.factories import World
from tests.notifications.conftest import APPLICANT, Mailbox, configure, receive

pytestmark = pytest.mark.django_db
PUBLIC_URL = "https://dichvucong.example.vn"


def at_last_step(world: World) -> Dossier:
    return world.at_step(4, applicant=dict(APPLICANT))


def finish(world: World, dossier: Dossier) -> Dossier:
    return dossiers.finish_dossier(world.holder_of(dossier), dossier, note="xong")


def issue_result(world: World, dossier: Dossier, name: str = "ket-qua.pdf") -> DossierFile:
    """What egov.results.services.issue_result leaves behind: a RESULT PDF, the flag, the event."""
    stored = attach(world.holder_of(dossier), dossier, pdf(name), kind=DossierFile.Kind.RESULT)
    with transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(has_electronic_result=True)
        record_event(
            actor=world.leader,
            aggregate_type="dossier",
            aggregate_id=dossier.code,
            kind="result.issued",
            data={"short_code": "AB12CD34", "file": stored.pk},
        )
    return stored


def result_mails(mailbox: Mailbox) -> list[Any]:
    return [m for m in mailbox.messages if "kết quả" in str(m["Subject"]).lower()]


def pdf_parts(mail: Any) -> list[tuple[str, bytes]]:
    return [
        (part.get_filename(), part.get_content())
        for part in mail.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


@pytest.fixture
def mail(world: World, smtp: tuple[Mailbox, int], settings: Any) -> Mailbox:
    configure(settings, smtp_port=smtp[1])
    settings.EGOV = {**settings.EGOV, "PUBLIC_URL": PUBLIC_URL + "/"}
    return smtp[0]


def test_the_signed_result_is_attached_byte_for_byte_with_the_link(world: World, mail: Mailbox) -> None:
    dossier = at_last_step(world)
    stored = issue_result(world, dossier)
    attach(world.holder_of(dossier), dossier, png("anh.png"), kind=DossierFile.Kind.RESULT)  # not sent
    relay_until_idle()
    [message] = result_mails(mail)
    assert str(message["Subject"]).strip() == f"Kết quả điện tử của hồ sơ {dossier.code}"
    with stored.file.open("rb") as handle:
        assert pdf_parts(message) == [("ket-qua.pdf", handle.read())]
    body = message.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/my/dossiers/{dossier.code}/" in body and "AB12CD34" in body
    notification = Notification.objects.get(template__kind="result.issued")
    assert "ket-qua.pdf" in notification.attempt_log.get().detail


def test_a_result_too_large_to_attach_is_sent_as_a_link(
    world: World, mail: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", len(PDF_BYTES) - 1)
    dossier = at_last_step(world)
    issue_result(world, dossier)
    relay_until_idle()
    [message] = result_mails(mail)
    assert pdf_parts(message) == []
    assert f"{PUBLIC_URL}/my/dossiers/{dossier.code}/" in message.get_content()
    notification = Notification.objects.get(template__kind="result.issued")
    assert "link only" in notification.attempt_log.get().detail


def test_a_result_file_that_no_longer_matches_its_hash_is_not_attached(world: World, mail: Mailbox) -> None:
    dossier = at_last_step(world)
    stored = issue_result(world, dossier)
    DossierFile.objects.filter(pk=stored.pk).update(sha256="0" * 64)
    relay_until_idle()
    [message] = result_mails(mail)
    assert pdf_parts(message) == []


def test_result_issued_then_finished_sends_one_result_message(world: World, mail: Mailbox) -> None:
    dossier = at_last_step(world)
    issue_result(world, dossier)
    finish(world, dossier)
    relay_until_idle()
    assert len(result_mails(mail)) == 1
    kinds = Notification.objects.filter(dossier=dossier).values_list("template__kind", flat=True)
    assert "dossier.finished" not in kinds


def test_finished_then_result_issued_before_sending_sends_one_email_with_the_pdf(
    world: World, mail: Mailbox
) -> None:
    dossier = finish(world, at_last_step(world))
    issue_result(world, dossier)
    relay_until_idle()
    [message] = result_mails(mail)
    assert "Đã có kết quả" in str(message["Subject"])  # the finished wording, carrying the PDF
    assert [name for name, _content in pdf_parts(message)] == ["ket-qua.pdf"]


def test_an_email_sent_before_the_signed_result_is_followed_by_the_one_with_it(
    world: World, mail: Mailbox, sms: Any, settings: Any
) -> None:
    settings.EGOV = {**settings.EGOV, "SMS_URL": sms.url}
    dossier = finish(world, at_last_step(world))
    relay_until_idle()
    issue_result(world, dossier)
    relay_until_idle()
    first, second = result_mails(mail)
    assert pdf_parts(first) == [] and len(pdf_parts(second)) == 1
    result_sms = Notification.objects.filter(
        channel="sms", template__kind__in=["dossier.finished", "result.issued"]
    )
    assert [n.template.kind for n in result_sms] == ["dossier.finished"]  # an SMS carries no PDF
    assert len(sms.accepted) == 2  # receipt and result ready


@pytest.mark.parametrize("by", ["code", "pk"])
def test_the_payment_receipt_names_the_amount_code_and_link(world: World, mail: Mailbox, by: str) -> None:
    dossier = receive(world)
    now = timezone.now()
    with transaction.atomic():
        payment = Payment.objects.create(
            dossier=dossier,
            idempotency_key="k1",
            order_id=f"{dossier.code}-1",
            amount=150_000,
            status=Payment.Status.PAID,
            transaction_no="GD0001",
            created_at=now,
            paid_at=now,
            expires_at=now + timedelta(hours=1),
        )
        record_event(  # as egov.payments.services records it
            actor=None,
            aggregate_type="dossier",
            aggregate_id=dossier.code if by == "code" else dossier.pk,  # older payments code used the pk
            kind="payment.paid",
            after={"status": "paid", "amount": payment.amount},
            data={"order_id": payment.order_id, "source": "callback"},
        )
    relay_until_idle()
    [receipt] = [m for m in mail.messages if "Biên lai" in str(m["Subject"])]
    assert "150.000 đ" in str(receipt["Subject"])
    body = receipt.get_content()
    assert dossier.code in body and "GD0001" in body and "Số tiền: 150.000 đ" in body
    assert f"{PUBLIC_URL}/my/dossiers/{dossier.code}/" in body
    assert pdf_parts(receipt) == []


@pytest.fixture
def signing(world: World, settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The real results service, with a development PKI holding the department's signing key."""
    from egov.results import pki
    from egov.results import services as results

    monkeypatch.delenv("EGOV_PKI_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path / "data"
    agency = (world.department.code, world.department.name)
    pki.init_pki(settings.DATA_DIR / "pki", node_name="Nút thử", agencies=[agency], force=True)
    return results


def test_a_result_signed_by_the_results_service_arrives_as_the_stored_bytes(
    world: World, mail: Mailbox, signing: Any
) -> None:
    results = signing
    dossier = at_last_step(world)
    results.issue_result(world.leader, dossier)
    finish(world, dossier)
    relay_until_idle()
    [message] = result_mails(mail)
    stored = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    with stored.file.open("rb") as handle:
        assert pdf_parts(message) == [(stored.name, handle.read())]
    assert Notification.objects.filter(dossier=dossier, template__kind="dossier.finished").count() == 0


def test_a_result_issued_again_after_revocation_is_told_with_only_the_new_pdf(
    world: World, mail: Mailbox, signing: Any
) -> None:
    results = signing
    dossier = at_last_step(world)
    wrong = results.issue_result(world.leader, dossier)
    relay_until_idle()
    results.revoke_result(world.leader, wrong, "Sai ngày sinh")
    right = results.issue_result(world.leader, Dossier.objects.get(pk=dossier.pk))
    relay_until_idle()
    first, second = result_mails(mail)
    with wrong.file.file.open("rb") as old, right.file.file.open("rb") as new:
        wrong_bytes, right_bytes = old.read(), new.read()
    assert [content for _, content in pdf_parts(first)] == [wrong_bytes]
    assert [content for _, content in pdf_parts(second)] == [right_bytes]  # the revoked one stays out
    assert right.short_code in second.get_body(preferencelist=("plain",)).get_content()
