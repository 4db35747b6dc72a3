"""How notifications react: plan messages when a dossier, payment or result event is recorded, deliver
them from the outbox, and mark a notification given up when the outbox stops trying."""

from __future__ import annotations

from egov.core import reactions
from egov.notifications import outbox_handlers, planning

reactions.on_event(planning.KINDS, planning.plan_notifications)
reactions.on_outbox(
    planning.DELIVER_TOPIC, outbox_handlers.deliver_notification, dead=outbox_handlers.give_up_notification
)
