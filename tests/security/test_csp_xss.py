"""CSRF on every state change, escaping of user text, and pages that work under the strict CSP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.core.middleware import STRICT_POLICY
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierFile
from egov.dossiers.services.files import add_note
from egov.portal import services as portal_services
from egov.portal.models import Draft
from tests.dossiers.factories import World
from tests.portal.mine_fixtures import add_file, with_supplement
from tests.security.conftest import client_for

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
HANDLER_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
XSS_NAME = 'Nguyễn "><svg onload=alert(3)>'


def assert_csp_clean(response: Any, where: str) -> None:
    assert response["Content-Security-Policy"] == STRICT_POLICY, where
    body = response.content.decode()
    assert not INLINE_SCRIPT.search(body), (where, INLINE_SCRIPT.search(body))
    assert not STYLE_ATTR.search(body), (where, STYLE_ATTR.search(body))
    assert not HANDLER_ATTR.search(body), (where, HANDLER_ATTR.search(body))
    assert not JS_URL.search(body), where


# --- CSRF --------------------------------------------------------------------------------------------


def _post_urls(world: World) -> list[tuple[Any, str]]:
    dossier = with_supplement(world)
    draft = portal_services.start_draft(world.citizen, world.procedure.code, world.department.code)
    code = dossier.code
    return [
        (world.citizen, reverse("portal:my_withdraw", args=[code])),
        (world.citizen, reverse("portal:my_supplement", args=[code])),
        (world.citizen, reverse("portal:my_rating", args=[code])),
        (world.citizen, reverse("portal:draft_delete", args=[draft.pk])),
        (world.citizen, reverse("portal:draft_submit", args=[draft.pk])),
        (world.citizen, reverse("portal:draft_step", args=[draft.pk, "applicant"])),
        (world.citizen, reverse("portal:apply_start", args=[world.procedure.code])),
        (world.citizen, reverse("accounts:logout")),
        (None, reverse("portal:lookup")),
        (None, reverse("accounts:login")),
        (None, reverse("accounts:signup")),
        (None, "/i18n/setlang/"),
        (world.desk, reverse("office:dossier_action", args=[code, "note"])),
        (world.desk, reverse("office:dossier_action", args=[code, "receive_supplement"])),
        (world.desk, reverse("office:dossier_attach", args=[code])),
        (world.desk, reverse("office:desk_new")),
    ]


def test_every_post_without_the_csrf_token_is_refused(world: World) -> None:
    for user, url in _post_urls(world):
        response = client_for(user, csrf=True).post(url, {"text": "x", "reason": "x", "intent": "save"})
        assert response.status_code == 403, url
    assert Draft.objects.filter(owner=world.citizen).exists()


@pytest.mark.parametrize(
    "name", ["portal:my_withdraw", "portal:my_supplement", "portal:draft_delete", "portal:draft_submit"]
)
def test_state_changing_portal_views_refuse_get(world: World, name: str) -> None:
    dossier = with_supplement(world)
    draft = portal_services.start_draft(world.citizen, world.procedure.code, world.department.code)
    arg = dossier.code if name.startswith("portal:my_") else draft.pk
    assert client_for(world.citizen).get(reverse(name, args=[arg])).status_code == 405


def test_office_actions_refuse_get(world: World) -> None:
    dossier = world.create().dossier
    client = client_for(world.desk)
    for url in (
        reverse("office:dossier_action", args=[dossier.code, "receive"]),
        reverse("office:dossier_attach", args=[dossier.code]),
    ):
        assert client.get(url).status_code == 405, url
    assert Dossier.objects.get(pk=dossier.pk).received_at is None


def test_the_cookies_are_http_only_and_same_site(world: World) -> None:
    client = Client()
    response = client.get(reverse("accounts:login"))
    csrf = response.cookies.get("csrftoken")
    assert csrf is not None and csrf["samesite"] == "Lax"
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"


# --- XSS ---------------------------------------------------------------------------------------------


def _hostile_dossier(world: World) -> Dossier:
    result = world.create(
        applicant={"name": XSS_NAME, "phone": "0912345678", "address": XSS},
        declaration={"full_name": XSS, "birth_date": "2026-02-01", "copies": 2},
        subject=XSS,
    )
    dossier = services.receive_dossier(world.desk, result.dossier)
    add_file(dossier, DossierFile.Kind.COMPONENT, name='to"khai<script>alert(4)</script>.pdf')
    dossier = services.request_supplement(world.desk, dossier, content=XSS)
    add_note(world.desk, dossier, text=XSS)
    return dossier


def _assert_escaped(body: str, where: str) -> None:
    for raw in ("<script>alert(", "<img src=x onerror", "<svg onload"):
        assert raw not in body, (where, raw)


def test_user_text_is_escaped_on_every_page_that_shows_it(world: World) -> None:
    dossier = _hostile_dossier(world)
    code = dossier.code
    office = client_for(world.desk)
    citizen = client_for(world.citizen)
    pages = [
        (office, reverse("office:dossier", args=[code])),
        (office, reverse("office:dossier_print", args=[code, "01"])),
        (office, reverse("office:dossier_print", args=[code, "02"])),
        (office, reverse("office:dossier_print", args=[code, "slip"])),
        (office, reverse("office:home") + "?view=unit&q=" + "%22%3E%3Cscript%3Ealert(5)%3C/script%3E"),
        (office, reverse("office:desk")),
        (citizen, reverse("portal:my_dossier", args=[code])),
        (citizen, reverse("portal:my_receipt", args=[code])),
        (citizen, reverse("portal:my_dossiers")),
        (Client(), reverse("portal:procedures") + "?q=%22%3E%3Cscript%3Ealert(6)%3C/script%3E"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content.decode(), url)
    # the hostile text is really on the pages, escaped
    body = office.get(reverse("office:dossier", args=[code])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;svg onload=alert(3)&gt;" in body
    body = citizen.get(reverse("portal:my_dossier", args=[code])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- CSP ---------------------------------------------------------------------------------------------


def test_citizen_and_office_pages_need_nothing_inline(world: World) -> None:
    dossier = _hostile_dossier(world)
    draft = portal_services.start_draft(world.citizen, world.procedure.code, world.department.code)
    anonymous = Client()
    citizen = client_for(world.citizen)
    office = client_for(world.desk)
    leader = client_for(world.leader)
    pages = [
        (anonymous, reverse("portal:home")),
        (anonymous, reverse("portal:procedures")),
        (anonymous, reverse("portal:procedure", args=[world.procedure.code])),
        (anonymous, reverse("portal:lookup")),
        (anonymous, reverse("accounts:login")),
        (anonymous, reverse("accounts:signup")),
        (anonymous, "/no-such-page/"),
        (citizen, reverse("portal:my_dossiers")),
        (citizen, reverse("portal:my_dossier", args=[dossier.code])),
        (citizen, reverse("portal:drafts")),
        (citizen, reverse("portal:draft_step", args=[draft.pk, "applicant"])),
        (citizen, reverse("portal:draft_step", args=[draft.pk, "declaration"])),
        (citizen, reverse("portal:draft_step", args=[draft.pk, "files"])),
        (citizen, reverse("portal:draft_step", args=[draft.pk, "review"])),
        (citizen, reverse("office:home")),  # the 403 page
        (office, reverse("office:home")),
        (office, reverse("office:desk")),
        (office, reverse("office:desk_new")),
        (office, reverse("office:dossier", args=[dossier.code])),
        (office, reverse("office:dossier_print", args=[dossier.code, "01"])),
        (leader, reverse("office:leader")),
    ]
    for client, url in pages:
        assert_csp_clean(client.get(url), url)


def test_the_totp_setup_page_needs_nothing_inline(db: None, settings: Any) -> None:
    from egov.accounts.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User(username="canbo-csp", kind=User.Kind.OFFICER)
    user.set_password("Mat-khau-an-toan-2026")
    user.save()
    client = Client()
    client.post(reverse("accounts:login"), {"username": "canbo-csp", "password": "Mat-khau-an-toan-2026"})
    assert_csp_clean(client.get(reverse("accounts:totp_setup")), "totp_setup")


def test_the_admin_works_under_the_strict_policy(admin_client: Client) -> None:
    for url in (
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/catalog/procedure/add/",
        "/admin/catalog/procedureversion/add/",
        "/admin/core/calendaroverride/add/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response, url)


def test_pages_cannot_be_framed_by_other_sites(world: World) -> None:
    response = Client().get(reverse("portal:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
