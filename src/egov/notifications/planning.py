"""Plan notifications inside the transaction of the dossier event that causes them.

Channels: email when Django's EMAIL_HOST (EGOV_SMTP_HOST) is set and the dossier has an email; SMS
when EGOV_SMS_URL is set and the dossier has a phone; Zalo when EGOV_ZALO_URL is set and it has a
phone. The applicant's language is Vietnamese (users have no language preference yet). A missing
template or a template that does not render is logged and skipped: it never breaks the state change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from egov.core.events import Outgoing, subscribe
from egov.core.models import Event
from egov.dossiers.models import Dossier
from egov.notifications.models import Channel, Language, MessageTemplate, Notification
from egov.notifications.rendering import TemplateError, context_for, render

logger = logging.getLogger("egov.notifications")

DELIVER_TOPIC = "notification.deliver"
KINDS = (
    "dossier.received",
    "dossier.supplement_requested",
    "dossier.financial_obligation_requested",
    "dossier.finished",
    "dossier.apologised",
)


def deliver_message(notification: Notification) -> Outgoing:
    key = f"notification:{notification.pk}"
    return Outgoing(DELIVER_TOPIC, key=key, payload={"id": notification.pk})


def recipients(dossier: Dossier) -> list[tuple[str, str]]:
    """(channel, address) for every configured channel the dossier has an address for."""
    found: list[tuple[str, str]] = []
    if settings.EMAIL_HOST and dossier.email:
        found.append((Channel.EMAIL, dossier.email))
    if settings.EGOV.get("SMS_URL") and dossier.phone:
        found.append((Channel.SMS, dossier.phone))
    if settings.EGOV.get("ZALO_URL") and dossier.phone:
        found.append((Channel.ZALO, dossier.phone))
    return found


def template_in_force(kind: str, channel: str, language: str) -> MessageTemplate | None:
    return (
        MessageTemplate.objects.filter(
            kind=kind, channel=channel, language=language, valid_from__lte=timezone.localdate()
        )
        .order_by("-version")
        .first()
    )


def plan_one(dossier: Dossier, event: Event, channel: str, address: str) -> Notification | None:
    language = Language.VI
    template = template_in_force(event.kind, channel, language)
    if template is None:
        logger.warning("no %s template for %s in %s; %s not notified", channel, event.kind, language, dossier)
        return None
    context = context_for(dossier, event)
    try:
        subject = render(template.subject, context) if channel == Channel.EMAIL else ""
        body = render(template.body, context)
    except TemplateError as exc:
        logger.warning("template %s does not render (%s); %s not notified", template, exc, dossier)
        return None
    return Notification.objects.create(
        dossier=dossier,
        event=event,
        channel=channel,
        recipient=address,
        language=language,
        template=template,
        subject=subject[:200],
        body=body,
        created_at=timezone.now(),
    )


@subscribe(*KINDS)
def plan_notifications(event: Event) -> Iterable[Outgoing]:
    if not (settings.EMAIL_HOST or settings.EGOV.get("SMS_URL") or settings.EGOV.get("ZALO_URL")):
        return []  # no channel configured: not even a query
    dossier = (
        Dossier.objects.select_related("agency", "procedure_version__procedure")
        .filter(code=event.aggregate_id)
        .first()
    )
    if dossier is None:
        return []
    planned = (plan_one(dossier, event, channel, address) for channel, address in recipients(dossier))
    return [deliver_message(n) for n in planned if n is not None]
