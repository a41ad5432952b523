"""zammad: an IT helpdesk run on Zammad (usually self-hosted), REST API v1.

A ticket is a Thread; each article on it that is not internal is a Comment. Internal
articles (`internal: true`, internal notes) are never collected. Tickets changed since
the last run come from the ticket search sorted by `updated_at`; each changed ticket's
articles are read again in full (the unique key turns the known ones into no-ops and an
edited one into an update).

Zammad endpoints and shapes followed (docs.zammad.org, checked 2026; the documentation
sources are zammad/zammad-documentation api/*.rst):
- Auth: `Authorization: Token token={access_token}` (api/intro.html "Authentication":
  HTTP Token Authentication; each user creates tokens in their profile, and the admin
  can switch token access off).
- Expanded payloads: `?expand=true` adds named relations next to the ids: a ticket gets
  `group`, `organization`, `customer`, `state`; an article `sender` (Customer | Agent |
  System), `type`, `created_by` (api/intro.html "Response Payloads (expand)").
- Pagination: `page` + `per_page`; no total count is promised, so pages are read until
  one comes back short (api/intro.html "Pagination"). Search caps `per_page` at 200
  (zammad/zammad app/controllers/application_controller/renders_models.rb
  `model_search_render`: `paginate_with(max: 200, default: 50)`).
- Sorting search results: `sort_by={field}&order_by=asc|desc` (api/intro.html "Sorting
  search results"; needs a reindexed Elasticsearch since 2.5, zammad/zammad issue #2073).
- Ticket search: `GET /api/v1/tickets/search?query=...&sort_by=updated_at&order_by=asc
  &page=&per_page=&expand=true` (api/ticket/index.html "Search"). With `expand=true` the
  answer is a JSON array of tickets (renders_models.rb `model_search_render_result_expand`);
  without it `{tickets: [ids], tickets_count, assets: {Ticket: {...}}}` (the docs'
  example), which is read too. The query is Elasticsearch query-string syntax over the
  indexed ticket attributes (install/elasticsearch/indexed-attributes.html: `updated_at`,
  UTC timestamps): `updated_at:>=2026-03-02T09\\:00\\:00.000Z`. Field queries need
  Elasticsearch, which every production Zammad runs.
- Articles: `GET /api/v1/ticket_articles/by_ticket/{ticket_id}?expand=true`, not paged,
  a JSON array; fields `id, ticket_id, from, to, subject, body, content_type (text/html |
  text/plain), type, internal, sender, created_by_id, origin_by_id (an agent writing on
  behalf of a customer, e.g. a phone note), created_at, updated_at` (api/ticket/
  articles.html "List Articles by Ticket"; research/connector_apis.md 1.5).
- Current user: `GET /api/v1/users/me` (api/user.html "me - current user"); with
  `expand=true` it names the `roles`.
- Deep link: `{base}/#ticket/zoom/{id}` (the agent UI's ticket address).
- Rate limits: none documented for self-hosted; 429 with `Retry-After` and 5xx are
  retried by collectors.http.HttpClient.

Watermark: the search is re-asked from `overlap_seconds` before the newest `updated_at`
finished (Elasticsearch indexes with a short delay, so a change can surface late), and
the `updated_at` of the tickets in that window is remembered: those unchanged are
dropped without reading their articles, so a run with nothing new makes one request and
writes nothing. Within a run the search pages by key (`updated_at >=` the newest one
read, page 1 again, `per_page` grown by the tickets at that instant) rather than by
offset, so a ticket changing mid-run cannot shift another one past a page boundary; the
cursor saved after each page is complete.

Voice: `sender` Customer is business, Agent IT staff, System (triggers, auto-replies) a
bot; an article without a sender is left to Earshot. The body is passed on raw (HTML or
plain text); Earshot cleans it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from pydantic import Field, model_validator

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

SEARCH_PATH = "/api/v1/tickets/search"
ARTICLES_PATH = "/api/v1/ticket_articles/by_ticket/{id}"
ME_PATH = "/api/v1/users/me"
SEARCH_PAGE_MAX = 200  # model_search_render: paginate_with(max: 200)
FIRST_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
MAX_PAGES = 10_000  # a guard against an upstream that keeps answering full pages
SENDER_VOICE = {"customer": "business", "agent": "it_staff", "system": "bot"}


class ZammadSettings(HttpSourceSettings):
    base_url: str = Field(
        description="Address of the Zammad server, e.g. https://helpdesk.corp.example."
    )
    start_date: date | None = Field(
        None, description="First collection reads tickets changed since this day."
    )
    page_size: int = Field(
        100, ge=1, le=SEARCH_PAGE_MAX, description="Tickets per search page (max 200)."
    )
    overlap_seconds: int = Field(
        300, ge=1, le=86_400, description="Each run re-asks this far behind the watermark."
    )

    @model_validator(mode="after")
    def _address(self) -> ZammadSettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://helpdesk.corp.example",
        )
        return self


@register
class ZammadConnector(Connector):
    kind = "zammad"
    label = "Zammad"
    settings_model = ZammadSettings
    secret_names = ("api_token",)
    settings: ZammadSettings

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("api_token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No access token is stored for this Zammad source (secret api_token)."
            )
        check_address(
            self.settings.base_url, allow_private_network=self.settings.allow_private_network
        )
        return HttpClient(
            self.settings.base_url,
            headers={"Authorization": f"Token token={token}"},
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check base_url",
        )

    def _get(self, client: HttpClient, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return client.get_json(path, params=params)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(_explain(str(exc), exc.status), status=exc.status) from None

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.base_url).netloc
        try:
            client = self._client()
            me = as_dict(self._get(client, ME_PATH, {"expand": "true"}))
            if me.get("id") is None:
                return CheckResult(False, f"{host} did not name the signed-in user: is it Zammad?")
            roles = me.get("roles") if isinstance(me.get("roles"), list) else []
            who = f"{_fullname(me) or '?'} <{me.get('email') or me.get('login') or '?'}>"
            if roles:
                who += f" ({', '.join(str(r) for r in roles)})"
            if roles and all(str(r) == "Customer" for r in roles):
                return CheckResult(
                    False,
                    f"Signed in as {who}, a customer, who only sees their own tickets: "
                    "use an access token of an agent with read access to the groups to collect.",
                )
            tickets = self._search(client, "*", page=1, per_page=1, order="desc")
            if tickets and isinstance(as_dict(tickets[0]).get("id"), int):
                try:
                    self._get(client, ARTICLES_PATH.format(id=tickets[0]["id"]), {"expand": "true"})
                except ConnectorConfigError as exc:
                    if exc.status == 403:
                        return CheckResult(
                            False,
                            f"Signed in as {who} and tickets are searchable, but their articles "
                            f"are not readable (403): give the agent read access to the "
                            f"tickets' groups. {exc}",
                        )
                    raise
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        return CheckResult(
            True, f"OK: signed in to {host} as {who}; tickets and articles readable."
        )

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        saved: dict[str, Any] = {} if full else dict(cursor or {})
        watermark = iso_time_or_none(saved.get("since"))
        known: dict[str, str] = {str(k): str(v) for k, v in as_dict(saved.get("recent")).items()}
        if watermark is None:
            bound, known = self._start(), {}
        else:
            bound = watermark - timedelta(seconds=self.settings.overlap_seconds)
        high = watermark or bound
        overlap = timedelta(seconds=self.settings.overlap_seconds)
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        per_page = self.settings.page_size
        resume = saved
        page = 1
        for _ in range(MAX_PAGES):
            tickets = self._search(client, _since_query(bound), page=page, per_page=per_page)
            records: list[CommentRecord] = []
            skips: list[Skip] = []
            page_top = bound
            for n, ticket in enumerate(tickets):
                page_top = max(
                    page_top, iso_time_or_none(as_dict(ticket).get("updated_at")) or bound
                )
                got = self._ticket(client, ticket, n, known)
                if isinstance(got, Skip):
                    skips.append(got)
                    continue
                if got is None:
                    continue  # unchanged since it was last read
                tid, updated, recs, more = got
                records.extend(recs)
                skips.extend(more)
                known[str(tid)] = _iso(updated)
                high = max(high, updated)
            edge = high - overlap
            known = {k: v for k, v in known.items() if (t := iso_time_or_none(v)) and t >= edge}
            # Sorted by updated_at: everything up to `high` has been read, the tickets at
            # the edge are remembered, so this cursor is complete after every page.
            done = {"since": _iso(high), "recent": dict(known)}
            chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                if chunk or (last and (skips or done != resume)):
                    yield Batch(
                        records=chunk, cursor=done if last else resume, skips=skips if last else []
                    )
            resume = done
            if len(tickets) < per_page:
                return
            # Page by key: ask again from the newest updated_at read, one page larger by
            # the tickets at that instant (they come back first and are dropped as known),
            # so a short page still means the end. Only a full page of one instant needs
            # the next page by offset.
            ties = sum(
                1 for t in tickets if iso_time_or_none(as_dict(t).get("updated_at")) == page_top
            )
            if page_top > bound and ties < SEARCH_PAGE_MAX:
                bound, page = page_top, 1
                per_page = min(self.settings.page_size + ties, SEARCH_PAGE_MAX)
            else:
                page += 1
        raise ConnectorError(f"Zammad kept answering full search pages ({MAX_PAGES} pages).")

    def _start(self) -> datetime:
        day = self.settings.start_date
        if day is None:
            return FIRST_SINCE
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    def _search(
        self, client: HttpClient, query: str, *, page: int, per_page: int, order: str = "asc"
    ) -> list[Any]:
        data = self._get(
            client,
            SEARCH_PATH,
            {
                "query": query,
                "sort_by": "updated_at",
                "order_by": order,
                "page": page,
                "per_page": per_page,
                "expand": "true",
            },
        )
        if isinstance(data, list):
            return data
        if isinstance(data, dict) and isinstance(data.get("records"), list):
            return data["records"]  # with_total_count
        if isinstance(data, dict) and isinstance(data.get("tickets"), list):
            # The unexpanded shape: ids in order, the tickets among the assets.
            assets = as_dict(as_dict(data.get("assets")).get("Ticket"))
            return [assets.get(str(i), {"id": i}) for i in data["tickets"]]
        raise ConnectorError("Zammad answered the ticket search without a list of tickets.")

    def _ticket(
        self, client: HttpClient, ticket: Any, n: int, known: dict[str, str]
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
        try:
            articles = self._get(client, ARTICLES_PATH.format(id=tid), {"expand": "true"})
        except ConnectorConfigError as exc:
            if exc.status == 404:
                return Skip(item=f"ticket {tid}", reason="deleted while being read")
            raise
        if not isinstance(articles, list):
            raise ConnectorError(f"Zammad answered the articles of ticket {tid} without a list.")
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        for article in articles:
            try:
                record = self._record(ticket, article)
            except MalformedItem as exc:
                aid = article.get("id") if isinstance(article, dict) else None
                skips.append(Skip(item=f"ticket {tid} article {aid or '?'}", reason=str(exc)))
                continue
            if record is not None:
                records.append(record)
        return tid, updated, records, skips

    # --- mapping --------------------------------------------------------------------

    def _record(self, ticket: dict[str, Any], article: Any) -> CommentRecord | None:
        if not isinstance(article, dict):
            raise MalformedItem("article is not an object")
        aid = article.get("id")
        if not isinstance(aid, int):
            raise MalformedItem("article without a numeric id")
        internal = article.get("internal")
        if internal is True:
            return None  # internal note: never collected, not a skip
        if internal is not False:
            raise MalformedItem(
                "article has no internal flag; not collected in case it is an internal note"
            )
        created = iso_time(article.get("created_at"), "created_at")
        body = article.get("body")
        if body is None:
            body = ""
        if not isinstance(body, str):
            raise MalformedItem("article body is not a string")
        sender = str(article.get("sender") or "").strip().lower()
        voice = SENDER_VOICE.get(sender)
        author_id = article.get("origin_by_id") or article.get("created_by_id")
        sent_from = str(article.get("from") or "").strip()
        name, email = "", ""
        if "<" in sent_from:
            name, email = parseaddr(sent_from)  # an email article: "Name <address>"
        elif "@" in sent_from:
            email = sent_from
        else:
            name = sent_from  # web, phone, note: the display name
        if not email:
            login = str(article.get("origin_by") or article.get("created_by") or "")
            email = login if "@" in login else ""
        if "@" not in email:
            email = ""
        tid = ticket["id"]
        return CommentRecord(
            external_id=str(aid),
            thread_external_id=str(tid),
            body=body,
            created_at=created,
            thread_title=str(ticket.get("title") or f"Ticket #{ticket.get('number') or tid}"),
            thread_url=f"{self.settings.base_url}/#ticket/zoom/{tid}",
            author_external_id=str(author_id) if isinstance(author_id, int) else "",
            author_name=name.strip(),
            author_email=email.strip(),
            # The ticket's organization is its customer's: it names the business voice's
            # department, never an agent's.
            department=_name(ticket.get("organization")) if voice == "business" else "",
            category_hint=_name(ticket.get("group")),
            voice=voice,
        )


def _explain(message: str, status: int | None) -> str:
    if status == 401:
        return (
            f"{message} Zammad wants a personal access token (Profile > Token Access) sent "
            "as 'Authorization: Token token=...', with API token access enabled "
            "(Settings > System > API)."
        )
    if status == 403:
        return (
            f"{message} The token needs the ticket.agent permission, and its agent read "
            "access to the groups whose tickets are collected."
        )
    return message


def _since_query(bound: datetime) -> str:
    # Elasticsearch query-string syntax: a colon inside a value is escaped.
    return "updated_at:>=" + _iso(bound).replace(":", "\\:")


def _iso(t: datetime) -> str:
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _name(value: Any) -> str:
    """An expanded relation: a name string (or an object with a name)."""
    if isinstance(value, dict):
        value = value.get("name")
    return str(value) if isinstance(value, str | int) and value != "" else ""


def _fullname(user: dict[str, Any]) -> str:
    return " ".join(str(user[k]) for k in ("firstname", "lastname") if user.get(k))
