"""Browser-test helpers: a live server that serves static files through WhiteNoise (compressed,
as in production), Debian's Chromium driven by Playwright, axe-core checks and page-weight counts.

Playwright never downloads a browser here: the tests use the system Chromium (EGOV_CHROMIUM, default
/usr/bin/chromium), which `make test` installs from Debian's packages.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """The system Chromium, or None."""
    configured = os.environ.get("EGOV_CHROMIUM", "")
    for candidate in (configured, "/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def passthrough(app: Callable[..., Any]) -> Callable[..., Any]:
    """Static handler for LiveServerThread that adds nothing: WhiteNoise in the middleware serves /static/."""
    return app


class AxeViolations(AssertionError):
    pass


def check_axe(page: Any, context: str = "") -> None:
    """Run axe-core (from npm) in the page and fail with a readable list of violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: a <script> tag would be blocked by the page's CSP.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})); }"
    )
    if result:
        where = context or page.url
        raise AxeViolations(
            f"axe-core violations on {where}:\n" + json.dumps(result, indent=1, ensure_ascii=False)
        )


@dataclass
class Transfer:
    """Bytes that crossed the network for one navigation (Chrome's encodedDataLength, headers included)."""

    requests: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(size for _url, size in self.requests)


def measure_transfer(page: Any, url: str) -> Transfer:
    """Load `url` and count the bytes that came over the network (cached responses count 0)."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    urls: dict[str, str] = {}
    transfer = Transfer()
    session.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    session.on(
        "Network.loadingFinished",
        lambda e: transfer.requests.append((urls.get(e["requestId"], "?"), int(e["encodedDataLength"]))),
    )
    page.goto(url, wait_until="networkidle")
    session.detach()
    return transfer


def iter_pages(browser: Any, **context_args: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", **context_args)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(context: Any, base_url: str, user: Any) -> None:
    """Give a browser context a signed-in session for `user` (second factor already passed).

    For tests of pages behind the sign-in; the sign-in itself (password + TOTP) has its own tests.
    """
    from django.test import Client

    from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": base_url, "httpOnly": True}]
    )
