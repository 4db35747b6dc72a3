"""Satisfaction ratings: the only writer of `Rating`.

A rating is the applicant's, once per dossier, and only once the result is in their hands (status
10, returned): before that the survey's questions on timeliness and correctness have no answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.core.events import record_event
from egov.dossiers.models import Dossier, Status
from egov.dossiers.permissions import is_applicant
from egov.feedback.criteria import CURRENT, SCORES, Survey
from egov.feedback.models import Rating

MAX_COMMENT = 2000
RATED = "dossier.rated"
RATABLE = (Status.RETURNED,)


class RatingNotAllowedYet(Conflict):
    code = "rating_not_allowed_yet"
    vi = "Chỉ đánh giá được sau khi hồ sơ đã được trả kết quả."
    en = "A dossier can be rated only after its result has been returned."


class AlreadyRated(Conflict):
    code = "already_rated"
    vi = "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ được đánh giá một lần."
    en = "This dossier has already been rated; a dossier is rated once."


class RatingInvalid(ValidationFailed):
    code = "rating_invalid"
    vi = "Vui lòng chấm điểm đủ mọi tiêu chí (Hài lòng, Bình thường hoặc Không hài lòng)."
    en = "Please score every criterion (satisfied, neutral or dissatisfied)."


class RatingNotPermitted(PermissionDenied):
    code = "rating_not_permitted"
    vi = "Chỉ người nộp hồ sơ mới được đánh giá hồ sơ này."
    en = "Only the applicant may rate this dossier."


def rating_open(dossier: Dossier) -> bool:
    """The result is in the applicant's hands: the survey can be answered (asked by the pages too)."""
    return dossier.status in RATABLE


def _score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in SCORES and str(value).strip() == str(number) else None


def clean_scores(survey: Survey, scores: Mapping[str, Any], overall: Any) -> tuple[dict[str, int], int]:
    """Every criterion scored in range and nothing else; RatingInvalid lists the bad ones."""
    cleaned: dict[str, int] = {}
    bad: list[str] = []
    for code in survey.codes:
        value = _score(scores.get(code))
        if value is None:
            bad.append(code)
        else:
            cleaned[code] = value
    unknown = sorted(set(scores) - set(survey.codes))
    overall_value = _score(overall)
    if overall_value is None:
        bad.append("overall")
    if bad or unknown:
        raise RatingInvalid(detail={"invalid": bad, "unknown": unknown})
    assert overall_value is not None
    return cleaned, overall_value


def rate_dossier(
    actor: Any,
    dossier: Dossier,
    scores: Mapping[str, Any],
    overall: Any,
    comment: str = "",
    *,
    survey: Survey = CURRENT,
) -> Rating:
    """Record the applicant's one rating of a returned dossier, with its event, in one transaction."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if not is_applicant(actor, dossier):
            raise RatingNotPermitted(detail={"code": dossier.code})
        if not rating_open(dossier):
            raise RatingNotAllowedYet(detail={"status": dossier.status})
        if Rating.objects.filter(dossier=dossier).exists():
            raise AlreadyRated(detail={"code": dossier.code})
        cleaned, overall_value = clean_scores(survey, scores, overall)
        text = (comment or "").strip()
        if len(text) > MAX_COMMENT:
            raise RatingInvalid(
                "Ý kiến góp ý tối đa 2000 ký tự.",
                "The comment may be at most 2000 characters.",
                detail={"field": "comment", "max_length": MAX_COMMENT},
            )
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    dossier=dossier,
                    rated_by=actor,
                    survey=survey.version,
                    scores=cleaned,
                    overall=overall_value,
                    comment=text,
                    created_at=timezone.now(),
                )
        except IntegrityError as exc:  # a concurrent rating won the race
            raise AlreadyRated(detail={"code": dossier.code}) from exc
        record_event(
            actor=actor,
            aggregate_type="dossier",
            aggregate_id=dossier.code,
            kind=RATED,
            data={"survey": survey.version, "overall": overall_value, "scores": cleaned},
        )
        return rating
