"""The weekly layer: the daily rollups folded into ISO weeks, for the overview.

Distinct people cannot be added up across days or groups, and the overview needs them for
every figure it shows (the fewer-than-5 rule). Counting them from DailyAuthor at request
time meant reading millions of rows; here they are counted once per week when a week's
days change, and the overview reads a few hundred rows:

- WeeklyRollup: per week, the total and each source, service category and department,
  with exact distinct people;
- WeeklyLift: per week and category, the threads whose last scored business comment falls
  in the week, the sum of (last - first compound) and distinct openers, from Thread.lift_*,
  which the day recompute keeps for the threads it touches;
- WeeklyTheme: the week's frequent phrases in negative business comments, refreshed once
  the week's figures have settled (they read comment text).

Same guarantees as the daily rollups: recomputed, never incremented; a week is marked
pending in the transaction that changed one of its days and claimed with SKIP LOCKED.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import (
    Comment,
    DailyAuthor,
    DailySentiment,
    Thread,
    Voice,
    WeeklyLift,
    WeeklyPending,
    WeeklyRollup,
    WeeklyState,
    WeeklyTheme,
)

# No figure is shown for a group of fewer than this many distinct people.
MIN_PEOPLE = 5

# pg_advisory_xact_lock key serialising weekly refreshes ("EARSHOTWK" in hex, truncated).
WEEKLY_LOCK = 0x4541525348_4F54

DIMENSION_FIELDS = {
    WeeklyRollup.SOURCE: "source_id",
    WeeklyRollup.CATEGORY: "category_id",
    WeeklyRollup.DEPARTMENT: "department",
}


def week_start_of(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def _tz() -> str:
    return str(timezone.get_current_timezone())


# --- marking and claiming -----------------------------------------------------------


def weeks_mark(weeks: Iterable[date], *, now: datetime | None = None) -> None:
    """Mark weeks for recompute inside the caller's transaction (as rollups_mark)."""
    now = now or timezone.now()
    rows = [WeeklyPending(week=w, marked_at=now) for w in sorted(set(weeks))]
    if rows:
        WeeklyPending.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["week"], update_fields=["marked_at"]
        )


def weekly_refresh(*, max_weeks: int = 20, settle: float = 0.0, max_passes: int = 100) -> int:
    """Recompute the pending weeks' WeeklyRollup and WeeklyLift rows; returns weeks done.

    `settle`: leave weeks marked less than this many seconds ago for a later refresh, so
    that during a large collection a week is folded once its days stop changing, not
    after every day's recompute.

    The markers are read without a lock and deleted at the end only if nobody marked the
    week again meanwhile (same marked_at), so a day refresh marking a week never waits
    for a weekly refresh, and a week re-marked during its recompute is done again."""
    done = 0
    for _ in range(max_passes):
        due = WeeklyPending.objects.order_by("week")
        if settle:
            due = due.filter(marked_at__lte=timezone.now() - timedelta(seconds=settle))
        claimed = list(due.values_list("id", "week", "marked_at")[:max_weeks])
        if not claimed:
            break
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One weekly refresh at a time: Thread.lift_* and WeeklyLift rows of weeks
                # other than these change below (a thread moves to a later week), so two
                # refreshes must not interleave. The work is small.
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [WEEKLY_LOCK])
            weeks = sorted({w for _, w, _ in claimed})
            # Threads with a comment in these weeks: their lift, and the other weeks a
            # thread moved from or to, whose lift rows are recomputed with these.
            moved = threads_lift_update(weeks)
            _recompute_rollup(weeks)
            _recompute_lift(sorted(set(weeks) | moved))
            now = timezone.now()
            WeeklyState.objects.bulk_create(
                [WeeklyState(week=w, changed_at=now) for w in weeks],
                update_conflicts=True,
                unique_fields=["week"],
                update_fields=["changed_at"],
            )
            unchanged = Q()
            for pk, _, marked_at in claimed:
                unchanged |= Q(pk=pk, marked_at=marked_at)
            WeeklyPending.objects.filter(unchanged).delete()
            done += len(claimed)
    return done


def weeks_of_source(source_id: int) -> set[date]:
    """The weeks a source's rollups and thread lifts are folded into (before deleting it)."""
    days = DailySentiment.objects.filter(source_id=source_id).values_list("day", flat=True)
    lifts = Thread.objects.filter(source_id=source_id).exclude(lift_week=None)
    return {week_start_of(d) for d in days.distinct().order_by()} | set(
        lifts.values_list("lift_week", flat=True).distinct().order_by()
    )


def weeks_settle_seconds() -> float:
    """How long a week must be left alone before it is folded again (0 inline)."""
    from .celery import settle_window

    return settle_window(settings.EARSHOT_WEEKS_SETTLE_SECONDS)


_scheduled_at = -1e9


def weekly_refresh_soon() -> None:
    """Queue the task that folds the pending weeks once they settle (inline when tasks
    run inline). At most one per process per settle window: the task queues itself again
    while weeks are still pending, so none is left behind."""
    global _scheduled_at
    from .celery import queue_after
    from .tasks import refresh_weeks

    settle = weeks_settle_seconds()
    now = monotonic()
    if settle and now - _scheduled_at < settle:
        return
    _scheduled_at = now
    queue_after(refresh_weeks, settle)


def themes_refresh_soon() -> None:
    """Queue the task that finds the changed weeks' themes once they settle."""
    from .celery import queue_after
    from .tasks import refresh_themes

    queue_after(refresh_themes, themes_settle_seconds())


def weeks_pending() -> bool:
    return WeeklyPending.objects.exists()


def weekly_rebuild() -> int:
    """Every week that has daily rollups, recomputed now (after a bulk load or an
    upgrade); themes included. Thread.lift_* must be current (see threads_lift_rebuild)."""
    days = DailySentiment.objects.values_list("day", flat=True).distinct().order_by()
    weeks = sorted({week_start_of(d) for d in days})
    lift_weeks = Thread.objects.exclude(lift_week=None).values_list("lift_week", flat=True)
    weeks = sorted(set(weeks) | set(lift_weeks.distinct().order_by()))
    for i in range(0, len(weeks), 20):
        with transaction.atomic():
            weeks_mark(weeks[i : i + 20])
        weekly_refresh()
    themes_refresh()
    return len(weeks)


# --- Thread.lift_* --------------------------------------------------------------------


# Per thread, over its scored business comments `c`: first and last score, who opened it
# (a person key as in DailyAuthor) and when the last one was written.
_LIFT_COLUMNS = (
    "(array_agg(c.compound ORDER BY c.created_at, c.id))[1] AS first_score,"
    " (array_agg(c.compound ORDER BY c.created_at DESC, c.id DESC))[1] AS last_score,"
    " (array_agg(COALESCE(c.author_id, -c.thread_id) ORDER BY c.created_at, c.id))[1]"
    " AS opener, max(c.created_at) AS last_at"
)


def threads_lift_update(weeks: list[date]) -> set[date]:
    """Recompute Thread.lift_* for the threads with a comment in one of `weeks`; return
    the weeks whose WeeklyLift rows change (each changed thread's old and new week: a
    thread that gets a later comment moves to a later week)."""
    if not weeks:
        return set()
    tz = timezone.get_current_timezone()
    start = datetime.combine(min(weeks), time.min, tzinfo=tz)
    end = datetime.combine(max(weeks) + timedelta(weeks=1), time.min, tzinfo=tz)
    if connection.vendor == "postgresql":
        c, t = Comment._meta.db_table, Thread._meta.db_table
        with connection.cursor() as cur:
            # Threads whose span meets the weeks (thread_last_activity index; a thread's
            # span covers its comments), then those with a comment in one of them.
            cur.execute(
                "WITH touched AS ("
                f" SELECT t.id AS thread_id FROM {t} t"
                " WHERE t.last_activity_at >= %s AND t.opened_at < %s AND EXISTS ("
                f" SELECT 1 FROM {c} c WHERE c.thread_id = t.id"
                " AND c.created_at >= %s AND c.created_at < %s"
                " AND date_trunc('week', c.created_at AT TIME ZONE %s)::date = ANY(%s::date[]))),"
                " old AS ("
                f" SELECT t.id, t.lift_week FROM {t} t"
                " WHERE t.id IN (SELECT thread_id FROM touched) ORDER BY t.id FOR UPDATE),"
                " agg AS ("
                f" SELECT c.thread_id, count(*) AS n, {_LIFT_COLUMNS}"
                f" FROM {c} c WHERE c.thread_id IN (SELECT thread_id FROM touched)"
                " AND c.voice = %s AND c.compound IS NOT NULL GROUP BY c.thread_id),"
                " new AS ("
                " SELECT old.id, old.lift_week AS was,"
                " CASE WHEN agg.n >= 2 THEN date_trunc('week', agg.last_at AT TIME ZONE %s)::date"
                " END AS week,"
                " CASE WHEN agg.n >= 2 THEN agg.last_score - agg.first_score END AS delta,"
                " CASE WHEN agg.n >= 2 THEN agg.opener END AS person"
                " FROM old LEFT JOIN agg ON agg.thread_id = old.id)"
                f" UPDATE {t} t SET lift_week = new.week, lift_delta = new.delta,"
                " lift_person = new.person FROM new WHERE t.id = new.id"
                " AND (t.lift_week, t.lift_delta, t.lift_person)"
                " IS DISTINCT FROM (new.week, new.delta, new.person)"
                " RETURNING new.was, new.week",
                [
                    start,
                    end,
                    start,
                    end,
                    _tz(),
                    [w.isoformat() for w in weeks],
                    Voice.BUSINESS,
                    _tz(),
                ],
            )
            return {w for row in cur.fetchall() for w in row if w is not None}
    wanted = set(weeks)
    touched = {
        thread_id
        for thread_id, at in Comment.objects.filter(
            created_at__gte=start, created_at__lt=end
        ).values_list("thread_id", "created_at")
        if week_start_of(timezone.localtime(at, tz).date()) in wanted
    }
    return _lift_update_python(touched)


def _lift_update_python(thread_ids: Iterable[int]) -> set[date]:
    weeks: set[date] = set()
    ids = sorted(set(thread_ids))
    scored: dict[int, list[tuple[datetime, int, float, int | None]]] = {}
    for i in range(0, len(ids), 500):
        rows = (
            Comment.objects.filter(thread_id__in=ids[i : i + 500], voice=Voice.BUSINESS)
            .exclude(compound=None)
            .values_list("thread_id", "created_at", "id", "compound", "author_id")
        )
        for thread_id, at, pk, compound, author in rows:
            scored.setdefault(thread_id, []).append((at, pk, compound, author))
    for thread in Thread.objects.filter(id__in=ids).only("lift_week", "lift_delta", "lift_person"):
        comments = sorted(scored.get(thread.pk, []))
        week = delta = person = None
        if len(comments) >= 2:
            first, last = comments[0], comments[-1]
            week = week_start_of(timezone.localtime(last[0]).date())
            delta = last[2] - first[2]
            person = first[3] if first[3] is not None else -thread.pk
        if (thread.lift_week, thread.lift_delta, thread.lift_person) != (week, delta, person):
            weeks.update(w for w in (thread.lift_week, week) if w is not None)
            Thread.objects.filter(pk=thread.pk).update(
                lift_week=week, lift_delta=delta, lift_person=person
            )
    return weeks


def threads_lift_rebuild() -> int:
    """Thread.lift_* for every thread (after a bulk load or an upgrade); returns threads
    that have a lift."""
    if connection.vendor == "postgresql":
        c, t = Comment._meta.db_table, Thread._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {t} t SET lift_week = NULL, lift_delta = NULL, lift_person = NULL"
                " WHERE lift_week IS NOT NULL"
            )
            cur.execute(
                "WITH agg AS ("
                f" SELECT c.thread_id, {_LIFT_COLUMNS}"
                f" FROM {c} c WHERE c.voice = %s AND c.compound IS NOT NULL"
                " GROUP BY c.thread_id HAVING count(*) >= 2)"
                f" UPDATE {t} t SET lift_week = date_trunc('week', agg.last_at AT TIME ZONE %s)::date,"
                " lift_delta = agg.last_score - agg.first_score, lift_person = agg.opener"
                " FROM agg WHERE t.id = agg.thread_id",
                [Voice.BUSINESS, _tz()],
            )
            return cur.rowcount
    _lift_update_python(Thread.objects.values_list("id", flat=True))
    return Thread.objects.exclude(lift_week=None).count()


# --- WeeklyRollup and WeeklyLift --------------------------------------------------------


def _recompute_rollup(weeks: list[date]) -> None:
    WeeklyRollup.objects.filter(week__in=weeks).delete()
    lo, hi = weeks[0], weeks[-1] + timedelta(weeks=1)
    if connection.vendor == "postgresql":
        ds, da = DailySentiment._meta.db_table, DailyAuthor._meta.db_table
        wr = WeeklyRollup._meta.db_table
        sets = "GROUPING SETS ((week), (week, source_id), (week, category_id), (week, department))"
        dimension = (
            "CASE WHEN GROUPING(source_id) = 0 THEN 'source'"
            " WHEN GROUPING(category_id) = 0 THEN 'category'"
            " WHEN GROUPING(department) = 0 THEN 'department' ELSE 'all' END"
        )
        key = "COALESCE(source_id::text, category_id::text, department, '')"
        where = "day >= %s AND day < %s AND date_trunc('week', day)::date = ANY(%s::date[])"
        week_list = [w.isoformat() for w in weeks]
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {wr} (week, dimension, key, n, n_positive, n_negative,"
                " n_neutral, sum_compound, people)"
                " SELECT s.week, s.dimension, s.key, s.n, s.n_positive, s.n_negative,"
                " s.n_neutral, s.sum_compound, COALESCE(a.people, 0) FROM ("
                f" SELECT week, {dimension} AS dimension, {key} AS key, sum(n) AS n,"
                " sum(n_positive) AS n_positive, sum(n_negative) AS n_negative,"
                " sum(n_neutral) AS n_neutral, sum(sum_compound) AS sum_compound"
                " FROM (SELECT date_trunc('week', day)::date AS week, source_id, category_id,"
                f" department, n, n_positive, n_negative, n_neutral, sum_compound FROM {ds}"
                f" WHERE {where}) d GROUP BY {sets}) s LEFT JOIN ("
                f" SELECT week, {dimension} AS dimension, {key} AS key,"
                " count(DISTINCT person_key) AS people"
                " FROM (SELECT date_trunc('week', day)::date AS week, source_id, category_id,"
                f" department, person_key FROM {da} WHERE {where}) d GROUP BY {sets}) a"
                " ON a.week = s.week AND a.dimension = s.dimension AND a.key = s.key",
                [lo, hi, week_list, lo, hi, week_list],
            )
        return
    totals: dict[tuple[date, str, str], list[float]] = {}
    people: dict[tuple[date, str, str], set[int]] = {}
    wanted = set(weeks)
    for row in DailySentiment.objects.filter(day__gte=lo, day__lt=hi).values():
        week = week_start_of(row["day"])
        if week not in wanted:
            continue
        for dimension, key in _keys(row):
            acc = totals.setdefault((week, dimension, key), [0, 0, 0, 0, 0.0])
            for i, f in enumerate(("n", "n_positive", "n_negative", "n_neutral", "sum_compound")):
                acc[i] += row[f]
    for row in DailyAuthor.objects.filter(day__gte=lo, day__lt=hi).values():
        week = week_start_of(row["day"])
        if week not in wanted:
            continue
        for dimension, key in _keys(row):
            people.setdefault((week, dimension, key), set()).add(row["person_key"])
    WeeklyRollup.objects.bulk_create(
        [
            WeeklyRollup(
                week=week,
                dimension=dimension,
                key=key,
                n=int(n),
                n_positive=int(pos),
                n_negative=int(neg),
                n_neutral=int(neu),
                sum_compound=total,
                people=len(people.get((week, dimension, key), ())),
            )
            for (week, dimension, key), (n, pos, neg, neu, total) in totals.items()
        ],
        batch_size=500,
    )


def _keys(row: dict) -> list[tuple[str, str]]:
    return [
        (WeeklyRollup.ALL, ""),
        (WeeklyRollup.SOURCE, str(row["source_id"])),
        (WeeklyRollup.CATEGORY, str(row["category_id"])),
        (WeeklyRollup.DEPARTMENT, row["department"]),
    ]


def _recompute_lift(weeks: list[date]) -> None:
    WeeklyLift.objects.filter(week__in=weeks).delete()
    if connection.vendor == "postgresql":
        wl, t = WeeklyLift._meta.db_table, Thread._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {wl} (week, category_id, threads, sum_delta, people)"
                " SELECT lift_week, category_id, count(*), sum(lift_delta),"
                f" count(DISTINCT lift_person) FROM {t} WHERE lift_week = ANY(%s::date[])"
                " GROUP BY lift_week, category_id",
                [[w.isoformat() for w in weeks]],
            )
        return
    acc: dict[tuple[date, int], list] = {}
    rows = Thread.objects.filter(lift_week__in=weeks).values_list(
        "lift_week", "category_id", "lift_delta", "lift_person"
    )
    for week, category_id, delta, person in rows:
        entry = acc.setdefault((week, category_id), [0, 0.0, set()])
        entry[0] += 1
        entry[1] += delta
        entry[2].add(person)
    WeeklyLift.objects.bulk_create(
        [
            WeeklyLift(week=w, category_id=c, threads=n, sum_delta=s, people=len(who))
            for (w, c), (n, s, who) in acc.items()
        ],
        batch_size=500,
    )


# --- negative themes ------------------------------------------------------------------

THEME_MIN_COMMENTS = 3
THEME_LIMIT = 10
# A single word is a theme only when the scorer reads it as clearly negative.
STRONG_WORD_VALENCE = -1.0

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't
    do does doesn't doing don't down during each few for from further get gets got had
    hadn't has hasn't have haven't having he her here hers herself him himself his how i
    i'm i've if in into is isn't it it's its itself just let's me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she
    should shouldn't so some such than that that's the their theirs them themselves then
    there there's these they they're this those through to too under until up us very was
    wasn't we we're were weren't what when where which while who whom why will with won't
    would wouldn't you you're your yours yourself yourselves still again already yet one
    two also please thanks thank hi hello dear regards team today yesterday tomorrow week
    day days time since even really just like need needs want wants know think see lot
    anyone someone something anything everything every way
    """.split()
)

_SEGMENT_RE = re.compile(r"[.,;:!?()\[\]{}\"“”…/\\|<>\n\r\t]+")
_TOKEN_RE = re.compile(r"[a-z0-9][a-z0-9'’&+#-]*")


@dataclass(frozen=True, slots=True)
class Theme:
    phrase: str
    comments: int
    people: int


def _grams(text: str, strong: set[str]) -> set[str]:
    """2- and 3-word phrases that neither start nor end with a stop word, and strongly
    negative single words; within one clause (never across punctuation)."""
    found: set[str] = set()
    for segment in _SEGMENT_RE.split(text.lower()):
        tokens = [t.replace("’", "'").strip("'-") for t in _TOKEN_RE.findall(segment)]
        tokens = [t for t in tokens if t]
        for i, tok in enumerate(tokens):
            if tok in strong:
                found.add(tok)
            if tok in STOP_WORDS or tok.isdigit():
                continue
            for size in (2, 3):
                gram = tokens[i : i + size]
                if len(gram) < size:
                    break
                last = gram[-1]
                if last in STOP_WORDS or last.isdigit():
                    continue
                found.add(" ".join(gram))
    return found


def _strong_words() -> set[str]:
    from . import scoring

    return {
        word
        for word, valence in scoring.analyzer().lexicon.items()
        if valence <= STRONG_WORD_VALENCE and word.isalpha() and word not in STOP_WORDS
    }


def themes_of_week(
    week_start: date, *, limit: int = THEME_LIMIT, min_people: int = MIN_PEOPLE
) -> list[Theme]:
    """Frequent phrases in the week's negative business comments, each counted once per
    comment; a theme needs THEME_MIN_COMMENTS comments from min_people distinct people.

    Reads one week of comments by `created_at` within each source that has rollups that
    week, so PostgreSQL walks the (source, created_at) index instead of the table.
    """
    tz = timezone.get_current_timezone()
    start = datetime.combine(week_start, time.min, tzinfo=tz)
    end = datetime.combine(week_start + timedelta(weeks=1), time.min, tzinfo=tz)
    sources = list(
        DailySentiment.objects.filter(
            day__gte=week_start, day__lt=week_start + timedelta(weeks=1), n_negative__gt=0
        )
        .values_list("source_id", flat=True)
        .distinct()
    )
    if not sources:
        return []
    rows = (
        Comment.objects.filter(source_id__in=sources, created_at__gte=start, created_at__lt=end)
        .business()
        .negative()
        .values_list("clean_body", "author_id", "thread_id")
    )
    strong = _strong_words()
    per_comment: list[tuple[set[str], int]] = []
    counts: Counter[str] = Counter()
    for body, author_id, thread_id in rows.iterator(chunk_size=5000):
        grams = _grams(body or "", strong)
        if grams:
            per_comment.append((grams, author_id if author_id is not None else -thread_id))
            counts.update(grams)
    floor = max(THEME_MIN_COMMENTS, 1)
    candidates = {g for g, c in counts.items() if c >= floor}
    people: dict[str, set[int]] = {g: set() for g in candidates}
    for grams, person in per_comment:
        for g in grams & candidates:
            people[g].add(person)
    themes = [
        Theme(g, counts[g], len(people[g])) for g in candidates if len(people[g]) >= min_people
    ]
    # Longest and most frequent first, so a phrase hides the shorter ones inside it
    # that are mostly the same comments ("keeps dropping" inside "vpn keeps dropping").
    kept: list[Theme] = []
    for t in sorted(themes, key=lambda t: (-len(t.phrase.split()), -t.comments, t.phrase)):
        if any(f" {t.phrase} " in f" {k.phrase} " and k.comments >= 0.6 * t.comments for k in kept):
            continue
        if any(f" {k.phrase} " in f" {t.phrase} " and t.comments >= 0.6 * k.comments for k in kept):
            continue
        kept.append(t)
    kept.sort(key=lambda t: (-t.comments, -len(t.phrase.split()), t.phrase))
    return kept[:limit]


def themes_settle_seconds() -> float:
    """How long a week's figures must be left alone before its themes are found again
    (0 when tasks run inline)."""
    from .celery import settle_window

    return settle_window(settings.EARSHOT_THEMES_SETTLE_SECONDS)


def themes_refresh(*, settle: float = 0.0, max_weeks: int = 60) -> int:
    """Find the themes of weeks whose figures changed since their themes were found and
    have not changed for `settle` seconds; returns weeks done."""
    done = 0
    due = WeeklyState.objects.filter(
        Q(themes_of=None) | ~Q(themes_of=F("changed_at")),
        changed_at__lte=timezone.now() - timedelta(seconds=settle),
    ).order_by("-week")
    for week in list(due.values_list("week", flat=True)[:max_weeks]):
        with transaction.atomic():
            state = WeeklyState.objects.filter(week=week)
            if connection.features.has_select_for_update_skip_locked:
                state = state.select_for_update(skip_locked=True)
            row = state.first()
            if row is None or row.themes_of == row.changed_at:
                continue
            themes = themes_of_week(week)
            WeeklyTheme.objects.filter(week=week).delete()
            WeeklyTheme.objects.bulk_create(
                WeeklyTheme(
                    week=week, phrase=t.phrase[:200], comments=t.comments, people=t.people, rank=i
                )
                for i, t in enumerate(themes)
            )
            WeeklyState.objects.filter(pk=row.pk).update(
                themes_of=row.changed_at, themes_at=timezone.now()
            )
            done += 1
    return done


def stored_themes(week_start: date) -> list[Theme] | None:
    """The week's themes as last found, or None when they have never been found."""
    state = WeeklyState.objects.filter(week=week_start).values_list("themes_of", flat=True)
    if not state or state[0] is None:
        return None
    return [
        Theme(phrase, comments, people)
        for phrase, comments, people in WeeklyTheme.objects.filter(week=week_start)
        .order_by("rank")
        .values_list("phrase", "comments", "people")
    ]
