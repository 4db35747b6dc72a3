"""Creating a dossier: who may, through which channel, with what form, and idempotent repeats."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any

import pytest
from django.conf import settings

from egov.catalog.models import ChannelTerms, ProcedureVersion
from egov.core.errors import DomainError
from egov.core.models import Event, OutboxMessage
from egov.dossiers.codes import render_code
from egov.dossiers.models import CodeFormat, Dossier, Status
from tests.dossiers.conftest import Clock
from tests.dossiers.factories import GOOD_DECLARATION, World

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Dossier.objects.count(), Event.objects.count(), OutboxMessage.objects.count()


def refused(code: str, world: World, **kwargs: Any) -> DomainError:
    before = counts()
    with pytest.raises(DomainError) as info:
        world.create(**kwargs)
    assert info.value.code == code
    assert counts() == before
    return info.value


def test_an_online_dossier_is_submitted_with_a_circular_01_code_and_a_pin(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 09:00")
    result = world.create()
    dossier = result.dossier
    assert dossier.status == Status.SUBMITTED and dossier.national_status == 1
    assert dossier.code == f"{world.department.code}-260302-0001"
    assert dossier.applicant == world.citizen and dossier.created_by == world.citizen
    assert dossier.applicant_name == "Nguyễn Văn An" and dossier.phone == "0912345678"
    assert dossier.procedure_version == world.version
    assert result.pin is not None and result.pin.isdigit() and len(result.pin) == 6
    expected = hmac.new(
        settings.SECRET_KEY.encode(), (dossier.code + result.pin).encode(), hashlib.sha256
    ).hexdigest()
    assert dossier.pin_digest == expected and result.pin not in dossier.pin_digest
    message = OutboxMessage.objects.get(
        topic="dossier.status_changed", key__startswith=f"dossier:{dossier.code}:"
    )
    assert message.payload["national_status"] == 1 and message.payload["status"] == "submitted"
    assert Event.objects.filter(aggregate_id=dossier.code, kind="dossier.created").count() == 1


def test_codes_count_per_unit_and_day(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 09:00")
    first = [world.create().dossier.code for _ in range(3)]
    clock.set("2026-03-03 09:00")
    second = world.create().dossier.code
    assert [c[-4:] for c in first] == ["0001", "0002", "0003"]
    assert second == f"{world.department.code}-260303-0001"


def test_the_code_follows_the_rule_in_force_on_the_day(world: World, clock: Clock) -> None:
    CodeFormat.objects.create(valid_from=date(2026, 3, 3), template="{unit2020}-{yyyymmdd}-{seq:07d}")
    world.department.code_2020 = "G09.20"
    world.department.save()
    clock.set("2026-03-02 09:00")
    assert world.create().dossier.code.endswith("-260302-0001")
    clock.set("2026-03-03 09:00")
    assert world.create().dossier.code == "G09.20-20260303-0000001"


def test_the_seeded_rule_renders_the_example_of_the_circular(db: None) -> None:
    rule = CodeFormat.objects.get(valid_from=date(2018, 7, 1))
    agency: Any = type("A", (), {"code": "000.00.13.H12", "code_2020": ""})()
    assert render_code(rule.template, agency, date(2020, 3, 1), 1) == "000.00.13.H12-200301-0001"


def test_a_counter_dossier_is_created_by_a_desk_officer_of_the_agency(world: World, clock: Clock) -> None:
    result = world.create(channel="counter", applicant={"name": "Trần Thị Bình", "type": 1})
    assert result.dossier.channel == "counter" and result.dossier.applicant is None
    assert result.dossier.created_by == world.desk


def test_a_desk_officer_of_another_agency_cannot_create_a_counter_dossier(world: World, clock: Clock) -> None:
    refused("permission_denied", world, channel="counter", actor=world.outsider)


def test_an_officer_cannot_submit_online_as_an_applicant(world: World, clock: Clock) -> None:
    refused("permission_denied", world, channel="online", actor=world.desk)


def test_unknown_procedure_and_agency_are_404s(world: World, clock: Clock) -> None:
    from egov.dossiers import services

    before = counts()
    for kwargs, code in (
        ({"procedure_code": "9.999999", "agency_code": world.department.code}, "procedure_not_found"),
        ({"procedure_code": world.procedure.code, "agency_code": "000.00.99.H99"}, "agency_not_found"),
    ):
        with pytest.raises(DomainError) as info:
            services.create_dossier(world.citizen, channel="online", applicant={"name": "A"}, **kwargs)
        assert info.value.code == code and info.value.status == 404
    assert counts() == before


def test_an_agency_that_does_not_handle_the_procedure_is_not_competent(world: World, clock: Clock) -> None:
    world.procedure.agencies.remove(world.department)
    refused("agency_not_competent", world)


def test_a_channel_the_version_does_not_offer_is_refused(world: World, clock: Clock) -> None:
    ChannelTerms.objects.filter(version=world.version, channel="online").delete()
    refused("channel_not_offered", world)
    refused("channel_not_offered", world, channel="fax", actor=world.desk)


def test_the_version_in_force_today_is_the_one_kept(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 09:00")
    world.version.effective_to = date(2026, 3, 1)
    world.version.save()
    refused("procedure_version_not_found", world)
    newer = ProcedureVersion.objects.create(
        procedure=world.procedure, number=2, effective_from=date(2026, 3, 1)
    )
    ChannelTerms.objects.create(version=newer, channel="online", time_limit=3)
    assert world.create().dossier.procedure_version == newer


def test_a_declaration_that_breaks_the_form_lists_every_wrong_field(world: World, clock: Clock) -> None:
    error = refused("declaration_invalid", world, declaration={"birth_date": "1/2/2026", "copies": 0})
    fields = {(f["field"], f["error"]) for f in error.detail["fields"]}
    assert fields == {("full_name", "required"), ("birth_date", "pattern"), ("copies", "minimum")}
    assert error.status == 400 and error.vi and error.en


def test_a_declaration_of_the_wrong_type_is_refused(world: World, clock: Clock) -> None:
    refused("declaration_invalid", world, declaration={**GOOD_DECLARATION, "copies": "two"})


def test_applicant_details_are_checked(world: World, clock: Clock) -> None:
    error = refused(
        "applicant_invalid",
        world,
        channel="counter",
        applicant={"name": "", "email": "not-an-email", "phone": "abc", "type": 7, "shoe_size": 42},
    )
    assert set(error.detail) == {"name", "email", "phone", "type", "shoe_size"}


def test_the_same_idempotency_key_and_body_return_the_same_dossier_without_a_pin(
    world: World, clock: Clock
) -> None:
    first = world.create(idempotency_key="k-1")
    before = counts()
    again = world.create(idempotency_key="k-1")
    assert again.dossier.pk == first.dossier.pk
    assert again.created is False and again.pin is None
    assert counts() == before


def test_the_same_idempotency_key_with_another_body_is_a_conflict(world: World, clock: Clock) -> None:
    world.create(idempotency_key="k-2")
    error = refused("idempotency_conflict", world, idempotency_key="k-2", subject="khác")
    assert error.status == 409


def test_idempotency_keys_belong_to_the_user_who_sent_them(world: World, clock: Clock) -> None:
    mine = world.create(idempotency_key="k-3")
    theirs = world.create(idempotency_key="k-3", actor=world.other_citizen)
    assert theirs.created and theirs.dossier.pk != mine.dossier.pk


def test_a_submitted_dossier_waits_on_the_agency_desk(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 09:00")
    dossier = world.create().dossier
    assert dossier.current_unit == world.department and dossier.current_role == "desk"
    assert dossier.current_step is None and dossier.step_due_at is not None
    assert dossier.due_at is None and dossier.received_at is None


def test_an_overlong_idempotency_key_or_subject_is_refused(world: World, clock: Clock) -> None:
    refused("validation_failed", world, idempotency_key="k" * 81)
    refused("validation_failed", world, subject="s" * 501)


@pytest.mark.parametrize(
    "template",
    ["{unit}-{yymmdd}", "{unit}-{yymmdd}-{seq:04d}-{agency}", "{unit.__class__}-{seq}", "{seq:04q}", "{seq"],
)
def test_a_code_rule_without_seq_or_with_unknown_parts_cannot_be_saved(template: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        CodeFormat(valid_from=date(2030, 1, 1), template=template).full_clean()


def test_a_broken_rule_in_force_is_a_clear_409_and_writes_nothing(world: World, clock: Clock) -> None:
    CodeFormat.objects.update(template="{unit}-{yymmdd}")  # past the validation, as a raw SQL edit would be
    events = Event.objects.count()
    with pytest.raises(DomainError) as info:
        world.create()
    assert (info.value.status, info.value.code) == (409, "code_format_invalid")
    assert Dossier.objects.count() == 0 and Event.objects.count() == events
