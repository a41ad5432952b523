"""Plotly figures for the dashboards, as JSON for plotly.js (served locally, never from a CDN)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from .selectors import WeekPoint, week_start_of

if TYPE_CHECKING:
    from .models import Annotation

NET_COLOR = "#1d4ed8"
NEGATIVE_COLOR = "#b91c1c"
VOLUME_COLOR = "#cbd5e1"
GRID_COLOR = "#e5e7eb"
ZERO_COLOR = "#64748b"
TEXT_COLOR = "#334155"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


MINUS = "\u2212"  # a real minus sign: as wide as "+", read correctly by screen readers


def signed(value: float | None, digits: int = 1) -> str:
    """+12.5 / −3.0 / 0.0; an em dash when there is no value."""
    if value is None:
        return "—"
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return text
    return f"{'+' if value > 0 else MINUS}{text}"


def volume_ticks(max_n: int) -> list[int]:
    """0 and round steps (1, 2 or 5 x 10^k) up to the largest week: two to four ticks."""
    if max_n < 1:
        return [0]
    rough = max_n / 3
    magnitude = 10 ** (len(str(int(rough))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return list(range(0, max_n + 1, step))


# Annotation bands by kind: outages red, rollouts blue, changes amber, the rest grey.
KIND_COLORS = {
    "outage": ("rgba(185, 28, 28, 0.10)", "#b91c1c"),
    "rollout": ("rgba(29, 78, 216, 0.10)", "#1d4ed8"),
    "change": ("rgba(217, 119, 6, 0.12)", "#b45309"),
    "other": ("rgba(100, 116, 139, 0.12)", "#475569"),
}
SELECTED_FILL = "rgba(15, 23, 42, 0.05)"
LABEL_LENGTH = 22


def _day_position(day: date, index: dict[date, int], *, end: bool) -> float | None:
    """Where a day falls on the category axis: week i spans i - 0.5 .. i + 0.5."""
    i = index.get(week_start_of(day))
    if i is None:
        return None
    return i - 0.5 + (day.weekday() + (1 if end else 0.5)) / 7


def annotation_marks(
    points: Sequence[WeekPoint], annotations: Sequence[Annotation]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Plotly shapes (a band from start to end, a line for one day) and labels (numbered,
    titles shortened and escaped: plotly reads tags in text) for the annotations."""
    if not points:
        return [], []
    index = {p.week_start: i for i, p in enumerate(points)}
    first, last = points[0].week_start, points[-1].week_start + timedelta(days=6)
    shapes, labels = [], []
    for number, a in enumerate(annotations, start=1):
        start, end = max(a.start, first), min(a.last_day, last)
        if start > end:
            continue
        fill, line = KIND_COLORS.get(a.kind, KIND_COLORS["other"])
        x0 = _day_position(start, index, end=False)
        if a.end is not None and a.end > a.start:
            x0 = index[week_start_of(start)] - 0.5 + start.weekday() / 7
            x1 = _day_position(end, index, end=True)
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x0,
                    "x1": x1,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": fill,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        else:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x0,
                    "x1": x0,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": line, "width": 1.5, "dash": "dot"},
                    "layer": "below",
                }
            )
        title = a.title if len(a.title) <= LABEL_LENGTH else a.title[: LABEL_LENGTH - 1] + "…"
        labels.append(
            {
                "x": x0,
                "xref": "x",
                "y": 1 - 0.07 * ((number - 1) % 3),
                "yref": "paper",
                "yanchor": "top",
                "xanchor": "left",
                "showarrow": False,
                "text": html.escape(f"{number} {title}"),
                "font": {"size": 11, "color": line},
                "bgcolor": "rgba(255, 255, 255, 0.8)",
                "name": "annotation",
            }
        )
    return shapes, labels


def weekly_net_figure(
    points: Sequence[WeekPoint],
    *,
    annotations: Sequence[Annotation] = (),
    selected: str = "",
) -> go.Figure:
    """Net sentiment per week (line, -100..+100) over comment volume (bars, right axis),
    with annotations as bands and markers, and the selected week shaded."""
    x = [p.label for p in points]
    short = [f"W{p.iso_week:02d}" for p in points]
    max_n = max((p.n for p in points), default=0)

    volume = go.Bar(
        x=x,
        y=[p.n for p in points],
        name="Comments",
        yaxis="y2",
        marker={"color": VOLUME_COLOR},
        hovertemplate="%{y:,} comments<extra></extra>",
    )
    net = go.Scatter(
        x=x,
        y=[p.net for p in points],
        name="Net sentiment",
        mode="lines+markers",
        # A week without comments is a gap, not a line drawn through zero.
        connectgaps=False,
        # A week at exactly +100 or -100 keeps its whole marker at the plot's edge.
        cliponaxis=False,
        line={"color": NET_COLOR, "width": 2.5},
        # Weeks below zero stand out in red; the sign is in the hover and the table too.
        marker={
            "size": 8,
            "color": [NEGATIVE_COLOR if (p.net or 0) < 0 else NET_COLOR for p in points],
            "line": {"color": "white", "width": 1.5},
        },
        # Formatted here: d3 would print a hyphen where the page prints a minus sign.
        customdata=[signed(p.net) for p in points],
        hovertemplate="Net sentiment %{customdata}<extra></extra>",
    )

    shapes, labels = annotation_marks(points, annotations)
    if selected in x:
        i = x.index(selected)
        shapes.insert(
            0,
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": i - 0.5,
                "x1": i + 0.5,
                "y0": 0,
                "y1": 1,
                "fillcolor": SELECTED_FILL,
                "line": {"width": 0},
                "layer": "below",
            },
        )

    fig = go.Figure(data=[volume, net])
    fig.update_layout(
        template="none",
        font={"family": FONT, "size": 12, "color": TEXT_COLOR},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 44, "r": 44, "t": 8, "b": 36},
        hovermode="x unified",
        hoverlabel={"bgcolor": "white", "bordercolor": GRID_COLOR, "font": {"color": TEXT_COLOR}},
        showlegend=True,
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "bgcolor": "rgba(0,0,0,0)",
        },
        bargap=0.45,
        # Plotly leaves out the grid line at the top edge; without it +100 floats.
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": 100,
                "y1": 100,
                "line": {"color": GRID_COLOR, "width": 1},
                "layer": "below",
            },
            *shapes,
        ],
        annotations=labels,
        dragmode=False,
        xaxis={
            "type": "category",
            "tickvals": x,
            "ticktext": short,
            "showgrid": False,
            "fixedrange": True,
            "ticks": "",
            "linecolor": GRID_COLOR,
            "showline": True,
            # The hover box is titled with the whole label ("2026-W47"), the axis with "W47".
            "unifiedhovertitle": {"text": "%{x}"},
        },
        # The net axis overlays the volume axis, so the line is drawn above the bars.
        yaxis={
            "title": {"text": "Net sentiment", "standoff": 4},
            "range": [-100, 100],
            "tickvals": [-100, -50, 0, 50, 100],
            "ticktext": ["−100", "−50", "0", "+50", "+100"],
            "zeroline": True,
            "zerolinecolor": ZERO_COLOR,
            "zerolinewidth": 1.5,
            "gridcolor": GRID_COLOR,
            "fixedrange": True,
            "overlaying": "y2",
            "side": "left",
        },
        yaxis2={
            "title": {"text": "Comments", "standoff": 4},
            "side": "right",
            # Headroom: bars stay in the lower part of the plot, under the net line's range.
            "range": [0, max(max_n, 1) * 2.2],
            "rangemode": "tozero",
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
            "tickvals": volume_ticks(max_n),
            "tickformat": ",",
        },
    )
    return fig


# Resizes with its container (laptop to phone); no toolbar, and no zoom that would
# trap a phone's scrolling finger: hover and legend clicks are the interaction.
CONFIG: dict[str, Any] = {"responsive": True, "displayModeBar": False, "scrollZoom": False}


def figure_data(fig: go.Figure) -> dict[str, Any]:
    """data, layout and config as a plain dict for the json_script template filter."""
    return {**json.loads(fig.to_json()), "config": CONFIG}
