"""POST /api/v1/dossiers/{code}/request-financial-obligation: the amount is optional (unpaid fees)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from egov.core.models import Event
from egov.dossiers.models import Dossier, Status
from tests.dossiers.factories import World
from tests.dossiers.test_api import as_user, assert_error, post
from tests.payments.conftest import COUNTER_FEES, set_fees

pytestmark = pytest.mark.django_db
OBLIGATION = "dossier.financial_obligation_requested"


def counter_dossier_with_fees(world: World) -> Dossier:
    set_fees(world, "counter", COUNTER_FEES)
    return world.at_step(2, channel="counter")


def ask(world: World, dossier: Dossier, body: dict[str, Any]) -> Any:
    url = f"/api/v1/dossiers/{dossier.code}/request-financial-obligation"
    return post(as_user(world.specialist), url, body)


def asked(d: Dossier) -> list[int]:
    events = Event.objects.filter(aggregate_id=d.code, kind=OBLIGATION).order_by("id")
    return [e.data["amount"] for e in events]


@pytest.mark.parametrize("body", [{"content": "Nộp lệ phí"}, {"content": "Nộp lệ phí", "amount": None}])
def test_without_an_amount_the_fee_total_is_asked(world: World, body: dict[str, Any]) -> None:
    dossier = counter_dossier_with_fees(world)
    response = ask(world, dossier, body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.FINANCIAL and response.json()["national_status"] == 6
    assert asked(dossier) == [100000]


def test_an_explicit_amount_still_wins(world: World) -> None:
    dossier = counter_dossier_with_fees(world)
    assert ask(world, dossier, {"content": "Thuế", "amount": 250000}).status_code == 200
    assert asked(dossier) == [250000]


def test_without_fees_and_without_amount_the_error_is_bilingual(world: World) -> None:
    dossier = world.at_step(2, channel="counter")
    assert_error(ask(world, dossier, {"content": "Nộp lệ phí"}), 400, "amount_invalid")
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING and asked(dossier) == []


@pytest.mark.parametrize(
    "amount",
    [-5, 0, "abc", 12.5, 10**13 + 1, 10**30, "1; DROP TABLE dossiers_dossier; --", "1' OR '1'='1", True],
)
def test_an_invalid_amount_is_refused_and_changes_nothing(world: World, amount: Any) -> None:
    dossier = counter_dossier_with_fees(world)
    error = assert_error(
        ask(world, dossier, {"content": "Nộp lệ phí", "amount": amount}), 400, "validation_failed"
    )
    assert "amount" in error["detail"]
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING and asked(dossier) == []


def test_the_openapi_document_marks_the_amount_optional(client: Client) -> None:
    document = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = document["paths"]["/api/v1/dossiers/{code}/request-financial-obligation"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "amount" in schema["properties"] and "amount" not in schema.get("required", [])
    assert schema["properties"]["amount"].get("nullable") is True
    assert schema["required"] == ["content"]
