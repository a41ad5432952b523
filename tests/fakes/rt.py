"""A fake Request Tracker 5 REST2 served by pytest-httpserver, speaking RT's JSON shapes.

Endpoints (see collectors/rt for the documentation they follow), under /REST/2.0:
- GET /tickets                 query (TicketSQL: LastUpdated > or >= '...', Queue = '...',
                               id > 0), orderby/order, page, per_page, fields, fields[Queue];
                               the order is computed on every request, as RT does, so a
                               ticket changed between two pages moves to the end
- GET /ticket/{id}/history     page, per_page, fields (Type, Creator, Created, _hyperlinks)
- GET /transaction/{id}        with its attachment _hyperlinks
- GET /attachment/{id}         Content base64-encoded
- GET /user/{name}             Privileged always; the rest as RT shows it to an admin
- GET /rt                      {Version, Plugins}

Collections answer {count, page, per_page, total, pages, next_page, prev_page, items};
history, like RT's, without total/pages. Every transaction moves its ticket's LastUpdated
to the fake clock. `Authorization: token {token}` is checked on every request (401
`{"message": "Unauthorized"}` otherwise).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
API = "/REST/2.0"
TICKETS = f"{API}/tickets"
HISTORY = re.compile(rf"^{API}/ticket/(\d+)/history$")
TRANSACTION = re.compile(rf"^{API}/transaction/(\d+)$")
ATTACHMENT = re.compile(rf"^{API}/attachment/(\d+)$")
USER = re.compile(rf"^{API}/user/([^/]+)$")
RT_INFO = f"{API}/rt"


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Ticket:
    id: int
    subject: str
    queue: int
    requestors: list[str]
    owner: str = "Nobody"
    admin_cc: list[str] = field(default_factory=list)
    last_updated: datetime = T0
    transactions: list[Any] = field(default_factory=list)


class FakeRT:
    def __init__(self, server: HTTPServer, *, token: str = "1-14-abcdef") -> None:
        self.server = server
        self.token = token
        self.users: dict[str, dict[str, Any]] = {}
        self.queues: dict[int, str] = {1: "General"}
        self.tickets: dict[int, _Ticket] = {}
        self.attachments: dict[int, dict[str, Any]] = {}
        self.transactions: dict[int, tuple[int, dict[str, Any]]] = {}
        self.clock = T0
        self.next_txn = 100
        self.next_attachment = 500
        self.hyperlinks_in_history = True
        # path regex -> (status, JSON body): permanent failures, e.g. a 403 on history.
        self.refuse: dict[str, tuple[int, dict[str, Any]]] = {}
        # users whose record the token may not read (403).
        self.hidden_users: set[str] = set()
        # called with the number of the ticket search about to be answered (1, 2, ...):
        # changes the instance between two pages of a run, e.g. a ticket updated meanwhile.
        self.before_search: Callable[[int], None] | None = None
        self.searches = 0
        self.add_user("RT_System", privileged=True, real_name="The RT System itself")
        self.add_user("Nobody", privileged=False, real_name="Nobody in particular")
        server.expect_request(RT_INFO, method="GET").respond_with_handler(self._rt)
        server.expect_request(TICKETS, method="GET").respond_with_handler(self._tickets)
        server.expect_request(HISTORY, method="GET").respond_with_handler(self._history)
        server.expect_request(TRANSACTION, method="GET").respond_with_handler(self._transaction)
        server.expect_request(ATTACHMENT, method="GET").respond_with_handler(self._attachment)
        server.expect_request(USER, method="GET").respond_with_handler(self._user)

    # --- building the instance ------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _url(self, path: str) -> str:
        return f"{self.base_url}{API}/{path}"

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def add_queue(self, queue_id: int, name: str) -> None:
        self.queues[queue_id] = name

    def add_user(
        self,
        name: str,
        *,
        privileged: bool,
        real_name: str = "",
        email: str = "",
        organization: str = "",
    ) -> None:
        self.users[name] = {
            "id": 10 + len(self.users),
            "Name": name,
            "RealName": real_name,
            "EmailAddress": email,
            "Organization": organization,
            "Privileged": 1 if privileged else 0,
            "Disabled": "0",
            "Lang": "",
            "Timezone": "UTC",
            "Memberships": [],
        }

    def add_ticket(
        self,
        ticket_id: int,
        subject: str,
        *,
        requestor: str,
        body: str,
        queue: int = 1,
        owner: str = "Nobody",
        admin_cc: tuple[str, ...] = (),
    ) -> int:
        self.tickets[ticket_id] = _Ticket(
            ticket_id, subject, queue, [requestor], owner, list(admin_cc)
        )
        return self.add_transaction(ticket_id, "Create", requestor, body)

    def add_transaction(
        self,
        ticket_id: int,
        kind: str,
        creator: str,
        body: str | None = None,
        *,
        html: bool = False,
    ) -> int:
        """A transaction; a message body becomes an email-like set of MIME parts."""
        xid = self.next_txn
        self.next_txn += 1
        now = self._tick()
        parts: list[int] = []
        if body is not None:
            if html:
                parts.append(self._part(xid, "multipart/alternative", ""))
                parts.append(self._part(xid, "text/html", f"<p>{body}</p>"))
            else:
                parts.append(self._part(xid, "text/plain", body))
        self.add_raw_transaction(
            ticket_id,
            {
                "id": xid,
                "Type": kind,
                "Creator": {"type": "user", "id": creator, "_url": self._url(f"user/{creator}")},
                "Created": _iso(now),
                "Object": {"type": "ticket", "id": str(ticket_id)},
                "TimeTaken": 0,
                "_attachments": parts,
            },
            now=now,
        )
        return xid

    def _part(self, xid: int, ctype: str, text: str, filename: str = "") -> int:
        aid = self.next_attachment
        self.next_attachment += 1
        self.attachments[aid] = {
            "id": aid,
            "TransactionId": {"type": "transaction", "id": str(xid)},
            "Parent": "0",
            "Subject": "",
            "Filename": filename,
            "ContentType": ctype,
            "ContentEncoding": "none",
            "Content": base64.encodebytes(text.encode()).decode(),
            "Headers": f"Content-Type: {ctype}",
            "Created": _iso(self.clock),
        }
        return aid

    def add_raw_transaction(self, ticket_id: int, txn: Any, now: datetime | None = None) -> None:
        """Any JSON as a transaction (to serve malformed ones)."""
        ticket = self.tickets[ticket_id]
        ticket.transactions.append(txn)
        if isinstance(txn, dict) and isinstance(txn.get("id"), int):
            self.transactions[txn["id"]] = (ticket_id, txn)
        ticket.last_updated = now or self._tick()

    def requests_to(self, path: str) -> int:
        """How many requests reached a path (a regex)."""
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving --------------------------------------------------------------------

    def _auth_error(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"token {self.token}":
            return _json({"message": "Unauthorized"}, 401)
        for prefix, (status, body) in self.refuse.items():
            if re.match(prefix, request.path):
                return _json(body, status)
        return None

    def _collection(
        self, request: Request, items: list[Any], *, with_total: bool = True
    ) -> Response:
        per_page = request.args.get("per_page", "20")
        per_page = min(int(per_page), 100) if per_page.isdigit() and per_page != "0" else 20
        page = int(request.args.get("page", "1") or 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        body: dict[str, Any] = {
            "count": len(chunk),
            "page": page,
            "per_page": per_page,
            "items": chunk,
        }
        pages = -(-len(items) // per_page)
        if with_total:
            body["total"] = len(items)
            body["pages"] = pages
        else:
            body["total"] = None
        if page < pages:
            args = {**request.args.to_dict(), "page": str(page + 1)}
            query = "&".join(f"{k}={v}" for k, v in args.items())
            body["next_page"] = f"{self.base_url}{request.path}?{query}"
        if page > 1:
            body["prev_page"] = f"{self.base_url}{request.path}?page={page - 1}"
        return _json(body)

    def _rt(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        return _json({"Version": "5.0.5", "Plugins": []})

    def _user_ref(self, name: str) -> dict[str, Any]:
        return {"type": "user", "id": name, "_url": self._url(f"user/{name}")}

    def _tickets(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        self.searches += 1
        if self.before_search is not None:
            self.before_search(self.searches)
        query = request.args.get("query", "")
        since = re.search(r"LastUpdated (>=?) '([^']+)'", query)
        queues = re.findall(r"Queue = '([^']+)'", query)
        floor = datetime.fromisoformat(since.group(2)).replace(tzinfo=UTC) if since else None
        inclusive = bool(since) and since.group(1) == ">="
        fields = set((request.args.get("fields") or "").split(","))
        queue_fields = set((request.args.get("fields[Queue]") or "").split(","))
        chosen = [
            t
            for t in self.tickets.values()
            if (floor is None or t.last_updated > floor or (inclusive and t.last_updated == floor))
            and (not queues or self.queues[t.queue] in queues)
        ]
        if request.args.get("orderby") == "LastUpdated":
            chosen.sort(key=lambda t: (t.last_updated, t.id))
        else:
            chosen.sort(key=lambda t: t.id)
        if request.args.get("order") == "DESC":
            chosen.reverse()
        items = []
        for t in chosen:
            item: dict[str, Any] = {
                "type": "ticket",
                "id": str(t.id),
                "_url": self._url(f"ticket/{t.id}"),
            }
            full = {
                "Subject": t.subject,
                "LastUpdated": _iso(t.last_updated),
                "Queue": {
                    "type": "queue",
                    "id": str(t.queue),
                    "_url": self._url(f"queue/{t.queue}"),
                    **({"Name": self.queues[t.queue]} if "Name" in queue_fields else {}),
                },
                "Requestor": [self._user_ref(r) for r in t.requestors],
                "Owner": self._user_ref(t.owner),
                "AdminCc": [self._user_ref(a) for a in t.admin_cc],
            }
            item.update({k: v for k, v in full.items() if k in fields})
            items.append(item)
        return self._collection(request, items)

    def _links(self, txn: dict[str, Any]) -> list[dict[str, Any]]:
        links = [
            {
                "ref": "self",
                "type": "transaction",
                "id": txn["id"],
                "_url": self._url(f"transaction/{txn['id']}"),
            },
        ]
        links += [
            {"ref": "attachment", "_url": self._url(f"attachment/{aid}")}
            for aid in txn.get("_attachments", [])
        ]
        return links

    def _history(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = HISTORY.match(request.path)
        assert match
        ticket = self.tickets.get(int(match.group(1)))
        if ticket is None:
            return _json({"message": "Resource does not exist"}, 404)
        fields = set((request.args.get("fields") or "").split(","))
        items = []
        for txn in ticket.transactions:
            if not isinstance(txn, dict) or "_attachments" not in txn:
                items.append(txn)
                continue
            item = {
                "type": "transaction",
                "id": str(txn["id"]),
                "_url": self._url(f"transaction/{txn['id']}"),
            }
            item.update({k: txn[k] for k in ("Type", "Creator", "Created") if k in fields})
            if "_hyperlinks" in fields and self.hyperlinks_in_history:
                item["_hyperlinks"] = self._links(txn)
            items.append(item)
        return self._collection(request, items, with_total=False)

    def _transaction(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = TRANSACTION.match(request.path)
        assert match
        found = self.transactions.get(int(match.group(1)))
        if found is None:
            return _json({"message": "Resource does not exist"}, 404)
        txn = found[1]
        body = {k: v for k, v in txn.items() if k != "_attachments"}
        body["_hyperlinks"] = self._links(txn)
        return _json(body)

    def _attachment(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = ATTACHMENT.match(request.path)
        assert match
        part = self.attachments.get(int(match.group(1)))
        if part is None:
            return _json({"message": "Resource does not exist"}, 404)
        return _json(part)

    def _user(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = USER.match(request.path)
        assert match
        name = match.group(1)
        if name in self.hidden_users:
            return _json({"message": "Forbidden"}, 403)
        user = self.users.get(name)
        if user is None:
            return _json({"message": "Resource does not exist"}, 404)
        return _json(user)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body),
        status=status,
        headers=headers or {},
        content_type="application/json; charset=utf-8",
    )
