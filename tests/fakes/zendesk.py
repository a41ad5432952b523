"""A fake Zendesk Support served by pytest-httpserver, speaking Zendesk's JSON shapes.

Endpoints (see collectors/zendesk for the documentation they follow):
- GET /api/v2/incremental/tickets/cursor.json  start_time | cursor, per_page, include
- GET /api/v2/tickets/{id}/comments.json        page[size], page[after], include=users
- GET /api/v2/users/show_many.json              ids=1,2
- GET /api/v2/users/me.json

Every change to a ticket (a new or edited comment) moves it to the end of the export
stream, as Zendesk orders the export by each ticket's last change. Zendesk's "changes of
the last minute are left out" rule is not simulated. Basic auth `{email}/token:{token}`
is checked on every request (401 otherwise, with Zendesk's error body).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

EXPORT = "/api/v2/incremental/tickets/cursor.json"
COMMENTS = re.compile(r"^/api/v2/tickets/(\d+)/comments\.json$")
SHOW_MANY = "/api/v2/users/show_many.json"
ME = "/api/v2/users/me.json"


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _encode(n: int) -> str:
    return base64.urlsafe_b64encode(f"{n}.0||{n}|".encode()).decode()


def _decode(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(".")[0])


@dataclass
class _Ticket:
    data: dict[str, Any]
    seq: int
    comments: list[dict[str, Any]] = field(default_factory=list)


class FakeZendesk:
    def __init__(
        self,
        server: HTTPServer,
        *,
        email: str = "admin@corp.example",
        token: str = "zd-token",
        subdomain: str = "acme",
    ) -> None:
        self.server = server
        self.email, self.token, self.subdomain = email, token, subdomain
        self.users: dict[int, dict[str, Any]] = {}
        self.organizations: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self.tickets: dict[int, _Ticket] = {}
        self.seq = 0
        self.clock = T0
        self.next_comment_id = 9001
        # path prefix -> (status, JSON body): permanent failures, e.g. a 403 on the export.
        self.refuse: dict[str, tuple[int, dict[str, Any]]] = {}
        self.add_user(1, "Ada Admin", email, "admin")
        server.expect_request(EXPORT, method="GET").respond_with_handler(self._export)
        server.expect_request(COMMENTS, method="GET").respond_with_handler(self._comments)
        server.expect_request(SHOW_MANY, method="GET").respond_with_handler(self._show_many)
        server.expect_request(ME, method="GET").respond_with_handler(self._me)

    # --- building the account -------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        self.seq += 1
        return self.clock

    def add_org(self, org_id: int, name: str) -> None:
        self.organizations[org_id] = {
            "id": org_id,
            "name": name,
            "url": f"{self.base_url}/api/v2/organizations/{org_id}.json",
            "domain_names": [],
            "tags": [],
            "created_at": _iso(T0),
            "updated_at": _iso(T0),
        }

    def add_group(self, group_id: int, name: str) -> None:
        self.groups[group_id] = {
            "id": group_id,
            "name": name,
            "deleted": False,
            "created_at": _iso(T0),
            "updated_at": _iso(T0),
        }

    def add_user(
        self, user_id: int, name: str, email: str, role: str, organization_id: int | None = None
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": name,
            "email": email,
            "role": role,
            "active": True,
            "organization_id": organization_id,
            "verified": True,
            "suspended": False,
            "url": f"{self.base_url}/api/v2/users/{user_id}.json",
            "created_at": _iso(T0),
            "updated_at": _iso(T0),
        }

    def add_ticket(
        self,
        ticket_id: int,
        subject: str,
        *,
        requester_id: int,
        body: str,
        group_id: int | None = None,
        tags: list[str] | None = None,
        custom_fields: list[dict[str, Any]] | None = None,
        ticket_type: str = "incident",
    ) -> int:
        """A ticket with its first (public) comment from the requester; returns the comment id."""
        now = self._tick()
        requester = self.users[requester_id]
        self.tickets[ticket_id] = _Ticket(
            data={
                "id": ticket_id,
                "url": f"{self.base_url}/api/v2/tickets/{ticket_id}.json",
                "external_id": None,
                "type": ticket_type,
                "subject": subject,
                "raw_subject": subject,
                "description": body,
                "priority": "normal",
                "status": "new",
                "requester_id": requester_id,
                "submitter_id": requester_id,
                "assignee_id": None,
                "organization_id": requester.get("organization_id"),
                "group_id": group_id,
                "tags": tags or [],
                "custom_fields": custom_fields or [],
                "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
                "created_at": _iso(now),
                "updated_at": _iso(now),
                "generated_timestamp": int(now.timestamp()),
            },
            seq=self.seq,
        )
        return self.add_comment(ticket_id, requester_id, body, channel="email")

    def add_comment(
        self,
        ticket_id: int,
        author_id: int,
        body: str,
        *,
        public: bool = True,
        channel: str = "web",
        flags: list[int] | None = None,
    ) -> int:
        comment_id = self.next_comment_id
        self.next_comment_id += 1
        now = self._tick()
        self.add_raw_comment(
            ticket_id,
            {
                "id": comment_id,
                "type": "Comment",
                "author_id": author_id,
                "body": body,
                "html_body": f'<div class="zd-comment" dir="auto"><p>{body}</p></div>',
                "plain_body": body,
                "public": public,
                "attachments": [],
                "audit_id": comment_id + 50_000,
                "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
                "metadata": {
                    "system": {"client": "Mozilla/5.0", "ip_address": "203.0.113.5"},
                    "custom": {},
                    "flags": flags or [],
                },
                "created_at": _iso(now),
            },
            now=now,
        )
        return comment_id

    def add_raw_comment(
        self, ticket_id: int, comment: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Any JSON as a comment (to serve malformed ones)."""
        if now is None:
            now = self._tick()
        ticket = self.tickets[ticket_id]
        ticket.comments.append(comment)
        self._touch(ticket, now)

    def edit_comment(self, comment_id: int, body: str) -> None:
        """Zendesk lets agents redact a comment's text: same id, new text."""
        for ticket in self.tickets.values():
            for comment in ticket.comments:
                if comment.get("id") == comment_id:
                    comment.update(body=body, plain_body=body, html_body=f"<p>{body}</p>")
                    self._touch(ticket, self._tick())
                    return
        raise KeyError(comment_id)

    def _touch(self, ticket: _Ticket, now: datetime) -> None:
        ticket.seq = self.seq
        ticket.data["updated_at"] = _iso(now)
        ticket.data["generated_timestamp"] = int(now.timestamp())

    def requests_to(self, path: str) -> int:
        """How many requests reached a path (a regex for the comments path)."""
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving --------------------------------------------------------------------

    def _auth_error(self, request: Request) -> Response | None:
        auth = request.authorization
        if (
            not auth
            or auth.type != "basic"
            or (auth.username, auth.password) != (f"{self.email}/token", self.token)
        ):
            return Response(
                '{"error":"Couldn\'t authenticate you"}',
                status=401,
                content_type="application/json; charset=utf-8",
            )
        for prefix, (status, body) in self.refuse.items():
            if request.path.startswith(prefix):
                return _json(body, status)
        return None

    def _export(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        per_page = int(request.args.get("per_page", 1000))
        if "cursor" in request.args:
            after = _decode(request.args["cursor"])
            candidates = [t for t in self.tickets.values() if t.seq > after]
        elif "start_time" in request.args:
            since = int(request.args["start_time"])
            after = 0
            candidates = [
                t for t in self.tickets.values() if t.data["generated_timestamp"] >= since
            ]
        else:
            return _json(
                {
                    "error": "InvalidPaginationParameter",
                    "description": "start_time or cursor is required",
                },
                400,
            )
        candidates.sort(key=lambda t: t.seq)
        page = candidates[:per_page]
        last = page[-1].seq if page else max(after, self.seq)
        body: dict[str, Any] = {
            "tickets": [t.data for t in page],
            "after_cursor": _encode(last),
            "after_url": f"{self.base_url}{EXPORT}?cursor={_encode(last)}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": len(candidates) <= per_page,
        }
        include = set(filter(None, request.args.get("include", "").split(",")))
        if "users" in include:
            ids = {
                t.data.get(k) for t in page for k in ("requester_id", "submitter_id", "assignee_id")
            }
            body["users"] = [self.users[i] for i in sorted(x for x in ids if x in self.users)]
        if "organizations" in include:
            ids = {t.data.get("organization_id") for t in page}
            body["organizations"] = [
                self.organizations[i] for i in sorted(x for x in ids if x in self.organizations)
            ]
        if "groups" in include:
            ids = {t.data.get("group_id") for t in page}
            body["groups"] = [self.groups[i] for i in sorted(x for x in ids if x in self.groups)]
        return _json(body)

    def _comments(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = COMMENTS.match(request.path)
        assert match
        ticket = self.tickets.get(int(match.group(1)))
        if ticket is None:
            return _json({"error": "RecordNotFound", "description": "Not found"}, 404)
        size = min(int(request.args.get("page[size]", 100)), 100)
        start = int(request.args["page[after]"]) if "page[after]" in request.args else 0
        chunk = ticket.comments[start : start + size]
        has_more = start + size < len(ticket.comments)
        after = str(start + size) if has_more else None
        path = request.path
        body: dict[str, Any] = {
            "comments": chunk,
            "meta": {
                "has_more": has_more,
                "after_cursor": after,
                "before_cursor": str(start) if start else None,
            },
            "links": {
                "next": f"{self.base_url}{path}?page[size]={size}&page[after]={after}"
                if has_more
                else None,
                "prev": None,
            },
        }
        if request.args.get("include") == "users":
            # Zendesk sideloads the authors; this fake leaves out end-users it has not
            # seen on the ticket, so the connector's users/show_many fallback is exercised.
            ids = {c.get("author_id") for c in chunk if isinstance(c, dict)}
            body["users"] = [
                self.users[i]
                for i in sorted(x for x in ids if x in self.users)
                if self.users[i]["role"] != "end-user"
            ]
        return _json(body)

    def _show_many(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        ids = [int(x) for x in request.args.get("ids", "").split(",") if x.strip()]
        return _json({"users": [self.users[i] for i in ids if i in self.users]})

    def _me(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        me = next(u for u in self.users.values() if u["email"] == self.email)
        return _json({"user": me})


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")
