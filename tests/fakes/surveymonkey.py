"""A fake SurveyMonkey API v3 served by pytest-httpserver, speaking SurveyMonkey's shapes.

Endpoints (see collectors/surveymonkey for the documentation they follow):
- GET /v3/surveys/{id}/details          the survey definition (pages -> questions)
- GET /v3/surveys/{id}/responses/bulk   per_page (max 100), page, sort_by=date_modified,
                                        sort_order, start_modified_at (inclusive here),
                                        status

Every change to a response moves its `date_modified` to the fake clock (whole seconds, as
SurveyMonkey's date strings). `Authorization: Bearer ...` is checked on every request
(401 with SurveyMonkey's error body otherwise). Every answer carries the rate-limit
headers; `limits` overrides them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SURVEY = "405123"
DETAILS = f"/v3/surveys/{SURVEY}/details"
BULK = f"/v3/surveys/{SURVEY}/responses/bulk"

DEPARTMENTS = {"1031": "Finance", "1032": "Sales", "1033": "Human Resources"}
SERVICES = {"1041": "VPN", "1042": "Laptops", "1043": "E-mail"}
NPS = {f"105{n:02d}": n for n in range(11)}


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _question(qid: str, heading: str, family: str, subtype: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "position": 1,
        "visible": True,
        "family": family,
        "subtype": subtype,
        "layout": None,
        "sorting": None,
        "required": None,
        "validation": None,
        "forced_ranking": False,
        "headings": [{"heading": heading}],
        "href": f"https://api.surveymonkey.com/v3/surveys/{SURVEY}/pages/2001/questions/{qid}",
        **extra,
    }


def survey_details() -> dict[str, Any]:
    choice = [
        {"position": i + 1, "visible": True, "text": text, "quiz_options": {"score": 0}, "id": cid}
        for i, (cid, text) in enumerate(DEPARTMENTS.items())
    ]
    services = [
        {"position": i + 1, "visible": True, "text": text, "id": cid}
        for i, (cid, text) in enumerate(SERVICES.items())
    ]
    nps = [
        {"position": n + 1, "visible": True, "text": str(n), "weight": n, "id": cid}
        for cid, n in NPS.items()
    ]
    return {
        "title": "IT Pulse <b>Q1</b>",
        "nickname": "",
        "language": "en",
        "question_count": 6,
        "page_count": 1,
        "response_count": 0,
        "date_created": "2026-02-01T10:00:00",
        "date_modified": "2026-02-01T10:00:00",
        "id": SURVEY,
        "href": f"https://api.surveymonkey.com/v3/surveys/{SURVEY}",
        "pages": [
            {
                "title": "Your IT",
                "description": "",
                "position": 1,
                "question_count": 6,
                "id": "2001",
                "href": f"https://api.surveymonkey.com/v3/surveys/{SURVEY}/pages/2001",
                "questions": [
                    _question("100", "Thanks for taking part!", "presentation", "descriptive_text"),
                    _question("101", "What could IT do <em>better</em>?", "open_ended", "essay"),
                    _question("102", "Anything else?", "open_ended", "single"),
                    _question(
                        "103",
                        "Which department are you in?",
                        "single_choice",
                        "vertical",
                        answers={"choices": choice},
                    ),
                    _question(
                        "104",
                        "Which IT service is this about?",
                        "single_choice",
                        "vertical",
                        answers={"choices": services},
                    ),
                    _question(
                        "105",
                        "How likely are you to recommend IT to a colleague?",
                        "matrix",
                        "rating",
                        answers={
                            "rows": [{"visible": True, "text": "", "position": 1, "id": "1059"}],
                            "choices": nps,
                        },
                    ),
                ],
            }
        ],
    }


class FakeSurveyMonkey:
    def __init__(self, server: HTTPServer, *, token: str = "sm-token") -> None:
        self.server = server
        self.token = token
        self.details = survey_details()
        self.responses: dict[str, dict[str, Any]] = {}
        self.clock = T0
        self.limits: dict[str, str] = {}
        # path prefix -> (status, JSON body)
        self.refuse: dict[str, tuple[int, dict[str, Any]]] = {}
        server.expect_request(DETAILS, method="GET").respond_with_handler(self._details)
        server.expect_request(BULK, method="GET").respond_with_handler(self._bulk)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=1, seconds=7)
        return self.clock

    def add_response(
        self,
        rid: str,
        *,
        better: str = "",
        other: str = "",
        department: str | None = None,
        service: str | None = None,
        nps: int | None = None,
        status: str = "completed",
        email: str = "",
    ) -> dict[str, Any]:
        now = self._tick()
        item = {
            "id": rid,
            "recipient_id": "",
            "collection_mode": "default",
            "response_status": status,
            "custom_value": "",
            "first_name": "",
            "last_name": "",
            "email_address": email,
            "ip_address": "10.0.0.1",
            "logic_path": {},
            "metadata": {"contact": {}},
            "page_path": [],
            "collector_id": "446111201",
            "survey_id": SURVEY,
            "custom_variables": {},
            "edit_url": f"https://www.surveymonkey.com/r/?sm={rid}",
            "analyze_url": f"https://www.surveymonkey.com/analyze/browse/X?respondent_id={rid}",
            "total_time": 120,
            "date_modified": _iso(now),
            "date_created": _iso(now - timedelta(minutes=1)),
            "href": f"https://api.surveymonkey.com/v3/surveys/{SURVEY}/responses/{rid}",
            "pages": [{"id": "2001", "questions": []}],
        }
        self.responses[rid] = item
        self._set_answers(item, better, other, department, service, nps)
        return item

    def _set_answers(
        self,
        item: dict[str, Any],
        better: str,
        other: str,
        department: str | None,
        service: str | None,
        nps: int | None,
    ) -> None:
        questions = []
        if better:
            questions.append({"id": "101", "answers": [{"tag_data": [], "text": better}]})
        if other:
            questions.append({"id": "102", "answers": [{"tag_data": [], "text": other}]})
        if department:
            cid = next(k for k, v in DEPARTMENTS.items() if v == department)
            questions.append({"id": "103", "answers": [{"choice_id": cid}]})
        if service:
            cid = next(k for k, v in SERVICES.items() if v == service)
            questions.append({"id": "104", "answers": [{"choice_id": cid}]})
        if nps is not None:
            cid = next(k for k, v in NPS.items() if v == nps)
            questions.append({"id": "105", "answers": [{"choice_id": cid, "row_id": "1059"}]})
        item["pages"] = [{"id": "2001", "questions": questions}]

    def edit(self, rid: str, **answers: Any) -> None:
        """The respondent edits their response (or completes a partial one): same id."""
        item = self.responses[rid]
        status = answers.pop("status", None)
        if status:
            item["response_status"] = status
        current = self._current(item)
        current.update(answers)
        self._set_answers(item, **current)
        item["date_modified"] = _iso(self._tick())

    @staticmethod
    def _current(item: dict[str, Any]) -> dict[str, Any]:
        got: dict[str, Any] = {
            "better": "",
            "other": "",
            "department": None,
            "service": None,
            "nps": None,
        }
        for q in item["pages"][0]["questions"]:
            a = q["answers"][0]
            if q["id"] == "101":
                got["better"] = a["text"]
            elif q["id"] == "102":
                got["other"] = a["text"]
            elif q["id"] == "103":
                got["department"] = DEPARTMENTS[a["choice_id"]]
            elif q["id"] == "104":
                got["service"] = SERVICES[a["choice_id"]]
            elif q["id"] == "105":
                got["nps"] = NPS[a["choice_id"]]
        return got

    def requests_to(self, path: str) -> int:
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving --------------------------------------------------------------------

    def _error(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._json(
                {
                    "error": {
                        "id": "1011",
                        "name": "Authorization Error",
                        "docs": "https://developer.surveymonkey.com/api/v3/#error-codes",
                        "message": "The authorization token provided was invalid.",
                        "http_status_code": 401,
                    }
                },
                401,
            )
        for prefix, (status, body) in self.refuse.items():
            if request.path.startswith(prefix):
                return self._json(body, status)
        return None

    def _details(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        return self._json(self.details)

    def _bulk(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        found = list(self.responses.values())
        status = request.args.get("status")
        if status:
            found = [r for r in found if r.get("response_status") == status]
        since = request.args.get("start_modified_at")
        if since:
            bound = datetime.fromisoformat(since).replace(tzinfo=UTC)
            found = [r for r in found if datetime.fromisoformat(r["date_modified"]) >= bound]
        if request.args.get("sort_by") == "date_modified":
            found.sort(
                key=lambda r: (r.get("date_modified", ""), r.get("id", "")),
                reverse=request.args.get("sort_order") == "DESC",
            )
        per_page = min(int(request.args.get("per_page", 50)), 100)
        page = int(request.args.get("page", 1))
        chunk = found[(page - 1) * per_page : page * per_page]
        url = f"https://api.surveymonkey.com{BULK}"
        links = {"self": f"{url}?page={page}&per_page={per_page}"}
        if page * per_page < len(found):
            links["next"] = f"{url}?page={page + 1}&per_page={per_page}"
        return self._json(
            {"data": chunk, "per_page": per_page, "page": page, "total": len(found), "links": links}
        )

    def _json(self, body: Any, status: int = 200) -> Response:
        headers = {
            "X-Ratelimit-App-Global-Minute-Limit": "120",
            "X-Ratelimit-App-Global-Minute-Remaining": "119",
            "X-Ratelimit-App-Global-Minute-Reset": "60",
            "X-Ratelimit-App-Global-Day-Limit": "500",
            "X-Ratelimit-App-Global-Day-Remaining": "450",
            "X-Ratelimit-App-Global-Day-Reset": "36000",
            **self.limits,
        }
        return Response(
            json.dumps(body),
            status=status,
            headers=headers,
            content_type="application/json; charset=utf-8",
        )
