"""Where comments come from (Source) and what each collection did (SyncRun)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from .secrets import decrypt_json, encrypt_json


class Source(models.Model):
    """One connected upstream system: a helpdesk, a chat workspace, a survey export."""

    class Status(models.TextChoices):
        NEVER = "never", "Never run"
        OK = "ok", "Healthy"
        PARTIAL = "partial", "Ran, some items skipped"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=40)
    settings = models.JSONField(
        default=dict, blank=True, help_text="Validated by the kind's settings model."
    )
    # Fernet token of a JSON object; never rendered back, never logged.
    credentials = models.TextField(blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source",
        help_text="The schedule; edit it without a deploy.",
    )
    cursor = models.JSONField(default=dict, blank=True)
    # Set while a collection runs: at most one collection per source at a time.
    collecting_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Which process holds that lock ("host:pid"). On PostgreSQL the holder also holds a
    # session advisory lock, so a holder that died (killed, out of memory, its database
    # connection cut) is known dead at once (collectors.services.source_collect).
    collecting_by = models.CharField(max_length=100, blank=True, editable=False)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEVER)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # Credentials ------------------------------------------------------------------
    def get_secrets(self) -> dict[str, Any]:
        return decrypt_json(self.credentials) if self.credentials else {}

    def set_secrets(self, values: dict[str, Any]) -> None:
        self.credentials = encrypt_json(values) if values else ""

    def secret_names(self) -> list[str]:
        return sorted(self.get_secrets())


class SyncRun(models.Model):
    """One collection run of one source: the history an admin reads."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "Succeeded"
        PARTIAL = "partial", "Succeeded, some items skipped"
        FAILED = "failed", "Failed"

    MAX_SKIPS_KEPT = 200

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=20, default="schedule")
    full = models.BooleanField(default=False)
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # [{"item": "...", "reason": "..."}], the first MAX_SKIPS_KEPT of them.
    skips = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="syncrun_source_started")]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class WebhookEvent(models.Model):
    """One push delivery to a source's webhook URL, stored before anything else happens.

    `(source, delivery_id)` is unique: a redelivery (Slack's retries, a sender's retry)
    is recognised and changes nothing. The raw body is kept, so a failed event can be
    processed again after a fix; it never holds the source's secrets.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="webhook_events")
    delivery_id = models.CharField(max_length=255)
    received_at = models.DateTimeField()
    body = models.TextField(help_text="The raw JSON body as received.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "delivery_id"], name="webhookevent_source_delivery"
            )
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="webhookevent_status_received")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.delivery_id[:40]} {self.status}"


class TaskFailureQuerySet(models.QuerySet["TaskFailure"]):
    def recent(self, days: int = 7) -> TaskFailureQuerySet:
        return self.filter(failed_at__gte=timezone.now() - timedelta(days=days))


class TaskFailure(models.Model):
    """A background task that failed for good, after its bounded retries (sentiment.celery.
    EarshotTask): shown on the Sources page and in the Django admin.

    The work is not lost with it: comments left unscored are queued again by the sweep,
    a collection resumes from the saved cursor on its next run. An admin deletes a row
    once the cause is fixed.
    """

    MAX_IDS_KEPT = 20

    task = models.CharField(max_length=200)
    task_id = models.CharField(max_length=255, blank=True)
    # The message's arguments (ids and flags: messages never carry text or secrets); long
    # id lists are cut to their first MAX_IDS_KEPT and their length.
    arguments = models.JSONField(default=dict, blank=True)
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    failed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TaskFailureQuerySet.as_manager()

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self) -> str:
        return f"{self.task} {self.failed_at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(
        cls,
        *,
        task: str,
        task_id: str,
        args: Any,
        kwargs: Any,
        error: str,
        attempts: int,
    ) -> TaskFailure:
        from .secrets import redact

        return cls.objects.create(
            task=task[:200],
            task_id=(task_id or "")[:255],
            arguments={"args": _brief(list(args or [])), "kwargs": _brief(dict(kwargs or {}))},
            error=redact(error)[:5000],
            attempts=attempts,
        )


def _brief(value: Any) -> Any:
    """JSON-safe, with long lists cut: [1, 2, ..., "(500 in all)"]."""
    if isinstance(value, dict):
        return {str(k): _brief(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_brief(v) for v in value[: TaskFailure.MAX_IDS_KEPT]]
        if len(value) > TaskFailure.MAX_IDS_KEPT:
            items.append(f"({len(value)} in all)")
        return items
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:200]
