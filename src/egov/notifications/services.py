"""The one writer of notifications outside event planning: resending from the back office."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.core.events import record_event
from egov.notifications.models import Notification
from egov.notifications.planning import deliver_message


def resend(notification: Notification, actor: Any) -> Notification:
    """A new notification with the same text and recipient, and its outbox row, in one transaction."""
    with transaction.atomic():
        copy = Notification.objects.create(
            dossier_id=notification.dossier_id,
            event_id=notification.event_id,
            channel=notification.channel,
            recipient=notification.recipient,
            language=notification.language,
            template_id=notification.template_id,
            subject=notification.subject,
            body=notification.body,
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
