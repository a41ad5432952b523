"""A fake Freshservice (API v2) served by pytest-httpserver, speaking Freshworks' JSON shapes.

Endpoints (see collectors/freshservice for the documentation they follow):
- GET /api/v2/tickets                       updated_since, order_type, per_page, page
- GET /api/v2/tickets/{id}/conversations    per_page, page
- GET /api/v2/requesters/{id}, /api/v2/agents/{id}, /api/v2/agents/me
- GET /api/v2/departments, /api/v2/groups   per_page, page

Lists announce a next page with a `Link: <...>; rel="next"` header. Every change to a
ticket (a new or edited conversation) moves its `updated_at` to the fake clock, and with
it the ticket to the end of the (updated_at-sorted) ticket list. Basic auth
`{api_key}:X` is checked on every request (401 with Freshservice's error body otherwise).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

TICKETS = "/api/v2/tickets"
CONVERSATIONS = re.compile(r"^/api/v2/tickets/(\d+)/conversations$")
REQUESTER = re.compile(r"^/api/v2/requesters/(\d+)$")
AGENT = re.compile(r"^/api/v2/agents/(\d+)$")
ME = "/api/v2/agents/me"
DEPARTMENTS = "/api/v2/departments"
GROUPS = "/api/v2/groups"


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Ticket:
    data: dict[str, Any]
    conversations: list[dict[str, Any]] = field(default_factory=list)


class FakeFreshservice:
    def __init__(self, server: HTTPServer, *, api_key: str = "fs-key") -> None:
        self.server = server
        self.api_key = api_key
        self.requesters: dict[int, dict[str, Any]] = {}
        self.agents: dict[int, dict[str, Any]] = {}
        self.departments: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self.tickets: dict[int, _Ticket] = {}
        self.clock = T0
        self.next_conversation_id = 9001
        self.me_id = 1
        # path prefix -> (status, JSON body): permanent failures, e.g. a 403 on conversations.
        self.refuse: dict[str, tuple[int, dict[str, Any]]] = {}
        # Called with each ticket list request before it is answered.
        self.on_list: Callable[[Request], None] | None = None
        # "updated_at" (what the connector relies on) or "id" (to test its fallback).
        self.sort_key = "updated_at"
        self.add_agent(1, "Ada", "Admin", "ada@it.corp.example")
        # Ordered: the specific paths before the generic ones.
        server.expect_request(ME, method="GET").respond_with_handler(self._me)
        server.expect_request(TICKETS, method="GET").respond_with_handler(self._tickets)
        server.expect_request(CONVERSATIONS, method="GET").respond_with_handler(self._conversations)
        server.expect_request(REQUESTER, method="GET").respond_with_handler(self._requester)
        server.expect_request(AGENT, method="GET").respond_with_handler(self._agent)
        server.expect_request(DEPARTMENTS, method="GET").respond_with_handler(
            lambda r: self._named(r, "departments", self.departments)
        )
        server.expect_request(GROUPS, method="GET").respond_with_handler(
            lambda r: self._named(r, "groups", self.groups)
        )

    # --- building the account -------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def add_department(self, dept_id: int, name: str) -> None:
        self.departments[dept_id] = {
            "id": dept_id,
            "name": name,
            "description": None,
            "head_user_id": None,
            "prime_user_id": None,
            "domains": [],
            "custom_fields": {},
            "created_at": _iso(T0),
            "updated_at": _iso(T0),
        }

    def add_group(self, group_id: int, name: str) -> None:
        self.groups[group_id] = {
            "id": group_id,
            "name": name,
            "description": None,
            "members": [],
            "created_at": _iso(T0),
            "updated_at": _iso(T0),
        }

    def add_requester(
        self, user_id: int, first: str, last: str, email: str, department_ids: tuple[int, ...] = ()
    ) -> None:
        self.requesters[user_id] = {
            "id": user_id,
            "first_name": first,
            "last_name": last,
            "job_title": None,
            "primary_email": email,
            "secondary_emails": [],
            "department_ids": list(department_ids),
            "active": True,
            "created_at": _iso(T0),
            "updated_at": _iso(T0),
        }

    def add_agent(self, user_id: int, first: str, last: str, email: str) -> None:
        self.agents[user_id] = {
            "id": user_id,
            "first_name": first,
            "last_name": last,
            "email": email,
            "occasional": False,
            "active": True,
            "department_ids": [],
            "role_ids": [],
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
        department_id: int | None = None,
        group_id: int | None = None,
        category: str | None = None,
        sub_category: str | None = None,
    ) -> None:
        now = self._tick()
        self.tickets[ticket_id] = _Ticket(
            data={
                "id": ticket_id,
                "subject": subject,
                "description": f"<div>{body}</div>",
                "description_text": body,
                "type": "Incident",
                "status": 2,
                "priority": 1,
                "source": 2,
                "requester_id": requester_id,
                "responder_id": None,
                "group_id": group_id,
                "department_id": department_id,
                "category": category,
                "sub_category": sub_category,
                "item_category": None,
                "custom_fields": {},
                "workspace_id": 2,
                "due_by": _iso(now + timedelta(days=3)),
                "fr_due_by": _iso(now + timedelta(days=1)),
                "is_escalated": False,
                "created_at": _iso(now),
                "updated_at": _iso(now),
            }
        )

    def add_conversation(
        self,
        ticket_id: int,
        user_id: int | None,
        body: str,
        *,
        private: bool = False,
        incoming: bool = False,
        source: int = 0,
    ) -> int:
        cid = self.next_conversation_id
        self.next_conversation_id += 1
        now = self._tick()
        self.add_raw_conversation(
            ticket_id,
            {
                "id": cid,
                "user_id": user_id,
                "body": f"<div>{body}</div>",
                "body_text": body,
                "incoming": incoming,
                "private": private,
                "source": source,
                "support_email": None,
                "ticket_id": ticket_id,
                "to_emails": [],
                "from_email": None,
                "cc_emails": [],
                "bcc_emails": None,
                "attachments": [],
                "created_at": _iso(now),
                "updated_at": _iso(now),
            },
            now=now,
        )
        return cid

    def add_raw_conversation(
        self, ticket_id: int, conversation: Any, now: datetime | None = None
    ) -> None:
        """Any JSON as a conversation (to serve malformed ones)."""
        ticket = self.tickets[ticket_id]
        ticket.conversations.append(conversation)
        ticket.data["updated_at"] = _iso(now or self._tick())

    def edit_conversation(self, cid: int, body: str) -> None:
        for ticket in self.tickets.values():
            for conv in ticket.conversations:
                if isinstance(conv, dict) and conv.get("id") == cid:
                    now = self._tick()
                    conv.update(body=f"<div>{body}</div>", body_text=body, updated_at=_iso(now))
                    ticket.data["updated_at"] = _iso(now)
                    return
        raise KeyError(cid)

    def requests_to(self, path: str) -> int:
        """How many requests reached a path (a regex)."""
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving --------------------------------------------------------------------

    def _auth_error(self, request: Request) -> Response | None:
        auth = request.authorization
        if (
            not auth
            or auth.type != "basic"
            or (auth.username, auth.password)
            != (
                self.api_key,
                "X",
            )
        ):
            return _json(
                {
                    "code": "invalid_credentials",
                    "message": "You have to be logged in to perform this action.",
                },
                401,
            )
        for prefix, (status, body) in self.refuse.items():
            if re.match(prefix, request.path):
                return _json(body, status)
        return None

    def _page(self, request: Request, items: list[Any], key: str) -> Response:
        per_page = min(int(request.args.get("per_page", 30)), 100)
        page = int(request.args.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            args = {**request.args.to_dict(), "page": str(page + 1)}
            query = "&".join(f"{k}={v}" for k, v in args.items())
            headers["Link"] = f'<{self.base_url}{request.path}?{query}>; rel="next"'
        return _json({key: chunk}, headers=headers)

    def _tickets(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        if self.on_list is not None:
            self.on_list(request)  # a test changes the account while a run is paging
        since = request.args.get("updated_since")
        if since:
            floor = datetime.fromisoformat(since.replace("Z", "+00:00"))
        else:
            floor = self.clock - timedelta(days=30)  # Freshservice's default window
        items = [
            t.data
            for t in self.tickets.values()
            if "updated_at" not in t.data
            or datetime.fromisoformat(t.data["updated_at"].replace("Z", "+00:00")) >= floor
        ]
        # Sorted by updated_at (ties by id), so a ticket that changes moves to the end of
        # an ascending list; asc here, desc is Freshservice's default. Freshservice does
        # not document the sort key (see collectors/freshservice), the connector relies on it.
        if self.sort_key == "id":
            items.sort(key=lambda d: d.get("id") or 0)
        else:
            items.sort(key=lambda d: (d.get("updated_at") or "", d.get("id") or 0))
        if request.args.get("order_type", "desc") == "desc":
            items.reverse()
        return self._page(request, items, "tickets")

    def _conversations(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = CONVERSATIONS.match(request.path)
        assert match
        ticket = self.tickets.get(int(match.group(1)))
        if ticket is None:
            return _json({"code": "access_denied", "message": "Record not found"}, 404)
        return self._page(request, ticket.conversations, "conversations")

    def _requester(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = REQUESTER.match(request.path)
        assert match
        person = self.requesters.get(int(match.group(1)))
        if person is None:
            return _json({"message": "Record not found"}, 404)
        return _json({"requester": person})

    def _agent(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = AGENT.match(request.path)
        assert match
        person = self.agents.get(int(match.group(1)))
        if person is None:
            return _json({"message": "Record not found"}, 404)
        return _json({"agent": person})

    def _me(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        return _json({"agent": self.agents[self.me_id]})

    def _named(self, request: Request, key: str, items: dict[int, dict[str, Any]]) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        return self._page(request, [items[i] for i in sorted(items)], key)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body),
        status=status,
        headers=headers or {},
        content_type="application/json; charset=utf-8",
    )
