"""Aggregated reads behind the dashboards. The overview reads the weekly layer
(sentiment/weekly.py: WeeklyRollup, WeeklyLift, WeeklyTheme), a few hundred rows per page,
never the comments; only a group too small to tell from its weekly rows is counted
exactly from DailyAuthor, through an index.

Rollup rows hold business-voice comments only, already counted as positive / negative /
neutral when they were recomputed, so nothing here needs the score thresholds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import Max, Sum
from django.utils import timezone

from sentiment.models import (
    Category,
    DailyAuthor,
    Thread,
    WeeklyLift,
    WeeklyRollup,
    WeeklyTheme,
)
from sentiment.weekly import MIN_PEOPLE, Theme, stored_themes, themes_of_week, week_start_of

__all__ = ["MIN_PEOPLE", "Theme", "week_start_of"]


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

    rows = WeeklyRollup.objects.filter(
        dimension=WeeklyRollup.ALL, key="", week__gte=first, week__lt=end
    ).values("week", "people", *_SUMMED)
    totals = {first + timedelta(weeks=i): dict.fromkeys(_SUMMED, 0.0) for i in range(weeks)}
    people: dict[date, int] = {}
    for row in rows:
        totals[row["week"]] = {f: row[f] for f in _SUMMED}
        people[row["week"]] = row["people"]

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
    """Changes whenever a week is recomputed or its themes found (rows are replaced, so
    new ids appear): the key under which derived overview figures are cached."""
    ids = [
        model.objects.aggregate(m=Max("id"))["m"] or 0
        for model in (WeeklyRollup, WeeklyLift, WeeklyTheme)
    ]
    return ".".join(map(str, ids))


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
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    week_end = week_start + timedelta(weeks=1)
    base_start = week_start - timedelta(weeks=baseline_weeks)

    week = _group_counts(dimension, week_start, week_end)
    if not week:
        return []
    base = _group_counts(dimension, base_start, week_start)
    people = _group_people(dimension, week_start, week_end)
    base_people = _group_people(dimension, base_start, week_start)
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
    rows = _suppress(rows, dimension, week_start, week_end)
    shown = sorted(
        (r for r in rows if not r.suppressed),
        key=lambda r: (-r.impact, -r.week.n, r.name.lower()),
    )
    hidden = sorted((r for r in rows if r.suppressed), key=lambda r: r.name.lower())
    return shown + hidden


def _suppress(rows: list[GroupRow], dimension: str, start: date, end: date) -> list[GroupRow]:
    few = [r for r in rows if r.people < MIN_PEOPLE]
    if not few:
        return rows
    hidden = {r.key: "few" for r in few}
    # Smallest first: hide as little as possible, and never leave one hidden group alone.
    candidates = sorted(
        (r for r in rows if r.key not in hidden), key=lambda r: (r.people, r.week.n)
    )
    while True:
        people = _people_in(dimension, start, end, list(hidden))
        if len(hidden) >= 2 and people >= MIN_PEOPLE or not candidates:
            break
        hidden[candidates.pop(0).key] = "complement"
    return [
        replace(r, suppressed=True, reason=hidden[r.key]) if r.key in hidden else r for r in rows
    ]


def _group_counts(dimension: str, start: date, end: date) -> dict[int | str, Counts]:
    """Counts per group over the weeks starting in [start, end)."""
    rows = (
        WeeklyRollup.objects.filter(dimension=dimension, week__gte=start, week__lt=end)
        .values("key")
        .annotate(
            t_n=Sum("n"),
            t_pos=Sum("n_positive"),
            t_neg=Sum("n_negative"),
            t_sum=Sum("sum_compound"),
        )
        .order_by()
    )
    return {
        _key(dimension, r["key"]): Counts(
            int(r["t_n"]), int(r["t_pos"]), int(r["t_neg"]), float(r["t_sum"])
        )
        for r in rows
        if r["t_n"]
    }


def _key(dimension: str, key: str) -> int | str:
    return key if dimension == WeeklyRollup.DEPARTMENT else int(key)


def _group_people(dimension: str, start: date, end: date) -> dict[int | str, int]:
    """Distinct people per group over the weeks starting in [start, end): exact for one
    week (the weekly rows hold it). Over several weeks the largest weekly count is a lower
    bound and the sum an upper one; the figure returned is then exact only as far as the
    fewer-than-5 rule needs (which side of MIN_PEOPLE it is on), and a group for which
    the bounds straddle MIN_PEOPLE is counted exactly (a small group: a short index walk
    on DailyAuthor)."""
    rows = (
        WeeklyRollup.objects.filter(dimension=dimension, week__gte=start, week__lt=end)
        .values("key")
        .annotate(most=Max("people"), total=Sum("people"))
        .order_by()
    )
    out: dict[int | str, int] = {}
    for r in rows:
        key = _key(dimension, r["key"])
        out[key] = _people_within(
            r["most"], r["total"], lambda k=key: _people_in(dimension, start, end, [k])
        )
    return out


def _people_within(most: int, total: int, exact: Callable[[], int]) -> int:
    """Distinct people over several weeks from the largest weekly count (a lower bound)
    and their sum (an upper one): exact as far as the fewer-than-5 rule needs, counted
    with `exact` only when the bounds straddle MIN_PEOPLE."""
    if most >= MIN_PEOPLE:
        return most
    if total < MIN_PEOPLE or most == total:
        return total
    return exact()


def _people_in(dimension: str, start: date, end: date, keys: list[int | str]) -> int:
    field = DIMENSIONS[dimension][0]
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


def negative_themes(week_start: date) -> list[Theme]:
    """The week's negative themes as last found by the worker (sentiment.weekly: once the
    week's figures settle), or found now when they never were."""
    stored = stored_themes(week_start)
    return stored if stored is not None else themes_of_week(week_start)


# --- sentiment lift per service --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lift:
    category_id: int
    name: str
    threads: int
    mean: float | None  # last minus first business comment's compound, mean over threads
    suppressed: bool = False


def lift_per_category(start: date, end: date) -> list[Lift]:
    """For threads with at least 2 scored business comments whose last one falls in an
    ISO week starting in [start, end): mean(last compound − first compound) per service,
    with the number of threads (fewer than MIN_PEOPLE distinct people opened them: no
    figure). Reads WeeklyLift; people as in _group_people."""
    rows = (
        WeeklyLift.objects.filter(week__gte=start, week__lt=end)
        .values("category_id")
        .annotate(
            threads=Sum("threads"),
            total=Sum("sum_delta"),
            most=Max("people"),
            sum_people=Sum("people"),
        )
        .order_by()
    )
    names = dict(Category.objects.values_list("id", "name"))
    out = []
    for r in rows:
        category_id = r["category_id"]
        people = _people_within(
            r["most"],
            r["sum_people"],
            lambda c=category_id: (
                Thread.objects.filter(category_id=c, lift_week__gte=start, lift_week__lt=end)
                .values("lift_person")
                .distinct()
                .count()
            ),
        )
        hidden = people < MIN_PEOPLE
        out.append(
            Lift(
                category_id=category_id,
                name=names.get(category_id, str(category_id)),
                threads=0 if hidden else r["threads"],
                mean=None if hidden else round(r["total"] / r["threads"], 3),
                suppressed=hidden,
            )
        )
    out.sort(key=lambda r: (r.suppressed, r.mean if r.mean is not None else 0.0, r.name))
    return out
