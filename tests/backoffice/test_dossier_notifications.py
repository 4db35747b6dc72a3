"""The dossier page shows the notifications on its timeline, resends them, and lists the payments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.core.models import Event, OutboxMessage
from egov.core.outbox import relay_until_idle
from egov.dossiers.models import Dossier, OnlinePayment
from egov.notifications.models import Notification
from egov.payments.models import Payment
from tests.backoffice.conftest import signed_in
from tests.dossiers.factories import World
from tests.notifications.conftest import Mailbox, Receiver, configure, receive

pytestmark = pytest.mark.django_db
Status = Notification.Status


def page(dossier: Dossier) -> str:
    return reverse("office:dossier", args=[dossier.code])


def resend_url(dossier: Dossier, notification: Notification) -> str:
    return reverse("office:notification_resend", args=[dossier.code, notification.pk])


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def sent(world: World, smtp: tuple[Mailbox, int], sms: Receiver, settings: Any) -> Dossier:
    """A received dossier whose email was delivered and whose SMS was refused for good."""
    configure(settings, smtp_port=smtp[1], sms_url=sms.url)
    sms.status = 400
    dossier = receive(world)
    relay_until_idle()
    return dossier


def test_the_timeline_shows_each_notification_in_words(world: World, sent: Dossier) -> None:
    html = signed_in(world.desk).get(page(sent)).content.decode()
    timeline = html.split('id="timeline"')[1].split('id="notes"')[0]
    assert "Tiếp nhận hồ sơ" in timeline
    assert "Thông báo qua thư điện tử tới a***@example.vn: Tiếp nhận hồ sơ, hẹn trả kết quả" in timeline
    assert "Đã gửi</span>" in timeline and "Số lần gửi: 1" in timeline
    assert "Thông báo qua tin nhắn SMS tới 09*****678" in timeline
    assert "Đã ngừng gửi (lỗi vĩnh viễn)" in timeline and "HTTP 400" in timeline
    assert timeline.index("Tiếp nhận hồ sơ —") < timeline.index("Thông báo qua thư điện tử")
    assert timeline.count('name="csrfmiddlewaretoken"') == 2


def test_the_timeline_in_english(world: World, sent: Dossier) -> None:
    client = signed_in(world.desk)
    client.cookies["egov_language"] = "en"
    html = client.get(page(sent)).content.decode()
    assert "Notification by email to a***@example.vn: Dossier received, appointment" in html
    assert "Given up (permanent failure)" in html and "Resend" in html


def test_an_officer_of_the_dossier_resends_a_notification(world: World, sent: Dossier, sms: Receiver) -> None:
    failed = Notification.objects.get(dossier=sent, channel="sms")
    sms.status = 200
    response = signed_in(world.desk).post(resend_url(sent, failed))
    assert response.status_code == 302 and response["Location"].endswith("#timeline")
    assert flashes(response) == ["Đã lên lịch gửi lại thông báo; kết quả gửi hiện trên dòng thời gian."]
    copy = Notification.objects.exclude(pk=failed.pk).get(dossier=sent, channel="sms")
    assert copy.body == failed.body and copy.status == Status.PENDING
    assert OutboxMessage.objects.filter(key=f"notification:{copy.pk}").exists()
    assert Event.objects.get(kind="notification.resent").actor_id == world.desk.pk
    relay_until_idle()
    assert len(sms.accepted) == 1
    html = signed_in(world.desk).get(page(sent)).content.decode()
    assert "Gửi lại thông báo" in html


def test_a_message_still_on_its_way_is_not_resent(world: World, sent: Dossier) -> None:
    failed = Notification.objects.get(dossier=sent, channel="sms")
    client = signed_in(world.desk)
    client.post(resend_url(sent, failed))
    again = client.post(resend_url(sent, failed))
    assert again.status_code == 302
    assert "chưa thể gửi lại" in flashes(again)[-1]
    assert Notification.objects.filter(dossier=sent, channel="sms").count() == 2
    client.cookies["egov_language"] = "en"
    third = client.post(resend_url(sent, failed))
    assert "cannot be resent yet" in flashes(third)[-1]


def test_officers_of_another_agency_and_citizens_change_nothing(world: World, sent: Dossier) -> None:
    email = Notification.objects.get(dossier=sent, channel="email")
    before = (Notification.objects.count(), OutboxMessage.objects.count())
    assert signed_in(world.outsider).post(resend_url(sent, email)).status_code == 404
    assert signed_in(world.citizen).post(resend_url(sent, email)).status_code == 403
    anonymous = Client().post(resend_url(sent, email))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == before


def test_resend_needs_post_csrf_and_the_dossiers_own_notification(world: World, sent: Dossier) -> None:
    email = Notification.objects.get(dossier=sent, channel="email")
    other = receive(world)
    client = signed_in(world.desk)
    before = Notification.objects.count()
    assert client.get(resend_url(sent, email)).status_code == 405
    assert client.post(resend_url(other, email)).status_code == 404  # another dossier's notification
    malformed = reverse("office:dossier", args=[sent.code]) + "notifications/x/resend/"
    assert client.post(malformed).status_code == 404
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(world.desk)
    session = guarded.session
    session["egov_second_factor"] = True
    session.save()
    assert guarded.post(resend_url(sent, email)).status_code == 403
    assert Notification.objects.count() == before


def test_the_payment_panel_lists_the_dossiers_payments(world: World) -> None:
    dossier = world.received()
    now = timezone.now()
    with transaction.atomic():
        Payment.objects.create(
            dossier=dossier,
            idempotency_key="k1",
            order_id=f"{dossier.code}-1",
            amount=1_250_000,
            status=Payment.Status.REFUNDED,
            transaction_no="GD0042",
            created_at=now,
            paid_at=now,
            expires_at=now + timedelta(hours=1),
            refunded_amount=250_000,
        )
        Payment.objects.create(
            dossier=dossier,
            idempotency_key="k2",
            order_id=f"{dossier.code}-2",
            amount=50_000,
            status=Payment.Status.FAILED,
            created_at=now,
            expires_at=now + timedelta(hours=1),
        )
    Dossier.objects.filter(pk=dossier.pk).update(online_payment=OnlinePayment.NATIONAL_PLATFORM)
    html = signed_in(world.desk).get(page(dossier)).content.decode()
    panel = html.split('id="payments"')[1]
    assert "Nền tảng thanh toán quốc gia" in panel
    assert "1.250.000 đ" in panel and "Đã hoàn tiền" in panel and "GD0042" in panel
    assert "đã hoàn 250.000 đ" in panel
    assert "50.000 đ" in panel and "Thất bại" in panel
    assert "<form" not in panel.split("</ul>")[0]  # read only


def test_a_dossier_without_payment_says_so(world: World) -> None:
    html = signed_in(world.desk).get(page(world.received())).content.decode()
    assert "Chưa có khoản thanh toán trực tuyến." in html and "Không" in html.split('id="payments"')[1]
