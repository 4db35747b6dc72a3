"""Admin: ratings are read-only (the citizen's answer is never edited by an officer)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from egov.core.admin import ReadOnlyMixin
from egov.feedback.criteria import SCALE, SURVEYS
from egov.feedback.models import Rating

SCALE_VI = {score: vi for score, (vi, _en) in SCALE.items()}


class OverallFilter(admin.SimpleListFilter):
    title = "mức hài lòng chung"
    parameter_name = "overall"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(score), label) for score, label in SCALE_VI.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Rating]) -> QuerySet[Rating]:
        value = self.value()
        return queryset.filter(overall=int(value)) if value and value.isdigit() else queryset


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, admin.ModelAdmin[Rating]):
    list_display = ["dossier_code", "overall_label", "survey_version", "rated_by_name", "rated_at"]
    list_filter = [OverallFilter]
    search_fields = ["dossier__code"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier", "rated_by"]
    readonly_fields = (
        "dossier_code",
        "rated_by_name",
        "survey_version",
        "overall_label",
        "answers",
        "comment_text",
        "rated_at",
    )
    fields = readonly_fields
    show_full_result_count = False

    @admin.display(description="Mã hồ sơ", ordering="dossier__code")
    def dossier_code(self, obj: Rating) -> str:
        return obj.dossier.code

    @admin.display(description="Mức hài lòng chung", ordering="overall")
    def overall_label(self, obj: Rating) -> str:
        return SCALE_VI.get(obj.overall, str(obj.overall))

    @admin.display(description="Phiên bản phiếu khảo sát", ordering="survey")
    def survey_version(self, obj: Rating) -> str:
        return obj.survey

    @admin.display(description="Người đánh giá")
    def rated_by_name(self, obj: Rating) -> str:
        return obj.rated_by.get_username() if obj.rated_by else "—"

    @admin.display(description="Thời điểm đánh giá", ordering="created_at")
    def rated_at(self, obj: Rating) -> Any:
        return obj.created_at

    @admin.display(description="Ý kiến góp ý")
    def comment_text(self, obj: Rating) -> str:
        return obj.comment or "—"

    @admin.display(description="Điểm theo tiêu chí")
    def answers(self, obj: Rating) -> str:
        survey = SURVEYS.get(obj.survey)
        labels = {c.code: c.vi for c in survey.criteria} if survey else {}
        lines = [f"{labels.get(code, code)}: {SCALE_VI.get(s, s)}" for code, s in obj.scores.items()]
        return "\n".join(lines)
