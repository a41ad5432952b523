"""A fake Zammad (REST API v1) served by pytest-httpserver, speaking Zammad's JSON shapes.

Endpoints (see collectors/zammad for the documentation they follow):
- GET /api/v1/tickets/search                   query=updated_at:>=... | *, sort_by=updated_at,
                                               order_by, page, per_page, expand
- GET /api/v1/ticket_articles/by_ticket/{id}   expand (not paged)
- GET /api/v1/users/me                         expand

Every change to a ticket (a new or edited article) moves its `updated_at` to the fake
clock (millisecond precision, as Zammad). The search understands only what the connector
sends: `*` and `updated_at:>={ISO}` (colons may be escaped). With `expand=true` it answers
a JSON array of expanded tickets, otherwise Zammad's `{tickets, tickets_count, assets}`.
`Authorization: Token token=...` is checked on every request (401 otherwise, with
Zammad's error body).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

SEARCH = "/api/v1/tickets/search"
ARTICLES = re.compile(r"^/api/v1/ticket_articles/by_ticket/(\d+)$")
ME = "/api/v1/users/me"
ROLE_IDS = {"Admin": 1, "Agent": 2, "Customer": 3}
SENDER_IDS = {"Agent": 1, "Customer": 2, "System": 3}


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class _Ticket:
    data: dict[str, Any]
    articles: list[dict[str, Any]] = field(default_factory=list)


class FakeZammad:
    def __init__(self, server: HTTPServer, *, token: str = "zm-token") -> None:
        self.server = server
        self.token = token
        self.users: dict[int, dict[str, Any]] = {}
        self.organizations: dict[int, str] = {}
        self.groups: dict[int, str] = {}
        self.tickets: dict[int, _Ticket] = {}
        self.clock = T0
        self.next_article_id = 9001
        self.me_id = 3
        # path prefix -> (status, JSON body): permanent failures, e.g. a 403 on articles.
        self.refuse: dict[str, tuple[int, dict[str, Any]]] = {}
        self.add_user(3, "Ada", "Admin", "ada@it.corp.example", roles=["Admin", "Agent"])
        server.expect_request(SEARCH, method="GET").respond_with_handler(self._search)
        server.expect_request(ARTICLES, method="GET").respond_with_handler(self._articles)
        server.expect_request(ME, method="GET").respond_with_handler(self._me)

    # --- building the instance ------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=1, milliseconds=137)
        return self.clock

    def add_org(self, org_id: int, name: str) -> None:
        self.organizations[org_id] = name

    def add_group(self, group_id: int, name: str) -> None:
        self.groups[group_id] = name

    def add_user(
        self,
        user_id: int,
        firstname: str,
        lastname: str,
        email: str,
        *,
        roles: list[str] | None = None,
        organization_id: int | None = None,
    ) -> None:
        roles = roles or ["Customer"]
        self.users[user_id] = {
            "id": user_id,
            "organization_id": organization_id,
            "login": email,
            "firstname": firstname,
            "lastname": lastname,
            "email": email,
            "image": None,
            "web": "",
            "phone": "",
            "department": "",
            "vip": False,
            "verified": False,
            "active": True,
            "note": "",
            "last_login": None,
            "source": None,
            "login_failed": 0,
            "out_of_office": False,
            "preferences": {},
            "updated_by_id": 1,
            "created_by_id": 1,
            "created_at": _iso(T0),
            "updated_at": _iso(T0),
            "role_ids": [ROLE_IDS[r] for r in roles],
            "organization_ids": [],
            "group_ids": {},
            "roles": roles,
            "organization": self.organizations.get(organization_id or 0),
        }

    def add_ticket(
        self,
        ticket_id: int,
        title: str,
        *,
        customer_id: int,
        body: str,
        group_id: int = 1,
    ) -> int:
        """A ticket with its first article from the customer (web); returns the article id."""
        now = self._tick()
        customer = self.users[customer_id]
        org_id = customer.get("organization_id")
        self.tickets[ticket_id] = _Ticket(
            data={
                "id": ticket_id,
                "group_id": group_id,
                "priority_id": 2,
                "state_id": 1,
                "organization_id": org_id,
                "number": str(26000 + ticket_id),
                "title": title,
                "owner_id": 1,
                "customer_id": customer_id,
                "note": None,
                "first_response_at": None,
                "close_at": None,
                "last_contact_at": _iso(now),
                "create_article_type_id": 11,
                "create_article_sender_id": SENDER_IDS["Customer"],
                "article_count": 0,
                "escalation_at": None,
                "pending_time": None,
                "type": None,
                "time_unit": None,
                "preferences": {},
                "updated_by_id": customer_id,
                "created_by_id": customer_id,
                "created_at": _iso(now),
                "updated_at": _iso(now),
                "article_ids": [],
                "ticket_time_accounting_ids": [],
                "group": self.groups.get(group_id, "Users"),
                "organization": self.organizations.get(org_id) if org_id else None,
                "state": "new",
                "priority": "2 normal",
                "owner": "-",
                "customer": customer["login"],
                "created_by": customer["login"],
                "updated_by": customer["login"],
                "create_article_type": "web",
                "create_article_sender": "Customer",
            }
        )
        return self.add_article(ticket_id, customer_id, body, sender="Customer", type_="web")

    def add_article(
        self,
        ticket_id: int,
        user_id: int,
        body: str,
        *,
        sender: str = "Agent",
        internal: bool = False,
        type_: str = "note",
        content_type: str = "text/html",
    ) -> int:
        article_id = self.next_article_id
        self.next_article_id += 1
        now = self._tick()
        user = self.users[user_id]
        self.add_raw_article(
            ticket_id,
            {
                "id": article_id,
                "ticket_id": ticket_id,
                "type_id": 10,
                "sender_id": SENDER_IDS[sender],
                "from": f"{user['firstname']} {user['lastname']}"
                if type_ != "email"
                else f"{user['firstname']} {user['lastname']} <{user['email']}>",
                "to": "",
                "cc": None,
                "subject": None,
                "reply_to": None,
                "message_id": None,
                "in_reply_to": None,
                "content_type": content_type,
                "references": None,
                "body": body,
                "internal": internal,
                "preferences": {},
                "updated_by_id": user_id,
                "created_by_id": user_id,
                "origin_by_id": None,
                "created_at": _iso(now),
                "updated_at": _iso(now),
                "attachments": [],
                "type": type_,
                "sender": sender,
                "created_by": user["login"],
                "updated_by": user["login"],
            },
            now=now,
        )
        return article_id

    def add_raw_article(
        self, ticket_id: int, article: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Any JSON as an article (to serve malformed ones)."""
        if now is None:
            now = self._tick()
        ticket = self.tickets[ticket_id]
        ticket.articles.append(article)
        self._touch(ticket, now)

    def edit_article(self, article_id: int, body: str) -> None:
        """An admin (or agent, for their notes) may change an article's text: same id."""
        for ticket in self.tickets.values():
            for article in ticket.articles:
                if article.get("id") == article_id:
                    now = self._tick()
                    article.update(body=body, updated_at=_iso(now))
                    self._touch(ticket, now)
                    return
        raise KeyError(article_id)

    def _touch(self, ticket: _Ticket, now: datetime) -> None:
        ticket.data["updated_at"] = _iso(now)
        ticket.data["article_count"] = len(ticket.articles)
        ticket.data["article_ids"] = [a.get("id") for a in ticket.articles if isinstance(a, dict)]

    def requests_to(self, path: str) -> int:
        """How many requests reached a path (a regex for the articles path)."""
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving --------------------------------------------------------------------

    def _auth_error(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Token token={self.token}":
            return _json({"error": "Invalid token!", "error_human": "Authentication failed"}, 401)
        for prefix, (status, body) in self.refuse.items():
            if request.path.startswith(prefix):
                return _json(body, status)
        return None

    def _search(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        query = request.args.get("query", "").replace("\\", "")
        if query == "*":
            found = list(self.tickets.values())
        elif m := re.fullmatch(r"updated_at:>=(\S+)", query):
            since = _parse(m.group(1))
            found = [t for t in self.tickets.values() if _parse(t.data["updated_at"]) >= since]
        else:
            return _json({"error": f"unsupported query {query!r} in this fake"}, 422)
        if request.args.get("sort_by") == "updated_at":
            found.sort(
                key=lambda t: (t.data.get("updated_at", ""), t.data.get("id", 0)),
                reverse=request.args.get("order_by") == "desc",
            )
        per_page = min(int(request.args.get("per_page", 50)), 200)
        page = int(request.args.get("page", 1))
        chunk = found[(page - 1) * per_page : page * per_page]
        if request.args.get("expand") == "true":
            return _json([t.data for t in chunk])
        return _json(
            {
                "tickets": [t.data["id"] for t in chunk],
                "tickets_count": len(chunk),
                "assets": {"Ticket": {str(t.data["id"]): t.data for t in chunk}},
            }
        )

    def _articles(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = ARTICLES.match(request.path)
        assert match
        ticket = self.tickets.get(int(match.group(1)))
        if ticket is None:
            return _json(
                {"error": "Couldn't find Ticket with 'id'", "error_human": "Not found"}, 404
            )
        return _json(ticket.articles)

    def _me(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        return _json(self.users[self.me_id])


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")
