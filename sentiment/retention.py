"""Retention: what people wrote is kept EARSHOT_RETENTION_DAYS days, its scores for good.

`text_purge()` (daily task `sentiment.purge_old_text`, `manage.py purge_text`) removes,
for everything older than the cut-off:

- the raw and clean text of comments created before it, once they are scored (a comment
  not scored yet keeps its text until the sweep has scored it: it is never scored from
  nothing, and sentiment.services never re-scores a comment whose text was removed);
- the text analysts' "wrong sentiment" corrections copied from those comments;
- the titles of threads whose every comment has lost its text (a title is usually the
  first line of the complaint);
- the display names and e-mail addresses of people with no comment after the cut-off
  (their pseudonym, a keyed hash, stays, and so does their IT-staff / business voice);
- processed and failed webhook deliveries received before it (their body is raw text).

Scores, labels, voices, dates, categories, departments and every rollup (daily, weekly,
people counts) are left exactly as they are: a rollup recomputed later from the comment
table gives the same figures. The work goes in batches by id, each its own transaction,
and only touches rows that still hold text, so a run interrupted half-way or run twice
changes nothing more. Pages show "(text removed after N days)" where text was removed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Comment, LabelCorrection, Person, Thread

BATCH = 2000


@dataclass
class PurgeResult:
    days: int
    cutoff: datetime | None
    comments: int = 0
    corrections: int = 0
    threads: int = 0
    people: int = 0
    webhook_events: int = 0
    dry_run: bool = False

    @property
    def total(self) -> int:
        return self.comments + self.corrections + self.threads + self.people + self.webhook_events

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["cutoff"] = self.cutoff.isoformat() if self.cutoff else None
        return out

    def describe(self) -> str:
        return (
            f"{self.comments} comments, {self.corrections} corrections, {self.threads} thread "
            f"titles, {self.people} people's names, {self.webhook_events} webhook deliveries"
        )


def retention_days() -> int:
    return max(int(getattr(settings, "EARSHOT_RETENTION_DAYS", 0) or 0), 0)


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=days)


def removed_notice() -> str:
    """What pages show where text was removed."""
    days = retention_days()
    return f"(text removed after {days} days)" if days else "(text removed)"


def comment_text_removed(comment: Comment) -> bool:
    """Ingest never stores an empty body: an empty one was removed by retention."""
    return comment.raw_body == ""


def thread_title_removed(thread: Thread, now: datetime | None = None) -> bool:
    days = retention_days()
    return bool(days) and not thread.title and thread.last_activity_at < cutoff_for(days, now)


def _comments_to_purge(cutoff: datetime) -> Any:
    # Scored only: a comment whose text is removed can never be scored again.
    return Comment.objects.filter(created_at__lt=cutoff, compound__isnull=False).exclude(
        raw_body="", clean_body=""
    )


def _in_batches(queryset: Any, write: Any, batch: int) -> int:
    """Walk `queryset` by id, calling write(ids) in one transaction per batch; the sum of
    what write() returns."""
    done, last = 0, 0
    while True:
        with transaction.atomic():
            ids = list(
                queryset.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:batch]
            )
            if not ids:
                return done
            done += write(ids)
            last = ids[-1]


def text_purge(
    *,
    days: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    actor: Any = None,
) -> PurgeResult:
    """Remove text older than `days` (default EARSHOT_RETENTION_DAYS; 0 does nothing).
    With `dry_run`, only count what would be removed. Idempotent (see the module)."""
    from collectors.models import WebhookEvent

    days = retention_days() if days is None else days
    if days <= 0:
        return PurgeResult(days=0, cutoff=None, dry_run=dry_run)
    cutoff = cutoff_for(days, now)
    result = PurgeResult(days=days, cutoff=cutoff, dry_run=dry_run)
    comments = _comments_to_purge(cutoff)
    # Text that stays after this run: newer comments, and old ones not scored yet.
    stays = Comment.objects.exclude(raw_body="").filter(
        Q(created_at__gte=cutoff) | Q(compound__isnull=True)
    )
    threads = (
        Thread.objects.filter(last_activity_at__lt=cutoff)
        .exclude(title="")
        .filter(~Exists(stays.filter(thread=OuterRef("pk"))))
    )
    people = Person.objects.exclude(display_name="", email="").filter(
        ~Exists(Comment.objects.filter(author=OuterRef("pk"), created_at__gte=cutoff))
    )
    deliveries = WebhookEvent.objects.filter(received_at__lt=cutoff).exclude(
        status=WebhookEvent.Status.PENDING
    )
    corrections = LabelCorrection.objects.exclude(text="")
    if dry_run:
        result.comments = comments.count()
        result.corrections = corrections.filter(
            Q(comment__in=comments.values("id")) | Q(comment__raw_body="")
        ).count()
        result.threads = threads.count()
        result.people = people.count()
        result.webhook_events = deliveries.count()
        return result

    def blank_comments(ids: list[int]) -> int:
        # The conditions again, under the write: a comment edited upstream (re-collected,
        # score cleared) since the ids were read keeps its new text until it is scored.
        return comments.filter(id__in=ids).update(raw_body="", clean_body="")

    result.comments = _in_batches(comments, blank_comments, batch)
    # Also those of comments purged by an earlier run that was interrupted.
    result.corrections = _in_batches(
        corrections.filter(comment__raw_body=""),
        lambda ids: LabelCorrection.objects.filter(id__in=ids).update(text=""),
        batch,
    )
    result.threads = _in_batches(
        threads, lambda ids: threads.filter(id__in=ids).update(title=""), batch
    )
    result.people = _in_batches(
        people, lambda ids: people.filter(id__in=ids).update(display_name="", email=""), batch
    )
    result.webhook_events = _in_batches(
        deliveries, lambda ids: WebhookEvent.objects.filter(id__in=ids).delete()[0], batch
    )
    if result.total:
        from dashboards.audit import audit_record

        audit_record(
            action="text_purged",
            actor=actor,
            target_type="retention",
            target=f"older than {days} days",
            detail=f"removed the text of {result.describe()} from before {cutoff:%Y-%m-%d %H:%M}",
        )
    return result
