"""The OpenAPI document tells the truth: schemathesis, every check, against a live node on loopback.

Schemathesis reads /api/schema/, generates valid and invalid requests for every operation (examples,
coverage, fuzzing and stateful phases) and checks each answer: no server error, a documented status
code, content type and headers, a body that matches the documented schema, invalid data refused,
valid data accepted, authentication not ignored. The run is bounded (examples per operation, a
time budget, a per-request timeout) and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from egov.testing.auth import sign_in
from tests.dossiers.factories import World

MAX_EXAMPLES = 15
TIME_BUDGET_SECONDS = 90
CSRF = "h3schemathesiscsrftoken000000000"  # any 32 letters/digits: the cookie and the header agree
CONFIG = Path(__file__).resolve().with_name("schemathesis.toml")


def _officer_headers(world: World) -> list[str]:
    """A desk officer's session (second factor passed) and a CSRF pair for the writes."""
    client = sign_in(Client(), world.desk)
    session = client.cookies["sessionid"].value
    return ["-H", f"Cookie: sessionid={session}; csrftoken={CSRF}", "-H", f"X-CSRFToken: {CSRF}"]


def _run(live_server: Any, tmp_path: Path, *extra: str) -> tuple[int, str]:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{live_server.url}/api/schema/",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(TIME_BUDGET_SECONDS),
        "--request-timeout",
        "20",
        "--workers",
        "1",
        "--seed",
        "1",
        "--generation-database",
        "none",
        # A NUL in any string is refused by every operation (400 invalid_characters / json_bad_character,
        # documented on each 400); OpenAPI 3.0 cannot say "no NUL" of every string and property name, so
        # generating NUL would only re-test that one refusal, which tests/security/test_hostile_input.py
        # checks on every URL pattern.
        "--generation-allow-x00",
        "false",
        *extra,
    ]
    # Run in the test's own folder: schemathesis writes its state (.schemathesis/) where it runs.
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIME_BUDGET_SECONDS + 120, cwd=tmp_path
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.django_db(transaction=True)
def test_schemathesis_with_every_check_finds_no_failure_for_an_officer(
    live_server: Any, world: World, tmp_path: Path
) -> None:
    """Signed in as a desk officer (session with the second factor, CSRF pair for the writes).

    `ignored_auth` is left to the anonymous run below: it replaces the documented credentials with
    invalid ones, but the session cookie travels as a raw header schemathesis cannot take away.
    """
    code, output = _run(live_server, tmp_path, *_officer_headers(world), "--exclude-checks", "ignored_auth")
    assert code == 0, output


@pytest.mark.django_db(transaction=True)
def test_schemathesis_with_every_check_finds_no_failure_anonymously(
    live_server: Any, world: World, tmp_path: Path
) -> None:
    code, output = _run(live_server, tmp_path)
    assert code == 0, output
