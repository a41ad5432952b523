"""servicenow: incidents of a ServiceNow instance and their public comments (Table API).

An incident is a Thread; each "Additional comments" journal entry on it is a Comment.
Work notes (journal element `work_notes`) are internal and are never requested nor stored.

How a run reads (incremental):
1. `GET /api/now/table/incident` with `sysparm_query=sys_updated_on>={watermark - overlap}
   ^ORDERBYsys_updated_on^ORDERBYsys_id` (keyset paging: the next page starts again from
   the last `sys_updated_on` read, skipping the records of that second already read, so an
   incident updated during the run cannot shift an offset and hide another one).
   The cursor keeps the watermark and the `sys_updated_on` of every incident read inside
   the overlap window: those come back in the next query and are dropped without reading
   their comments again, so a run with nothing new makes exactly one request.
2. For the incidents that changed: `GET /api/now/table/sys_journal_field` with
   `name=incident^element=comments^element_idIN{ids}^ORDERBYsys_created_on^ORDERBYsys_id`
   (offset paging while the `Link` header has `rel="next"`). Every comment of a changed
   incident is read again: the unique key turns known ones into no-ops, an edited one into
   an update.
3. Authors: `GET /api/now/table/sys_user` (`user_nameIN...`; a journal entry's
   `sys_created_by` is a user_name, not a reference) and their fulfiller roles from
   `GET /api/now/table/sys_user_has_role` (`user.user_nameIN...^role.nameIN{staff_roles}`).

ServiceNow documentation followed (checked 2026):
- Table API, GET /now/table/{tableName}: `sysparm_query` (encoded query, ORDERBY clauses),
  `sysparm_fields` (comma-separated, dot-walking allowed), `sysparm_limit` (default 10000),
  `sysparm_offset`, `sysparm_display_value=false` (raw values; dates in UTC
  `YYYY-MM-DD HH:MM:SS`), `sysparm_exclude_reference_link`; answer
  `{"result": [...]}`; `Link` header with `rel="first"/"prev"/"next"/"last"`, `next`
  left out on the last page
  (docs.servicenow.com/bundle/geneva-servicenow-platform/page/integrate/inbound_rest/reference/r_TableAPI-GET.html,
  docs.servicenow.com/bundle/utah-api-reference/page/integrate/inbound-rest/concept/c_TableAPI.html,
  support.servicenow.com KB0534905 "Table API FAQs", KB0749284).
- Dot-walking in sysparm_fields, e.g. `caller_id.user_name`
  (developer.servicenow.com/blog.do?p=/post/dot-walking-in-the-rest-table-api-2/).
- Journal fields: entries live in Journal Entries [sys_journal_field], `element` is the
  journal field (`comments` = Additional comments, customer visible; `work_notes` =
  internal), `element_id` the record's sys_id, `name` its table
  (servicenow.com/docs/r/washingtondc/platform-administration/c_JournalFields.html).
- Roles: users are linked to roles through sys_user_has_role (`user`, `role`); `itil` is
  the fulfiller role of ITSM.
- Errors: `{"error": {"message", "detail"}, "status": "failure"}`; 401 "User Not
  Authenticated", 403 "User Not Authorized" (ACL), REST API HTTP response codes.
- Inbound REST API rate limiting: 429 with `Retry-After` seconds
  (servicenow.com/docs/r/australia/api-reference/rest-api-explorer/inbound-REST-API-rate-limiting.html);
  honoured by collectors.http.HttpClient.
- Deep link: `{base}/nav_to.do?uri=incident.do?sys_id={sys_id}`.

Assumption (documented by ServiceNow as the meaning of raw values, not enforced here): the
integration user's time zone is GMT/UTC, so the watermark literal in sysparm_query means
the same instant as the raw `sys_updated_on` read back. The overlap (default 60 s) absorbs
transactions that commit after a later one was read.

Limit: ServiceNow journal entries are append-only in normal use; if an admin edits a
journal row directly, the incident's sys_updated_on does not move, so the edit is picked
up only when the incident next changes or on a full run.

Next-page URLs from the `Link` header are not followed: the next request is built from
the configured host, and redirects are refused, so the host check done at connect time
holds for every request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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
from ..parsing import MalformedItem
from ..registry import register

TABLE = "/api/now/table/{table}"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
INCIDENT_FIELDS = (
    "sys_id,number,short_description,sys_updated_on,category,subcategory,"
    "assignment_group.name,caller_id,caller_id.user_name,caller_id.department.name"
)
JOURNAL_FIELDS = "sys_id,element,element_id,name,value,sys_created_on,sys_created_by"
USER_FIELDS = "sys_id,user_name,name,email,department.name"
IN_MAX = 100  # values per ...IN list (keeps URLs short)


# sys_user.user_name is 40 characters by default; instances may widen it.
MAX_USER_NAME = 255


class ServiceNowSettings(HttpSourceSettings):
    instance: str = Field("", description="acme for https://acme.service-now.com.")
    base_url: str = Field("", description="Full address instead of an instance name (https).")
    username: str = Field(
        "", description="user_name of the integration user (basic auth, with secret password)."
    )
    start_date: date | None = Field(
        None, description="First collection reads incidents changed since this day (UTC)."
    )
    page_size: int = Field(500, ge=1, le=10000, description="Records per Table API page.")
    overlap_seconds: int = Field(
        60, ge=0, le=3600, description="Re-read incidents changed this long before the watermark."
    )
    staff_roles: list[str] = Field(
        default_factory=lambda: ["itil"], description="Roles whose holders are IT staff."
    )
    bot_users: list[str] = Field(
        default_factory=lambda: ["system"],
        description="user_names whose journal entries are automation (business rules, flows).",
    )

    @field_validator("instance")
    @classmethod
    def _instance(cls, value: str) -> str:
        value = value.lower().removesuffix(".service-now.com")
        if value and not all(c.isalnum() or c == "-" for c in value):
            raise ValueError(
                "an instance name is letters, digits and dashes (acme for acme.service-now.com)"
            )
        return value

    @field_validator("staff_roles", "bot_users")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value if v.strip()]
        for v in cleaned:
            if any(c in v for c in "^,=") or len(v) > 100:
                raise ValueError(f"{v!r} is not a ServiceNow name")
        return cleaned

    @model_validator(mode="after")
    def _address(self) -> ServiceNowSettings:
        if bool(self.instance) == bool(self.base_url):
            raise ValueError("give either instance or base_url (exactly one)")
        if self.base_url:
            self.base_url = validate_base_url(
                self.base_url,
                allow_insecure_http=self.allow_insecure_http,
                example="https://acme.service-now.com",
            )
        return self

    @property
    def root(self) -> str:
        return self.base_url or f"https://{self.instance}.service-now.com"


@dataclass
class _Page:
    result: list[Any]
    has_next: bool


@dataclass
class _Users:
    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)
    staff: set[str] = field(default_factory=set)


@register
class ServiceNowConnector(Connector):
    kind = "servicenow"
    label = "ServiceNow"
    settings_model = ServiceNowSettings
    secret_names = ("password", "oauth_token")
    settings: ServiceNowSettings

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("oauth_token") or "").strip()
        password = str(self.secrets.get("password") or "")
        if token:
            auth: Any = None
            headers = {"Authorization": f"Bearer {token}"}
        elif password and self.settings.username:
            auth, headers = (self.settings.username, password), {}
        else:
            raise ConnectorConfigError(
                "No credentials for this ServiceNow source: store an OAuth access token "
                "(secret oauth_token), or set username and store the password (secret password)."
            )
        check_address(self.settings.root, allow_private_network=self.settings.allow_private_network)
        return HttpClient(
            self.settings.root,
            auth=auth,
            headers=headers,
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
        )

    def _table(self, client: HttpClient, table: str, params: dict[str, Any]) -> _Page:
        path = TABLE.format(table=table)
        query = {
            "sysparm_display_value": "false",
            "sysparm_exclude_reference_link": "true",
            **params,
        }
        try:
            response = client.get(path, params=query, allow_redirects=False)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(
                _explain(str(exc), exc.status, table), status=exc.status
            ) from None
        host = urlsplit(response.url).netloc
        if 300 <= response.status_code < 400:
            raise ConnectorConfigError(
                f"{host} redirected {path} to {response.headers.get('Location', '?')!r}: "
                "check instance/base_url (Earshot does not follow redirects; an SSO login "
                "page means the account is not allowed to use basic auth)."
            )
        try:
            data = response.json()
        except ValueError:
            raise ConnectorError(
                f"{host} answered {response.status_code} with a body that is not JSON: "
                f"{response.text[:120]!r}"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("result"), list):
            raise ConnectorError(f"ServiceNow answered {table} without a result list.")
        # More rows only while the Link header has rel="next" (documented; a page can hold
        # fewer rows than sysparm_limit when ACLs filter some out, so its size proves nothing).
        return _Page(data["result"], "next" in response.links)

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.root).netloc
        try:
            client = self._client()
            me = self._table(
                client,
                "sys_user",
                {
                    "sysparm_query": "sys_id=javascript:gs.getUserID()",
                    "sysparm_fields": "sys_id,user_name,name,email",
                    "sysparm_limit": 1,
                },
            ).result
            who = self.settings.username or "?"
            if me and isinstance(me[0], dict):
                who = f"{me[0].get('name') or '?'} ({me[0].get('user_name') or who})"
            self._table(client, "incident", {"sysparm_fields": "sys_id", "sysparm_limit": 1})
            self._table(
                client,
                "sys_journal_field",
                {
                    "sysparm_query": "name=incident^element=comments",
                    "sysparm_fields": "sys_id",
                    "sysparm_limit": 1,
                },
            )
            self._table(
                client, "sys_user_has_role", {"sysparm_fields": "sys_id", "sysparm_limit": 1}
            )
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        return CheckResult(
            True, f"OK: signed in to {host} as {who}; incidents and their comments readable."
        )

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        resume: dict[str, Any] = {} if full else dict(cursor or {})
        seen: dict[str, str] = dict(resume.get("seen") or {}) if resume else {}
        overlap = timedelta(seconds=self.settings.overlap_seconds)
        if resume.get("watermark"):
            since = _parse(resume["watermark"], "watermark") - overlap
        else:
            since = self._start()
        start = since.strftime(TIME_FORMAT) if since else ""
        skip_ties = 0  # records of second `start` already read in this run
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        watermark = str(resume.get("watermark") or "")
        while True:
            query = f"sys_updated_on>={start}^" if start else ""
            page = self._table(
                client,
                "incident",
                {
                    "sysparm_query": f"{query}ORDERBYsys_updated_on^ORDERBYsys_id",
                    "sysparm_fields": INCIDENT_FIELDS,
                    "sysparm_limit": self.settings.page_size,
                    "sysparm_offset": skip_ties,
                },
            )
            skips: list[Skip] = []
            changed: list[dict[str, Any]] = []
            read: list[tuple[str, str]] = []
            for n, inc in enumerate(page.result):
                sid = inc.get("sys_id") if isinstance(inc, dict) else None
                updated = inc.get("sys_updated_on") if isinstance(inc, dict) else None
                if not isinstance(sid, str) or not sid or not isinstance(updated, str):
                    skips.append(
                        Skip(
                            item=f"incident {sid!r}" if sid else f"incident #{n + 1} of a page",
                            reason="incident without sys_id or sys_updated_on",
                        )
                    )
                    continue
                try:
                    _parse(updated, "sys_updated_on")
                except MalformedItem as exc:
                    skips.append(Skip(item=f"incident {inc.get('number') or sid}", reason=str(exc)))
                    continue
                read.append((sid, updated))
                if seen.get(sid) == updated:
                    continue  # read in an earlier run or page, unchanged since
                changed.append(inc)
            records, more_skips = self._records(client, changed)
            skips.extend(more_skips)
            for sid, updated in read:
                seen[sid] = updated
            if read:
                last = max(u for _, u in read)
                watermark = max(watermark, last)
                skip_ties = (
                    skip_ties + sum(1 for _, u in read if u == last)
                    if last == start
                    else sum(1 for _, u in read if u == last)
                )
                start = last
            else:
                skip_ties += len(page.result)
            floor = (
                (_parse(watermark, "watermark") - overlap).strftime(TIME_FORMAT)
                if watermark
                else ""
            )
            done = {"watermark": watermark, "seen": {k: v for k, v in seen.items() if v >= floor}}
            if not watermark:
                done = resume
            chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
            for i, chunk in enumerate(chunks):
                last_chunk = i == len(chunks) - 1
                if chunk or (last_chunk and (skips or changed)):
                    yield Batch(
                        records=chunk,
                        cursor=done if last_chunk else resume,
                        skips=skips if last_chunk else [],
                    )
            resume = done
            if not page.has_next or not page.result:
                return

    def _start(self) -> datetime | None:
        day = self.settings.start_date
        return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)

    def _records(
        self, client: HttpClient, incidents: list[dict[str, Any]]
    ) -> tuple[list[CommentRecord], list[Skip]]:
        if not incidents:
            return [], []
        by_id = {inc["sys_id"]: inc for inc in incidents}
        entries: list[Any] = []
        ids = list(by_id)
        for i in range(0, len(ids), IN_MAX):
            entries.extend(self._journal(client, ids[i : i + IN_MAX]))
        authors = {
            e.get("sys_created_by")
            for e in entries
            if isinstance(e, dict) and isinstance(e.get("sys_created_by"), str)
        }
        users = self._users(client, sorted(a for a in authors if a))
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        for entry in entries:
            try:
                record = self._record(entry, by_id, users)
            except MalformedItem as exc:
                eid = entry.get("sys_id") if isinstance(entry, dict) else None
                inc = by_id.get(entry.get("element_id")) if isinstance(entry, dict) else None
                where = f"incident {inc.get('number') or inc['sys_id']} " if inc else ""
                skips.append(Skip(item=f"{where}comment {eid or '?'}", reason=str(exc)))
                continue
            if record is not None:
                records.append(record)
        return records, skips

    def _journal(self, client: HttpClient, ids: list[str]) -> list[Any]:
        entries: list[Any] = []
        offset = 0
        while True:
            page = self._table(
                client,
                "sys_journal_field",
                {
                    "sysparm_query": (
                        f"name=incident^element=comments^element_idIN{','.join(ids)}"
                        "^ORDERBYsys_created_on^ORDERBYsys_id"
                    ),
                    "sysparm_fields": JOURNAL_FIELDS,
                    "sysparm_limit": self.settings.page_size,
                    "sysparm_offset": offset,
                },
            )
            entries.extend(page.result)
            if not page.has_next or not page.result:
                return entries
            offset += len(page.result)

    def _users(self, client: HttpClient, names: list[str]) -> _Users:
        users = _Users()
        # A name with a comma or a caret would split the encoded query; an absurdly long
        # one or one with control characters would make the request fail and end every
        # run: none is looked up (its author is then unknown, not an error).
        names = [
            n
            for n in names
            if n not in self.settings.bot_users
            and not set(n) & {",", "^"}
            and n.isprintable()
            and len(n) <= MAX_USER_NAME
        ]
        for i in range(0, len(names), IN_MAX):
            chunk = ",".join(names[i : i + IN_MAX])
            for u in self._all(
                client,
                "sys_user",
                {
                    "sysparm_query": f"user_nameIN{chunk}^ORDERBYsys_id",
                    "sysparm_fields": USER_FIELDS,
                },
            ):
                if isinstance(u, dict) and isinstance(u.get("user_name"), str):
                    users.by_name[u["user_name"]] = u
            if self.settings.staff_roles:
                roles = ",".join(self.settings.staff_roles)
                for r in self._all(
                    client,
                    "sys_user_has_role",
                    {
                        "sysparm_query": f"user.user_nameIN{chunk}^role.nameIN{roles}^ORDERBYsys_id",
                        "sysparm_fields": "user.user_name,role.name",
                    },
                ):
                    if isinstance(r, dict) and isinstance(r.get("user.user_name"), str):
                        users.staff.add(r["user.user_name"])
        return users

    def _all(self, client: HttpClient, table: str, params: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        offset = 0
        while True:
            page = self._table(
                client,
                table,
                {**params, "sysparm_limit": self.settings.page_size, "sysparm_offset": offset},
            )
            out.extend(page.result)
            if not page.has_next or not page.result:
                return out
            offset += len(page.result)

    # --- mapping --------------------------------------------------------------------

    def _record(
        self, entry: Any, incidents: dict[str, dict[str, Any]], users: _Users
    ) -> CommentRecord | None:
        if not isinstance(entry, dict):
            raise MalformedItem("journal entry is not an object")
        if entry.get("element") != "comments":
            return None  # work notes and other journals: never collected, not a skip
        eid = entry.get("sys_id")
        if not isinstance(eid, str) or not eid:
            raise MalformedItem("journal entry without a sys_id")
        inc = incidents.get(entry.get("element_id"))
        if inc is None:
            raise MalformedItem("journal entry of an incident not asked for")
        created = _parse(entry.get("sys_created_on"), "sys_created_on")
        body = entry.get("value")
        if not isinstance(body, str):
            raise MalformedItem("journal entry text is not a string")
        author_name = entry.get("sys_created_by")
        author_name = author_name if isinstance(author_name, str) else ""
        author = users.by_name.get(author_name, {})
        voice = self._voice(author_name, author, inc, users)
        department = ""
        if voice == "business":
            department = str(
                author.get("department.name")
                or (inc.get("caller_id.department.name") if _is_caller(author_name, inc) else "")
                or ""
            )
        sid = inc["sys_id"]
        number = str(inc.get("number") or "")
        title = str(inc.get("short_description") or number or f"Incident {sid}")
        return CommentRecord(
            external_id=eid,
            thread_external_id=sid,
            body=body,
            created_at=created,
            thread_title=title,
            thread_url=f"{self.settings.root}/nav_to.do?uri=incident.do?sys_id={sid}",
            author_external_id=author_name,
            author_name=str(author.get("name") or ""),
            author_email=str(author.get("email") or ""),
            department=department,
            category_hint=str(
                inc.get("category")
                or inc.get("subcategory")
                or inc.get("assignment_group.name")
                or ""
            ),
            voice=voice,
        )

    def _voice(
        self, user_name: str, author: dict[str, Any], inc: dict[str, Any], users: _Users
    ) -> str | None:
        """The platform's own signal: automation accounts are bots, the caller is business
        voice, holders of a fulfiller role (itil) IT staff, other known users business;
        None lets Earshot decide (unknown or deleted author, inbound email as guest)."""
        if user_name in self.settings.bot_users:
            return "bot"
        if user_name in users.staff:
            return "it_staff"
        if _is_caller(user_name, inc):
            return "business"
        if author:
            return "business"
        return None


def _is_caller(user_name: str, inc: dict[str, Any]) -> bool:
    return bool(user_name) and user_name == inc.get("caller_id.user_name")


def _explain(message: str, status: int | None, table: str) -> str:
    if status == 401:
        return (
            f"{message} ServiceNow wants the integration user's user_name and password "
            "(basic auth must be allowed for it), or a valid OAuth access token."
        )
    if status == 403:
        if table == "sys_journal_field":
            return (
                f"{message} The account cannot read comments: reading Journal Entries "
                "[sys_journal_field] needs a read ACL on that table (often admin-only); ask the "
                "platform team to grant it to the integration user."
            )
        return f"{message} The integration user needs read access to the {table} table."
    return message


def _parse(value: Any, what: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise MalformedItem(f"no {what}")
    try:
        parsed = datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise MalformedItem(
            f"{what} {value[:40]!r} is not a 'YYYY-MM-DD HH:MM:SS' date-time"
        ) from None
    return parsed.replace(tzinfo=UTC)
