"""The satisfaction survey a citizen answers after receiving a result, kept as data.

Modelled on the 12-criterion survey of the national public-service portal (Cổng Dịch vụ công quốc
gia) and the service index of Decision 766/QĐ-TTg. The exact wording and order MUST be checked
against the national survey in force before a deployment reports ratings upstream: when the
national survey changes, add a new `Survey` with a new version id instead of editing this one, so
stored ratings keep pointing at the questions they answered.

Scale (each criterion and the overall question), shown in this order:
    3 = Hài lòng (satisfied), 2 = Bình thường (neutral), 1 = Không hài lòng (dissatisfied).
"""

from __future__ import annotations

from dataclasses import dataclass

from egov.core.ui import in_language

SATISFIED = 3
NEUTRAL = 2
DISSATISFIED = 1
SCORES = (SATISFIED, NEUTRAL, DISSATISFIED)
SCALE: dict[int, tuple[str, str]] = {
    SATISFIED: ("Hài lòng", "Satisfied"),
    NEUTRAL: ("Bình thường", "Neutral"),
    DISSATISFIED: ("Không hài lòng", "Dissatisfied"),
}


@dataclass(frozen=True)
class Criterion:
    code: str
    vi: str
    en: str

    @property
    def text(self) -> str:
        return in_language(self.vi, self.en)


@dataclass(frozen=True)
class Survey:
    version: str
    criteria: tuple[Criterion, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria)


DVCQG_12_2021 = Survey(
    version="dvcqg-12-2021",
    criteria=(
        Criterion(
            "info_available",
            "Thông tin về thủ tục hành chính được công khai đầy đủ, dễ tìm, dễ hiểu",
            "Information on the procedure is published in full and easy to find and understand",
        ),
        Criterion(
            "documents_as_published",
            "Thành phần hồ sơ phải nộp đúng như quy định đã công khai",
            "The documents asked for were those published",
        ),
        Criterion(
            "fees_as_published",
            "Phí, lệ phí phải nộp đúng như quy định đã công khai",
            "The fees and charges paid were those published",
        ),
        Criterion(
            "time_limit_as_published",
            "Thời hạn giải quyết đúng như quy định đã công khai",
            "The time limit was the one published",
        ),
        Criterion(
            "convenient_submission",
            "Cách thức nộp hồ sơ, nhận kết quả thuận tiện",
            "Submitting the dossier and receiving the result was convenient",
        ),
        Criterion(
            "officer_attitude",
            "Thái độ của cán bộ, công chức tiếp nhận, giải quyết hồ sơ lịch sự, tôn trọng",
            "The officers who received and handled the dossier were polite and respectful",
        ),
        Criterion(
            "clear_guidance",
            "Cán bộ, công chức hướng dẫn kê khai, bổ sung hồ sơ rõ ràng, dễ hiểu",
            "The guidance on filling in and completing the dossier was clear",
        ),
        Criterion(
            "at_most_one_supplement",
            "Hồ sơ chỉ phải bổ sung, hoàn thiện không quá một lần",
            "The dossier had to be completed no more than once",
        ),
        Criterion(
            "informed_of_progress",
            "Được thông tin về tình hình giải quyết hồ sơ, kể cả khi chậm hạn",
            "I was kept informed of the progress, including any delay",
        ),
        Criterion(
            "result_on_time",
            "Kết quả được trả đúng hẹn",
            "The result was returned on the appointment date",
        ),
        Criterion(
            "result_correct",
            "Kết quả giải quyết chính xác, đầy đủ, đúng quy định",
            "The result was correct, complete and lawful",
        ),
        Criterion(
            "feedback_answered",
            "Phản ánh, kiến nghị (nếu có) được tiếp nhận và trả lời thỏa đáng",
            "Feedback or complaints (if any) were received and answered properly",
        ),
    ),
)

CURRENT = DVCQG_12_2021
SURVEYS: dict[str, Survey] = {DVCQG_12_2021.version: DVCQG_12_2021}


def scale_label(score: int) -> str:
    vi, en = SCALE[score]
    return in_language(vi, en)
