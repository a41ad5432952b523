"""Read-only JSON API: the figures of the CIO's weekly overview, for other tools.

- `GET /api/v1/overview?week=2026-W45&range=12`: the week's net sentiment with its 95 %
  interval, comments and people, the change against the week before and against the 12
  weeks before, the breakdowns by source, service and department, and the weekly trend.
- `GET /api/v1/openapi.json`: the OpenAPI 3 document of these endpoints and of the
  webhook endpoint (collectors/webhooks.py).

Same access as the overview page: a logged-in session (the site's log-in) of a user with
`sentiment.view_overview` (Executive, Analyst, Admin); otherwise 401 or 403, as JSON.
Only aggregates leave: no author, no comment text. The fewer-than-5 rule holds as on the
page: a week or a group with fewer than MIN_PEOPLE people has every figure null and
`"suppressed": "too few responses"`, and a group hidden with it so that it cannot be
worked out by subtraction says so too. A bad query parameter is a 400 saying which and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone

from .selectors import (
    BASELINE_WEEKS,
    DIMENSIONS,
    MIN_PEOPLE,
    RANGES,
    Change,
    Counts,
    GroupRow,
    WeekPoint,
    parse_week,
    week_breakdown,
    week_label,
    week_start_of,
    weekly_sentiment,
)
from .views import OVERVIEW_WEEKS, Headline, headline

SUPPRESSED = "too few responses"
PARAMETERS = ("week", "range")
OLDEST_YEAR = 1990  # earlier weeks are a typo, not a question
# An ISO week, exactly: no spaces, no digits but 0-9 (the document's pattern is narrower).
_WEEK = re.compile(r"[0-9]{4}-W[0-9]{2}")
WEEK_PATTERN = r"^(199[0-9]|20[0-9]{2})-W(0[1-9]|[1-4][0-9]|5[0-3])$"


class BadRequest(Exception):
    """A query the API refuses; the message says what is wrong."""


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _api_view(view: Callable[[HttpRequest], JsonResponse]) -> Callable[..., JsonResponse]:
    """GET only, a logged-in session with the overview's permission; errors as JSON."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> JsonResponse:
        if request.method not in ("GET", "HEAD"):
            response = _error(405, f"{request.method} is not allowed here; use GET.")
            response["Allow"] = "GET, HEAD"
            return response
        if not request.user.is_authenticated:
            return _error(401, "Log in first: the API uses the session of the site's log-in.")
        if not request.user.has_perm("sentiment.view_overview"):
            return _error(
                403, "Your account may not see the overview (Executive, Analyst or Admin)."
            )
        try:
            return view(request)
        except BadRequest as exc:
            return _error(400, str(exc))

    return wrapper


def _week_param(raw: str, today: date) -> date:
    example = week_label(week_start_of(today))
    week = parse_week(raw) if _WEEK.fullmatch(raw) else None
    if week is None:
        raise BadRequest(f"week {raw[:40]!r} is not an ISO week like {example}.")
    if week.year < OLDEST_YEAR:
        raise BadRequest(f"week {raw} is before {OLDEST_YEAR}; give a week like {example}.")
    if week > week_start_of(today):
        raise BadRequest(f"week {raw} has not started yet; the latest is {example}.")
    return week


def _query(request: HttpRequest, today: date) -> tuple[date | None, int]:
    unknown = sorted(set(request.GET) - set(PARAMETERS))
    if unknown:
        raise BadRequest(
            f"unknown parameter {', '.join(repr(u[:40]) for u in unknown)}; "
            f"this endpoint takes {' and '.join(PARAMETERS)}."
        )
    for name in PARAMETERS:
        if len(request.GET.getlist(name)) > 1:
            raise BadRequest(f"give {name} once.")
        if name in request.GET and not request.GET[name]:
            raise BadRequest(f"{name} is empty; give a value or leave {name} out.")
    week = None
    if "week" in request.GET:
        week = _week_param(request.GET["week"], today)
    weeks = OVERVIEW_WEEKS
    if "range" in request.GET:
        raw_range = request.GET["range"]
        if raw_range not in {str(r) for r in RANGES}:
            raise BadRequest(
                f"range {raw_range[:40]!r} is not one of {', '.join(map(str, RANGES))} (weeks)."
            )
        weeks = int(raw_range)
    return week, weeks


def _change(change: Change) -> dict[str, Any] | None:
    if change.value is None:
        return None
    return {"value": change.value, "margin": change.margin, "significant": change.significant}


def _figures(counts: Counts, people: int) -> dict[str, Any]:
    ci = counts.ci
    return {
        "net": counts.net,
        "n": counts.n,
        "people": people,
        "n_positive": counts.n_positive,
        "n_negative": counts.n_negative,
        "ci": None if ci is None else {"low": ci[0], "high": ci[1]},
    }


_HIDDEN = dict.fromkeys(("net", "n", "people", "n_positive", "n_negative", "ci"))


def _headline(top: Headline) -> dict[str, Any]:
    week = top.week
    if week.suppressed:
        return {
            **_HIDDEN,
            "suppressed": SUPPRESSED,
            "change_vs_previous": None,
            "change_vs_baseline": None,
        }
    vs_baseline = _change(top.vs_baseline)
    if vs_baseline is not None:
        vs_baseline["weeks"] = top.baseline_weeks
    return {
        **_figures(top.counts, week.people),
        "suppressed": None,
        "change_vs_previous": _change(top.vs_previous),
        "change_vs_baseline": vs_baseline,
    }


def _group(dimension: str, row: GroupRow) -> dict[str, Any]:
    key = row.key if dimension == "department" else str(row.key)
    named = {"key": key, "name": row.name}
    if row.suppressed:
        return {
            **named,
            **_HIDDEN,
            "suppressed": SUPPRESSED,
            # "complement": hidden although it has enough people, so that the smaller one
            # cannot be worked out from the total (the page says the same).
            "reason": "fewer people" if row.reason == "few" else "hidden with a smaller group",
            "target": None,
            "change_vs_target": None,
            "impact": None,
        }
    return {
        **named,
        **_figures(row.week, row.people),
        "suppressed": None,
        "reason": None,
        "target": row.target,
        "change_vs_target": _change(row.change),
        "impact": row.impact,
    }


def _trend_point(p: WeekPoint) -> dict[str, Any]:
    point: dict[str, Any] = {"week": p.label, "week_start": p.week_start.isoformat()}
    if p.suppressed:
        return {
            **point,
            "net": None,
            "n": None,
            "people": None,
            "mean_compound": None,
            "suppressed": SUPPRESSED,
        }
    mean = None if p.mean_compound is None else round(p.mean_compound, 4)
    return {
        **point,
        "net": p.net,
        "n": p.n,
        "people": p.people,
        "mean_compound": mean,
        "suppressed": None,
    }


@_api_view
def overview(request: HttpRequest) -> JsonResponse:
    today = timezone.localdate()
    week, weeks = _query(request, today)
    # The selected week, the one before it and the BASELINE_WEEKS before that, or the
    # trend's `weeks`, whichever reaches further back.
    span = max(weeks, BASELINE_WEEKS + 1) + 1
    if week is None:
        # As the page: the latest complete week with comments (this week if none has).
        recent = weekly_sentiment(weeks=span + 1, today=today)
        top = headline(recent[1:], before=recent[0])
        week = top.week.week_start if top is not None else week_start_of(today) - timedelta(weeks=1)
    points = weekly_sentiment(weeks=span, today=week)
    selected = points[-1]
    top = Headline(
        week=selected,
        previous=points[-2],
        title="",
        baseline_points=points[-1 - BASELINE_WEEKS : -1],
    )
    breakdowns: dict[str, list[dict[str, Any]]] = {}
    for dimension in DIMENSIONS:
        rows = [] if selected.suppressed or not selected.n else week_breakdown(dimension, week)
        breakdowns[dimension] = [_group(dimension, r) for r in rows]
    return JsonResponse(
        {
            "week": selected.label,
            "week_start": selected.week_start.isoformat(),
            "week_end": selected.week_end.isoformat(),
            "range": weeks,
            "min_people": MIN_PEOPLE,
            "headline": _headline(top),
            "breakdowns": breakdowns,
            "trend": [_trend_point(p) for p in points[-weeks:]],
        }
    )


@_api_view
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(OPENAPI)


# --- the OpenAPI document --------------------------------------------------------------


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


_NUMBER = {"type": "number"}
_COUNT = {"type": "integer", "minimum": 0}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string", "minLength": 1}},
}
_CHANGE = {
    "type": "object",
    "required": ["value", "margin", "significant"],
    "properties": {
        "value": _NUMBER,
        "margin": _nullable(_NUMBER),
        "significant": {"type": "boolean"},
        "weeks": _COUNT,
    },
}
_FIGURES = {
    "net": _nullable({"type": "number", "minimum": -100, "maximum": 100}),
    "n": _nullable(_COUNT),
    "people": _nullable(_COUNT),
    "n_positive": _nullable(_COUNT),
    "n_negative": _nullable(_COUNT),
    "ci": _nullable(
        {
            "type": "object",
            "required": ["low", "high"],
            "properties": {"low": _NUMBER, "high": _NUMBER},
        }
    ),
    "suppressed": _nullable({"type": "string", "enum": [SUPPRESSED]}),
}
_GROUP = {
    "type": "object",
    "required": ["key", "name", *_FIGURES, "reason", "target", "change_vs_target", "impact"],
    "properties": {
        "key": {"type": "string", "description": "Source or service id; department name."},
        "name": {"type": "string"},
        **_FIGURES,
        "reason": _nullable(
            {"type": "string", "enum": ["fewer people", "hidden with a smaller group"]}
        ),
        "target": _nullable(_NUMBER),
        "change_vs_target": _nullable(_CHANGE),
        "impact": _nullable({"type": "number", "minimum": 0}),
    },
}
_OVERVIEW = {
    "type": "object",
    "required": [
        "week",
        "week_start",
        "week_end",
        "range",
        "min_people",
        "headline",
        "breakdowns",
        "trend",
    ],
    "properties": {
        "week": {"type": "string", "pattern": r"^\d{4}-W\d{2}$"},
        "week_start": {"type": "string", "format": "date"},
        "week_end": {"type": "string", "format": "date"},
        "range": {"type": "integer", "enum": list(RANGES)},
        "min_people": {"type": "integer"},
        "headline": {
            "type": "object",
            "required": [*_FIGURES, "change_vs_previous", "change_vs_baseline"],
            "properties": {
                **_FIGURES,
                "change_vs_previous": _nullable(_CHANGE),
                "change_vs_baseline": _nullable(_CHANGE),
            },
        },
        "breakdowns": {
            "type": "object",
            "required": list(DIMENSIONS),
            "properties": {d: {"type": "array", "items": _GROUP} for d in DIMENSIONS},
        },
        "trend": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "week",
                    "week_start",
                    "net",
                    "n",
                    "people",
                    "mean_compound",
                    "suppressed",
                ],
                "properties": {
                    "week": {"type": "string"},
                    "week_start": {"type": "string", "format": "date"},
                    "net": _FIGURES["net"],
                    "n": _FIGURES["n"],
                    "people": _FIGURES["people"],
                    "mean_compound": _nullable({"type": "number", "minimum": -1, "maximum": 1}),
                    "suppressed": _FIGURES["suppressed"],
                },
            },
        },
    },
}


def _errors(*codes: int) -> dict[str, Any]:
    what = {
        400: "A bad query parameter; the message says which and why.",
        401: "Not logged in.",
        403: "Logged in without the overview's permission.",
    }
    return {
        str(c): {
            "description": what[c],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for c in codes
    }


_HOOK_ANSWER = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "error": {"type": "string"},
        "note": {"type": "string"},
        "received": {"type": "integer"},
        "duplicate": {"type": "boolean"},
        "challenge": {"type": "string", "description": "Slack's url_verification answer."},
    },
}


def _hook_answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HookAnswer"}}},
    }


OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Earshot",
        "version": "1",
        "description": (
            "The figures of the weekly overview, read-only, and the webhook that push "
            "sources post to. The /api/v1/ endpoints need the session cookie of the "
            "site's log-in and the overview's permission. Groups and weeks with fewer than "
            f"{MIN_PEOPLE} people have their figures null and "
            f'"suppressed": "{SUPPRESSED}".'
        ),
    },
    "paths": {
        "/api/v1/overview": {
            "get": {
                "summary": "One week of the overview: headline, breakdowns, trend.",
                "operationId": "overview",
                "security": [{"session": []}],
                "parameters": [
                    {
                        "name": "week",
                        "in": "query",
                        "required": False,
                        "description": (
                            "An ISO week, e.g. 2026-W45, not in the future. Default: the "
                            "latest complete week with comments."
                        ),
                        "schema": {"type": "string", "pattern": WEEK_PATTERN},
                    },
                    {
                        "name": "range",
                        "in": "query",
                        "required": False,
                        "description": "Weeks in the trend, ending with the week.",
                        "schema": {"type": "integer", "enum": list(RANGES), "default": 12},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The week's figures.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Overview"}
                            }
                        },
                    },
                    **_errors(400, 401, 403),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document.",
                "operationId": "openapi",
                "security": [{"session": []}],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_errors(401, 403),
                },
            }
        },
        "/hooks/{source_id}/{token}/": {
            "post": {
                "summary": "A push delivery to one source (webhook or slack kind).",
                "description": (
                    "Signed with the source's signing secret: X-Earshot-Signature: "
                    'sha256=<hex HMAC-SHA256 of "<X-Earshot-Timestamp>.<body>"> (webhook '
                    "kind) or Slack's X-Slack-Signature. At most 1 MB. The event is stored, "
                    "then processed; a redelivery is a duplicate."
                ),
                "operationId": "hook",
                "security": [],
                "parameters": [
                    {
                        "name": "source_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    {
                        "name": "token",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,100}$"},
                    },
                    {
                        "name": "X-Earshot-Timestamp",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "X-Earshot-Signature",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "X-Earshot-Delivery",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {}}},
                },
                "responses": {
                    "200": _hook_answer("Stored (or a duplicate, or acknowledged and not stored)."),
                    "400": _hook_answer("Signed, but not UTF-8 JSON of the expected shape."),
                    "401": _hook_answer("No signature, a wrong one, or a stale timestamp."),
                    "404": {
                        "description": (
                            "No such webhook (unknown source, other kind, disabled, wrong "
                            "token); a path that is not a webhook URL at all gets the site's "
                            "plain 404 page."
                        ),
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/HookAnswer"}
                            },
                            "text/html": {"schema": {"type": "string"}},
                        },
                    },
                    "413": _hook_answer("Body over 1 MB, or more items than the source takes."),
                    "503": _hook_answer("The source's settings or secrets cannot be read."),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}},
        "schemas": {"Overview": _OVERVIEW, "Error": _ERROR, "HookAnswer": _HOOK_ANSWER},
    },
}


urlpatterns = [
    path("overview", overview, name="api-overview"),
    path("openapi.json", openapi, name="api-openapi"),
]
