"""SMS: SMPP 3.4 to the carrier's SMSC (EGOV_SMS_PROTOCOL=smpp) or a generic HTTP gateway (http).

SMPP goes through the maintained `smpplib` client: one session per notification (bind_transmitter,
submit_sm per segment, unbind), answering the SMSC's enquire_link while waiting. The library encodes
the text in the GSM default alphabet when it fits and in UCS-2 (data_coding 8) otherwise, which is
every text with Vietnamese diacritics; a longer text is split into segments with a concatenation UDH
(esm_class 0x40) that the phone reassembles.

The submit_sm_resp status decides what the outbox does: a message or destination the SMSC will never
take (invalid destination address, TON/NPI, length…) is a PermanentFailure; throttling, a full queue,
a system error or a refused bind (credentials) are temporary, retried with back-off. A submit whose
answer never comes is temporary too: the SMSC may have taken it, so the SMS may arrive twice
(delivery is at least once).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import httpx
import smpplib.client
import smpplib.consts as smpp_consts
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp
from django.conf import settings

from egov.core.outbox import PermanentFailure, TemporaryFailure
from egov.notifications.channels import InvalidPhone, international_phone, sms_protocol
from egov.notifications.models import Notification

TIMEOUT_SECONDS = 10.0
RETRYABLE_HTTP_CLIENT_ERRORS = frozenset({408, 425, 429})
USER_AGENT = "egov-notifications/1"

# submit_sm_resp statuses that say this message will never be accepted as it is.
PERMANENT_SMPP_STATUSES = frozenset(
    {
        smpp_consts.SMPP_ESME_RINVDSTADR,
        smpp_consts.SMPP_ESME_RINVDSTTON,
        smpp_consts.SMPP_ESME_RINVDSTNPI,
        smpp_consts.SMPP_ESME_RINVMSGLEN,
        smpp_consts.SMPP_ESME_RINVESMCLASS,
        smpp_consts.SMPP_ESME_RX_P_APPN,
        smpp_consts.SMPP_ESME_RX_R_APPN,
    }
)


def _egov(name: str) -> str:
    return str(settings.EGOV.get(name) or "")


def send_sms(notification: Notification) -> str:
    """Send by the configured protocol; returns a note for the attempt log."""
    if sms_protocol() == "smpp":
        return send_smpp(notification)
    send_http(notification, _egov("SMS_URL"), _egov("SMS_TOKEN"))
    return ""


def send_http(notification: Notification, url: str, token: str) -> None:
    """POST {to, text, id} with a bearer token; the gateway de-duplicates by Idempotency-Key."""
    if not url:
        raise TemporaryFailure(f"{notification.channel} is not configured")
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": f"notification:{notification.pk}",
        "User-Agent": USER_AGENT,
    }
    body: dict[str, Any] = {"to": notification.recipient, "text": notification.body, "id": notification.pk}
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"{exc.__class__.__name__}: {exc}") from exc
    code = response.status_code
    if 200 <= code < 300:
        return
    if 400 <= code < 500 and code not in RETRYABLE_HTTP_CLIENT_ERRORS:
        raise PermanentFailure(f"HTTP {code}: {response.text[:200]}")
    raise TemporaryFailure(f"HTTP {code}: {response.text[:200]}")


def smpp_failure(status: int, during: str) -> Exception:
    description = smpp_consts.DESCRIPTIONS.get(status, "unknown status")
    text = f"SMPP {during}: 0x{status:08X} {description}"
    if during == "submit_sm" and status in PERMANENT_SMPP_STATUSES:
        return PermanentFailure(text)
    return TemporaryFailure(text)


def source_address(source: str) -> dict[str, Any]:
    """A brand name (letters) is alphanumeric (TON 5); a number is international E.164 (TON 1, NPI 1)."""
    if source.isdigit():
        return {"source_addr_ton": smpp_consts.SMPP_TON_INTL, "source_addr_npi": smpp_consts.SMPP_NPI_ISDN}
    return {"source_addr_ton": smpp_consts.SMPP_TON_ALNUM, "source_addr_npi": smpp_consts.SMPP_NPI_UNK}


def _answer_enquire_link(client: smpplib.client.Client, request: Any) -> None:
    reply = smpplib.smpp.make_pdu("enquire_link_resp", client=client)
    reply.sequence = request.sequence  # the library keeps its own counter unless told
    client.send_pdu(reply)


def _await_submit_resp(client: smpplib.client.Client, sequence: int) -> str:
    """Read PDUs until the answer to submit_sm `sequence`; returns the SMSC's message id."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            pdu = client.read_pdu()
        except TimeoutError:
            break
        if pdu.command == "enquire_link":
            _answer_enquire_link(client, pdu)
        elif pdu.command in ("submit_sm_resp", "generic_nack") and pdu.sequence == sequence:
            if pdu.is_error():
                raise smpp_failure(int(pdu.status), "submit_sm")
            return bytes(pdu.message_id or b"").decode("ascii", "replace")
    raise TemporaryFailure("SMPP submit_sm: no answer from the SMSC (it may still deliver this SMS)")


def _submit(client: smpplib.client.Client, destination: str, text: str) -> list[str]:
    parts, data_coding, esm_class = smpplib.gsm.make_parts(text)
    source = _egov("SMPP_SOURCE_ADDR")
    message_ids = []
    for part in parts:
        pdu = client.send_message(
            **source_address(source),
            source_addr=source,
            dest_addr_ton=smpp_consts.SMPP_TON_INTL,
            dest_addr_npi=smpp_consts.SMPP_NPI_ISDN,
            destination_addr=destination,
            short_message=part,
            data_coding=data_coding,
            esm_class=esm_class,
            registered_delivery=0,
        )
        message_ids.append(_await_submit_resp(client, pdu.sequence))
    return message_ids


def send_smpp(notification: Notification) -> str:
    """One SMPP session: bind, submit every segment, unbind; returns the SMSC's message ids."""
    host = _egov("SMPP_HOST")
    if not host:
        raise TemporaryFailure("SMS over SMPP is not configured (EGOV_SMPP_HOST)")
    try:
        destination = international_phone(notification.recipient)
    except InvalidPhone as exc:
        raise PermanentFailure(str(exc)) from exc
    port = int(str(settings.EGOV.get("SMPP_PORT") or 2775))
    client = smpplib.client.Client(host, port, timeout=TIMEOUT_SECONDS, allow_unknown_opt_params=True)
    try:
        client.connect()
        client.bind_transmitter(system_id=_egov("SMPP_SYSTEM_ID"), password=_egov("SMPP_PASSWORD"))
        message_ids = _submit(client, destination, notification.body)
        with contextlib.suppress(smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError, OSError):
            client.unbind()
    except smpplib.exceptions.PDUError as exc:
        status = int(exc.args[1]) if len(exc.args) > 1 else smpp_consts.SMPP_ESME_RUNKNOWNERR
        raise smpp_failure(status, "bind") from exc
    except (smpplib.exceptions.ConnectionError, OSError) as exc:
        raise TemporaryFailure(f"SMPP connection to {host}:{port}: {exc or exc.__class__.__name__}") from exc
    finally:
        client.disconnect()
    return f"SMPP {len(message_ids)} phần / part(s), message_id: {', '.join(message_ids)}"
