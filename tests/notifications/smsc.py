"""A small SMSC for tests: SMPP 3.4 over TCP on loopback, PDUs read and written with smpplib's classes.

It answers bind_transmitter (checking system_id and password), submit_sm (with the next status of
`statuses`, then ESME_ROK), enquire_link and unbind; before answering the first submit_sm it sends an
enquire_link of its own and waits for the answer, as an SMSC checking a quiet link does. It records
what it received so tests assert on the wire: binds, every submit_sm, the texts reassembled from
their segments.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import smpplib.consts as c
import smpplib.smpp
from smpplib.client import SimpleSequenceGenerator

SYSTEM_ID = "egov-test"
PASSWORD = "secret12"
UDHI = c.SMPP_GSMFEAT_UDHI


@dataclass
class Submit:
    destination: str
    source: str
    source_ton: int
    data_coding: int
    esm_class: int
    short_message: bytes


@dataclass
class Smsc:
    statuses: list[int] = field(default_factory=list)
    binds: list[tuple[str, str]] = field(default_factory=list)
    submits: list[Submit] = field(default_factory=list)
    accepted: list[Submit] = field(default_factory=list)
    enquire_link_answers: int = 0
    unbinds: int = 0
    port: int = 0
    loop: asyncio.AbstractEventLoop | None = None
    _sequences: SimpleSequenceGenerator = field(default_factory=SimpleSequenceGenerator)
    _next_message_id: int = 0

    def accepted_texts(self) -> list[str]:
        """The texts of the accepted submits, segments joined in order (UCS-2 or GSM-7 decoded)."""
        texts: list[str] = []
        pending: dict[int, dict[int, bytes]] = {}
        for submit in self.accepted:
            body = submit.short_message
            if submit.esm_class & UDHI:
                header_length = body[0]
                reference, total, number = body[3], body[4], body[5]
                pending.setdefault(reference, {})[number] = body[1 + header_length :]
                if len(pending[reference]) == total:
                    segments = pending.pop(reference)
                    joined = b"".join(segments[n] for n in range(1, total + 1))
                    texts.append(decode(joined, submit.data_coding))
            else:
                texts.append(decode(body, submit.data_coding))
        return texts

    def _pdu(self, command: str, request: Any, **fields: Any) -> bytes:
        pdu = smpplib.smpp.make_pdu(command, client=self._sequences, **fields)
        pdu.sequence = request.sequence
        return bytes(pdu.generate())

    async def _read(self, reader: asyncio.StreamReader) -> Any:
        head = await reader.readexactly(4)
        (length,) = struct.unpack(">L", head)
        raw = head + await reader.readexactly(length - 4)
        return smpplib.smpp.parse_pdu(raw, client=self._sequences, allow_unknown_opt_params=True)

    async def _check_link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        probe = smpplib.smpp.make_pdu("enquire_link", client=self._sequences)
        writer.write(probe.generate())
        await writer.drain()
        answer = await self._read(reader)
        if answer.command == "enquire_link_resp" and answer.sequence == probe.sequence:
            self.enquire_link_answers += 1

    def _answer_submit(self, pdu: Any) -> bytes:
        submit = Submit(
            destination=pdu.destination_addr.decode(),
            source=pdu.source_addr.decode(),
            source_ton=pdu.source_addr_ton,
            data_coding=pdu.data_coding,
            esm_class=pdu.esm_class,
            short_message=bytes(pdu.short_message or b""),
        )
        self.submits.append(submit)
        status = self.statuses.pop(0) if self.statuses else c.SMPP_ESME_ROK
        if status != c.SMPP_ESME_ROK:
            return self._pdu("submit_sm_resp", pdu, status=status)
        self.accepted.append(submit)
        self._next_message_id += 1
        return self._pdu("submit_sm_resp", pdu, message_id=f"smsc-{self._next_message_id}")

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        link_checked = False
        try:
            while True:
                pdu = await self._read(reader)
                if pdu.command == "bind_transmitter":
                    credentials = (pdu.system_id.decode(), pdu.password.decode())
                    self.binds.append(credentials)
                    ok = credentials == (SYSTEM_ID, PASSWORD)
                    status = c.SMPP_ESME_ROK if ok else c.SMPP_ESME_RINVPASWD
                    writer.write(self._pdu("bind_transmitter_resp", pdu, status=status, system_id="SMSC"))
                elif pdu.command == "submit_sm":
                    if not link_checked:
                        link_checked = True
                        await self._check_link(reader, writer)
                    writer.write(self._answer_submit(pdu))
                elif pdu.command == "enquire_link":
                    writer.write(self._pdu("enquire_link_resp", pdu))
                elif pdu.command == "unbind":
                    self.unbinds += 1
                    writer.write(self._pdu("unbind_resp", pdu))
                    await writer.drain()
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def decode(payload: bytes, data_coding: int) -> str:
    if data_coding == c.SMPP_ENCODING_ISO10646:
        return payload.decode("utf-16-be")
    return payload.decode("ascii")  # GSM-7 unpacked: letters, digits and spaces share ASCII's codes


def start_smsc() -> tuple[Smsc, threading.Thread]:
    smsc = Smsc()
    ready = threading.Event()

    async def main() -> None:
        server = await asyncio.start_server(smsc.serve, "127.0.0.1", 0)
        smsc.port = server.sockets[0].getsockname()[1]
        smsc.loop = asyncio.get_running_loop()
        ready.set()
        async with server:
            await server.serve_forever()

    thread = threading.Thread(target=lambda: _run(main()), daemon=True)
    thread.start()
    assert ready.wait(5), "the test SMSC did not start"
    return smsc, thread


def _run(coroutine: Any) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        asyncio.run(coroutine)


def stop_smsc(smsc: Smsc, thread: threading.Thread) -> None:
    loop = smsc.loop
    if loop is not None:
        loop.call_soon_threadsafe(lambda: [task.cancel() for task in asyncio.all_tasks()])
    thread.join(5)


def running_smsc() -> Iterator[Smsc]:
    smsc, thread = start_smsc()
    try:
        yield smsc
    finally:
        stop_smsc(smsc, thread)
