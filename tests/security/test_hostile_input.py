"""No input gives a server error: every URL pattern of the project, as every kind of user, on PostgreSQL.

Each test walks the resolver, so a page or endpoint added later is covered without a new test. It
sends NUL bytes and broken percent-escapes in path parameters, queries and cookies, SQL and path
traversal strings, and hostile JSON and form bodies (nested 1,000 and 100,000 deep, NUL, 1e999,
NaN, invalid UTF-8, over the 2.5 MiB body limit), then checks the answer and that no table changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from egov.accounts.models import User
from egov.portal import services as portal
from egov.testing.auth import sign_in
from tests.dossiers.factories import World
from tests.security.hostile import (
    FORM_KEYS,
    INVALID_ESCAPES,
    JSON_BODIES,
    NUL_SEGMENTS,
    ODD_SEGMENTS,
    QUERY_KEYS,
    Route,
    all_routes,
    answers_json,
    oversized_json,
    table_counts,
)

ROLES = ["anonymous", "citizen", "officer", "admin"]
ADMIN_ODD_SEGMENTS = ODD_SEGMENTS[:1]  # the admin's 150 patterns share a few views: one value suffices


@dataclass
class Scene:
    """The clients of one role, the real values that fill the other path parameters, the failures."""

    client: Client
    values: dict[str, str]
    role: str
    failures: list[str] = field(default_factory=list)
    may_change: bool = False  # valid text (SQL meta-characters included) may be stored as typed

    def routes(self) -> list[Route]:
        """The admin's patterns for the admin, every other pattern for the other roles."""
        admin = self.role == "admin"
        return [r for r in all_routes() if r.route.startswith("admin/") == admin]

    def url(self, route: Route, **override: str) -> str:
        values = dict(self.values)
        if route.route.startswith(("procedures/", "apply/<code>", "api/v1/procedures/")):
            values["code"] = self.values["procedure_code"]
        if route.route.startswith("api/v1/agencies/"):
            values["code"] = self.values["agency_code"]
        values.update(override)
        return route.fill({name: values.get(name, "1") for name in route.params})

    def send(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = getattr(self.client, method.lower())(url, **kwargs)
        return response

    def expect(self, response: HttpResponse, what: str, path: str, *, status: int | None = None) -> None:
        """Never a 5xx; `status` when given; the API's error shape on API paths and for refusals."""
        code = response.status_code
        if path.startswith("/readyz") and code == 503:
            return  # readiness says "not ready" with a 503 whatever the input: its documented answer
        if code >= 500 or (status is not None and code != status):
            self.failures.append(f"{what}: {code} (expected {status or '< 500'})")
            return
        api = path.startswith("/api/v1/")
        if code >= 400 and (api or (status is not None and answers_json(path))):
            problem = _json_error_problem(response)
            if problem:
                self.failures.append(f"{what}: {code} {problem}")

    def report(self) -> None:
        assert not self.failures, f"{len(self.failures)} bad answers:\n" + "\n".join(self.failures[:60])


def _json_error_problem(response: HttpResponse) -> str:
    if not response.get("Content-Type", "").startswith("application/json"):
        return f"not JSON ({response.get('Content-Type')})"
    try:
        body = response.json()
    except ValueError:
        return "unreadable JSON"
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if not (isinstance(error, dict) and error.get("code") and isinstance(message, dict)):
        return f"not the error shape: {str(body)[:120]}"
    if not (message.get("vi") and message.get("en")):
        return "message not in both languages"
    return ""


@pytest.fixture
def scene(request: pytest.FixtureRequest, world: World, settings: Any) -> Iterator[Scene]:
    role: str = request.param
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": _no_throttle(settings)}
    dossier = world.received()
    draft = portal.start_draft(world.citizen, world.procedure.code, world.department.code)
    users: dict[str, User | None] = {
        "anonymous": None,
        "citizen": world.citizen,
        "officer": world.desk,
        "admin": User.objects.create(
            username="root-hostile", password="!", kind=User.Kind.OFFICER, is_staff=True, is_superuser=True
        ),
    }
    client = Client(raise_request_exception=False)  # a server error is an answer to report
    if users[role] is not None:
        sign_in(client, users[role])
    values = {
        "code": dossier.code,
        "procedure_code": world.procedure.code,
        "agency_code": world.department.code,
        "draft_id": str(draft.id),
        "token": "x" * 16,
        "view": "mine",
        "action": "refuse",
        "form": "01",
        "step": "applicant",
        "short_code": "ABCD2345",
        "order_id": dossier.code + "-1",
        "txn": "T1",
        "app_label": "dossiers",
        "url": "nothing",
    }
    before = table_counts()
    scene = Scene(client, values, role)
    yield scene
    if not scene.may_change:
        assert table_counts() == before, "an attack changed the database"


def _no_throttle(settings: Any) -> dict[str, str]:
    """The throttles answer 429 (a fine answer) long before every pattern is tried; lift them."""
    return {scope: "100000/min" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}


def _methods(route: Route) -> list[str]:
    return ["GET", "POST", "PUT"] if route.is_api else ["GET", "POST"]


@pytest.mark.parametrize("scene", ROLES, indirect=True)
def test_nul_or_a_broken_escape_in_any_path_parameter_is_a_400(scene: Scene) -> None:
    for route in scene.routes():
        for name in route.params:
            for bad in [*NUL_SEGMENTS, *INVALID_ESCAPES]:
                url = scene.url(route, **{name: bad})
                for method in ("GET", "POST"):
                    scene.expect(scene.send(method, url), f"{method} {url}", url, status=400)
    scene.report()


@pytest.mark.parametrize("scene", ROLES, indirect=True)
def test_sql_traversal_and_odd_path_parameters_never_give_a_server_error(scene: Scene) -> None:
    odd = ADMIN_ODD_SEGMENTS if scene.role == "admin" else ODD_SEGMENTS
    for route in scene.routes():
        for name in route.params:
            for bad in odd:
                url = scene.url(route, **{name: bad})
                for method in _methods(route):
                    scene.expect(scene.send(method, url), f"{method} {url}", url)
    scene.report()


@pytest.mark.parametrize("scene", ROLES, indirect=True)
def test_nul_or_a_broken_escape_in_the_query_is_a_400(scene: Scene) -> None:
    for route in scene.routes():
        url = scene.url(route)
        for bad in ["%00", "a%00", *INVALID_ESCAPES]:
            query = "&".join(f"{key}={bad}" for key in QUERY_KEYS)
            scene.expect(scene.send("GET", f"{url}?{query}"), f"GET {url}?…={bad}", url, status=400)
        scene.expect(scene.send("POST", f"{url}?q=%00"), f"POST {url}?q=%00", url, status=400)
        scene.expect(scene.send("GET", f"{url}?%00=1"), f"GET {url}?%00=1", url, status=400)
    scene.report()


@pytest.mark.parametrize("scene", ROLES, indirect=True)
def test_odd_query_values_never_give_a_server_error(scene: Scene) -> None:
    odd = ADMIN_ODD_SEGMENTS if scene.role == "admin" else ODD_SEGMENTS[:3]
    for route in scene.routes():
        url = scene.url(route)
        for bad in odd:
            query = "&".join(f"{key}={bad}" for key in QUERY_KEYS)
            scene.expect(scene.send("GET", f"{url}?{query}"), f"GET {url}?…={bad[:20]}", url)
    scene.report()


@pytest.mark.parametrize("scene", ROLES, indirect=True)
def test_a_nul_in_a_cookie_is_a_400(scene: Scene) -> None:
    for route in scene.routes()[::7]:  # the cookie check does not depend on the route
        url = scene.url(route)
        for cookie in ("sessionid", "csrftoken", "egov_language"):
            scene.client.cookies[cookie] = "abcdefgh\x00ijklmnop"
            scene.expect(scene.send("GET", url), f"GET {url} with NUL in {cookie}", url, status=400)
            del scene.client.cookies[cookie]
    scene.report()


@pytest.mark.parametrize("scene", ["anonymous", "citizen", "officer"], indirect=True)
def test_hostile_json_bodies_are_refused_by_every_api_operation(scene: Scene) -> None:
    """Deep nesting, NUL, 1e999, NaN, invalid UTF-8: a 4xx in the API's error shape, nothing stored."""
    for route in scene.routes():
        if not route.is_api:
            continue
        url = scene.url(route)
        for label, body in JSON_BODIES.items():
            for method in ("POST", "PUT", "PATCH"):
                response = scene.send(method, url, data=body, content_type="application/json")
                scene.expect(response, f"{method} {url} {label}", url)
                if response.status_code < 400 and route.route != "api/v1/results/verify":
                    scene.failures.append(f"{method} {url} {label}: accepted ({response.status_code})")
    scene.report()


@pytest.mark.parametrize("scene", ["anonymous", "citizen", "officer"], indirect=True)
def test_a_body_over_the_limit_is_a_413_on_the_api_and_a_4xx_page_elsewhere(scene: Scene) -> None:
    body = oversized_json()
    for route in scene.routes():
        url = scene.url(route)
        response = scene.send("POST", url, data=body, content_type="application/json")
        api = url.startswith("/api/v1/")
        scene.expect(response, f"POST {url} 3 MiB", url, status=413 if api else None)
        if not api and response.status_code < 400:
            scene.failures.append(f"POST {url} 3 MiB: accepted ({response.status_code})")
    scene.report()


@pytest.mark.parametrize("scene", ROLES, indirect=True)
def test_a_nul_or_invalid_utf8_in_a_posted_form_is_a_400(scene: Scene) -> None:
    """Every page's form, with NUL or invalid UTF-8 in every field the views read: refused whole."""
    form = "application/x-www-form-urlencoded"
    for route in scene.routes():
        url = scene.url(route)
        for bad in ("%00", "a%00b", "%FF", "%ED%A0%80"):
            raw = "&".join(f"{key}={bad}" for key in FORM_KEYS)
            response = scene.send("POST", url, data=raw, content_type=form)
            scene.expect(response, f"POST {url} form {bad}", url, status=400)
    scene.report()


@pytest.mark.parametrize("scene", ROLES, indirect=True)
def test_sql_and_odd_form_values_never_give_a_server_error(scene: Scene) -> None:
    """SQL, 1e999 and long text are valid text: stored as typed or refused by the form, never a 5xx."""
    scene.may_change = True
    for route in scene.routes():
        url = scene.url(route)
        for bad in ("' OR '1'='1", "1e999", "x" * 5000):
            data = {key: bad for key in FORM_KEYS}
            scene.expect(scene.send("POST", url, data=data), f"POST {url} form {bad[:12]!r}", url)
    scene.report()


def test_the_hostile_scene_walks_every_app(world: World) -> None:
    """The enumeration really covers the portal, office, accounts, payments, results, API and admin."""
    prefixes = {r.route.split("/")[0] for r in all_routes()}
    for prefix in (
        "",
        "procedures",
        "my",
        "apply",
        "office",
        "accounts",
        "payments",
        "verify",
        "api",
        "admin",
    ):
        assert prefix in prefixes, prefix
    assert len(all_routes()) > 200
    assert uuid.UUID(str(portal.start_draft(world.citizen, world.procedure.code, world.department.code).id))
