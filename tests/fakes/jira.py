"""A fake Jira Cloud (with JSM fields) served by pytest-httpserver, speaking Atlassian's shapes.

Endpoints (see collectors/jira for the documentation they follow):
- GET /rest/api/3/myself
- GET /rest/api/3/project/{key}
- GET /rest/api/3/search/jql        jql, fields, maxResults, nextPageToken -> {issues, nextPageToken, isLast}
- GET /rest/api/3/issue/{id}/comment startAt, maxResults, orderBy -> {startAt, maxResults, total, comments}

The JQL understood is the connector's: `project = "X" [AND updated >= "yyyy-MM-dd[ HH:mm]"]
ORDER BY updated ...`, the date read in the API user's time zone and compared at minute
precision as Jira does. Bodies are ADF. Basic auth `{email}:{token}` is checked on every
request (401 with Jira's error body otherwise).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

MYSELF = "/rest/api/3/myself"
SEARCH = "/rest/api/3/search/jql"
PROJECT = re.compile(r"^/rest/api/3/project/([A-Z0-9_]+)$")
COMMENTS = re.compile(r"^/rest/api/3/issue/([A-Z0-9_-]+)/comment$")
REQUEST_TYPE = "customfield_10010"
ORGANIZATIONS = "customfield_10002"
PARTICIPANTS = "customfield_10026"
JQL = re.compile(
    r'^project = "(?P<project>[A-Z0-9_]+)"'
    r'(?: AND updated >= "(?P<since>\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)")?'
    r" ORDER BY updated (?P<order>ASC|DESC)$"
)


def jira_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def adf(*paragraphs: str) -> dict[str, Any]:
    return {
        "version": 1,
        "type": "doc",
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": p}]} for p in paragraphs
        ],
    }


@dataclass
class _Issue:
    data: dict[str, Any]
    updated: datetime
    comments: list[dict[str, Any]] = field(default_factory=list)


class FakeJira:
    def __init__(
        self,
        server: HTTPServer,
        *,
        email: str = "earshot@corp.example",
        token: str = "jira-token",
        project: str = "ITSD",
        time_zone: str = "Europe/Berlin",
    ) -> None:
        self.server = server
        self.email, self.token, self.project, self.time_zone = email, token, project, time_zone
        self.users: dict[str, dict[str, Any]] = {}
        self.issues: dict[str, _Issue] = {}
        self.clock = T0
        self.next_comment_id = 10001
        self.refuse: dict[str, tuple[int, dict[str, Any]]] = {}
        self.add_user("me", "Earl Shot", email, "atlassian")
        server.expect_request(MYSELF, method="GET").respond_with_handler(self._myself)
        server.expect_request(SEARCH, method="GET").respond_with_handler(self._search)
        server.expect_request(PROJECT, method="GET").respond_with_handler(self._project)
        server.expect_request(COMMENTS, method="GET").respond_with_handler(self._comments)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=1, seconds=7)
        return self.clock

    def add_user(self, account_id: str, name: str, email: str, account_type: str) -> None:
        self.users[account_id] = {
            "self": f"{self.base_url}/rest/api/3/user?accountId={account_id}",
            "accountId": account_id,
            "emailAddress": email,
            "displayName": name,
            "active": True,
            "timeZone": self.time_zone,
            "accountType": account_type,
        }

    def add_issue(
        self,
        issue_id: int,
        summary: str,
        *,
        reporter: str,
        description: str | dict[str, Any],
        request_type: str | None = None,
        organization: str | None = None,
        components: list[str] | None = None,
        participants: list[str] | None = None,
    ) -> str:
        now = self._tick()
        key = f"{self.project}-{issue_id - 10000}"
        fields: dict[str, Any] = {
            "summary": summary,
            "created": jira_time(now),
            "updated": jira_time(now),
            "reporter": self.users[reporter],
            "description": adf(description) if isinstance(description, str) else description,
            "components": [{"id": str(i), "name": c} for i, c in enumerate(components or [])],
            "issuetype": {"id": "10100", "name": "[System] Service request", "subtask": False},
            REQUEST_TYPE: {
                "_links": {},
                "requestType": {"id": "12", "name": request_type, "serviceDeskId": "1"},
                "currentStatus": {"status": "Waiting for support"},
            }
            if request_type
            else None,
            ORGANIZATIONS: [{"id": "3", "name": organization, "_links": {}}]
            if organization
            else [],
            PARTICIPANTS: [self.users[p] for p in participants or []],
        }
        self.issues[key] = _Issue(
            data={
                "expand": "renderedFields,names,schema,operations,editmeta,changelog",
                "id": str(issue_id),
                "self": f"{self.base_url}/rest/api/3/issue/{issue_id}",
                "key": key,
                "fields": fields,
            },
            updated=now,
        )
        return key

    def add_comment(
        self,
        key: str,
        author: str,
        body: str | dict[str, Any],
        *,
        public: bool = True,
    ) -> str:
        cid = str(self.next_comment_id)
        self.next_comment_id += 1
        now = self._tick()
        user = self.users[author]
        self.add_raw_comment(
            key,
            {
                "self": f"{self.base_url}/rest/api/3/issue/{key}/comment/{cid}",
                "id": cid,
                "author": user,
                "body": adf(body) if isinstance(body, str) else body,
                "updateAuthor": user,
                "created": jira_time(now),
                "updated": jira_time(now),
                "jsdPublic": public,
            },
            now=now,
        )
        return cid

    def add_raw_comment(
        self, key: str, comment: dict[str, Any], now: datetime | None = None
    ) -> None:
        issue = self.issues[key]
        issue.comments.append(comment)
        self._touch(issue, now or self._tick())

    def edit_comment(self, cid: str, body: str) -> None:
        for issue in self.issues.values():
            for comment in issue.comments:
                if comment.get("id") == cid:
                    now = self._tick()
                    comment.update(body=adf(body), updated=jira_time(now))
                    self._touch(issue, now)
                    return
        raise KeyError(cid)

    def _touch(self, issue: _Issue, now: datetime) -> None:
        issue.updated = now
        issue.data["fields"]["updated"] = jira_time(now)

    def requests_to(self, path: str) -> int:
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving --------------------------------------------------------------------

    def _auth_error(self, request: Request) -> Response | None:
        auth = request.authorization
        if (
            not auth
            or auth.type != "basic"
            or (auth.username, auth.password) != (self.email, self.token)
        ):
            return _json(
                {
                    "errorMessages": [
                        "You are not authenticated. Authentication required to perform this operation."
                    ],
                    "errors": {},
                },
                401,
            )
        for prefix, (status, body) in self.refuse.items():
            if request.path.startswith(prefix):
                return _json(body, status)
        return None

    def _myself(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        me = next(u for u in self.users.values() if u["emailAddress"] == self.email)
        return _json({**me, "locale": "en_US", "groups": {"size": 2, "items": []}})

    def _project(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = PROJECT.match(request.path)
        assert match
        if match.group(1) != self.project:
            return _json(
                {"errorMessages": ["No project could be found with key 'X'."], "errors": {}}, 404
            )
        return _json(
            {
                "id": "10000",
                "key": self.project,
                "name": "IT Service Desk",
                "projectTypeKey": "service_desk",
            }
        )

    def _search(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = JQL.match(request.args.get("jql", ""))
        if not match:
            return _json({"errorMessages": ["Error in the JQL Query."], "errors": {}}, 400)
        candidates = [i for i in self.issues.values() if match["project"] == self.project]
        if match["since"]:
            fmt = "%Y-%m-%d %H:%M" if " " in match["since"] else "%Y-%m-%d"
            since = datetime.strptime(match["since"], fmt).replace(tzinfo=ZoneInfo(self.time_zone))
            candidates = [i for i in candidates if i.updated.replace(second=0) >= since]
        candidates.sort(
            key=lambda i: (i.updated, int(i.data["id"])), reverse=match["order"] == "DESC"
        )
        size = min(int(request.args.get("maxResults", 50)), 100)
        token = request.args.get("nextPageToken")
        start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        page = candidates[start : start + size]
        wanted = set(request.args.get("fields", "").split(","))
        issues = [
            {**i.data, "fields": {k: v for k, v in i.data["fields"].items() if k in wanted}}
            for i in page
        ]
        is_last = start + size >= len(candidates)
        body: dict[str, Any] = {"issues": issues, "isLast": is_last}
        if not is_last:
            body["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return _json(body)

    def _comments(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = COMMENTS.match(request.path)
        assert match
        ref = match.group(1)
        issue = self.issues.get(ref) or next(
            (i for i in self.issues.values() if i.data["id"] == ref), None
        )
        if issue is None:
            return _json(
                {
                    "errorMessages": [
                        "Issue does not exist or you do not have permission to see it."
                    ],
                    "errors": {},
                },
                404,
            )
        start = int(request.args.get("startAt", 0))
        size = min(int(request.args.get("maxResults", 100)), 100)
        chunk = issue.comments[start : start + size]
        return _json(
            {"startAt": start, "maxResults": size, "total": len(issue.comments), "comments": chunk}
        )


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json;charset=UTF-8")
