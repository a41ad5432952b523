"""freshservice: an IT helpdesk run on Freshservice (Freshworks), API v2.

A ticket is a Thread. Its description is the requester's first Comment; each PUBLIC
conversation on it (a reply or a public note) is a further Comment. Private notes
(`private: true`) are never collected. Tickets changed since the last run come from the
ticket list filtered with `updated_since`; each changed ticket's conversations are read
again in full (the unique key turns the known ones into no-ops and an edited one into an
update).

Freshservice endpoints and shapes followed (api.freshservice.com/v2, checked 2026):
- Auth: basic auth with the API key as user name and `X` as password; https only
  (api.freshservice.com "Authentication", research/connector_apis.md 1.4).
- List All Tickets: `GET /api/v2/tickets?updated_since={ISO}&order_type=asc&per_page=
  {<=100}&page={n}`; answer `{"tickets": [...]}`; without `updated_since` only the last
  30 days are listed, so the first run always sends one (start_date or 2000-01-01). The
  next page is announced by a `Link: <...>; rel="next"` header; the next request is
  built here (by key, see below) against the configured host, the link is never followed
  (redirects are refused too, so the host check done at connect time holds for every
  request). Page sizes up to 100
  (api.freshservice.com/v2 "What's new": "Support for page sizes up to 100";
  developers.freshworks.com api-sdk freshservice_models.TicketsQuery: updated_since,
  order_type asc|desc, include). Ticket fields used: `id, subject, description (HTML),
  description_text, requester_id, group_id, department_id, category, sub_category,
  created_at, updated_at` (schemas.apis.io freshworks-ticket; api.freshservice.com
  "View a Ticket").
- List All Conversations of a Ticket: `GET /api/v2/tickets/{id}/conversations?per_page=
  &page=`; answer `{"conversations": [...]}`; fields `id, user_id, body (HTML),
  body_text, incoming, private, source, ticket_id, created_at, updated_at`
  (capabilities.apis.io freshworks/freshservice-conversations; developers.freshworks.com
  app-sdk freshservice onConversationCreate: "Reply added, Public note added, Private
  note added", body / body_text).
- People: agents and requesters share user ids. `GET /api/v2/requesters/{id}` ->
  `{"requester": {first_name, last_name, primary_email, department_ids}}`, 404 for an
  agent; `GET /api/v2/agents/{id}` -> `{"agent": {first_name, last_name, email,
  department_ids}}` (docs.workato.com freshservice get-agent-details / create-requester,
  FreshservicePS Set-FreshServiceAgent referencing api.freshservice.com#update_an_agent).
  `GET /api/v2/agents/me` names the key's owner (used by check(); widely used by
  Freshservice integrations, not found in the stored reference pages).
- Departments and groups: `GET /api/v2/departments`, `GET /api/v2/groups` (`{"departments":
  [{id, name}]}`, `{"groups": [{id, name}]}`), read once per run and only when a ticket
  needs a name.
- Deep link: `https://{domain}.freshservice.com/a/tickets/{id}` (the agent portal's ticket
  page; not in the API reference, but the address used across Freshservice integrations).
- Rate limits: per minute and plan, account-wide; 429 with `Retry-After` seconds
  (api.freshservice.com "Rate limit"): honoured by collectors.http.HttpClient.

Listing and watermark. What Freshworks documents about the ticket list (developers.
freshworks.com api-sdk freshservice_models.TicketsQuery; checked 2026):
`updated_since` "filter[s] out tickets based on updated time" (ISO, second-precise) and
`order_type` is `asc` | `desc`, default `desc`. It does NOT say whether `updated_since` is
inclusive, nor which field `order_type` sorts by (there is no documented `order_by`;
Freshdesk's sibling API sorts by `created_at` unless `order_by` says otherwise). So:
- Inclusiveness is not relied on: every query starts one second (or `overlap_seconds`)
  before the newest `updated_at` read, and the tickets read at or after that instant are
  remembered (id -> updated_at) and dropped when they come back unchanged.
- Relied on: `order_type=asc` with `updated_since` lists by `updated_at` ascending, so a
  ticket that changes mid-run moves to the end of the list. Page numbers would then shift
  every later ticket back by one and one would never be read; instead the list is paged
  by key (as collectors/zammad and collectors/servicenow do): each next request asks
  again from the newest `updated_at` read, page 1, `per_page` grown by the tickets at that
  instant; only a whole page within one second is followed by the next page number of the
  same query. The cursor `{since, recent}` saved after each page is complete, so a run that
  fails resumes from it, and the next run asks from `overlap_seconds` before `since` (a
  change saved while the previous run was listing can surface late): a run with nothing new
  makes one request (while the tickets in the overlap window fit on a page) and writes
  nothing.
- Checked, not trusted: if a page's `updated_at` values are not ascending, the list is not
  sorted by `updated_at` (then, sorted by creation, an update does not move a ticket and
  page numbers are safe): the rest of that run pages by number from the same query and
  the cursor moves only when the listing is complete. A gap is still possible there if
  the pages read by key before the first out-of-order one happened to look ascending.

Voice: a requester is business, an agent IT staff, a conversation without a user
(system, automation) a bot; an author neither endpoint knows is left to Earshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

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

TICKETS_PATH = "/api/v2/tickets"
CONVERSATIONS_PATH = "/api/v2/tickets/{id}/conversations"
REQUESTER_PATH = "/api/v2/requesters/{id}"
AGENT_PATH = "/api/v2/agents/{id}"
ME_PATH = "/api/v2/agents/me"
DEPARTMENTS_PATH = "/api/v2/departments"
GROUPS_PATH = "/api/v2/groups"
PAGE_MAX = 100  # per_page at most 100 on every v2 list
FIRST_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
MAX_PAGES = 10_000  # a guard against an upstream that always announces a next page


class FreshserviceSettings(HttpSourceSettings):
    domain: str = Field("", description="acme for https://acme.freshservice.com.")
    base_url: str = Field("", description="Full address instead of a domain (https only).")
    start_date: date | None = Field(
        None, description="First collection reads tickets changed since this day."
    )
    page_size: int = Field(100, ge=1, le=PAGE_MAX, description="Items per page (max 100).")
    overlap_seconds: int = Field(
        120, ge=1, le=86_400, description="Each run re-asks this far behind the watermark."
    )

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        value = value.lower().removesuffix(".freshservice.com")
        if value and not all(c.isalnum() or c == "-" for c in value):
            raise ValueError(
                "a domain is letters, digits and dashes (acme for acme.freshservice.com)"
            )
        return value

    @model_validator(mode="after")
    def _address(self) -> FreshserviceSettings:
        if bool(self.domain) == bool(self.base_url):
            raise ValueError("give either domain or base_url (exactly one)")
        if self.base_url:
            self.base_url = validate_base_url(
                self.base_url,
                allow_insecure_http=self.allow_insecure_http,
                example="https://acme.freshservice.com",
            )
        return self

    @property
    def root(self) -> str:
        return self.base_url or f"https://{self.domain}.freshservice.com"


class _Run:
    """Lookups made at most once per run: people, department and group names."""

    def __init__(self) -> None:
        self.people: dict[int, tuple[str, dict[str, Any]]] = {}
        self.departments: dict[int, str] | None = None
        self.groups: dict[int, str] | None = None


@register
class FreshserviceConnector(Connector):
    kind = "freshservice"
    label = "Freshservice"
    settings_model = FreshserviceSettings
    secret_names = ("api_key",)
    settings: FreshserviceSettings

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        key = str(self.secrets.get("api_key") or "").strip()
        if not key:
            raise ConnectorConfigError(
                "No API key is stored for this Freshservice source (secret api_key)."
            )
        check_address(self.settings.root, allow_private_network=self.settings.allow_private_network)
        return HttpClient(
            self.settings.root,
            auth=(key, "X"),
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check domain/base_url",
        )

    def _get(
        self, client: HttpClient, path: str, params: dict[str, Any] | None = None
    ) -> tuple[Any, bool]:
        """The JSON answer and whether a Link header announces a next page."""
        try:
            response = client.get(path, params=params)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(_explain(str(exc), exc.status), status=exc.status) from None
        return client.json(response), "next" in response.links

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.root).netloc
        try:
            client = self._client()
            me = as_dict(as_dict(self._get(client, ME_PATH)[0]).get("agent"))
            who = f"{_name(me) or '?'} <{me.get('email') or '?'}>"
            data, _ = self._get(client, TICKETS_PATH, {"per_page": 1, "order_type": "desc"})
            tickets = as_dict(data).get("tickets")
            if not isinstance(tickets, list):
                return CheckResult(False, f"{host} answered the ticket list without tickets.")
            if tickets and isinstance(as_dict(tickets[0]).get("id"), int):
                try:
                    self._get(
                        client,
                        CONVERSATIONS_PATH.format(id=tickets[0]["id"]),
                        {"per_page": 1},
                    )
                except ConnectorConfigError as exc:
                    if exc.status == 403:
                        return CheckResult(
                            False,
                            f"Signed in as {who} and tickets are readable, but not their "
                            f"conversations (403): give this agent a role that can view "
                            f"ticket conversations. {exc}",
                        )
                    raise
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        return CheckResult(
            True, f"OK: signed in to {host} as {who}; tickets and conversations readable."
        )

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        saved: dict[str, Any] = {} if full else dict(cursor or {})
        overlap = timedelta(seconds=self.settings.overlap_seconds)
        watermark = iso_time_or_none(saved.get("since"))
        known: dict[str, str] = {str(k): str(v) for k, v in as_dict(saved.get("recent")).items()}
        if watermark is None:
            bound, known = self._start(), {}
        else:
            bound = watermark - overlap
        high = watermark or bound
        run = _Run()
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        per_page = self.settings.page_size
        page = 1
        keyset = True  # False once a page shows the list is not sorted by updated_at
        resume = saved
        for _ in range(MAX_PAGES):
            params = {
                "updated_since": _iso(bound),
                "order_type": "asc",
                "per_page": per_page,
                "page": page,
            }
            data, has_next = self._get(client, TICKETS_PATH, params)
            tickets = as_dict(data).get("tickets")
            if not isinstance(tickets, list):
                raise ConnectorError("Freshservice answered the ticket list without tickets.")
            stamps = [t for t in (_ticket_time(x) for x in tickets) if t is not None]
            if any(b < a for a, b in zip(stamps, stamps[1:], strict=False)):
                keyset = False
            records, skips = [], []
            for n, ticket in enumerate(tickets):
                got = self._ticket(client, ticket, n, known, run)
                if isinstance(got, Skip):
                    skips.append(got)
                    continue
                if got is None:
                    continue  # already read (an earlier run or page) and unchanged since
                tid, updated, recs, more = got
                records.extend(recs)
                skips.extend(more)
                high = max(high, updated)
                known[str(tid)] = _iso(updated)
            more_pages = bool(has_next and tickets)
            # The next key: one second behind the newest updated_at on this page, since
            # Freshservice does not say whether updated_since is inclusive.
            top = max(stamps, default=bound)
            key = top - timedelta(seconds=1)
            ties = sum(1 for t in stamps if t >= key)  # they come back first, as known
            edge = min(high - overlap, key)
            known = {k: v for k, v in known.items() if (t := iso_time_or_none(v)) and t >= edge}
            if keyset or not more_pages:
                # Sorted by updated_at: everything before `high` has been read and the
                # tickets at the edge are remembered, so this cursor is complete after
                # every page (and a later run or a retry resumes from it).
                done: dict[str, Any] = {"since": _iso(high), "recent": dict(known)}
            else:
                done = resume  # not sorted by updated_at: complete only at the end
            chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                if chunk or (last and (skips or done != resume)):
                    yield Batch(
                        records=chunk, cursor=done if last else resume, skips=skips if last else []
                    )
            resume = done
            if not more_pages:
                return
            if keyset and key > bound and ties < per_page:
                # Page by key: ask again from the newest updated_at read, one page larger
                # by the tickets at that instant, so a ticket that changes mid-run (and
                # moves to the end of the list) cannot shift another one off a page.
                bound, page = key, 1
                per_page = min(self.settings.page_size + ties, PAGE_MAX)
            else:
                # A whole page within one second (or a list not sorted by updated_at):
                # the next page of the same query, by number.
                page += 1
        raise ConnectorError(f"Freshservice announced more than {MAX_PAGES} ticket pages.")

    def _start(self) -> datetime:
        day = self.settings.start_date
        if day is None:
            return FIRST_SINCE
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    def _ticket(
        self, client: HttpClient, ticket: Any, n: int, known: dict[str, str], run: _Run
    ) -> Skip | None | tuple[int, datetime, list[CommentRecord], list[Skip]]:
        if not isinstance(ticket, dict) or not isinstance(ticket.get("id"), int):
            label = ticket.get("id") if isinstance(ticket, dict) else None
            return Skip(
                item=f"ticket {label!r}" if label else f"ticket #{n + 1} of a page",
                reason="ticket without a numeric id",
            )
        tid = ticket["id"]
        try:
            updated = iso_time(ticket.get("updated_at"), "updated_at")
        except MalformedItem as exc:
            return Skip(item=f"ticket {tid}", reason=f"ticket {exc}")
        if known.get(str(tid)) == _iso(updated):
            return None
        conversations = self._conversations(client, tid)
        if conversations is None:
            return Skip(item=f"ticket {tid}", reason="deleted while being read")
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        try:
            description = self._description(client, ticket, run)
        except MalformedItem as exc:
            skips.append(Skip(item=f"ticket {tid} description", reason=str(exc)))
        else:
            if description is not None:
                records.append(description)
        for conv in conversations:
            try:
                record = self._conversation(client, ticket, conv, run)
            except MalformedItem as exc:
                cid = conv.get("id") if isinstance(conv, dict) else None
                skips.append(Skip(item=f"ticket {tid} conversation {cid or '?'}", reason=str(exc)))
                continue
            if record is not None:
                records.append(record)
        return tid, updated, records, skips

    def _conversations(self, client: HttpClient, ticket_id: int) -> list[Any] | None:
        path = CONVERSATIONS_PATH.format(id=ticket_id)
        out: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            try:
                data, has_next = self._get(
                    client, path, {"per_page": self.settings.page_size, "page": page}
                )
            except ConnectorConfigError as exc:
                if exc.status == 404:
                    return None  # deleted between the list and now
                raise
            items = as_dict(data).get("conversations")
            if not isinstance(items, list):
                raise ConnectorError(
                    f"Freshservice answered the conversations of ticket {ticket_id} "
                    "without a conversations list."
                )
            out.extend(items)
            if not has_next or not items:
                return out
        raise ConnectorError(f"Freshservice announced more than {MAX_PAGES} conversation pages.")

    # --- people, departments, groups -----------------------------------------------

    def _person(self, client: HttpClient, user_id: int, run: _Run) -> tuple[str, dict[str, Any]]:
        """("requester" | "agent" | "", the record) for a user id, looked up once per run."""
        if user_id not in run.people:
            found: tuple[str, dict[str, Any]] = ("", {})
            for role, path in (("requester", REQUESTER_PATH), ("agent", AGENT_PATH)):
                try:
                    data, _ = self._get(client, path.format(id=user_id))
                except ConnectorConfigError as exc:
                    if exc.status == 404:
                        continue
                    raise
                found = (role, as_dict(as_dict(data).get(role)))
                break
            run.people[user_id] = found
        return run.people[user_id]

    def _names(self, client: HttpClient, path: str, key: str) -> dict[int, str]:
        names: dict[int, str] = {}
        for page in range(1, MAX_PAGES + 1):
            data, has_next = self._get(client, path, {"per_page": PAGE_MAX, "page": page})
            items = as_dict(data).get(key)
            if not isinstance(items, list):
                return names
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("id"), int) and item.get("name"):
                    names[item["id"]] = str(item["name"])
            if not has_next or not items:
                break
        return names

    def _department(self, client: HttpClient, dept_id: Any, run: _Run) -> str:
        if not isinstance(dept_id, int):
            return ""
        if run.departments is None:
            run.departments = self._names(client, DEPARTMENTS_PATH, "departments")
        return run.departments.get(dept_id, "")

    def _category(self, client: HttpClient, ticket: dict[str, Any], run: _Run) -> str:
        parts = [str(ticket[k]) for k in ("category", "sub_category") if ticket.get(k)]
        if parts:
            return " / ".join(parts)
        group_id = ticket.get("group_id")
        if isinstance(group_id, int):
            if run.groups is None:
                run.groups = self._names(client, GROUPS_PATH, "groups")
            return run.groups.get(group_id, "")
        return ""

    # --- mapping --------------------------------------------------------------------

    def _description(
        self, client: HttpClient, ticket: dict[str, Any], run: _Run
    ) -> CommentRecord | None:
        body = ticket.get("description") or ticket.get("description_text") or ""
        if not isinstance(body, str):
            raise MalformedItem("description is not a string")
        if not body.strip():
            return None
        created = iso_time(ticket.get("created_at"), "created_at")
        requester_id = ticket.get("requester_id")
        return self._record(
            client, ticket, f"{ticket['id']}:description", body, created, requester_id, run
        )

    def _conversation(
        self, client: HttpClient, ticket: dict[str, Any], conv: Any, run: _Run
    ) -> CommentRecord | None:
        if not isinstance(conv, dict):
            raise MalformedItem("conversation is not an object")
        cid = conv.get("id")
        if not isinstance(cid, int):
            raise MalformedItem("conversation without a numeric id")
        private = conv.get("private")
        if private is True:
            return None  # private note: never collected, not a skip
        if private is not False:
            raise MalformedItem(
                "conversation has no private flag; not collected in case it is a private note"
            )
        created = iso_time(conv.get("created_at"), "created_at")
        body = conv.get("body") or conv.get("body_text") or ""
        if not isinstance(body, str):
            raise MalformedItem("conversation text is not a string")
        return self._record(client, ticket, str(cid), body, created, conv.get("user_id"), run)

    def _record(
        self,
        client: HttpClient,
        ticket: dict[str, Any],
        external_id: str,
        body: str,
        created: datetime,
        user_id: Any,
        run: _Run,
    ) -> CommentRecord:
        tid = ticket["id"]
        role, person = ("", {})
        if isinstance(user_id, bool):  # JSON true is no user id (bool is an int in Python)
            user_id = None
        if isinstance(user_id, int) and user_id > 0:
            role, person = self._person(client, user_id, run)
            voice = {"requester": "business", "agent": "it_staff"}.get(role)
        else:
            voice = "bot"  # no user behind it: the system or an automation
        department = ""
        if role == "requester":
            department = self._department(client, ticket.get("department_id"), run)
            if not department:
                ids = person.get("department_ids")
                if isinstance(ids, list) and ids:
                    department = self._department(client, ids[0], run)
        return CommentRecord(
            external_id=external_id,
            thread_external_id=str(tid),
            body=body,
            created_at=created,
            thread_title=str(ticket.get("subject") or f"Ticket #{tid}"),
            thread_url=f"{self.settings.root}/a/tickets/{tid}",
            author_external_id=str(user_id) if isinstance(user_id, int) else "",
            author_name=_name(person),
            author_email=str(person.get("primary_email") or person.get("email") or ""),
            department=department,
            category_hint=self._category(client, ticket, run),
            voice=voice,
        )


def _explain(message: str, status: int | None) -> str:
    if status == 401:
        return (
            f"{message} Freshservice wants an agent's API key (Profile settings > API key) "
            "as the user name and X as the password."
        )
    if status == 403:
        return (
            f"{message} The agent whose API key is stored needs a role that can view tickets "
            "and their conversations (and requesters, agents and departments)."
        )
    return message


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ticket_time(ticket: Any) -> datetime | None:
    return iso_time_or_none(ticket.get("updated_at")) if isinstance(ticket, dict) else None


def _name(person: dict[str, Any]) -> str:
    return " ".join(str(person[k]) for k in ("first_name", "last_name") if person.get(k))
