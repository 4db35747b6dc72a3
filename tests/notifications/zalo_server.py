"""Zalo's two endpoints as a local HTTP server: OAuth token refresh and the ZNS template message.

It follows the published behaviour egov relies on: the refresh token works once and is rotated with
every new access token; a message with an unknown or expired access token gets error -124; an
unknown template -109; template data missing one of the template's parameters -112; a phone that is
not 84… -108; an exhausted daily quota -144; success is error 0 with a msg_id. Everything answers
HTTP 200 with a JSON body, as Zalo does.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

APP_ID = "4305117623"
APP_SECRET = "zalo-app-secret"
FIRST_REFRESH_TOKEN = "refresh-0"
TEMPLATE_ID = "231456"


@dataclass
class ZaloServer:
    server: ThreadingHTTPServer
    # template id → parameter names it needs
    templates: dict[str, set[str]] = field(default_factory=dict)
    refresh_token: str = FIRST_REFRESH_TOKEN
    access_tokens: set[str] = field(default_factory=set)
    daily_quota: int = 1000
    refresh_delay: float = 0.0
    refreshes: list[dict[str, str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def expire_access_tokens(self) -> None:
        """Every access token stops working, as one does after its 25 hours."""
        with self.lock:
            self.access_tokens.clear()

    def refresh(self, form: dict[str, str], secret_key: str) -> dict[str, Any]:
        if self.refresh_delay:
            time.sleep(self.refresh_delay)
        with self.lock:
            self.refreshes.append(form)
            if secret_key != APP_SECRET or form.get("app_id") != APP_ID:
                return {"error": -14002, "error_name": "Invalid app id or secret key"}
            if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
                return {"error": -14014, "error_name": "Invalid refresh token"}
            access = "access-" + secrets.token_hex(8)
            self.access_tokens.add(access)
            self.refresh_token = "refresh-" + secrets.token_hex(8)
            return {"access_token": access, "refresh_token": self.refresh_token, "expires_in": "90000"}

    def send(self, body: dict[str, Any], access_token: str) -> dict[str, Any]:
        with self.lock:
            self.requests.append({"access_token": access_token, **body})
            if access_token not in self.access_tokens:
                return {"error": -124, "message": "Access token invalid"}
            needed = self.templates.get(str(body.get("template_id")))
            if needed is None:
                return {"error": -109, "message": "Template ID invalid"}
            phone = str(body.get("phone") or "")
            if not (phone.startswith("84") and phone.isdigit()):
                return {"error": -108, "message": "Phone number invalid"}
            data = body.get("template_data") or {}
            if not isinstance(data, dict) or needed - set(data):
                return {"error": -112, "message": "Template data invalid"}
            if self.daily_quota <= 0:
                return {"error": -144, "message": "OA has exceeded daily quota"}
            self.daily_quota -= 1
            self.accepted.append(body)
            msg_id = secrets.token_hex(10)
            quota = {"dailyQuota": "1000", "remainingQuota": str(self.daily_quota)}
            return {"error": 0, "message": "Success", "data": {"msg_id": msg_id, "quota": quota}}


def start_zalo() -> ZaloServer:
    zalo: ZaloServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/v4/oa/access_token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                answer = zalo.refresh(form, self.headers.get("secret_key", ""))
            elif self.path == "/message/template":
                answer = zalo.send(json.loads(raw), self.headers.get("access_token", ""))
            else:
                answer = {"error": -106, "message": "Method unsupported"}
            encoded = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    zalo = ZaloServer(server=server)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return zalo


def running_zalo() -> Iterator[ZaloServer]:
    zalo = start_zalo()
    try:
        yield zalo
    finally:
        zalo.server.shutdown()
        zalo.server.server_close()
