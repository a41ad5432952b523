"""Aggregated reads behind the dashboards. They read the daily rollups, never the comments.

Rollup rows hold business-voice comments only, already counted as positive / negative /
neutral when they were recomputed, so nothing here needs the score thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from sentiment.models import DailyAuthor, DailySentiment

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
