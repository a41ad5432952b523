"""A fake Typeform (Create and Responses APIs) served by pytest-httpserver.

Endpoints (see collectors/typeform for the documentation they follow):
- GET /forms/{form_id}             the form definition (fields, hidden)
- GET /forms/{form_id}/responses   page_size (max 1000), after / before (a response token,
                                   exclusive), response_type (default completed)

Responses are kept in the order "the system processed them". Without a token they come
newest first (submitted_at); `before` gives the older ones, newest first; `after` the
later ones in processing order. An unknown token is a 400 as Typeform answers a bad
parameter. `Authorization: Bearer ...` is checked on every request.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FORM = "u6nXL7"
FORM_PATH = f"/forms/{FORM}"
RESPONSES = f"/forms/{FORM}/responses"


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def form_definition() -> dict[str, Any]:
    def choices(*labels: str) -> list[dict[str, Any]]:
        return [
            {"id": f"c{i}", "ref": label.lower(), "label": label} for i, label in enumerate(labels)
        ]

    return {
        "id": FORM,
        "title": "IT satisfaction survey",
        "type": "form",
        "workspace": {"href": "https://api.typeform.com/workspaces/abc"},
        "theme": {"href": "https://api.typeform.com/themes/qHWOQ7"},
        "settings": {"language": "en", "is_public": True},
        "hidden": ["email"],
        "fields": [
            {
                "id": "fWelcome",
                "ref": "intro",
                "title": "Thanks for helping IT!",
                "type": "statement",
                "properties": {},
            },
            {
                "id": "fBetter",
                "ref": "better",
                "title": "What could IT do better?",
                "type": "long_text",
                "properties": {},
                "validations": {"required": False},
            },
            {
                "id": "fDept",
                "ref": "department",
                "title": "Your department",
                "type": "dropdown",
                "properties": {"choices": choices("Finance", "Sales", "Legal")},
            },
            {
                "id": "fCsat",
                "ref": "csat",
                "title": "How satisfied are you with IT?",
                "type": "rating",
                "properties": {"steps": 5, "shape": "star"},
            },
            {
                "id": "fGroup",
                "ref": "more",
                "title": "A bit more",
                "type": "group",
                "properties": {
                    "fields": [
                        {
                            "id": "fService",
                            "ref": "service",
                            "title": "Which IT service?",
                            "type": "multiple_choice",
                            "properties": {"choices": choices("VPN", "Laptops", "E-mail")},
                        },
                        {
                            "id": "fOther",
                            "ref": "other",
                            "title": "Anything else?",
                            "type": "short_text",
                            "properties": {},
                        },
                    ]
                },
            },
        ],
        "_links": {"display": f"https://corp.typeform.com/to/{FORM}"},
    }


class FakeTypeform:
    def __init__(self, server: HTTPServer, *, token: str = "tfp_token") -> None:
        self.server = server
        self.token = token
        self.form = form_definition()
        self.items: list[dict[str, Any]] = []  # processing order
        self.clock = T0
        self.refuse: dict[str, tuple[int, dict[str, Any]]] = {}
        server.expect_request(FORM_PATH, method="GET").respond_with_handler(self._form)
        server.expect_request(RESPONSES, method="GET").respond_with_handler(self._responses)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def add_response(
        self,
        rid: str,
        *,
        better: str = "",
        other: str = "",
        department: str | None = None,
        service: str | None = None,
        csat: int | None = None,
        email: str = "",
        completed: bool = True,
        submitted: datetime | None = None,
    ) -> dict[str, Any]:
        self.clock += timedelta(minutes=1, seconds=3)
        when = submitted or self.clock
        answers: list[dict[str, Any]] = []
        if department:
            answers.append(
                {
                    "field": {"id": "fDept", "type": "dropdown", "ref": "department"},
                    "type": "choice",
                    "choice": {"id": "c0", "label": department, "ref": department.lower()},
                }
            )
        if csat is not None:
            answers.append(
                {
                    "field": {"id": "fCsat", "type": "rating", "ref": "csat"},
                    "type": "number",
                    "number": csat,
                }
            )
        if better:
            answers.append(
                {
                    "field": {"id": "fBetter", "type": "long_text", "ref": "better"},
                    "type": "text",
                    "text": better,
                }
            )
        if service:
            answers.append(
                {
                    "field": {"id": "fService", "type": "multiple_choice", "ref": "service"},
                    "type": "choice",
                    "choice": {"id": "c1", "label": service, "ref": service.lower()},
                }
            )
        if other:
            answers.append(
                {
                    "field": {"id": "fOther", "type": "short_text", "ref": "other"},
                    "type": "text",
                    "text": other,
                }
            )
        item = {
            "landing_id": rid,
            "token": rid,
            "response_id": rid,
            "response_type": "completed" if completed else "partial",
            "landed_at": _iso(when - timedelta(minutes=2)),
            "submitted_at": _iso(when) if completed else "",
            "metadata": {
                "user_agent": "Mozilla/5.0",
                "platform": "other",
                "referer": f"https://corp.typeform.com/to/{FORM}",
                "network_id": "responsdent_network_id",
                "browser": "default",
            },
            "hidden": {"email": email} if email else {},
            "calculated": {"score": 0},
            "variables": [],
            "answers": answers,
        }
        self.items.append(item)
        return item

    def requests_to(self, path: str) -> int:
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving --------------------------------------------------------------------

    def _error(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json(
                {
                    "code": "AUTHENTICATION_FAILED",
                    "description": "Authentication credentials not found on the Request Headers",
                },
                401,
            )
        for prefix, (status, body) in self.refuse.items():
            if request.path.startswith(prefix):
                return _json(body, status)
        return None

    def _form(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        return _json(self.form)

    def _responses(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        kinds = set((request.args.get("response_type") or "completed").split(","))
        found = [i for i in self.items if i["response_type"] in kinds]
        tokens = [i["token"] for i in self.items]
        after, before = request.args.get("after"), request.args.get("before")
        for tok in (after, before):
            if tok and tok not in tokens:
                return _json({"code": "VALIDATION_ERROR", "description": "invalid token"}, 400)
        if after:
            pos = tokens.index(after)
            found = [i for i in found if tokens.index(i["token"]) > pos]  # processing order
        else:
            if before:
                pos = tokens.index(before)
                found = [i for i in found if tokens.index(i["token"]) < pos]
            found = sorted(found, key=lambda i: i["submitted_at"] or i["landed_at"], reverse=True)
        size = min(int(request.args.get("page_size", 25)), 1000)
        page = found[:size]
        return _json(
            {"total_items": len(found), "page_count": max(1, -(-len(found) // size)), "items": page}
        )


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
