"""zendesk: an IT helpdesk run on Zendesk Support.

A ticket is a Thread; each PUBLIC comment on it is a Comment. Internal notes
(`public: false`) are never collected. Tickets changed since the last run come from the
cursor-based incremental ticket export; each changed ticket's comments are read again in
full (the unique key turns the known ones into no-ops and an edited one into an update).

Zendesk endpoints and shapes followed (developer.zendesk.com, checked 2026):
- Auth: basic auth `{email}/token:{api_token}`
  (support.zendesk.com/hc/en-us/articles/4408831452954 "Authentication for API requests").
- Incremental Ticket Export, Cursor Based:
  `GET /api/v2/incremental/tickets/cursor.json?start_time={unix}` for the first request,
  then `?cursor={after_cursor}`; answer `{tickets, after_cursor, after_url, before_cursor,
  before_url, end_of_stream}`; loop until `end_of_stream`; keep `after_cursor` for the next
  export (no overlap needed, unlike the time-based export). Items changed in the last
  minute are left for the next run by Zendesk itself. Admins only. Tickets sideloads
  (`include=users,organizations,groups`). 10 requests/minute.
  (api-reference/ticketing/ticket-management/incremental_exports/,
  documentation/ticketing/managing-tickets/using-the-incremental-export-api)
- List Comments: `GET /api/v2/tickets/{id}/comments.json?page[size]=100` with cursor
  pagination: `meta.has_more`, `meta.after_cursor`, next page with `page[after]`
  (api-reference/introduction/pagination/). Comment: `id, type, author_id, body,
  html_body, plain_body, public (false = internal note), via, metadata (flags: 4 =
  automatically generated), created_at` (api-reference/ticketing/tickets/ticket_comments/).
- Users: `role` is `end-user`, `agent` or `admin`; `GET /api/v2/users/me.json`,
  `GET /api/v2/users/show_many.json?ids=1,2` (api-reference/ticketing/users/users/).
- Rate limits: 429 with `Retry-After` seconds (api-reference/introduction/rate-limits):
  honoured by collectors.http.HttpClient.

Next-page URLs given by the upstream (`after_url`, `links.next`) are not followed: the
next request is built from the cursor value against the configured host, and redirects
are refused, so the host check done at connect time holds for every request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
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
from ..parsing import MalformedItem, as_dict, iso_time
from ..registry import register

EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
COMMENTS_PATH = "/api/v2/tickets/{id}/comments.json"
ME_PATH = "/api/v2/users/me.json"
SHOW_MANY_PATH = "/api/v2/users/show_many.json"
COMMENTS_PAGE_MAX = 100  # List Comments: page[size] at most 100
SHOW_MANY_MAX = 100  # show_many: at most 100 ids per request
# Comment flag 4: "the comment was automatically generated" (ticket_comments, Comment flags).
FLAG_AUTOMATIC = 4
# via.channel of comments added by triggers and automations.
BOT_CHANNELS = frozenset({"rule"})
ROLE_VOICE = {"end-user": "business", "agent": "it_staff", "admin": "it_staff"}


class ZendeskSettings(HttpSourceSettings):
    subdomain: str = Field("", description="acme for https://acme.zendesk.com.")
    base_url: str = Field("", description="Full address instead of a subdomain (https only).")
    email: str = Field(description="Email of the Zendesk admin whose API token is stored.")
    start_date: date | None = Field(
        None, description="First collection reads tickets changed since this day."
    )
    page_size: int = Field(100, ge=1, le=1000, description="Tickets per export page.")
    category_field_id: int | None = Field(
        None, description="Id of a ticket custom field naming the IT service (category hint)."
    )

    @field_validator("subdomain")
    @classmethod
    def _subdomain(cls, value: str) -> str:
        value = value.lower().removesuffix(".zendesk.com")
        if value and not all(c.isalnum() or c == "-" for c in value):
            raise ValueError(
                "a subdomain is letters, digits and dashes (acme for acme.zendesk.com)"
            )
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("give the email address of the Zendesk user the API token belongs to")
        return value

    @model_validator(mode="after")
    def _address(self) -> ZendeskSettings:
        if bool(self.subdomain) == bool(self.base_url):
            raise ValueError("give either subdomain or base_url (exactly one)")
        if self.base_url:
            self.base_url = validate_base_url(
                self.base_url,
                allow_insecure_http=self.allow_insecure_http,
                example="https://acme.zendesk.com",
            )
        return self

    @property
    def root(self) -> str:
        return self.base_url or f"https://{self.subdomain}.zendesk.com"


@dataclass
class _Page:
    """One page of the export with its sideloads (id -> object)."""

    tickets: list[Any]
    after_cursor: str | None
    end_of_stream: bool
    users: dict[int, dict[str, Any]]
    organizations: dict[int, dict[str, Any]]
    groups: dict[int, dict[str, Any]]


@register
class ZendeskConnector(Connector):
    kind = "zendesk"
    label = "Zendesk Support"
    settings_model = ZendeskSettings
    secret_names = ("api_token",)
    settings: ZendeskSettings

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("api_token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No API token is stored for this Zendesk source (secret api_token)."
            )
        self._guard_host()
        return HttpClient(
            self.settings.root,
            auth=(f"{self.settings.email}/token", token),
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check subdomain/base_url",
        )

    def _guard_host(self) -> None:
        check_address(self.settings.root, allow_private_network=self.settings.allow_private_network)

    def _get(self, client: HttpClient, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return client.get_json(path, params=params)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(_explain(str(exc), exc.status), status=exc.status) from None

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        try:
            client = self._client()
            me = as_dict(self._get(client, ME_PATH).get("user"))
            if me.get("id") is None:
                # Zendesk answers users/me for an anonymous caller too.
                return CheckResult(
                    False,
                    "Zendesk did not accept the credentials (it answered as an anonymous user): "
                    "check the email and the API token.",
                )
            role = me.get("role") or "?"
            who = f"{me.get('name') or '?'} <{me.get('email') or self.settings.email}> ({role})"
            if role != "admin":
                return CheckResult(
                    False,
                    f"Signed in as {who}, but the incremental ticket export is for admins: "
                    "use an admin's email and API token.",
                )
            # One cheap export request proves the permission to read tickets.
            probe = int(datetime.now(UTC).timestamp()) - 120
            self._get(client, EXPORT_PATH, {"start_time": probe, "per_page": 1})
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        return CheckResult(
            True,
            f"OK: signed in to {urlsplit(self.settings.root).netloc} as {who}; tickets readable.",
        )

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        resume: dict[str, Any] = {} if full else dict(cursor or {})
        base = {
            "per_page": self.settings.page_size,
            "include": "users,organizations,groups",
            "exclude_deleted": "true",
        }
        if resume.get("after_cursor"):
            params = {**base, "cursor": resume["after_cursor"]}
        else:
            params = {**base, "start_time": self._start_time()}
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        while True:
            page = self._export_page(client, params)
            records, skips = self._page_records(client, page)
            done = {"after_cursor": page.after_cursor} if page.after_cursor else resume
            # The cursor moves past this page only with its last batch: a crash before
            # that re-reads the page and the unique key absorbs what was stored.
            chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                if chunk or (last and (skips or done != resume)):
                    yield Batch(
                        records=chunk, cursor=done if last else resume, skips=skips if last else []
                    )
            resume = done
            if page.end_of_stream or not page.after_cursor:
                return
            params = {**base, "cursor": page.after_cursor}

    def _start_time(self) -> int:
        if self.settings.start_date is None:
            return 0
        day = self.settings.start_date
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())

    def _export_page(self, client: HttpClient, params: dict[str, Any]) -> _Page:
        data = self._get(client, EXPORT_PATH, params)
        if not isinstance(data, dict) or not isinstance(data.get("tickets"), list):
            raise ConnectorError("The Zendesk ticket export answered without a tickets list.")
        after = data.get("after_cursor")
        return _Page(
            tickets=data["tickets"],
            after_cursor=str(after) if after else None,
            end_of_stream=bool(data.get("end_of_stream", True)),
            users=_by_id(data.get("users")),
            organizations=_by_id(data.get("organizations")),
            groups=_by_id(data.get("groups")),
        )

    def _page_records(
        self, client: HttpClient, page: _Page
    ) -> tuple[list[CommentRecord], list[Skip]]:
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        loaded: list[tuple[dict[str, Any], list[Any]]] = []
        for n, ticket in enumerate(page.tickets):
            if not isinstance(ticket, dict) or not isinstance(ticket.get("id"), int):
                label = ticket.get("id") if isinstance(ticket, dict) else None
                skips.append(
                    Skip(
                        item=f"ticket {label!r}" if label else f"ticket #{n + 1} of a page",
                        reason="ticket without a numeric id",
                    )
                )
                continue
            comments = self._comments(client, ticket["id"], page.users)
            if comments is None:
                skips.append(Skip(item=f"ticket {ticket['id']}", reason="deleted while being read"))
                continue
            loaded.append((ticket, comments))
        # Authors neither sideloaded with the tickets nor with the comments: one lookup.
        wanted = {
            c.get("author_id")
            for _, comments in loaded
            for c in comments
            if isinstance(c, dict) and isinstance(c.get("author_id"), int) and c["author_id"] > 0
        }
        self._load_users(client, sorted(a for a in wanted if a not in page.users), page.users)
        for ticket, comments in loaded:
            for comment in comments:
                try:
                    record = self._record(ticket, comment, page)
                except MalformedItem as exc:
                    cid = comment.get("id") if isinstance(comment, dict) else None
                    skips.append(
                        Skip(item=f"ticket {ticket['id']} comment {cid or '?'}", reason=str(exc))
                    )
                    continue
                if record is not None:
                    records.append(record)
        return records, skips

    def _comments(
        self, client: HttpClient, ticket_id: int, users: dict[int, dict[str, Any]]
    ) -> list[Any] | None:
        params: dict[str, Any] = {
            "page[size]": min(self.settings.page_size, COMMENTS_PAGE_MAX),
            "include": "users",
        }
        comments: list[Any] = []
        path = COMMENTS_PATH.format(id=ticket_id)
        while True:
            try:
                data = self._get(client, path, params)
            except ConnectorConfigError as exc:
                if exc.status == 404:
                    return None  # deleted between the export and now; the export drops it next time
                raise
            if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
                raise ConnectorError(
                    f"Zendesk answered the comments of ticket {ticket_id} without a comments list."
                )
            comments.extend(data["comments"])
            users.update(_by_id(data.get("users")))
            meta = as_dict(data.get("meta"))
            after = meta.get("after_cursor")
            if not meta.get("has_more") or not after:
                return comments
            params = {**params, "page[after]": after}

    def _load_users(
        self, client: HttpClient, ids: list[int], users: dict[int, dict[str, Any]]
    ) -> None:
        for i in range(0, len(ids), SHOW_MANY_MAX):
            chunk = ids[i : i + SHOW_MANY_MAX]
            data = self._get(client, SHOW_MANY_PATH, {"ids": ",".join(str(x) for x in chunk)})
            users.update(_by_id(as_dict(data).get("users")))

    # --- mapping --------------------------------------------------------------------

    def _record(self, ticket: dict[str, Any], comment: Any, page: _Page) -> CommentRecord | None:
        if not isinstance(comment, dict):
            raise MalformedItem("comment is not an object")
        cid = comment.get("id")
        if not isinstance(cid, int):
            raise MalformedItem("comment without a numeric id")
        public = comment.get("public")
        if public is False:
            return None  # internal note: never collected, not a skip
        if public is not True:
            raise MalformedItem(
                "comment has no public flag; not collected in case it is an internal note"
            )
        created = iso_time(
            comment.get("created_at"), "created_at", missing="comment without created_at"
        )
        body = comment.get("plain_body") or comment.get("html_body") or comment.get("body") or ""
        if not isinstance(body, str):
            raise MalformedItem("comment text is not a string")
        author_id = comment.get("author_id")
        author = page.users.get(author_id, {}) if isinstance(author_id, int) else {}
        tid = ticket["id"]
        requester = page.users.get(ticket.get("requester_id"), {})
        department = ""
        if author_id == ticket.get("requester_id") or author.get("role") == "end-user":
            org = page.organizations.get(
                author.get("organization_id") or requester.get("organization_id")
            )
            department = str((org or {}).get("name") or "")
        return CommentRecord(
            external_id=str(cid),
            thread_external_id=str(tid),
            body=body,
            created_at=created,
            thread_title=str(
                ticket.get("subject") or ticket.get("raw_subject") or f"Ticket #{tid}"
            ),
            thread_url=f"{self.settings.root}/agent/tickets/{tid}",
            author_external_id=str(author_id) if author_id is not None else "",
            author_name=str(author.get("name") or ""),
            author_email=str(author.get("email") or ""),
            department=department,
            category_hint=self._category(ticket, page),
            voice=_voice(comment, author),
        )

    def _category(self, ticket: dict[str, Any], page: _Page) -> str:
        field_id = self.settings.category_field_id
        if field_id is not None:
            for field in ticket.get("custom_fields") or []:
                if isinstance(field, dict) and field.get("id") == field_id and field.get("value"):
                    return str(field["value"])
        group = page.groups.get(ticket.get("group_id"))
        if group and group.get("name"):
            return str(group["name"])
        tags = ticket.get("tags")
        if isinstance(tags, list):
            return " ".join(str(t) for t in tags)
        return ""


def _voice(comment: dict[str, Any], author: dict[str, Any]) -> str | None:
    """The platform's own signal: end-users are business voice, agents and admins IT staff,
    triggers/automations and system comments bots; None lets Earshot decide (unknown author)."""
    via = as_dict(comment.get("via"))
    flags = as_dict(comment.get("metadata")).get("flags") or []
    role = author.get("role")
    channel = via.get("channel")
    if comment.get("author_id") == -1 or (isinstance(channel, str) and channel in BOT_CHANNELS):
        return "bot"
    if isinstance(flags, list) and FLAG_AUTOMATIC in flags:
        return "bot"
    # A comment posted through the API by a staff or integration account is automation;
    # one posted through the API on behalf of an end-user (a portal, a form) is their voice.
    if via.get("channel") == "api" and role != "end-user":
        return "bot"
    return ROLE_VOICE.get(str(role)) if role else None


def _explain(message: str, status: int | None) -> str:
    if status == 401:
        return (
            f"{message} Zendesk wants the email of the user the API token belongs to and the "
            "token itself, with token access enabled (Admin Center > Apps and integrations > "
            "APIs > Zendesk API)."
        )
    if status == 403:
        return (
            f"{message} Reading tickets and their comments through the incremental export needs "
            "a Zendesk admin's API token."
        )
    return message


def _by_id(items: Any) -> dict[int, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {i["id"]: i for i in items if isinstance(i, dict) and isinstance(i.get("id"), int)}
