"""A fake LimeSurvey RemoteControl 2 (JSON-RPC) served by pytest-httpserver.

POST /index.php/admin/remotecontrol with {"method", "params", "id"}; the methods the
connector calls (see collectors/limesurvey for the source they follow):
get_session_key, release_session_key, list_surveys, list_questions,
get_question_properties, export_responses (json, code headings, long answers,
iFromResponseID). Failures come back as LimeSurvey sends them: a result
{"status": "..."} with a null error.

Response ids are given when a respondent starts; `submitdate` is empty until the
response is completed. Dates are the server's local time, without a zone.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

RPC = "/index.php/admin/remotecontrol"
SID = 246810
T0 = datetime(2026, 3, 2, 10, 0)  # server local time (Europe/Berlin in the tests)

QUESTIONS = [
    # qid, parent_qid, code, text, type
    (11, 0, "intro", "Welcome!", "X"),
    (12, 0, "better", "What could IT do <b>better</b>?", "T"),
    (13, 0, "dept", "Your department", "L"),
    (14, 0, "csat", "How satisfied are you with IT?", "5"),
    (15, 0, "service", "Which IT service?", "!"),
    (16, 0, "more", "Tell us more", "Q"),
    (17, 16, "SQ001", "What worked", "Q"),
    (18, 16, "SQ002", "What did not", "Q"),
    (19, 0, "nps", "Recommend IT to a colleague?", "L"),
]
NPS_OPTIONS = {
    str(n): {"answer": str(n), "assessment_value": n, "scale_id": 0, "order": n} for n in range(11)
}


class FakeLimeSurvey:
    def __init__(
        self, server: HTTPServer, *, username: str = "earshot", password: str = "s3cret"
    ) -> None:
        self.server = server
        self.username = username
        self.password = password
        self.sessions: set[str] = set()
        self.released: list[str] = []
        self.calls: list[tuple[str, list[Any]]] = []
        self.responses: dict[int, dict[str, Any]] = {}
        self.next_id = 1
        self.clock = T0
        self.permission = True
        self.legacy_format = False
        self.rpc_enabled = True
        server.expect_request(RPC, method="POST").respond_with_handler(self._handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def start(self, **answers: Any) -> int:
        """A respondent starts: the response gets its id now, no submitdate yet."""
        rid = self.next_id
        self.next_id += 1
        self.clock += timedelta(minutes=1, seconds=13)
        stamp = self.clock.strftime("%Y-%m-%d %H:%M:%S")
        row: dict[str, Any] = {
            "id": rid,
            "submitdate": None,
            "lastpage": 1,
            "startlanguage": "en",
            "seed": "123456",
            "token": answers.pop("token", ""),
            "startdate": stamp,
            "datestamp": stamp,
            "better": "",
            "dept": "",
            "csat": "",
            "service": "",
            "more[SQ001]": "",
            "more[SQ002]": "",
            "nps": "",
        }
        row.update(_columns(answers))
        self.responses[rid] = row
        return rid

    def complete(self, rid: int, **answers: Any) -> None:
        self.clock += timedelta(minutes=1, seconds=13)
        row = self.responses[rid]
        row.update(_columns(answers))
        row["submitdate"] = row["datestamp"] = self.clock.strftime("%Y-%m-%d %H:%M:%S")
        row["lastpage"] = 3

    def add(self, **answers: Any) -> int:
        rid = self.start()
        self.complete(rid, **answers)
        return rid

    def edit(self, rid: int, **answers: Any) -> None:
        self.responses[rid].update(_columns(answers))

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]

    # --- serving --------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        if not self.rpc_enabled:
            return Response("<html><body>LimeSurvey</body></html>", content_type="text/html")
        body = json.loads(request.get_data() or b"{}")
        method, params = body.get("method"), body.get("params") or []
        self.calls.append((method, params))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _reply(body, None, error=f"Method {method} not found")
        if method != "get_session_key" and params[0] not in self.sessions:
            return _reply(body, {"status": "Invalid session key"})
        return _reply(body, handler(*params))

    def _m_get_session_key(self, username: str, password: str, plugin: str = "Authdb") -> Any:
        if (username, password) != (self.username, self.password):
            return {"status": "Invalid user name or password"}
        key = f"key{len(self.sessions) + 1:030d}"
        self.sessions.add(key)
        return key

    def _m_release_session_key(self, key: str) -> Any:
        self.sessions.discard(key)
        self.released.append(key)
        return "OK"

    def _m_list_surveys(self, key: str, username: str | None = None) -> Any:
        return [
            {
                "sid": SID,
                "surveyls_title": "IT Pulse 2026",
                "startdate": None,
                "expires": None,
                "active": "Y",
            },
            {
                "sid": 111111,
                "surveyls_title": "Canteen",
                "startdate": None,
                "expires": None,
                "active": "N",
            },
        ]

    def _m_list_questions(self, key: str, sid: int, gid: Any = None, lang: Any = None) -> Any:
        if int(sid) != SID:
            return {"status": "Error: Invalid survey ID"}
        return [
            {
                "id": {"qid": qid, "language": "en"},
                "qid": qid,
                "parent_qid": parent,
                "sid": SID,
                "gid": 1,
                "type": qtype,
                "title": code,
                "question": text,
                "preg": "",
                "help": "",
                "other": "N",
                "mandatory": "N",
                "question_order": qid,
                "language": "en",
                "scale_id": 0,
                "same_default": 0,
                "relevance": "1",
            }
            for qid, parent, code, text, qtype in QUESTIONS
        ]

    def _m_get_question_properties(
        self, key: str, qid: int, props: Any = None, lang: Any = None
    ) -> Any:
        if int(qid) == 19:
            return {"answeroptions": NPS_OPTIONS}
        return {"answeroptions": "No available answer options"}

    def _m_export_responses(
        self,
        key: str,
        sid: int,
        doc: str,
        lang: Any = None,
        status: str = "all",
        heading: str = "code",
        kind: str = "short",
        first: Any = None,
        last: Any = None,
        fields: Any = None,
    ) -> Any:
        if not self.permission:
            return {"status": "No permission"}
        if not self.responses:
            return {"status": "No Data, could not get max id."}
        assert (doc, heading, kind) == ("json", "code", "long")
        rows = [r for rid, r in sorted(self.responses.items()) if rid >= int(first or 1)]
        if status == "complete":
            rows = [r for r in rows if r["submitdate"]]
        if self.legacy_format:
            out = [{str(r["id"]): {k: v for k, v in r.items() if k != "id"}} for r in rows]
        else:
            out = rows
        blob = json.dumps({"responses": out}).encode()
        return base64.b64encode(blob).decode()


def _columns(answers: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in answers.items():
        if key == "worked":
            out["more[SQ001]"] = value
        elif key == "not_worked":
            out["more[SQ002]"] = value
        else:
            out[key] = value
    return out


def _reply(body: dict[str, Any], result: Any, error: str | None = None) -> Response:
    return Response(
        json.dumps({"id": body.get("id"), "result": result, "error": error}),
        content_type="application/json",
    )
