"""The one writer of notifications outside event planning: resending from the back office or admin."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.core.errors import Conflict
from egov.core.events import record_event
from egov.core.models import OutboxMessage
from egov.notifications.models import Notification
from egov.notifications.planning import deliver_message

UNSETTLED = (
    Notification.Status.PENDING,
    Notification.Status.SENDING,
    Notification.Status.TEMPORARY_FAILURE,
)


class StillSending(Conflict):
    code = "notification_still_sending"
    vi = "Thông báo này đang chờ gửi hoặc đang được gửi lại tự động; chưa thể gửi lại."
    en = "This notification is still waiting or being retried automatically; it cannot be resent yet."


def _unsettled_twin(notification: Notification) -> bool:
    """The same message (itself or a copy: template, channel, recipient, text) still on its way.

    A notification whose outbox row is dead is no longer on its way, whatever its own status says
    (its dead handler may have failed): it never blocks a resend.
    """
    twins = Notification.objects.filter(
        dossier_id=notification.dossier_id,
        template_id=notification.template_id,
        channel=notification.channel,
        recipient=notification.recipient,
        body=notification.body,
        status__in=UNSETTLED,
    ).values_list("pk", flat=True)
    keys = [f"notification:{pk}" for pk in twins]
    return OutboxMessage.objects.filter(key__in=keys).exclude(status=OutboxMessage.Status.DEAD).exists()


def resend(notification: Notification, actor: Any) -> Notification:
    """A new notification with the same text and recipient, and its outbox row, in one transaction.

    Refused while the same message is still on its way (a double click must not send it twice).
    """
    with transaction.atomic():
        Notification.objects.select_for_update().filter(pk=notification.pk).first()
        if _unsettled_twin(notification):
            raise StillSending(detail={"notification": notification.pk})
        copy = Notification.objects.create(
            dossier_id=notification.dossier_id,
            event_id=notification.event_id,
            channel=notification.channel,
            recipient=notification.recipient,
            language=notification.language,
            template_id=notification.template_id,
            subject=notification.subject,
            body=notification.body,
            data=notification.data,
            created_at=timezone.now(),
        )
        event = record_event(
            actor=actor,
            aggregate_type="dossier",
            aggregate_id=notification.dossier.code,
            kind="notification.resent",
            data={"notification": notification.pk, "resend": copy.pk, "channel": copy.channel},
            outgoing=[deliver_message(copy)],
        )
        copy.event = event
        copy.save(update_fields=["event"])
    return copy
