from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sentiment import scoring

from . import charts
from .models import Annotation
from .selectors import (
    BASELINE_WEEKS,
    DIMENSIONS,
    MIN_PEOPLE,
    RANGES,
    Change,
    Counts,
    GroupRow,
    WeekPoint,
    baseline_of,
    change_between,
    counts_of,
    data_stamp,
    lift_per_category,
    negative_themes,
    parse_week,
    week_breakdown,
    week_label,
    week_start_of,
    weekly_sentiment,
)

OVERVIEW_WEEKS = 12
# Derived figures are cached under the rollups' stamp; this bounds how stale they get
# when a recompute only deleted rows (no new id, so the stamp did not move).
CACHE_SECONDS = 300

T = TypeVar("T")


@dataclass(frozen=True)
class Headline:
    week: WeekPoint
    previous: WeekPoint | None
    title: str
    # Set when an older week than last week is shown, saying why.
    notice: str = ""
    # The current, incomplete week (shown beside the headline, not as it).
    so_far: WeekPoint | None = None
    # The weeks before `week` that the baseline pools (up to BASELINE_WEEKS of them).
    baseline_points: Sequence[WeekPoint] = field(default=())

    @property
    def so_far_net(self) -> str:
        return charts.signed(self.so_far.net) if self.so_far else ""

    @property
    def counts(self) -> Counts:
        return counts_of(self.week)

    @property
    def net(self) -> str:
        return charts.signed(self.week.net)

    @property
    def margin(self) -> str:
        m = self.counts.margin
        return "" if m is None else f"{m:.1f}"

    @property
    def ci(self) -> str:
        ci = self.counts.ci
        return "" if ci is None else f"{charts.signed(ci[0])} to {charts.signed(ci[1])}"

    @property
    def vs_previous(self) -> Change:
        p = self.previous
        if p is None or p.suppressed or not p.n or self.week.suppressed:
            return Change(None, None)
        return change_between(self.counts, counts_of(p))

    # Kept for templates and callers that read the plain change.
    @property
    def change(self) -> float | None:
        return self.vs_previous.value

    @property
    def change_display(self) -> str:
        return charts.signed(self.change)

    @property
    def trend(self) -> str:
        return self.vs_previous.trend

    @property
    def baseline(self) -> Counts:
        return baseline_of(self.baseline_points)[0]

    @property
    def baseline_weeks(self) -> int:
        return baseline_of(self.baseline_points)[1]

    @property
    def baseline_net(self) -> str:
        return charts.signed(self.baseline.net)

    @property
    def baseline_change_display(self) -> str:
        return charts.signed(self.vs_baseline.value)

    @property
    def vs_baseline(self) -> Change:
        if self.week.suppressed or not self.baseline.n:
            return Change(None, None)
        return change_between(self.counts, self.baseline)


def headline(points: Sequence[WeekPoint], *, before: WeekPoint | None = None) -> Headline | None:
    """The latest complete week with comments, compared with the calendar week before it.

    The last point is the current week, still incomplete: on Monday morning it holds a
    handful of comments, so it is reported as "so far", and the headline is last week.
    It becomes the headline only when no complete week has comments.
    `before` is the week preceding points[0], for when the only data is in the first week.
    """
    if not points:
        return None
    current = points[-1]
    so_far = current if current.n else None
    for i in range(len(points) - 2, -1, -1):
        if points[i].n or points[i].suppressed:
            older = i < len(points) - 2
            return Headline(
                week=points[i],
                previous=points[i - 1] if i > 0 else before,
                title="Net sentiment" if older else "Net sentiment last week",
                notice="No comments last week; showing the latest week with comments."
                if older
                else "",
                so_far=so_far,
            )
    if current.n:
        previous = points[-2] if len(points) > 1 else before
        return Headline(week=current, previous=previous, title="Net sentiment this week so far")
    return None


class AnnotationForm(forms.ModelForm):
    class Meta:
        model = Annotation
        fields = ["start", "end", "kind", "title", "note"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"start": "From", "end": "To (optional)"}


@dataclass
class Selection:
    week: date | None  # None: the default (latest complete week with comments)
    weeks: int
    problems: list[str]


def _selection(params: Any, today: date) -> Selection:
    problems = []
    weeks = OVERVIEW_WEEKS
    raw_range = (params.get("range") or "").strip()
    if raw_range:
        if raw_range.isdigit() and int(raw_range) in RANGES:
            weeks = int(raw_range)
        else:
            problems.append(
                f"The range “{raw_range}” is not one of {', '.join(map(str, RANGES))} weeks; "
                f"showing {OVERVIEW_WEEKS}."
            )
    week = None
    raw_week = (params.get("week") or "").strip()
    if raw_week:
        week = parse_week(raw_week)
        if week is None:
            problems.append(
                f"“{raw_week}” is not an ISO week like {week_label(week_start_of(today))}; "
                "showing the latest week."
            )
        elif week > week_start_of(today):
            problems.append(f"{raw_week} has not started yet; showing the latest week.")
            week = None
    return Selection(week, weeks, problems)


def _cached(key: str, compute: Callable[[], T]) -> T:
    """Cache on PostgreSQL only: its sequences never hand out an id twice, so the rollup
    stamp in `key` changes with the data. SQLite may reuse ids after a rollback; the
    embedded SQLite mode is small enough to compute every time."""
    if connection.vendor != "postgresql":
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _explore_url(**params: Any) -> str:
    return reverse("explore") + "?" + urlencode({k: v for k, v in params.items() if v != ""})


def _overview_context(request: HttpRequest, *, form: AnnotationForm | None = None) -> dict:
    today = timezone.localdate()
    current = week_start_of(today)
    sel = _selection(request.GET, today)
    stamp = data_stamp() if connection.vendor == "postgresql" else ""
    if sel.week is None:
        chart_end = current
    else:
        # The week after the selected one is drawn too when it is the current week.
        chart_end = current if sel.week + timedelta(weeks=1) == current else sel.week
    back = sel.weeks
    if sel.week is not None:
        back = max(back, (chart_end - sel.week).days // 7 + BASELINE_WEEKS + 1)
    else:
        back = max(back, BASELINE_WEEKS + 2)
    # Enough weeks for the chart, the week before the oldest shown, and the baseline.
    fetched = _cached(
        f"overview:weeks:{stamp}:{chart_end}:{back + 1}",
        lambda: weekly_sentiment(weeks=back + 1, today=chart_end),
    )
    points = fetched[-sel.weeks :]
    index = {p.week_start: i for i, p in enumerate(fetched)}

    top: Headline | None
    if sel.week is None:
        top = headline(points, before=fetched[-sel.weeks - 1])
    else:
        i = index[sel.week]
        is_current = sel.week == current
        last_is_current = fetched[-1].week_start == current and not is_current
        top = Headline(
            week=fetched[i],
            previous=fetched[i - 1] if i > 0 else None,
            title="Net sentiment this week so far" if is_current else "Net sentiment",
            so_far=fetched[-1] if last_is_current and fetched[-1].n else None,
        )
        if not (top.week.n or top.week.suppressed or top.so_far):
            top = Headline(
                week=top.week,
                previous=top.previous,
                title=top.title,
                notice=f"No business-user comments in {top.week.label}.",
            )
    if top is not None:
        i = index[top.week.week_start]
        top = Headline(
            week=top.week,
            previous=top.previous,
            title=top.title,
            notice=top.notice,
            so_far=top.so_far,
            baseline_points=fetched[max(0, i - BASELINE_WEEKS) : i],
        )

    can_explore = request.user.has_perm("sentiment.use_explorer")
    context: dict[str, Any] = {
        "weeks": sel.weeks,
        "ranges": RANGES,
        "problems": sel.problems,
        "headline": top,
        "rows": [
            (p, charts.signed(p.net), charts.signed(p.mean_compound, 2)) for p in reversed(points)
        ],
        "chart": None,
        "can_explore": can_explore,
        "can_annotate": request.user.has_perm("dashboards.add_annotation"),
        "annotation_form": form or AnnotationForm(),
        "baseline_weeks": BASELINE_WEEKS,
        "min_people": MIN_PEOPLE,
    }
    if top is None:
        return context

    week = top.week
    first_day, last_day = week.week_start, week.week_end
    range_start, range_end = points[0].week_start, points[-1].week_start + timedelta(weeks=1)
    annotations = list(
        Annotation.objects.filter(start__lt=range_end)
        .exclude(end__lt=range_start)
        .exclude(end__isnull=True, start__lt=range_start)
        .select_related("created_by")
    )
    context.update(
        {
            "chart": charts.figure_data(
                charts.weekly_net_figure(points, annotations=annotations, selected=week.label)
            ),
            "annotations": annotations,
            "week_param": week.label,
            "prev_week": week_label(week.week_start - timedelta(weeks=1)),
            "next_week": week_label(week.week_start + timedelta(weeks=1))
            if week.week_start < current
            else "",
            "week_max": week_label(current),
            "print_url": "?" + urlencode({"week": week.label, "range": sel.weeks}),
        }
    )
    if week.suppressed or not week.n:
        return context

    week_key = f"{stamp}:{week.week_start}:{week.n}:{week.n_negative}:{week.people}"
    explore_base = {
        "start": first_day.isoformat(),
        "end": last_day.isoformat(),
        "voice": "business",
        "sort": "negative",
    }
    breakdowns = []
    for dimension, (_, param, heading) in DIMENSIONS.items():
        rows: list[GroupRow] = _cached(
            f"overview:breakdown:{dimension}:{week_key}",
            lambda d=dimension: week_breakdown(d, week.week_start),
        )
        breakdowns.append(
            {
                "dimension": dimension,
                "heading": heading,
                "rows": [
                    _breakdown_row(r, param, explore_base if can_explore else None) for r in rows
                ],
                "hidden": sum(1 for r in rows if r.suppressed),
            }
        )
    themes = _cached(f"overview:themes:{week_key}", lambda: negative_themes(week.week_start))
    lift = _cached(
        f"overview:lift:{stamp}:{range_start}:{range_end}:{sum(p.n for p in points)}",
        lambda: lift_per_category(range_start, range_end),
    )
    negative_max = f"{scoring.NEGATIVE_THRESHOLD:g}"
    context.update(
        {
            "breakdowns": breakdowns,
            "themes": [
                {
                    "theme": t,
                    "url": _explore_url(**explore_base, q=t.phrase, max_score=negative_max)
                    if can_explore
                    else "",
                }
                for t in themes
            ],
            "lift": [{"row": r, "mean": charts.signed(r.mean, 2)} for r in lift],
            "lift_range": (range_start, range_end - timedelta(days=1)),
        }
    )
    return context


def _breakdown_row(row: GroupRow, param: str, explore: dict[str, str] | None) -> dict:
    net = row.week.net
    url = ""
    # "(no department)" has no explorer filter of its own; no link rather than a wrong one.
    if explore is not None and not row.suppressed and row.key != "":
        url = _explore_url(**explore, **{param: row.key})
    return {
        "row": row,
        "url": url,
        "net": charts.signed(net),
        "target": charts.signed(row.target),
        "change": charts.signed(row.change.value),
        "impact": f"{row.impact:.1f}",
        # The bar: net on −100..+100, drawn from the middle.
        "bar_left": 50 + min(0.0, net or 0.0) / 2,
        "bar_width": abs(net or 0.0) / 2,
        "target_at": None if row.target is None else 50 + row.target / 2,
    }


@login_required
@permission_required("sentiment.view_overview", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/overview.html", _overview_context(request))


@login_required
@permission_required("dashboards.add_annotation", raise_exception=True)
@require_POST
def annotation_add(request: HttpRequest) -> HttpResponse:
    form = AnnotationForm(request.POST)
    if not form.is_valid():
        # The page again, with the form and what is wrong with it.
        context = _overview_context(request, form=form)
        context["annotation_open"] = True
        return render(request, "dashboards/overview.html", context, status=400)
    annotation = form.save(commit=False)
    annotation.created_by = request.user
    annotation.save()
    back = {k: request.GET[k] for k in ("week", "range") if request.GET.get(k)}
    return redirect(reverse("overview") + ("?" + urlencode(back) if back else "") + "#annotations")
