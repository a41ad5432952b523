"""What the dashboards store of their own: annotations drawn on the weekly chart, and the
audit log of who exported what and who changed sources, rules, users and roles."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


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


class AuditEvent(models.Model):
    """One entry of the audit log: when, who, what was done to which object, in short.

    Written by the code that made the change (collectors/services.py for sources, the
    export view, signal receivers in dashboards/audit.py for categories, the IT-staff
    directory, scoring rules, users and roles), never edited: the only permission is
    "view". Secret values are never part of it, only the names of secrets changed.
    Reading a thread is recorded in sentiment.ThreadViewLog, not here.
    """

    class Action(models.TextChoices):
        EXPORT = "export", "CSV export"
        SOURCE_CREATED = "source_created", "Source created"
        SOURCE_CHANGED = "source_changed", "Source changed"
        SOURCE_CREDENTIALS = "source_credentials", "Source credentials changed"
        SOURCE_DELETED = "source_deleted", "Source deleted"
        SOURCE_PAUSED = "source_paused", "Source paused"
        SOURCE_RESUMED = "source_resumed", "Source resumed"
        SOURCE_RUN = "source_run", "Collection started by hand"
        SOURCE_SCHEDULED = "source_scheduled", "Source schedule changed"
        DIRECTORY = "directory_changed", "IT-staff directory changed"
        CATEGORY = "category_changed", "Category rule changed"
        SCORING = "scoring_changed", "Scoring rule changed"
        USER = "user_changed", "User or role changed"
        TEXT_PURGED = "text_purged", "Old text removed (retention)"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(
        max_length=150,
        help_text='The user\'s name, "system" or "command line"; kept when the user is deleted.',
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target = models.CharField(
        max_length=200, blank=True, help_text="The object's name when it happened."
    )
    detail = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"], name="auditevent_action_at")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"
