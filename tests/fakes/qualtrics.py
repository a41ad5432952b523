"""A fake Qualtrics (API v3: whoami, survey definition, response export) on pytest-httpserver.

Endpoints (see collectors/qualtrics for the documentation they follow):
- GET  /API/v3/whoami
- GET  /API/v3/survey-definitions/{surveyId}
- POST /API/v3/surveys/{surveyId}/export-responses          {"format": "json",
       "allowContinuation" | "continuationToken", "startDate"}
- GET  /API/v3/surveys/{surveyId}/export-responses/{progressId}   inProgress, then complete
- GET  /API/v3/surveys/{surveyId}/export-responses/{fileId}/file  a zip with one .json

Responses are recorded in order; a continuation token remembers how many were recorded
when its export ran, so the next export holds only those recorded since. Editing a
response changes its values but not its recordedDate (as in Data & Analysis). An unknown
token is a 400. `X-API-TOKEN` is checked on every request (401 as Qualtrics answers).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SURVEY = "SV_6mudEEycYo5zehT"
WHOAMI = "/API/v3/whoami"
DEFINITION = f"/API/v3/survey-definitions/{SURVEY}"
EXPORT = f"/API/v3/surveys/{SURVEY}/export-responses"
PROGRESS = re.compile(rf"^{EXPORT}/(ES_\w+)$")
FILE = re.compile(rf"^{EXPORT}/([\w-]+)/file$")
DEPARTMENTS = {"1": "Finance", "2": "Sales", "3": "Legal"}
SERVICES = {"1": "VPN", "2": "Laptops", "3": "E-mail"}


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def survey_definition() -> dict[str, Any]:
    def q(qid: str, tag: str, text: str, qtype: str, selector: str, **extra: Any):
        return {
            "QuestionID": qid,
            "DataExportTag": tag,
            "QuestionText": text,
            "QuestionType": qtype,
            "Selector": selector,
            "Configuration": {"QuestionDescriptionOption": "UseText"},
            "Validation": {"Settings": {}},
            **extra,
        }

    return {
        "SurveyID": SURVEY,
        "SurveyName": "IT Pulse",
        "SurveyStatus": "Active",
        "Questions": {
            "QID1": q("QID1", "Q1", "Welcome to the IT survey", "DB", "TB"),
            "QID2": q(
                "QID2",
                "dept",
                "Your department?",
                "MC",
                "SAVR",
                SubSelector="TX",
                Choices={k: {"Display": v} for k, v in DEPARTMENTS.items()},
            ),
            "QID3": q(
                "QID3",
                "Q3",
                "How likely are you to recommend IT?<br>0 = not at all",
                "MC",
                "NPS",
                Choices=[{"Display": str(n)} for n in range(11)],
            ),
            "QID4": q("QID4", "better", "What could IT do <b>better</b>?", "TE", "ESTB"),
            "QID5": q(
                "QID5",
                "Q5",
                "Which IT service?",
                "MC",
                "DL",
                SubSelector="TX",
                Choices={k: {"Display": v} for k, v in SERVICES.items()},
            ),
            "QID6": q("QID6", "Q6", "Anything else?", "TE", "SL"),
        },
    }


class FakeQualtrics:
    def __init__(self, server: HTTPServer, *, token: str = "qx-token") -> None:
        self.server = server
        self.token = token
        self.definition = survey_definition()
        self.responses: list[dict[str, Any]] = []  # recorded order
        self.clock = T0
        self.tokens: dict[str, int] = {}  # continuation token -> responses recorded then
        self.jobs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.bodies: list[dict[str, Any]] = []  # export requests, as sent
        self.polls_needed = 1  # progress answers "inProgress" this many times first
        self.fail_export = ""
        self.refuse: dict[str, tuple[int, dict[str, Any]]] = {}
        server.expect_request(WHOAMI, method="GET").respond_with_handler(self._whoami)
        server.expect_request(DEFINITION, method="GET").respond_with_handler(self._definition)
        server.expect_request(EXPORT, method="POST").respond_with_handler(self._start)
        server.expect_request(PROGRESS, method="GET").respond_with_handler(self._progress)
        server.expect_request(FILE, method="GET").respond_with_handler(self._file)

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
        nps: int | None = None,
        finished: bool = True,
        email: str = "",
    ) -> dict[str, Any]:
        self.clock += timedelta(minutes=1, seconds=11)
        values: dict[str, Any] = {
            "startDate": _iso(self.clock - timedelta(minutes=3)),
            "endDate": _iso(self.clock),
            "status": 0,
            "ipAddress": "10.0.0.8",
            "progress": 100 if finished else 40,
            "duration": 180,
            "finished": 1 if finished else 0,
            "recordedDate": _iso(self.clock),
            "_recordId": rid,
            "locationLatitude": "50.1",
            "locationLongitude": "8.6",
            "distributionChannel": "email" if email else "anonymous",
            "userLanguage": "EN",
        }
        labels: dict[str, Any] = {
            "status": "IP Address",
            "finished": "True" if finished else "False",
        }
        if email:
            values.update(
                recipientEmail=email,
                recipientFirstName="Anna",
                recipientLastName="Accountant",
                externalDataReference="E-1001",
            )
        if department:
            code = next(k for k, v in DEPARTMENTS.items() if v == department)
            values["QID2"], labels["QID2"] = int(code), department
        if nps is not None:
            values["QID3"], labels["QID3"] = nps, str(nps)
            values["QID3_NPS_GROUP"] = 1 if nps <= 6 else 2 if nps <= 8 else 3
        if better:
            values["QID4_TEXT"] = better
        if service:
            code = next(k for k, v in SERVICES.items() if v == service)
            values["QID5"], labels["QID5"] = int(code), service
        if other:
            values["QID6_TEXT"] = other
        item = {
            "responseId": rid,
            "values": values,
            "labels": labels,
            "displayedFields": sorted(k for k in values if k.startswith("QID")),
            "displayedValues": {},
        }
        self.responses.append(item)
        return item

    def edit(self, rid: str, **values: Any) -> None:
        item = next(r for r in self.responses if r["responseId"] == rid)
        item["values"].update(values)

    def requests_to(self, path: str) -> int:
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving --------------------------------------------------------------------

    def _error(self, request: Request) -> Response | None:
        if request.headers.get("X-API-TOKEN") != self.token:
            return _json(
                {
                    "meta": {
                        "httpStatus": "401 - Unauthorized",
                        "error": {
                            "errorMessage": "Unrecognized X-API-TOKEN.",
                            "errorCode": "AUTH_6.0",
                        },
                        "requestId": "r-1",
                    }
                },
                401,
            )
        for prefix, (status, body) in self.refuse.items():
            if request.path.startswith(prefix):
                return _json(body, status)
        return None

    def _whoami(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        return _json(
            {
                "result": {
                    "brandId": "corp",
                    "userId": "UR_1",
                    "userName": "it-survey@corp.example#corp",
                    "accountType": "UT_4",
                    "firstName": "Ivy",
                    "lastName": "Insights",
                    "email": "it-survey@corp.example",
                },
                "meta": _ok(),
            }
        )

    def _definition(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        return _json({"result": self.definition, "meta": _ok()})

    def _start(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        body = json.loads(request.get_data() or b"{}")
        self.bodies.append(body)
        if body.get("format") != "json":
            return _bad("format must be json in this fake")
        first = 0
        token = body.get("continuationToken")
        if token:
            if token not in self.tokens:
                return _bad("Invalid continuation token")
            first = self.tokens[token]
        picked = self.responses[first:]
        if body.get("startDate"):
            since = body["startDate"]
            picked = [r for r in picked if r["values"]["recordedDate"] >= since]
        pid = f"ES_{len(self.jobs) + 1:04d}"
        job: dict[str, Any] = {"responses": [json.loads(json.dumps(r)) for r in picked], "polls": 0}
        if token or body.get("allowContinuation"):
            job["token"] = f"ct-{len(self.jobs) + 1}"
            self.tokens[job["token"]] = len(self.responses)
        self.jobs[pid] = job
        return _json(
            {
                "result": {"progressId": pid, "percentComplete": 0.0, "status": "inProgress"},
                "meta": _ok(),
            }
        )

    def _progress(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        m = PROGRESS.match(request.path)
        assert m
        job = self.jobs[m.group(1)]
        job["polls"] += 1
        if self.fail_export:
            return _json(
                {
                    "result": {
                        "status": "failed",
                        "percentComplete": 0.0,
                        "fileId": None,
                        "error": {"errorMessage": self.fail_export},
                    },
                    "meta": _ok(),
                }
            )
        if job["polls"] <= self.polls_needed:
            return _json(
                {
                    "result": {"status": "inProgress", "percentComplete": 50.0, "fileId": None},
                    "meta": _ok(),
                }
            )
        fid = f"{m.group(1)}-file"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr("IT Pulse.json", json.dumps({"responses": job["responses"]}))
        self.files[fid] = buf.getvalue()
        result = {"status": "complete", "percentComplete": 100.0, "fileId": fid}
        if job.get("token"):
            result["continuationToken"] = job["token"]
        return _json({"result": result, "meta": _ok()})

    def _file(self, request: Request) -> Response:
        if (err := self._error(request)) is not None:
            return err
        m = FILE.match(request.path)
        assert m
        return Response(self.files[m.group(1)], content_type="application/octet-stream")


def _ok() -> dict[str, Any]:
    return {"requestId": "7a9150e0-08bb-4953-89cf-ef8a157b8aa7", "httpStatus": "200 - OK"}


def _bad(message: str) -> Response:
    return _json(
        {
            "meta": {
                "httpStatus": "400 - Bad Request",
                "error": {"errorMessage": message, "errorCode": "RCE_1.2"},
            }
        },
        400,
    )


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
