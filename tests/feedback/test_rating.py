"""Satisfaction ratings: the survey as data and the one service that records a rating."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.models import User
from egov.core.models import Event
from egov.dossiers.models import Dossier
from egov.feedback import criteria
from egov.feedback.models import Rating
from egov.feedback.services import (
    AlreadyRated,
    RatingInvalid,
    RatingNotAllowedYet,
    RatingNotPermitted,
    rate_dossier,
)
from egov.testing.auth import sign_in
from tests.dossiers.factories import World
from tests.portal import mine_fixtures
from tests.portal.mine_fixtures import finished, returned

world = mine_fixtures.world

pytestmark = pytest.mark.django_db

SURVEY = criteria.CURRENT


def scores(value: Any = 3) -> dict[str, Any]:
    return dict.fromkeys(SURVEY.codes, value)


def events(dossier: Dossier) -> int:
    return Event.objects.filter(aggregate_id=dossier.code, kind="dossier.rated").count()


# --- the survey ---------------------------------------------------------------------------------------


def test_the_survey_has_12_distinct_criteria_worded_in_both_languages() -> None:
    assert SURVEY.version == "dvcqg-12-2021"
    assert len(SURVEY.criteria) == 12
    assert len(set(SURVEY.codes)) == 12
    for criterion in SURVEY.criteria:
        assert criterion.vi.strip() and criterion.en.strip()
    assert criteria.SURVEYS[SURVEY.version] is SURVEY


def test_the_scale_is_satisfied_neutral_dissatisfied() -> None:
    assert criteria.SCORES == (3, 2, 1)
    assert [criteria.SCALE[s][0] for s in criteria.SCORES] == ["Hài lòng", "Bình thường", "Không hài lòng"]


# --- who and when -------------------------------------------------------------------------------------


def test_the_applicant_rates_a_returned_dossier_once_with_its_event(world: World) -> None:
    dossier = returned(world)
    rating = rate_dossier(world.citizen, dossier, scores(2), 3, "  Cán bộ nhiệt tình.  ")
    assert rating.scores == scores(2)
    assert rating.overall == 3
    assert rating.comment == "Cán bộ nhiệt tình."
    assert rating.survey == SURVEY.version
    assert rating.rated_by == world.citizen
    assert events(dossier) == 1


def test_scores_sent_as_form_text_are_accepted(world: World) -> None:
    dossier = returned(world)
    assert rate_dossier(world.citizen, dossier, scores("1"), "2").scores == scores(1)


def test_a_second_rating_is_a_conflict(world: World) -> None:
    dossier = returned(world)
    rate_dossier(world.citizen, dossier, scores(3), 3)
    with pytest.raises(AlreadyRated) as caught:
        rate_dossier(world.citizen, dossier, scores(1), 1)
    assert caught.value.status == 409
    assert Rating.objects.get(dossier=dossier).overall == 3
    assert events(dossier) == 1


def test_rating_before_the_result_is_returned_is_refused(world: World) -> None:
    dossier = finished(world)
    with pytest.raises(RatingNotAllowedYet) as caught:
        rate_dossier(world.citizen, dossier, scores(), 3)
    assert "trả kết quả" in caught.value.vi
    assert "returned" in caught.value.en
    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["other_citizen", "desk", "leader", "outsider"])
def test_only_the_applicant_may_rate(world: World, who: str) -> None:
    dossier = returned(world)
    actor: User = getattr(world, who)
    with pytest.raises(RatingNotPermitted):
        rate_dossier(actor, dossier, scores(), 3)
    assert not Rating.objects.exists()
    assert events(dossier) == 0


# --- what ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"drop": 0},
        {"set": (0, 0)},
        {"set": (1, 4)},
        {"set": (2, "abc")},
        {"set": (3, True)},
        {"set": (4, None)},
        {"set": (5, "2.5")},
        {"extra": "not_a_criterion"},
    ],
)
def test_every_criterion_must_be_scored_in_range(world: World, change: dict[str, Any]) -> None:
    dossier = returned(world)
    given = scores()
    if "drop" in change:
        del given[SURVEY.codes[change["drop"]]]
    if "set" in change:
        index, value = change["set"]
        given[SURVEY.codes[index]] = value
    if "extra" in change:
        given[change["extra"]] = 3
    with pytest.raises(RatingInvalid):
        rate_dossier(world.citizen, dossier, given, 3)
    assert not Rating.objects.exists()


@pytest.mark.parametrize("overall", [None, 0, 4, "x"])
def test_the_overall_score_must_be_in_range(world: World, overall: Any) -> None:
    with pytest.raises(RatingInvalid) as caught:
        rate_dossier(world.citizen, returned(world), scores(), overall)
    assert "overall" in caught.value.detail["invalid"]


def test_the_comment_is_at_most_2000_characters(world: World) -> None:
    dossier = returned(world)
    with pytest.raises(RatingInvalid):
        rate_dossier(world.citizen, dossier, scores(), 3, "x" * 2001)
    assert rate_dossier(world.citizen, dossier, scores(), 3, "x" * 2000).comment == "x" * 2000


# --- admin --------------------------------------------------------------------------------------------


def test_the_admin_lists_ratings_in_vietnamese_read_only(world: World) -> None:
    dossier = returned(world)
    rating = rate_dossier(world.citizen, dossier, scores(), 2, "Tốt")
    admin = User.objects.create_superuser("quantri", "qt@example.vn", "x")
    client = Client()
    sign_in(client, admin)
    listing = client.get(reverse("admin:feedback_rating_changelist"))
    body = listing.content.decode()
    assert listing.status_code == 200
    assert dossier.code in body
    assert "Mức hài lòng chung" in body
    assert "Bình thường" in body
    detail = client.get(reverse("admin:feedback_rating_change", args=[rating.pk])).content.decode()
    assert "Điểm theo tiêu chí" in detail
    assert SURVEY.criteria[0].vi in detail
    assert client.get(reverse("admin:feedback_rating_add")).status_code == 403
