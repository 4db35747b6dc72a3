"""Nobody reaches another person's or another agency's data by changing an id, code or token in a URL."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from egov.dossiers.models import Dossier, DossierFile
from egov.portal import services as portal_services
from egov.portal.models import Draft, DraftFile
from tests.dossiers.factories import World
from tests.portal.mine_fixtures import add_file, with_supplement
from tests.security.conftest import client_for

PORTAL_GET = ["portal:my_dossier", "portal:my_receipt", "portal:my_rating"]
PORTAL_POST = ["portal:my_supplement", "portal:my_withdraw", "portal:my_rating"]


def _draft(world: World) -> Draft:
    return portal_services.start_draft(world.citizen, world.procedure.code, world.department.code)


# --- portal: my dossiers ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PORTAL_GET)
def test_another_citizens_dossier_pages_are_not_found(world: World, name: str) -> None:
    dossier = world.received()
    response = client_for(world.other_citizen).get(reverse(name, args=[dossier.code]))
    assert response.status_code == 404
    assert "Nguyễn Văn An" not in response.content.decode()  # the applicant's name


@pytest.mark.parametrize("name", PORTAL_POST)
def test_another_citizen_cannot_act_on_my_dossier(world: World, name: str) -> None:
    dossier = with_supplement(world)
    before = Dossier.objects.get(pk=dossier.pk).status
    response = client_for(world.other_citizen).post(
        reverse(name, args=[dossier.code]), {"reason": "x", "note": "x", "overall": "3"}
    )
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == before


@pytest.mark.parametrize("name", PORTAL_GET)
def test_portal_dossier_pages_need_sign_in(world: World, name: str) -> None:
    dossier = world.received()
    response = Client().get(reverse(name, args=[dossier.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_officer_of_another_agency_sees_no_portal_page(world: World) -> None:
    dossier = world.received()
    response = client_for(world.outsider).get(reverse("portal:my_dossier", args=[dossier.code]))
    assert response.status_code == 404


def test_my_dossier_list_holds_only_mine(world: World) -> None:
    mine = world.create().dossier
    theirs = world.create(actor=world.other_citizen).dossier
    body = client_for(world.citizen).get(reverse("portal:my_dossiers")).content.decode()
    assert mine.code in body and theirs.code not in body


# --- portal: drafts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["applicant", "declaration", "files", "review"])
def test_another_citizens_draft_steps_are_not_found(world: World, step: str) -> None:
    draft = _draft(world)
    other = client_for(world.other_citizen)
    url = reverse("portal:draft_step", args=[draft.pk, step])
    assert other.get(url).status_code == 404
    assert other.post(url, {"intent": "save", "name": "Kẻ gian"}).status_code == 404
    draft.refresh_from_db()
    assert draft.applicant == {}


def test_another_citizen_cannot_delete_submit_or_read_the_receipt_of_my_draft(world: World) -> None:
    draft = _draft(world)
    other = client_for(world.other_citizen)
    assert other.post(reverse("portal:draft_delete", args=[draft.pk])).status_code == 404
    assert other.post(reverse("portal:draft_submit", args=[draft.pk])).status_code == 404
    assert other.get(reverse("portal:receipt", args=[draft.pk])).status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_another_citizen_cannot_delete_a_file_of_my_draft(world: World) -> None:
    from egov.core.uploads import check_upload
    from tests.portal.apply_fixtures import upload

    draft = _draft(world)
    row = portal_services.add_draft_file(
        world.citizen, draft.pk, requirement_id=world.extra["form"].pk, upload=check_upload(upload())
    )
    other = client_for(world.other_citizen)
    url = reverse("portal:draft_file_delete", args=[draft.pk, row.token])
    assert other.post(url).status_code == 404
    # the token of my file with the other citizen's own draft id is not found either
    own = portal_services.start_draft(world.other_citizen, world.procedure.code, world.department.code)
    url = reverse("portal:draft_file_delete", args=[own.pk, row.token])
    assert other.post(url).status_code == 404
    assert DraftFile.objects.filter(pk=row.pk).exists()


def test_the_drafts_page_lists_only_mine(world: World) -> None:
    mine = _draft(world)
    theirs = portal_services.start_draft(world.other_citizen, world.procedure.code, world.department.code)
    body = client_for(world.citizen).get(reverse("portal:drafts")).content.decode()
    assert str(mine.pk) in body and str(theirs.pk) not in body


def test_a_malformed_draft_id_is_not_found(world: World) -> None:
    response = client_for(world.citizen).get("/apply/d/not-a-uuid/applicant/")
    assert response.status_code == 404


# --- files -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "outsider"])
def test_files_of_a_dossier_are_not_served_to_strangers(world: World, who: str) -> None:
    dossier = world.received()
    row = add_file(dossier, DossierFile.Kind.RESULT)
    client = Client() if who == "anonymous" else client_for(getattr(world, who))
    for query in ("", "?inline=1"):
        response = client.get(reverse("dossier_file", args=[row.token]) + query)
        assert response.status_code == 404, (who, query)


def test_files_are_served_to_the_applicant_and_the_desk(world: World) -> None:
    dossier = world.received()
    row = add_file(dossier, DossierFile.Kind.RESULT)
    for user in (world.citizen, world.desk):
        response = client_for(user).get(reverse("dossier_file", args=[row.token]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_an_unknown_or_overlong_token_is_not_found(world: World) -> None:
    dossier = world.received()
    row = add_file(dossier, DossierFile.Kind.RESULT)
    client = client_for(world.citizen)
    assert client.get(reverse("dossier_file", args=["0" * 32])).status_code == 404
    # a token with extra characters is cut to 32 characters before the lookup: still the same file
    response = client.get(reverse("dossier_file", args=[row.token + "x"]))
    assert response.status_code in (200, 404)


# --- back office -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["citizen", "other_citizen"])
def test_citizens_get_403_on_every_office_page(world: World, who: str) -> None:
    dossier = world.received()
    client = client_for(getattr(world, who))
    for url in (
        reverse("office:home"),
        reverse("office:desk"),
        reverse("office:desk_new"),
        reverse("office:leader"),
        reverse("office:dossier", args=[dossier.code]),
        reverse("office:dossier_print", args=[dossier.code, "01"]),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("office:dossier_action", args=[dossier.code, "note"]),
        reverse("office:dossier_attach", args=[dossier.code]),
    ):
        assert client.post(url, {"text": "x"}).status_code == 403, url


def test_anonymous_visitors_go_to_sign_in_from_the_office(world: World) -> None:
    dossier = world.received()
    for url in (reverse("office:home"), reverse("office:dossier", args=[dossier.code])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("form", ["01", "slip"])
def test_an_officer_of_another_agency_cannot_open_or_print_the_dossier(world: World, form: str) -> None:
    dossier = world.received()
    client = client_for(world.outsider)
    assert client.get(reverse("office:dossier", args=[dossier.code])).status_code == 404
    assert client.get(reverse("office:dossier_print", args=[dossier.code, form])).status_code == 404


@pytest.mark.parametrize("action", ["note", "refuse", "request_supplement", "forward", "receive"])
def test_an_officer_of_another_agency_cannot_act_on_the_dossier(world: World, action: str) -> None:
    dossier = world.create().dossier
    response = client_for(world.outsider).post(
        reverse("office:dossier_action", args=[dossier.code, action]),
        {"text": "x", "reason": "x", "content": "x", "note": "x"},
    )
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == dossier.status


def test_an_officer_of_another_agency_cannot_attach_a_file(world: World) -> None:
    from tests.portal.apply_fixtures import upload

    dossier = world.received()
    response = client_for(world.outsider).post(
        reverse("office:dossier_attach", args=[dossier.code]), {"kind": "result", "upload": upload()}
    )
    assert response.status_code == 404
    assert not DossierFile.objects.filter(dossier=dossier).exists()


def test_worklists_hold_only_the_officers_own_units(world: World) -> None:
    dossier = world.received()
    client = client_for(world.outsider)
    for view in ("mine", "unit", "overdue", "due_soon"):
        for q in ("", dossier.code, "0912345678", "Nguyễn"):
            response = client.get(reverse("office:home"), {"view": view, "q": q})
            assert response.status_code == 200
            assert all(row.dossier.pk != dossier.pk for row in response.context["rows"]), (view, q)
    assert dossier.code not in client.get(reverse("office:desk")).content.decode()


def test_the_desk_of_another_agency_does_not_list_online_submissions(world: World) -> None:
    dossier = world.create().dossier
    assert dossier.code not in client_for(world.outsider).get(reverse("office:desk")).content.decode()
    assert dossier.code in client_for(world.desk).get(reverse("office:desk")).content.decode()


def test_the_leader_view_ignores_a_unit_the_officer_does_not_lead(world: World) -> None:
    response = client_for(world.leader).get(reverse("office:leader"), {"unit": world.other_agency.code})
    assert response.status_code == 200
    assert response.context["unit"] == world.province
    assert all(u.pk != world.other_agency.pk for u in response.context["units"])


def test_the_leader_view_is_refused_to_plain_specialists(world: World) -> None:
    response = client_for(world.outsider).get(reverse("office:leader"), {"unit": world.department.code})
    assert response.status_code == 403


def test_counter_intake_refuses_an_agency_where_the_officer_is_not_at_the_desk(world: World) -> None:
    query = {"procedure": world.procedure.code, "agency": world.department.code, "channel": "counter"}
    response = client_for(world.outsider).post(
        reverse("office:desk_new") + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
        {"name": "Nguyễn Văn B", "phone": "0912345678"},
    )
    assert response.status_code == 200  # the start form is shown again: the agency is not a choice
    assert not Dossier.objects.filter(agency=world.department, channel="counter").exists()
