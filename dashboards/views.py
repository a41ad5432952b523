from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import charts
from .selectors import WeekPoint, weekly_sentiment

OVERVIEW_WEEKS = 12


@dataclass(frozen=True)
class Headline:
    week: WeekPoint
    previous: WeekPoint | None
    title: str
    # Set when an older week than last week is shown, saying why.
    notice: str = ""
    # The current, incomplete week (shown beside the headline, not as it).
    so_far: WeekPoint | None = None

    @property
    def so_far_net(self) -> str:
        return charts.signed(self.so_far.net) if self.so_far else ""

    @property
    def net(self) -> str:
        return charts.signed(self.week.net)

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous.net is None or self.week.net is None:
            return None
        return round(self.week.net - self.previous.net, 1)

    @property
    def change_display(self) -> str:
        return charts.signed(self.change)

    @property
    def trend(self) -> str:
        change = self.change
        if change is None or change == 0:
            return "flat"
        return "up" if change > 0 else "down"


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


@login_required
@permission_required("sentiment.view_overview", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    # One week more than shown, so the oldest week shown still has a "previous week".
    with_previous = weekly_sentiment(weeks=OVERVIEW_WEEKS + 1)
    points = with_previous[1:]
    top = headline(points, before=with_previous[0])
    context = {
        "weeks": OVERVIEW_WEEKS,
        "headline": top,
        "rows": [
            (p, charts.signed(p.net), charts.signed(p.mean_compound, 2)) for p in reversed(points)
        ],
        "chart": charts.figure_data(charts.weekly_net_figure(points)) if top else None,
    }
    return render(request, "dashboards/overview.html", context)
