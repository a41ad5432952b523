"""Plotly figures for the dashboards, as JSON for plotly.js (served locally, never from a CDN)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from .selectors import WeekPoint

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


def weekly_net_figure(points: Sequence[WeekPoint]) -> go.Figure:
    """Net sentiment per week (line, -100..+100) over comment volume (bars, right axis)."""
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
            }
        ],
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
