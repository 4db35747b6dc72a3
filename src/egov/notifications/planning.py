"""Plan notifications inside the transaction of the dossier event that causes them.

Channels (egov.notifications.channels): email when EGOV_SMTP_HOST is set and the dossier has an
email; SMS (HTTP gateway or SMPP) and Zalo ZNS when configured and the dossier has a phone; Zalo only
for kinds with an approved ZNS template id. Subjects are cleaned to one line. The applicant's
language is Vietnamese (users have no language preference yet). A missing
template or a template that does not render is logged and skipped: it never breaks the state change.

"Result ready" is told once per dossier and channel: `result.issued` (the signed electronic result,
attached to the email when it is sent) and `dossier.finished` are the same news. Whichever comes
second is skipped, except that an email already delivered without the signed PDF is followed by the
`result.issued` one that carries it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.utils import timezone

from egov.core.events import Outgoing
from egov.core.models import Event
from egov.dossiers.models import Dossier
from egov.notifications import zalo
from egov.notifications.channels import email_enabled, enabled_channels, sms_enabled, zalo_enabled
from egov.notifications.models import Channel, Language, MessageTemplate, Notification
from egov.notifications.rendering import TemplateError, context_for, render, single_line

logger = logging.getLogger("egov.notifications")

DELIVER_TOPIC = "notification.deliver"
KINDS = (
    "dossier.received",
    "dossier.supplement_requested",
    "dossier.financial_obligation_requested",
    "dossier.finished",
    "dossier.apologised",
    "payment.paid",
    "result.issued",
)
RESULT_READY_KINDS = ("dossier.finished", "result.issued")


def deliver_message(notification: Notification) -> Outgoing:
    key = f"notification:{notification.pk}"
    return Outgoing(DELIVER_TOPIC, key=key, payload={"id": notification.pk})


def recipients(dossier: Dossier) -> list[tuple[str, str]]:
    """(channel, address) for every configured channel the dossier has an address for."""
    found: list[tuple[str, str]] = []
    if email_enabled() and dossier.email:
        found.append((Channel.EMAIL, dossier.email))
    if sms_enabled() and dossier.phone:
        found.append((Channel.SMS, dossier.phone))
    if zalo_enabled() and dossier.phone:
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


def already_told_result(dossier: Dossier, event: Event, channel: str) -> bool:
    """True when this result-ready event would repeat one already planned for the dossier and channel."""
    if event.kind not in RESULT_READY_KINDS:
        return False
    earlier = Notification.objects.filter(
        dossier=dossier, channel=channel, template__kind__in=RESULT_READY_KINDS
    )
    if event.kind == "result.issued" and earlier.filter(template__kind="result.issued").exists():
        # a result issued again after a revocation is news of its own: only the same one is a repeat
        return earlier.filter(event__data__short_code=(event.data or {}).get("short_code")).exists()
    if event.kind == "result.issued" and channel == Channel.EMAIL:
        # an email delivered before the signed PDF existed did not carry it: send the one that does
        earlier = earlier.exclude(status=Notification.Status.DELIVERED, template__kind="dossier.finished")
    return earlier.exists()


def plan_one(dossier: Dossier, event: Event, channel: str, address: str) -> Notification | None:
    language = Language.VI
    if already_told_result(dossier, event, channel):
        logger.info("%s: result already notified by %s; %s skipped", dossier, channel, event.kind)
        return None
    if channel == Channel.ZALO and event.kind not in zalo.template_ids():
        logger.warning(
            "no ZNS template id for %s (EGOV_ZALO_TEMPLATES); %s not told by Zalo", event.kind, dossier
        )
        return None
    template = template_in_force(event.kind, channel, language)
    if template is None:
        logger.warning("no %s template for %s in %s; %s not notified", channel, event.kind, language, dossier)
        return None
    context = context_for(dossier, event)
    try:
        subject = single_line(render(template.subject, context)) if channel == Channel.EMAIL else ""
        body = render(template.body, context)
    except TemplateError as exc:
        logger.warning("template %s does not render (%s); %s not notified", template, exc, dossier)
        return None
    data = zalo.template_data(template.body, context) if channel == Channel.ZALO else {}
    return Notification.objects.create(
        dossier=dossier,
        event=event,
        channel=channel,
        recipient=address,
        language=language,
        template=template,
        subject=subject[:200],
        body=body,
        data=data,
        created_at=timezone.now(),
    )


def dossier_of(event: Event) -> Dossier | None:
    """The dossier an event is about: by code, or for payment events by the payment's order id."""
    dossiers = Dossier.objects.select_related("agency", "procedure_version__procedure")
    found = dossiers.filter(code=event.aggregate_id).first()
    order_id = (event.data or {}).get("order_id")
    if found is None and event.kind.startswith("payment.") and order_id:
        found = dossiers.filter(payments__order_id=str(order_id)).first()
    return found


def plan_notifications(event: Event) -> Iterable[Outgoing]:
    if not enabled_channels():
        return []  # no channel configured: not even a query
    dossier = dossier_of(event)
    if dossier is None:
        return []
    planned = (plan_one(dossier, event, channel, address) for channel, address in recipients(dossier))
    return [deliver_message(n) for n in planned if n is not None]
