"""Scoring and rollups: plain functions with the guarantees; tasks.py only wraps them.

- comments_score() scores only comments not yet scored at the current scorer version,
  so a re-delivered task changes nothing;
- it marks the (source, day) pairs it touched as pending in the same transaction;
- rollups_refresh() recomputes pending days from the comment table (never increments),
  so the rollup always equals a recomputation, whatever was delivered twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import scoring, weekly
from .cleaning import MAX_CLEAN, clean_text
from .models import Comment, DailyAuthor, DailySentiment, RollupPending, Thread, Voice
from .scoring import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

log = logging.getLogger(__name__)


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def comments_enqueue_scoring(comment_ids: list[int], *, force: bool = False) -> int:
    """Queue scoring in batches; messages carry ids only, never text."""
    from .tasks import score_comments

    n = 0
    for chunk in _chunks(sorted(comment_ids), settings.EARSHOT_SCORE_BATCH):
        score_comments.delay(chunk, force) if force else score_comments.delay(chunk)
        n += 1
    return n


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def comments_score(*, comment_ids: list[int], force: bool = False) -> int:
    """Score the given comments that need it; returns how many were scored. Idempotent:
    a comment already scored at the current version is left alone (unless `force`).

    A comment scored before (an older scorer version) is cleaned again from its raw text
    first, so a change to the cleaning reaches stored comments with the rescore."""
    now = timezone.now()
    revision = scoring.custom_revision()
    version = scoring.version_for(revision)
    an = scoring.analyzer(revision)
    with transaction.atomic():
        rows = _claim_for_scoring(comment_ids, force, version)
        # Text removed by retention (sentiment/retention.py; raw text is "" only then, and
        # such a comment was scored): its score stays, it is never re-scored from nothing.
        rows = [row for row in rows if row[3] != ""]
        if not rows:
            return 0
        scored = []
        recleaned: list[tuple[int, str]] = []
        touched: set[tuple[int, date]] = set()
        tz = timezone.get_current_timezone()  # looked up once, not per comment
        for pk, source_id, text, raw, created_at in rows:
            if raw is not None:
                fresh = clean_text(raw)[:MAX_CLEAN]
                if fresh != text:
                    recleaned.append((pk, fresh))
                    text = fresh
            s = scoring.score_clean(text, an)
            scored.append((pk, s.compound, s.pos, s.neu, s.neg))
            touched.add((source_id, created_at.astimezone(tz).date()))
        _write_scores(scored, now, version)
        if recleaned:
            Comment.objects.bulk_update(
                [Comment(pk=pk, clean_body=text) for pk, text in recleaned],
                ["clean_body"],
                batch_size=250,
            )
        rollups_mark(touched, now=now)
    transaction.on_commit(_enqueue_refresh, robust=True)
    return len(rows)


def _claim_for_scoring(
    comment_ids: list[int], force: bool, version: str
) -> list[tuple[int, int, str, str | None, datetime]]:
    """(id, source id, clean text, raw text if scored before else None, created at) of the
    given comments that need scoring, row-locked: two deliveries of one batch never score
    the same row at the same time."""
    if connection.vendor == "postgresql":
        # The ORM query below, written out: the id list as one array literal and plain
        # tuples back cost half as much per comment as compiling 500 placeholders.
        # The condition is CommentQuerySet.needs_scoring().
        needs = "" if force else " AND (compound IS NULL OR NOT scorer_version = %s)"
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id, source_id, clean_body,"
                " CASE WHEN scorer_version <> '' THEN raw_body END, created_at"
                f" FROM {Comment._meta.db_table}"
                f" WHERE id = ANY(%s::bigint[]){needs} FOR UPDATE SKIP LOCKED",
                [_array(map(int, comment_ids))] + ([] if force else [version]),
            )
            return cur.fetchall()
    pending = Comment.objects.filter(id__in=comment_ids)
    if not force:
        pending = pending.needs_scoring(version)
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True, of=("self",))
    return [
        (pk, src, clean, raw if old else None, at)
        for pk, src, clean, raw, old, at in pending.values_list(
            "id", "source_id", "clean_body", "raw_body", "scorer_version", "created_at"
        )
    ]


def _write_scores(
    scored: list[tuple[int, float, float, float, float]], now: datetime, version: str
) -> None:
    table = Comment._meta.db_table
    if connection.vendor == "postgresql":
        ids, compound, pos, neu, neg = zip(*scored, strict=True)
        with connection.cursor() as cur:
            # Columns as array literals: one array_in per column instead of one constant per
            # value. The ids also go in as `c.id = ANY(..)`, so the planner probes the primary
            # key: joining on c.id = v.id alone, it may hash-join against a full scan of the
            # comment table, once per batch.
            cur.execute(
                f"UPDATE {table} AS c SET compound = v.compound, pos = v.pos, neu = v.neu,"
                " neg = v.neg, scorer_version = %s, scored_at = %s"
                " FROM unnest(%s::bigint[], %s::float8[], %s::float8[], %s::float8[],"
                " %s::float8[]) AS v (id, compound, pos, neu, neg)"
                " WHERE c.id = v.id AND c.id = ANY(%s::bigint[])",
                [version, now, *map(_array, (ids, compound, pos, neu, neg)), _array(ids)],
            )
        return
    objs = [
        Comment(pk=pk, compound=c, pos=p, neu=u, neg=n, scorer_version=version, scored_at=now)
        for pk, c, p, u, n in scored
    ]
    Comment.objects.bulk_update(
        objs, ["compound", "pos", "neu", "neg", "scorer_version", "scored_at"], batch_size=250
    )


def _array(numbers: Iterable[int | float]) -> str:
    """A PostgreSQL array literal of numbers; repr() round-trips a float exactly."""
    return "{" + ",".join(map(repr, numbers)) + "}"


def rollups_mark(touched: Iterable[tuple[int, date]], *, now: datetime | None = None) -> None:
    """Mark (source, day) pairs for recompute, inside the caller's transaction.

    ON CONFLICT DO UPDATE row-locks the marker until the caller commits, so a refresher
    holding it FOR UPDATE makes us wait and we re-insert after it deleted: never lost.
    Sorted, so two writers lock markers in the same order and cannot deadlock.
    """
    now = now or timezone.now()
    rows = [RollupPending(source_id=s, day=d, marked_at=now) for s, d in sorted(set(touched))]
    if rows:
        RollupPending.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["source", "day"],
            update_fields=["marked_at"],
        )


def settle_seconds() -> float:
    """How long a day must be left alone before its rollup is recomputed (0 inline)."""
    from .celery import settle_window

    return settle_window(settings.EARSHOT_ROLLUP_SETTLE_SECONDS)


def _enqueue_refresh() -> None:
    from .celery import queue_after
    from .tasks import refresh_rollups

    # After the settle window: the days this batch marked are then claimable.
    queue_after(refresh_rollups, settle_seconds())


def rollups_refresh(*, max_days: int = 200, settle: float = 0.0) -> int:
    """Recompute pending (source, day) rollups until none are left; returns days recomputed.

    `settle`: leave days marked less than this many seconds ago for a later refresh.
    While score batches keep arriving for the same days (a big collection), each day is
    then recomputed once they pause, not once per batch; the sweep (settle 0) takes
    whatever is left.
    """
    done = 0
    while True:
        with transaction.atomic():
            claim = RollupPending.objects.order_by("source_id", "day")
            if settle:
                claim = claim.filter(marked_at__lte=timezone.now() - timedelta(seconds=settle))
            if connection.features.has_select_for_update_skip_locked:
                claim = claim.select_for_update(skip_locked=True)
            claimed = list(claim.values_list("id", "source_id", "day")[:max_days])
            if not claimed:
                break
            by_source: dict[int, list[date]] = {}
            for _, source_id, day in claimed:
                by_source.setdefault(source_id, []).append(day)
            for source_id, days in by_source.items():
                _recompute(source_id, days)
            weekly.weeks_mark({weekly.week_start_of(d) for _, _, d in claimed})
            RollupPending.objects.filter(id__in=[pk for pk, _, _ in claimed]).delete()
            done += len(claimed)
    if done:
        # The weeks of the days just recomputed are folded once they settle.
        weekly.weekly_refresh_soon()
    return done


def _recompute(source_id: int, days: list[date]) -> None:
    """Replace the rollup rows of these days by a recomputation from the comment table."""
    days = sorted(set(days))
    DailySentiment.objects.filter(source_id=source_id, day__in=days).delete()
    start, end = day_bounds(days[0])[0], day_bounds(days[-1])[1]
    _recompute_authors(source_id, days, start, end)
    groups = (
        Comment.objects.filter(
            source_id=source_id, voice=Voice.BUSINESS, created_at__gte=start, created_at__lt=end
        )
        .scored()
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .filter(day__in=days)
        .values("day", "thread__category_id", "thread__department")
        .annotate(
            n=Count("id"),
            sum_compound=Sum("compound"),
            n_positive=Count("id", filter=Q(compound__gte=POSITIVE_THRESHOLD)),
            n_negative=Count("id", filter=Q(compound__lte=NEGATIVE_THRESHOLD)),
        )
        .order_by()
    )
    if connection.vendor == "postgresql":
        # The same rows in one INSERT from columns: no model instance per rollup row.
        rows = [
            (
                g["day"],
                g["thread__category_id"],
                g["thread__department"],
                g["n"],
                g["sum_compound"],
                g["n_positive"],
                g["n_negative"],
            )
            for g in groups
        ]
        if rows:
            with connection.cursor() as cur:
                cur.execute(
                    f"INSERT INTO {DailySentiment._meta.db_table} (day, source_id, category_id,"
                    " department, n, sum_compound, n_positive, n_negative, n_neutral)"
                    " SELECT g.day, %s, g.category_id, g.department, g.n, g.sum_compound,"
                    " g.n_positive, g.n_negative, g.n - g.n_positive - g.n_negative"
                    " FROM unnest(%s::date[], %s::bigint[], %s::text[], %s::int[], %s::float8[],"
                    " %s::int[], %s::int[]) AS g (day, category_id, department, n, sum_compound,"
                    " n_positive, n_negative)",
                    [source_id, *(list(col) for col in zip(*rows, strict=True))],
                )
        return
    DailySentiment.objects.bulk_create(
        [
            DailySentiment(
                day=g["day"],
                source_id=source_id,
                category_id=g["thread__category_id"],
                department=g["thread__department"],
                n=g["n"],
                sum_compound=g["sum_compound"],
                n_positive=g["n_positive"],
                n_negative=g["n_negative"],
                n_neutral=g["n"] - g["n_positive"] - g["n_negative"],
            )
            for g in groups
        ],
        batch_size=500,
    )


def _recompute_authors(source_id: int, days: list[date], start: datetime, end: datetime) -> None:
    """DailyAuthor rows of these days, from the comment table (see the model)."""
    DailyAuthor.objects.filter(source_id=source_id, day__in=days).delete()
    if connection.vendor == "postgresql":
        c, t = Comment._meta.db_table, Thread._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {DailyAuthor._meta.db_table} (day, source_id, category_id,"
                " department, person_key)"
                " SELECT DISTINCT (c.created_at AT TIME ZONE %s)::date, c.source_id,"
                " t.category_id, t.department, COALESCE(c.author_id, -c.thread_id)"
                f" FROM {c} c JOIN {t} t ON t.id = c.thread_id"
                " WHERE c.source_id = %s AND c.voice = %s AND c.compound IS NOT NULL"
                " AND c.created_at >= %s AND c.created_at < %s"
                " AND (c.created_at AT TIME ZONE %s)::date = ANY(%s::date[])",
                [
                    str(timezone.get_current_timezone()),
                    source_id,
                    Voice.BUSINESS,
                    start,
                    end,
                    str(timezone.get_current_timezone()),
                    [d.isoformat() for d in days],
                ],
            )
        return
    rows = (
        Comment.objects.filter(
            source_id=source_id, voice=Voice.BUSINESS, created_at__gte=start, created_at__lt=end
        )
        .scored()
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .filter(day__in=days)
        .values_list("day", "thread__category_id", "thread__department", "author_id", "thread_id")
        .distinct()
    )
    keys = {(d, cat, dept, a if a is not None else -th) for d, cat, dept, a, th in rows}
    DailyAuthor.objects.bulk_create(
        [
            DailyAuthor(day=d, source_id=source_id, category_id=cat, department=dept, person_key=k)
            for d, cat, dept, k in keys
        ],
        batch_size=500,
    )


def comments_rescore(
    *,
    force: bool = False,
    unscored_only: bool = False,
    outdated_only: bool = False,
    after_id: int = 0,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> int:
    """Queue comments for scoring, walking by id in pages (resumable with `after_id`).

    Default: those not scored at the current version. `unscored_only`: never scored (the
    sweep). `outdated_only`: scored at an older version (the sweep). `force`: every
    comment (rescore --all). `limit`: stop after about this many.
    """
    if force:
        qs = Comment.objects.all()
    elif unscored_only:
        # Only those left unscored for a while: fresh ones still have their task queued.
        settled = timezone.now() - timedelta(minutes=10)
        qs = Comment.objects.filter(compound__isnull=True, updated_at__lt=settled)
    elif outdated_only:
        # Scored, but at an older version (fresh unscored ones have their task queued).
        qs = Comment.objects.filter(compound__isnull=False).exclude(
            scorer_version=scoring.current_version()
        )
    else:
        qs = Comment.objects.needs_scoring(scoring.current_version())
    qs = qs.exclude(raw_body="")  # text removed by retention: kept as scored, not queued
    queued, last_id = 0, after_id
    page = settings.EARSHOT_SCORE_BATCH * 20
    while True:
        ids = list(qs.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:page])
        if not ids:
            return queued
        comments_enqueue_scoring(ids, force=force)
        queued += len(ids)
        last_id = ids[-1]
        if progress:
            progress(queued, last_id)
        if limit is not None and queued >= limit:
            return queued
