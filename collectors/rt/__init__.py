"""rt: an IT helpdesk run on Request Tracker 5 (self-hosted), through its REST2 API.

A ticket is a Thread; each public message on it is a Comment: the `Create` transaction
(the request itself) and every `Correspond` transaction (a reply sent to the requestors).
`Comment` transactions are RT's internal comments and are never collected; other
transaction types (status changes, watchers, `EmailRecord`, ...) carry no message and are
passed over. Tickets changed since the last run come from a TicketSQL search on
`LastUpdated`; each changed ticket's history is read again in full (the unique key turns
the known messages into no-ops).

RT REST2 endpoints and shapes followed (the RT::REST2 POD shipped with RT 5, also
published as docs.bestpractical.com/rt/5.0.x/RT/REST2.html and as the
RT::Extension::REST2 README on metacpan.org; RT's own t/rest2/tickets.t and
lib/RT/REST2/Resource/{Collection,Transaction,User}.pm in github.com/bestpractical/rt,
checked 2026):
- Base `{WebBaseURL}{WebPath}/REST/2.0/`; auth token header `Authorization: token {token}`
  (Settings > Auth Tokens); an unauthenticated call answers 401 `{"message":
  "Unauthorized"}`.
- `GET /REST/2.0/tickets?query={TicketSQL}&orderby=LastUpdated&order=ASC&page={n}&
  per_page={<=100}&fields=Subject,LastUpdated,Queue,Requestor,Owner,AdminCc&
  fields[Queue]=Name`. Collections answer `{count, page, pages, per_page, total,
  next_page, prev_page, items}`; per_page defaults to 20 and is capped at 100; items are
  `{type, id, _url}` plus the requested fields; role fields are lists of `{type: "user",
  id: <user name>, _url}`; dates are W3CDTF in UTC (`2026-03-02T09:00:00Z`).
- `GET /REST/2.0/ticket/{id}/history?page=&per_page=&fields=Type,Creator,Created,
  _hyperlinks`: the ticket's transactions, oldest first. History answers carry no
  `total`/`pages`, only `next_page` while more remain, so paging follows `next_page`'s
  presence (the next request is built from `page+1` against the configured host, the
  upstream URL is never followed). `_hyperlinks` of a transaction lists one
  `{ref: "attachment", _url: .../attachment/{id}}` per MIME part; `GET
  /REST/2.0/transaction/{id}` gives the same list when an older RT leaves
  `_hyperlinks` out of the history fields.
- `GET /REST/2.0/attachment/{id}`: `{ContentType, Filename, Subject, Content}` with
  Content base64-encoded. The message text is the first `text/plain` part that is not an
  attached file, else the first `text/html` part (passed raw; Earshot cleans it).
- `GET /REST/2.0/user/{id or name}`: always carries `Privileged` (1/0); `Name`,
  `RealName`, `EmailAddress` (and `Organization` with AdminUsers).
- `GET /REST/2.0/rt`: `{Version, Plugins}`; used by check() as the authenticated probe.
- Deep link: `{base}/Ticket/Display.html?id={id}`. The queue name is the category hint.
- No rate limits are documented; a 429 or 5xx from a proxy is retried by
  collectors.http.HttpClient (Retry-After honoured).

Paging is by key, not by page number alone: a ticket changed while a run is listing moves
to the end of the `LastUpdated` order, so with page numbers every later page would shift
back by one and a ticket would never be read. Each next search asks again from the
newest `LastUpdated` read (`LastUpdated >= '...'`: TicketSQL dates are whole seconds, so
the tickets of that second already read come back first and are dropped as known); only
a page whose tickets all share one second moves on by page number.

Watermark: a ticket changed while the previous run was listing may surface late, so each
run asks again from `overlap_seconds` before the newest `LastUpdated` read, and remembers
the `LastUpdated` of the tickets in that window: those unchanged are dropped without
reading their history, so a run with nothing new makes one request and writes nothing.
The cursor (watermark and remembered tickets) is complete after every page, so a run
that fails resumes from the last page it finished. RT reads a date in TicketSQL in the
time zone of the token's owner: give that user the UTC time zone (or an overlap larger
than its offset).

Voice: `RT_System` (and `Nobody`) is a bot; a privileged RT user is IT staff and an
unprivileged one business; when the user record cannot be read, a ticket Requestor is
business and the Owner or an AdminCc IT staff; anyone else is left to Earshot.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings as django_settings
from pydantic import Field, field_validator, model_validator

from ..base import (
    Batch,
    CheckResult,
    CommentRecord,
    Connector,
    ConnectorConfigError,
    ConnectorError,
    Skip,
)
from ..http import HttpClient
from ..netguard import HttpSourceSettings, check_address, validate_base_url
from ..parsing import MalformedItem, as_dict, iso_time, iso_time_or_none
from ..registry import register

API = "REST/2.0"
TICKETS_PATH = f"{API}/tickets"
HISTORY_PATH = f"{API}/ticket/{{id}}/history"
TRANSACTION_PATH = f"{API}/transaction/{{id}}"
ATTACHMENT_PATH = f"{API}/attachment/{{id}}"
USER_PATH = f"{API}/user/{{name}}"
RT_PATH = f"{API}/rt"
PAGE_MAX = 100  # REST2 caps per_page at 100
FIRST_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
MAX_PAGES = 10_000  # a guard against an upstream that always announces a next page
MESSAGE_TYPES = frozenset({"Create", "Correspond"})
INTERNAL_TYPES = frozenset({"Comment"})
BOT_USERS = frozenset({"RT_System", "Nobody"})
TICKET_FIELDS = "Subject,LastUpdated,Queue,Requestor,Owner,AdminCc"
HISTORY_FIELDS = "Type,Creator,Created,_hyperlinks"
_ATTACHMENT_ID = re.compile(r"/attachment/(\d+)/?$")


class RTSettings(HttpSourceSettings):
    base_url: str = Field(
        description="RT's web address with its WebPath, e.g. https://rt.corp.example or "
        "https://intranet.corp.example/rt (REST/2.0 is added)."
    )
    queues: list[str] = Field(
        default_factory=list, description="Queue names to read; empty reads every queue."
    )
    username: str = Field(
        "", description="RT user name of the token's owner (named by the connection check)."
    )
    start_date: date | None = Field(
        None, description="First collection reads tickets changed since this day."
    )
    page_size: int = Field(100, ge=1, le=PAGE_MAX, description="Items per page (max 100).")
    overlap_seconds: int = Field(
        300, ge=1, le=86_400, description="Each run re-asks this far behind the watermark."
    )

    @field_validator("queues")
    @classmethod
    def _queues(cls, value: list[str]) -> list[str]:
        names = [q.strip() for q in value if q.strip()]
        for name in names:
            if "'" in name or "\\" in name:
                raise ValueError(f"queue name {name!r} may not contain quotes or backslashes")
        return names

    @model_validator(mode="after")
    def _address(self) -> RTSettings:
        url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://rt.corp.example",
        )
        if url.endswith("/REST/2.0"):
            url = url.removesuffix("/REST/2.0")
        self.base_url = url
        return self

    @property
    def root(self) -> str:
        return self.base_url


@dataclass
class _Run:
    """Lookups made at most once per run: users by name (None: not readable)."""

    users: dict[str, dict[str, Any] | None] = field(default_factory=dict)


@register
class RTConnector(Connector):
    kind = "rt"
    label = "Request Tracker 5"
    settings_model = RTSettings
    secret_names = ("api_token",)
    settings: RTSettings

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("api_token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No auth token is stored for this Request Tracker source (secret api_token)."
            )
        check_address(self.settings.root, allow_private_network=self.settings.allow_private_network)
        return HttpClient(
            self.settings.root,
            headers={"Authorization": f"token {token}"},
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check base_url (with RT's WebPath)",
        )

    def _get(self, client: HttpClient, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return client.get_json(path, params=params)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(_explain(str(exc), exc.status), status=exc.status) from None

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.root).netloc
        try:
            client = self._client()
            info = as_dict(self._get(client, RT_PATH))
            version = info.get("Version") or "?"
            who = "the stored token"
            if self.settings.username:
                user = as_dict(
                    self._get(client, USER_PATH.format(name=quote(self.settings.username, safe="")))
                )
                label = user.get("RealName") or user.get("Name") or self.settings.username
                who = f"{label} ({self.settings.username})"
                if not _flag(user.get("Privileged")):
                    return CheckResult(
                        False,
                        f"Signed in to RT {version} at {host} as {who}, an unprivileged user: "
                        "it only sees its own tickets. Use a privileged user's token.",
                    )
            data = as_dict(
                self._get(
                    client,
                    TICKETS_PATH,
                    {"query": self._query(None), "per_page": 1, "fields": "LastUpdated"},
                )
            )
            items = data.get("items")
            if not isinstance(items, list):
                return CheckResult(False, f"{host} answered the ticket search without items.")
            if items and _ticket_id(items[0]) is not None:
                try:
                    self._get(
                        client,
                        HISTORY_PATH.format(id=_ticket_id(items[0])),
                        {"per_page": 1, "fields": "Type"},
                    )
                except ConnectorConfigError as exc:
                    if exc.status == 403:
                        return CheckResult(
                            False,
                            f"Signed in to RT {version} as {who} and tickets are searchable, "
                            f"but their history is not readable (403): grant ShowTicket on the "
                            f"queues. {exc}",
                        )
                    raise
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        return CheckResult(
            True,
            f"OK: signed in to RT {version} at {host} as {who}; tickets and their history "
            "readable.",
        )

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        saved: dict[str, Any] = {} if full else dict(cursor or {})
        since = iso_time_or_none(saved.get("since")) or self._start()
        known: dict[str, str] = {str(k): str(v) for k, v in as_dict(saved.get("recent")).items()}
        # A cursor an earlier version left mid-listing (by page number): the tickets it had
        # read are known, and the listing starts again from the watermark.
        partial = as_dict(as_dict(saved.get("partial")).get("recent"))
        known.update({str(k): str(v) for k, v in partial.items()})
        overlap = timedelta(seconds=self.settings.overlap_seconds)
        bound, op, page = since, ">", 1
        if saved.get("since"):
            bound = since - overlap
        high = since
        passed: dict[str, str] = {}  # tickets skipped in this run, by their LastUpdated
        run = _Run()
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        resume = saved
        for _ in range(MAX_PAGES):
            data = self._get(client, TICKETS_PATH, {**self._search(bound, op), "page": page})
            tickets = as_dict(data).get("items")
            if not isinstance(tickets, list):
                raise ConnectorError("Request Tracker answered the ticket search without items.")
            has_next = _has_next(as_dict(data), page) and bool(tickets)
            records: list[CommentRecord] = []
            skips: list[Skip] = []
            top = bound  # the newest LastUpdated on this page
            for n, ticket in enumerate(tickets):
                tid = _ticket_id(ticket)
                stamp = iso_time_or_none(ticket.get("LastUpdated")) if tid is not None else None
                if stamp is not None:
                    top = max(top, stamp)
                    if passed.get(str(tid)) == _iso(stamp):
                        continue  # skipped on an earlier page of this run, unchanged since
                got = self._ticket(client, ticket, n, known, run)
                if isinstance(got, Skip):
                    skips.append(got)
                    if stamp is not None:
                        passed[str(tid)] = _iso(stamp)
                    continue
                if got is None:
                    continue  # unchanged since it was last read
                tid, updated, recs, more = got
                records.extend(recs)
                skips.extend(more)
                known[str(tid)] = _iso(updated)
                high = max(high, updated)
            edge = high - overlap
            known = _kept(known, edge)
            # Listed by LastUpdated: everything up to `high` has been read and the tickets
            # inside the overlap are remembered, so this cursor is complete after every page
            # (a run that fails later resumes from it and drops what it read, unchanged).
            done: dict[str, Any] = {"since": _iso(high), "recent": dict(known)}
            chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                if chunk or (last and (skips or done != resume)):
                    yield Batch(
                        records=chunk, cursor=done if last else resume, skips=skips if last else []
                    )
            resume = done
            if not has_next:
                return
            # Page by key: ask again from the newest LastUpdated read (`>=`, TicketSQL dates
            # being whole seconds); the tickets of that second already read come back first
            # and are dropped as known. A ticket changed meanwhile moves to the end of the
            # listing and is read there, instead of shifting a page number and hiding the
            # ticket after it. Only a page all of one second needs the next page by number.
            if top > bound:
                bound, op, page = top, ">=", 1
                passed = _kept(passed, bound)
            else:
                page += 1
        raise ConnectorError(f"Request Tracker announced more than {MAX_PAGES} ticket pages.")

    def _search(self, bound: datetime, op: str) -> dict[str, Any]:
        return {
            "query": self._query(bound, op),
            "orderby": "LastUpdated",
            "order": "ASC",
            "per_page": self.settings.page_size,
            "fields": TICKET_FIELDS,
            "fields[Queue]": "Name",
        }

    def _start(self) -> datetime:
        day = self.settings.start_date
        if day is None:
            return FIRST_SINCE
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    def _query(self, since: datetime | None, op: str = ">") -> str:
        parts = []
        if since is not None:
            parts.append(f"LastUpdated {op} '{since.astimezone(UTC):%Y-%m-%d %H:%M:%S}'")
        else:
            parts.append("id > 0")
        if self.settings.queues:
            queues = " OR ".join(f"Queue = '{q}'" for q in self.settings.queues)
            parts.append(f"({queues})")
        return " AND ".join(parts)

    def _ticket(
        self, client: HttpClient, ticket: Any, n: int, known: dict[str, str], run: _Run
    ) -> Skip | None | tuple[int, datetime, list[CommentRecord], list[Skip]]:
        tid = _ticket_id(ticket)
        if tid is None:
            label = ticket.get("id") if isinstance(ticket, dict) else None
            return Skip(
                item=f"ticket {label!r}" if label else f"ticket #{n + 1} of a page",
                reason="ticket without a numeric id",
            )
        try:
            updated = iso_time(ticket.get("LastUpdated"), "LastUpdated")
        except MalformedItem as exc:
            return Skip(item=f"ticket {tid}", reason=f"ticket {exc}")
        if known.get(str(tid)) == _iso(updated):
            return None
        history = self._history(client, tid)
        if history is None:
            return Skip(item=f"ticket {tid}", reason="deleted or hidden while being read")
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        for txn in history:
            try:
                record = self._transaction(client, ticket, tid, txn, run)
            except MalformedItem as exc:
                xid = txn.get("id") if isinstance(txn, dict) else None
                skips.append(Skip(item=f"ticket {tid} transaction {xid or '?'}", reason=str(exc)))
                continue
            if record is not None:
                records.append(record)
        return tid, updated, records, skips

    def _history(self, client: HttpClient, tid: int) -> list[Any] | None:
        path = HISTORY_PATH.format(id=tid)
        out: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            try:
                data = self._get(
                    client,
                    path,
                    {"page": page, "per_page": self.settings.page_size, "fields": HISTORY_FIELDS},
                )
            except ConnectorConfigError as exc:
                if exc.status == 404:
                    return None
                raise
            items = as_dict(data).get("items")
            if not isinstance(items, list):
                raise ConnectorError(
                    f"Request Tracker answered the history of ticket {tid} without items."
                )
            out.extend(items)
            if not items or not _has_next(as_dict(data), page):
                return out
        raise ConnectorError(f"Request Tracker announced more than {MAX_PAGES} history pages.")

    # --- mapping --------------------------------------------------------------------

    def _transaction(
        self, client: HttpClient, ticket: dict[str, Any], tid: int, txn: Any, run: _Run
    ) -> CommentRecord | None:
        if not isinstance(txn, dict):
            raise MalformedItem("transaction is not an object")
        xid = _numeric(txn.get("id"))
        if xid is None:
            raise MalformedItem("transaction without a numeric id")
        kind = txn.get("Type")
        if isinstance(kind, str) and kind in INTERNAL_TYPES:
            return None  # an internal comment: never collected, not a skip
        if not isinstance(kind, str) or not kind:
            raise MalformedItem("transaction without a Type; not collected in case it is a comment")
        if kind not in MESSAGE_TYPES:
            return None  # a field change, watcher, email record...: no message
        created = iso_time(txn.get("Created"), "Created")
        creator = as_dict(txn.get("Creator")).get("id")
        if not isinstance(creator, (str, int)) or str(creator) == "":
            raise MalformedItem("transaction without a Creator")
        creator = str(creator)
        body = self._body(client, xid, txn)
        if body is None:
            return None  # a message without text (attachments only)
        person = self._user(client, creator, run)
        voice = _voice(creator, person, ticket)
        department = ""
        if voice == "business" and person:
            department = str(person.get("Organization") or "")
        queue = as_dict(ticket.get("Queue"))
        return CommentRecord(
            external_id=str(xid),
            thread_external_id=str(tid),
            body=body,
            created_at=created,
            thread_title=str(ticket.get("Subject") or f"Ticket #{tid}"),
            thread_url=f"{self.settings.root}/Ticket/Display.html?id={tid}",
            author_external_id=creator,
            author_name=str((person or {}).get("RealName") or (person or {}).get("Name") or ""),
            author_email=str((person or {}).get("EmailAddress") or ""),
            department=department,
            category_hint=str(queue.get("Name") or ""),
            voice=voice,
        )

    def _body(self, client: HttpClient, xid: int, txn: dict[str, Any]) -> str | None:
        links = txn.get("_hyperlinks")
        if not isinstance(links, list):
            # An RT that does not expand _hyperlinks in history: read the transaction.
            links = as_dict(self._get(client, TRANSACTION_PATH.format(id=xid))).get("_hyperlinks")
        ids = []
        for link in links if isinstance(links, list) else []:
            if isinstance(link, dict) and link.get("ref") == "attachment":
                match = _ATTACHMENT_ID.search(str(link.get("_url") or ""))
                if match:
                    ids.append(int(match.group(1)))
        html: str | None = None
        for aid in ids:
            part = as_dict(self._get(client, ATTACHMENT_PATH.format(id=aid)))
            ctype = str(part.get("ContentType") or "").split(";")[0].strip().lower()
            if part.get("Filename") or ctype not in ("text/plain", "text/html"):
                continue
            text = _decode(part.get("Content"), aid)
            if not text.strip():
                continue
            if ctype == "text/plain":
                return text
            if html is None:
                html = text
        return html

    def _user(self, client: HttpClient, name: str, run: _Run) -> dict[str, Any] | None:
        if name in BOT_USERS:
            return None
        if name not in run.users:
            try:
                data = self._get(client, USER_PATH.format(name=quote(name, safe="")))
            except ConnectorConfigError as exc:
                if exc.status in (403, 404):
                    run.users[name] = None  # not readable: decided from the ticket's roles
                    return None
                raise
            run.users[name] = as_dict(data)
        return run.users[name]


def _voice(creator: str, person: dict[str, Any] | None, ticket: dict[str, Any]) -> str | None:
    if creator in BOT_USERS:
        return "bot"
    if person is not None and "Privileged" in person:
        return "it_staff" if _flag(person["Privileged"]) else "business"
    if creator in _role_names(ticket.get("Requestor")):
        return "business"
    if creator in _role_names(ticket.get("Owner")) | _role_names(ticket.get("AdminCc")):
        return "it_staff"
    return None


def _role_names(value: Any) -> set[str]:
    members = value if isinstance(value, list) else [value]
    return {str(m["id"]) for m in members if isinstance(m, dict) and m.get("id") is not None}


def _explain(message: str, status: int | None) -> str:
    if status == 401:
        return (
            f"{message} RT wants an auth token (Logged in as ... > Settings > Auth Tokens) "
            "sent as 'Authorization: token ...'; check it was not revoked and its user is "
            "enabled."
        )
    if status == 403:
        return (
            f"{message} The token's RT user needs ShowTicket (and SeeQueue) on the queues "
            "read; naming authors also needs AdminUsers or a privileged user."
        )
    return message


def _decode(content: Any, aid: int) -> str:
    if content is None:
        return ""
    if not isinstance(content, str):
        raise MalformedItem(f"attachment {aid} Content is not a string")
    try:
        raw = base64.b64decode("".join(content.split()), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedItem(f"attachment {aid} Content is not base64") from None
    return raw.decode("utf-8", errors="replace")


def _has_next(data: dict[str, Any], page: int) -> bool:
    if data.get("next_page"):
        return True
    pages = data.get("pages")
    return isinstance(pages, int) and page < pages


def _numeric(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _ticket_id(ticket: Any) -> int | None:
    return _numeric(ticket.get("id")) if isinstance(ticket, dict) else None


def _flag(value: Any) -> bool:
    return str(value).strip() not in ("", "0", "False", "false", "None")


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kept(known: dict[str, str], edge: datetime) -> dict[str, str]:
    return {k: v for k, v in known.items() if (t := iso_time_or_none(v)) is not None and t >= edge}
