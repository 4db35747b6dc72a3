"""Satisfaction ratings of citizens after they receive a result."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Rating(models.Model):
    """One rating per dossier, by its applicant: a score per survey criterion and a comment."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="rating")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    survey = models.CharField(max_length=40, help_text="Survey version the scores answer.")
    scores = models.JSONField(help_text="Criterion code → score.")
    overall = models.PositiveSmallIntegerField(help_text="Overall satisfaction (1 to 3).")
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "đánh giá"
        verbose_name_plural = "đánh giá"

    def __str__(self) -> str:
        return f"{self.dossier_id} rating"
