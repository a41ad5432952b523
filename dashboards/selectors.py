"""Aggregated reads behind the dashboards. They read the daily rollups, never the comments.

Rollup rows hold business-voice comments only, already counted as positive / negative /
neutral when they were recomputed, so nothing here needs the score thresholds.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Max, OuterRef, Subquery, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from sentiment.models import Category, DailyAuthor, DailySentiment

# No figure is shown for a group of fewer than this many distinct people.
MIN_PEOPLE = 5


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One ISO week (Monday to Sunday, in the organization's time zone)."""

    week_start: date
    iso_year: int
    iso_week: int
    label: str
    n: int
    n_positive: int
    n_negative: int
    n_neutral: int
    # % positive - % negative, -100..+100, one decimal; None when the week has no comments.
    net: float | None
    mean_compound: float | None
    # Distinct people behind the week's comments (DailyAuthor).
    people: int = 0
    # Fewer than MIN_PEOPLE people: every figure of the week is withheld (n included).
    suppressed: bool = False

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


_SUMMED = ("n", "sum_compound", "n_positive", "n_negative", "n_neutral")


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def net_sentiment(n_positive: int, n_negative: int, n: int) -> float | None:
    if not n:
        return None
    return round(100 * (n_positive - n_negative) / n, 1)


def weekly_sentiment(*, weeks: int = 12, today: date | None = None) -> list[WeekPoint]:
    """The last `weeks` ISO weeks up to and including the current one, oldest first.

    Weeks without comments are present with n=0 and net/mean_compound None, so a chart
    shows a gap instead of silently joining the weeks on either side.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    today = today or timezone.localdate()
    first = week_start_of(today) - timedelta(weeks=weeks - 1)
    end = week_start_of(today) + timedelta(weeks=1)

    # One query: totals per day, summed over sources, categories and departments
    # (at most 7 * weeks rows), folded into ISO weeks below.
    days = (
        DailySentiment.objects.filter(day__gte=first, day__lt=end)
        .values("day")
        .order_by("day")
        .annotate(**{f"total_{f}": Sum(f) for f in _SUMMED})
    )
    totals = {first + timedelta(weeks=i): dict.fromkeys(_SUMMED, 0.0) for i in range(weeks)}
    for row in days:
        acc = totals[week_start_of(row["day"])]
        for f in _SUMMED:
            acc[f] += row[f"total_{f}"] or 0

    people = people_per_week(first, end)
    points = []
    for week_start, t in totals.items():
        iso_year, iso_week, _ = week_start.isocalendar()
        n, n_positive, n_negative = int(t["n"]), int(t["n_positive"]), int(t["n_negative"])
        who = people.get(week_start, 0)
        if n and who < MIN_PEOPLE:
            points.append(
                WeekPoint(
                    week_start=week_start,
                    iso_year=iso_year,
                    iso_week=iso_week,
                    label=f"{iso_year}-W{iso_week:02d}",
                    n=0,
                    n_positive=0,
                    n_negative=0,
                    n_neutral=0,
                    net=None,
                    mean_compound=None,
                    people=0,
                    suppressed=True,
                )
            )
            continue
        points.append(
            WeekPoint(
                week_start=week_start,
                iso_year=iso_year,
                iso_week=iso_week,
                label=f"{iso_year}-W{iso_week:02d}",
                n=n,
                n_positive=n_positive,
                n_negative=n_negative,
                n_neutral=int(t["n_neutral"]),
                net=net_sentiment(n_positive, n_negative, n),
                mean_compound=t["sum_compound"] / n if n else None,
                people=who,
            )
        )
    return points


def people_per_week(first: date, end: date) -> dict[date, int]:
    """Distinct people (business voice) per ISO week starting in [first, end)."""
    rows = (
        DailyAuthor.objects.filter(day__gte=first, day__lt=end)
        .annotate(week=TruncWeek("day"))  # ISO weeks start on Monday
        .values("week")
        .annotate(people=Count("person_key", distinct=True))
        .order_by()
    )
    return {_as_date(r["week"]): r["people"] for r in rows}


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- the weekly overview: week, confidence interval, change, baseline ------------------

# 95 % two-sided normal quantile.
Z95 = 1.96
# The baseline is the 12 ISO weeks before the selected one.
BASELINE_WEEKS = 12
RANGES = (12, 26, 52)

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(value: str) -> date | None:
    """The Monday of an ISO week written "2026-W45" (what <input type="week"> sends)."""
    match = _WEEK_RE.match(value.strip())
    if not match:
        return None
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:  # week 53 of a year that has 52
        return None


def week_label(week_start: date) -> str:
    iso_year, iso_week, _ = week_start.isocalendar()
    return f"{iso_year}-W{iso_week:02d}"


def net_variance(n_positive: int, n_negative: int, n: int) -> float:
    """Variance of one comment's score (+1 positive, 0 neutral, −1 negative), in points².

    Multinomial: var = p+ + p− − (p+ − p−)². The proportions are smoothed by one comment
    of each kind (as Agresti–Caffo do for two proportions), so that a small week whose
    comments are all positive still gets an interval instead of ±0.
    """
    total = n + 3
    p, q = (n_positive + 1) / total, (n_negative + 1) / total
    return 100 * 100 * (p + q - (p - q) ** 2)


def net_margin(n_positive: int, n_negative: int, n: int) -> float | None:
    """Half-width of the 95 % confidence interval of the net score, in points."""
    if not n:
        return None
    return Z95 * math.sqrt(net_variance(n_positive, n_negative, n) / n)


@dataclass(frozen=True, slots=True)
class Counts:
    """Pooled business-voice comments of a period or a group."""

    n: int = 0
    n_positive: int = 0
    n_negative: int = 0
    sum_compound: float = 0.0

    @property
    def net(self) -> float | None:
        return net_sentiment(self.n_positive, self.n_negative, self.n)

    @property
    def margin(self) -> float | None:
        m = net_margin(self.n_positive, self.n_negative, self.n)
        return None if m is None else round(m, 1)

    @property
    def ci(self) -> tuple[float, float] | None:
        if not self.n or self.net is None or self.margin is None:
            return None
        return max(-100.0, round(self.net - self.margin, 1)), min(
            100.0, round(self.net + self.margin, 1)
        )

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.n + other.n,
            self.n_positive + other.n_positive,
            self.n_negative + other.n_negative,
            self.sum_compound + other.sum_compound,
        )


def counts_of(point: WeekPoint) -> Counts:
    return Counts(
        point.n,
        point.n_positive,
        point.n_negative,
        (point.mean_compound or 0.0) * point.n,
    )


@dataclass(frozen=True, slots=True)
class Change:
    """A change of net sentiment in points, with the 95 % interval of the difference."""

    value: float | None
    # Half-width of the combined interval: Z95 * sqrt(se_a² + se_b²).
    margin: float | None

    @property
    def significant(self) -> bool:
        return self.value is not None and self.margin is not None and abs(self.value) > self.margin

    @property
    def trend(self) -> str:
        if self.value is None or self.value == 0:
            return "flat"
        return "up" if self.value > 0 else "down"


def change_between(now: Counts, before: Counts) -> Change:
    if now.net is None or before.net is None:
        return Change(None, None)
    combined = Z95 * math.sqrt(
        net_variance(now.n_positive, now.n_negative, now.n) / now.n
        + net_variance(before.n_positive, before.n_negative, before.n) / before.n
    )
    return Change(round(now.net - before.net, 1), round(combined, 1))


def baseline_of(points: Sequence[WeekPoint]) -> tuple[Counts, int]:
    """The weeks' comments pooled (each comment once, a busy week weighs more), and how
    many weeks went in. Weeks with too few people are left out: their share could
    otherwise be worked out from the baseline and the weeks shown."""
    pooled, used = Counts(), 0
    for p in points:
        if p.n and not p.suppressed:
            pooled += counts_of(p)
            used += 1
    return pooled, used


def data_stamp() -> str:
    """Changes whenever a rollup is recomputed (rows are replaced, so new ids appear):
    the key under which derived overview figures are cached. Two index-only lookups."""
    ds = DailySentiment.objects.aggregate(m=Max("id"))["m"] or 0
    da = DailyAuthor.objects.aggregate(m=Max("id"))["m"] or 0
    return f"{ds}.{da}"


# --- breakdowns ----------------------------------------------------------------------

DIMENSIONS = {
    # name: (DailySentiment / DailyAuthor field, explorer GET parameter, heading)
    "source": ("source_id", "source", "Source / channel"),
    "category": ("category_id", "category", "Service"),
    "department": ("department", "department", "Department"),
}


@dataclass(frozen=True, slots=True)
class GroupRow:
    key: int | str
    name: str
    week: Counts
    people: int
    baseline: Counts
    baseline_people: int
    # Hidden: fewer than MIN_PEOPLE people, or hidden with it so it cannot be subtracted.
    suppressed: bool = False
    # Why hidden: "few" (fewer than 5 people) or "complement" (hidden with another).
    reason: str = ""

    @property
    def target(self) -> float | None:
        if self.baseline_people < MIN_PEOPLE:
            return None
        return self.baseline.net

    @property
    def change(self) -> Change:
        if self.target is None:
            return Change(None, None)
        return change_between(self.week, self.baseline)

    @property
    def impact(self) -> float:
        """Comments × points below target ÷ 100: how many more negative-than-positive
        comments the group had than it would have had at its own baseline."""
        net, target = self.week.net, self.target
        if net is None or target is None:
            return 0.0
        return round(self.week.n * max(0.0, target - net) / 100, 1)


def week_breakdown(
    dimension: str, week_start: date, *, baseline_weeks: int = BASELINE_WEEKS
) -> list[GroupRow]:
    """The selected week by one dimension, sorted by impact (largest first), with the
    fewer-than-5 rule applied to each group and complementary suppression: when some
    groups are hidden, the smallest shown ones are hidden with them until the hidden
    groups together hold at least MIN_PEOPLE distinct people, so no hidden figure can be
    worked out by subtracting the shown groups from the week's total."""
    field, _, _ = DIMENSIONS[dimension]
    week_end = week_start + timedelta(weeks=1)
    base_start = week_start - timedelta(weeks=baseline_weeks)

    week = _group_counts(field, week_start, week_end)
    if not week:
        return []
    base = _group_counts(field, base_start, week_start)
    people = _group_people(field, week_start, week_end)
    base_people = _group_people(field, base_start, week_start, only=set(base))
    names = _group_names(dimension, set(week))

    rows = [
        GroupRow(
            key=key,
            name=names.get(key, str(key)),
            week=counts,
            people=people.get(key, 0),
            baseline=base.get(key, Counts()),
            baseline_people=base_people.get(key, 0),
        )
        for key, counts in week.items()
    ]
    rows = _suppress(rows, field, week_start, week_end)
    shown = sorted(
        (r for r in rows if not r.suppressed),
        key=lambda r: (-r.impact, -r.week.n, r.name.lower()),
    )
    hidden = sorted((r for r in rows if r.suppressed), key=lambda r: r.name.lower())
    return shown + hidden


def _suppress(rows: list[GroupRow], field: str, start: date, end: date) -> list[GroupRow]:
    few = [r for r in rows if r.people < MIN_PEOPLE]
    if not few:
        return rows
    hidden = {r.key: "few" for r in few}
    # Smallest first: hide as little as possible, and never leave one hidden group alone.
    candidates = sorted(
        (r for r in rows if r.key not in hidden), key=lambda r: (r.people, r.week.n)
    )
    while True:
        people = _people_in(field, start, end, list(hidden))
        if len(hidden) >= 2 and people >= MIN_PEOPLE or not candidates:
            break
        hidden[candidates.pop(0).key] = "complement"
    return [
        replace(r, suppressed=True, reason=hidden[r.key]) if r.key in hidden else r for r in rows
    ]


def _group_counts(field: str, start: date, end: date) -> dict[int | str, Counts]:
    rows = (
        DailySentiment.objects.filter(day__gte=start, day__lt=end)
        .values(field)
        .annotate(
            t_n=Sum("n"),
            t_pos=Sum("n_positive"),
            t_neg=Sum("n_negative"),
            t_sum=Sum("sum_compound"),
        )
        .order_by()
    )
    return {
        r[field]: Counts(int(r["t_n"]), int(r["t_pos"]), int(r["t_neg"]), float(r["t_sum"]))
        for r in rows
        if r["t_n"]
    }


def _group_people(
    field: str, start: date, end: date, *, only: set[int | str] | None = None
) -> dict[int | str, int]:
    qs = DailyAuthor.objects.filter(day__gte=start, day__lt=end)
    if only is not None:
        if not only:
            return {}
        qs = qs.filter(**{f"{field}__in": list(only)})
    rows = qs.values(field).annotate(people=Count("person_key", distinct=True)).order_by()
    return {r[field]: r["people"] for r in rows}


def _people_in(field: str, start: date, end: date, keys: list[int | str]) -> int:
    return (
        DailyAuthor.objects.filter(day__gte=start, day__lt=end, **{f"{field}__in": keys})
        .values("person_key")
        .distinct()
        .count()
    )


def _group_names(dimension: str, keys: set[int | str]) -> dict[int | str, str]:
    if dimension == "source":
        from collectors.models import Source

        return dict(Source.objects.filter(id__in=keys).values_list("id", "name"))
    if dimension == "category":
        return dict(Category.objects.filter(id__in=keys).values_list("id", "name"))
    return {k: (str(k) if k else "(no department)") for k in keys}


# --- top negative themes -------------------------------------------------------------

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
    from sentiment import scoring

    return {
        word
        for word, valence in scoring.analyzer().lexicon.items()
        if valence <= STRONG_WORD_VALENCE and word.isalpha() and word not in STOP_WORDS
    }


def negative_themes(
    week_start: date, *, limit: int = THEME_LIMIT, min_people: int = MIN_PEOPLE
) -> list[Theme]:
    """Frequent phrases in the week's negative business comments, each counted once per
    comment; a theme needs THEME_MIN_COMMENTS comments from min_people distinct people.

    Reads one week of comments by `created_at` within each source that has rollups that
    week, so PostgreSQL walks the (source, created_at) index instead of the table.
    """
    from sentiment.models import Comment

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
    themes.sort(key=lambda t: (-t.comments, -len(t.phrase.split()), t.phrase))
    kept: list[Theme] = []
    for t in sorted(themes, key=lambda t: (-len(t.phrase.split()), -t.comments, t.phrase)):
        if any(f" {t.phrase} " in f" {k.phrase} " and k.comments >= 0.6 * t.comments for k in kept):
            continue
        if any(f" {k.phrase} " in f" {t.phrase} " and t.comments >= 0.6 * k.comments for k in kept):
            continue
        kept.append(t)
    kept.sort(key=lambda t: (-t.comments, -len(t.phrase.split()), t.phrase))
    return kept[:limit]


# --- sentiment lift per service --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lift:
    category_id: int
    name: str
    threads: int
    people: int
    mean: float | None  # last minus first business comment's compound, mean over threads
    suppressed: bool = False


def lift_per_category(start: date, end: date) -> list[Lift]:
    """For threads with at least 2 scored business comments whose last one falls in
    [start, end): mean(last compound − first compound) per service, with the number of
    threads and of people who opened them (fewer than MIN_PEOPLE: no figure).

    Walks threads by `last_activity_at` (indexed) and reads each one's first and last
    business comment through the (thread, created_at) index."""
    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min, tzinfo=tz)
    hi = datetime.combine(end, time.min, tzinfo=tz)
    acc: dict[int, list[float]] = {}
    who: dict[int, set[int]] = {}
    for category_id, first_score, last_score, person in _lift_threads(lo, hi):
        acc.setdefault(category_id, []).append(last_score - first_score)
        who.setdefault(category_id, set()).add(person)
    names = dict(Category.objects.filter(id__in=acc).values_list("id", "name"))
    out = []
    for category_id, deltas in acc.items():
        people = len(who[category_id])
        hidden = people < MIN_PEOPLE
        out.append(
            Lift(
                category_id=category_id,
                name=names.get(category_id, str(category_id)),
                threads=0 if hidden else len(deltas),
                people=0 if hidden else people,
                mean=None if hidden else round(sum(deltas) / len(deltas), 3),
                suppressed=hidden,
            )
        )
    out.sort(key=lambda r: (r.suppressed, r.mean if r.mean is not None else 0.0, r.name))
    return out


def _lift_threads(lo: datetime, hi: datetime) -> Iterator[tuple[int, float, float, int]]:
    """(category, first compound, last compound, opener) per qualifying thread."""
    from sentiment.models import Comment, Thread, Voice

    if connection.vendor == "postgresql":
        # One pass: the threads active since `lo` (thread_last_activity index) joined to
        # their business comments (comment_thread_created index), folded per thread.
        c, t = Comment._meta.db_table, Thread._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                "SELECT t.category_id,"
                " (array_agg(c.compound ORDER BY c.created_at, c.id))[1],"
                " (array_agg(c.compound ORDER BY c.created_at DESC, c.id DESC))[1],"
                " (array_agg(COALESCE(c.author_id, -c.thread_id) ORDER BY c.created_at, c.id))[1]"
                f" FROM {t} t JOIN {c} c ON c.thread_id = t.id"
                " WHERE t.last_activity_at >= %s AND c.voice = %s AND c.compound IS NOT NULL"
                " GROUP BY t.id, t.category_id"
                " HAVING count(*) >= 2 AND max(c.created_at) >= %s AND max(c.created_at) < %s",
                [lo, Voice.BUSINESS, lo, hi],
            )
            yield from cur.fetchall()
        return
    biz = Comment.objects.filter(
        thread=OuterRef("pk"), voice=Voice.BUSINESS, compound__isnull=False
    )
    first = biz.order_by("created_at", "id")
    last = biz.order_by("-created_at", "-id")
    threads = (
        Thread.objects.filter(last_activity_at__gte=lo)
        .annotate(
            last_at=Subquery(last.values("created_at")[:1]),
            second=Subquery(first.values("id")[1:2]),
        )
        .filter(last_at__gte=lo, last_at__lt=hi, second__isnull=False)
        .annotate(
            first_score=Subquery(first.values("compound")[:1]),
            last_score=Subquery(last.values("compound")[:1]),
            opener=Subquery(first.values("author_id")[:1]),
        )
        .values_list("category_id", "first_score", "last_score", "opener", "id")
    )
    for category_id, first_score, last_score, opener, thread_id in threads.iterator(
        chunk_size=5000
    ):
        yield category_id, first_score, last_score, opener if opener is not None else -thread_id
