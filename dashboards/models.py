"""What the dashboards store of their own: annotations drawn on the weekly chart."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Annotation(models.Model):
    """Something that happened and explains a change in sentiment: an outage, a rollout.

    Drawn on the overview's weekly chart as a band from `start` to `end` (a marker when
    there is no end) and listed under it. Added by admins and analysts.
    """

    class Kind(models.TextChoices):
        OUTAGE = "outage", "Outage"
        ROLLOUT = "rollout", "Rollout"
        CHANGE = "change", "Change"
        OTHER = "other", "Other"

    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Empty: a single day.")
    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    note = models.TextField(blank=True, max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["start"], name="annotation_start")]

    def __str__(self) -> str:
        return f"{self.start} {self.title}"

    @property
    def last_day(self) -> date:
        return self.end or self.start

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date is before the start date."})
