"""What every HTML page shares: security headers, templates without inline code, translations."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.test import Client

SRC = Path(__file__).resolve().parents[2] / "src" / "egov"
TEMPLATES = sorted(p for p in SRC.glob("*/templates/**/*.html") if p.name != "redoc.html")
PO_FILES = sorted(SRC.glob("*/locale/vi/LC_MESSAGES/django.po"))
TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"]+)"|'([^']+)')""")


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/no-such-page/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_api_reference_pages_get_their_own_policy_without_other_origins(client: Client) -> None:
    policy = client.get("/api/docs/")["Content-Security-Policy"]
    assert "worker-src 'self' blob:" in policy
    assert "http" not in policy


@pytest.mark.django_db
def test_unknown_page_is_a_bilingual_page_in_the_site_layout(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'href="#main-content"' in html
    english = client.get("/no-such-page/", headers={"cookie": "egov_language=en"}).content.decode()
    assert "Page not found" in english


@pytest.mark.django_db
def test_a_post_without_csrf_token_gets_the_bilingual_expired_form_page() -> None:
    response = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_templates_have_no_inline_script_style_or_handlers(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b", html), "inline <style>"
    assert not re.search(r"""\sstyle\s*=\s*["']""", html), "style attribute"
    assert not re.search(r"""\son[a-z]+\s*=\s*["']""", html), "inline event handler"
    assert not re.search(r"""(?:src|href)\s*=\s*["']https?://""", html), "resource from another origin"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_post_form_carries_a_csrf_token(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
        if re.search(r"""method\s*=\s*["']?post""", form, flags=re.I):
            assert "{% csrf_token %}" in form, form[:120]


def _catalogue() -> dict[str, str]:
    messages: dict[str, str] = {}
    for po_path in PO_FILES:
        for entry in polib.pofile(str(po_path)):
            messages[entry.msgid] = entry.msgstr
    return messages


@pytest.mark.parametrize("path", PO_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_vietnamese_catalogues_are_complete(path: Path) -> None:
    po = polib.pofile(str(path))
    missing = [e.msgid for e in po if not e.obsolete and (not (e.msgstr or e.msgstr_plural) or e.fuzzy)]
    assert not missing, f"untranslated or fuzzy in {path.name}: {missing[:10]}"


def test_every_template_text_has_a_vietnamese_translation() -> None:
    catalogue = _catalogue()
    missing = []
    for path in TEMPLATES:
        for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            msgid = match.group(1) or match.group(2)
            if not catalogue.get(msgid):
                missing.append(f"{path.relative_to(SRC)}: {msgid}")
    assert not missing, "\n".join(missing[:40])
