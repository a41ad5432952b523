"""jira: a Jira Service Management (Jira Cloud) service project.

An issue (a customer request) is a Thread; its description is the requester's first
Comment and each PUBLIC comment is a Comment. Internal comments (`jsdPublic: false`) and
comments restricted to a role or group (`visibility`) are never collected. Issues changed
since the last run are found with JQL on `updated`; each changed issue's comments are read
again in full (the unique key turns known ones into no-ops and an edited one into an update).

Atlassian endpoints and shapes followed (developer.atlassian.com, checked 2026):
- Auth: basic auth `{email}:{api_token}` (Jira Cloud platform REST API, "Basic auth for
  REST APIs").
- Search: `GET /rest/api/3/search/jql?jql=...&fields=...&maxResults=N&nextPageToken=T`
  ("Search for issues using JQL enhanced search"; the older `/rest/api/3/search` with
  startAt/total was removed). Answer `{issues, nextPageToken, isLast}`; `nextPageToken`
  is null/absent on the last page and expires after 7 days; the JQL must be bounded
  (`project = X`). Search is eventually consistent (hence `reconcileIssues`, unused).
- JQL dates: `updated >= "yyyy-MM-dd HH:mm"` has minute precision and is read in the API
  user's profile time zone (`timeZone` of `GET /rest/api/3/myself`): the watermark is
  converted to that zone, floored to the minute and lowered by `overlap_minutes`; issues
  already stored at the same `updated` are passed over, so an idle run makes one request.
- Issue fields: `summary, created, updated, reporter, description (ADF), components,
  issuetype`, plus the JSM custom fields named in the settings: Customer Request Type
  (value `{requestType: {name, ...}, ...}`) and Organizations (`[{id, name}]`).
- Comments: `GET /rest/api/3/issue/{issueIdOrKey}/comment?startAt&maxResults&orderBy=created`
  answering `{startAt, maxResults, total, comments}`; comment `id, author{accountId,
  displayName, emailAddress, accountType}, body (ADF), created, updated, visibility,
  jsdPublic` (false = internal JSM comment) (api-group-issue-comments).
- Users: `accountType` is `atlassian` (licensed user), `app` (apps and automation, e.g.
  "Automation for Jira") or `customer` (JSM portal-only customer) (api-group-users, User).
  Role signal: `app` is a bot; a `customer`, the reporter or a request participant is the
  business; any other `atlassian` account commenting on a service request is an agent.
- Project: `GET /rest/api/3/project/{projectIdOrKey}` (404 when missing or not browsable).
- ADF: developer.atlassian.com/cloud/jira/platform/apis/document/structure/ (collectors.jira.adf).
- Rate limits: 429 with `Retry-After` seconds, some 503s too
  (developer.atlassian.com/cloud/jira/platform/rate-limiting/): honoured by
  collectors.http.HttpClient.

Links in answers (`self`, next pages) are not followed: every request is built against the
configured host and redirects are refused, so the host check done at connect time holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from .adf import ADFError, adf_to_text

SEARCH_PATH = "/rest/api/3/search/jql"
COMMENTS_PATH = "/rest/api/3/issue/{id}/comment"
MYSELF_PATH = "/rest/api/3/myself"
PROJECT_PATH = "/rest/api/3/project/{key}"
SEARCH_PAGE_MAX = 100  # search/jql: maxResults above 100 may be lowered by Jira
COMMENTS_PAGE_MAX = 100
BASE_FIELDS = (
    "summary",
    "created",
    "updated",
    "reporter",
    "description",
    "components",
    "issuetype",
)
PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")
CUSTOM_FIELD = re.compile(r"^customfield_\d+$")


class JiraSettings(HttpSourceSettings):
    base_url: str = Field(description="Your site, e.g. https://acme.atlassian.net (https only).")
    email: str = Field(description="Email of the Atlassian account whose API token is stored.")
    project_key: str = Field(description="Key of the service project, e.g. ITSD.")
    start_date: date | None = Field(
        None, description="First collection reads issues updated since this day."
    )
    page_size: int = Field(50, ge=1, le=SEARCH_PAGE_MAX, description="Issues per search page.")
    overlap_minutes: int = Field(
        2, ge=1, le=1440, description="Minutes re-read before the watermark (JQL has minutes)."
    )
    request_type_field: str = Field(
        "", description="Id of the Customer Request Type field (customfield_NNNNN): category."
    )
    organizations_field: str = Field(
        "", description="Id of the Organizations field (customfield_NNNNN): department."
    )
    participants_field: str = Field(
        "", description="Id of the Request participants field (customfield_NNNNN)."
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("give the email address of the Atlassian account the token belongs to")
        return value

    @field_validator("project_key")
    @classmethod
    def _project_key(cls, value: str) -> str:
        value = value.upper()
        if not PROJECT_KEY.match(value):
            raise ValueError("a project key is a letter then letters, digits or _ (e.g. ITSD)")
        return value

    @field_validator("request_type_field", "organizations_field", "participants_field")
    @classmethod
    def _custom_field(cls, value: str) -> str:
        if value and not CUSTOM_FIELD.match(value):
            raise ValueError("give a custom field id such as customfield_10010")
        return value

    @model_validator(mode="after")
    def _address(self) -> JiraSettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://acme.atlassian.net",
        )
        return self


@register
class JiraConnector(Connector):
    kind = "jira"
    label = "Jira Service Management"
    settings_model = JiraSettings
    secret_names = ("api_token",)
    settings: JiraSettings

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("api_token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No API token is stored for this Jira source (secret api_token)."
            )
        check_address(
            self.settings.base_url, allow_private_network=self.settings.allow_private_network
        )
        return HttpClient(
            self.settings.base_url,
            auth=(self.settings.email, token),
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check base_url",
        )

    def _get(self, client: HttpClient, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return client.get_json(path, params=params)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(
                _explain(str(exc), exc.status, path), status=exc.status
            ) from None

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        key = self.settings.project_key
        try:
            client = self._client()
            me = as_dict(self._get(client, MYSELF_PATH))
            who = (
                f"{me.get('displayName') or '?'} <{me.get('emailAddress') or self.settings.email}>"
                f" ({me.get('accountType') or '?'})"
            )
            try:
                project = as_dict(self._get(client, PROJECT_PATH.format(key=key)))
            except ConnectorConfigError as exc:
                if exc.status == 404:
                    return CheckResult(
                        False,
                        f"Signed in as {who}, but project {key} does not exist or this "
                        "account cannot browse it: check project_key and the project's "
                        "permissions (Browse projects).",
                    )
                raise
            data = as_dict(
                self._get(
                    client,
                    SEARCH_PATH,
                    {
                        "jql": f'project = "{key}" ORDER BY updated DESC',
                        "maxResults": 1,
                        "fields": "summary",
                    },
                )
            )
            issues = [i for i in data.get("issues") or [] if isinstance(i, dict) and i.get("id")]
            comments = "no issues yet"
            if issues:
                self._get(
                    client,
                    COMMENTS_PATH.format(id=issues[0]["id"]),
                    {"startAt": 0, "maxResults": 1},
                )
                comments = "comments readable"
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        name = project.get("name") or key
        return CheckResult(
            True,
            f"OK: signed in to {urlsplit(self.settings.base_url).netloc} as {who}; "
            f"project {key} ({name}) searchable, {comments}.",
        )

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        resume: dict[str, Any] = {} if full else dict(cursor or {})
        tz_name = resume.get("tz")
        if not tz_name:
            # JQL dates are read in the API user's time zone: learn it once, keep it.
            tz_name = str(as_dict(self._get(client, MYSELF_PATH)).get("timeZone") or "UTC")
        zone = _zone(tz_name)
        since = (
            iso_time(resume["since"], "time", missing="no time") if resume.get("since") else None
        )
        done: dict[str, str] = dict(resume.get("done") or {})
        overlap = timedelta(minutes=self.settings.overlap_minutes)
        params: dict[str, Any] = {
            "jql": self._jql(since - overlap if since else None, zone),
            "fields": ",".join(self._fields()),
            "maxResults": self.settings.page_size,
        }
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        state = {"tz": tz_name, "since": resume.get("since"), "done": done}
        while True:
            data = self._get(client, SEARCH_PATH, params)
            if not isinstance(data, dict) or not isinstance(data.get("issues"), list):
                raise ConnectorError("The Jira search answered without an issues list.")
            records, skips, seen = self._page_records(client, data["issues"], state["done"])
            new_state = self._advance(state, seen, overlap)
            chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                if chunk or (last and (skips or new_state != resume)):
                    yield Batch(
                        records=chunk,
                        cursor=new_state if last else resume,
                        skips=skips if last else [],
                    )
            resume = state = new_state
            token = data.get("nextPageToken")
            if data.get("isLast") is True or not token:
                return
            params = {**params, "nextPageToken": token}

    def _fields(self) -> list[str]:
        extra = [
            f
            for f in (
                self.settings.request_type_field,
                self.settings.organizations_field,
                self.settings.participants_field,
            )
            if f
        ]
        return [*BASE_FIELDS, *extra]

    def _jql(self, lower: datetime | None, zone: ZoneInfo) -> str:
        clauses = [f'project = "{self.settings.project_key}"']
        if lower is not None:
            local = lower.astimezone(zone)
            clauses.append(f'updated >= "{local:%Y-%m-%d %H:%M}"')
        elif self.settings.start_date is not None:
            clauses.append(f'updated >= "{self.settings.start_date:%Y-%m-%d}"')
        return " AND ".join(clauses) + " ORDER BY updated ASC"

    @staticmethod
    def _advance(
        state: dict[str, Any], seen: dict[str, datetime], overlap: timedelta
    ) -> dict[str, Any]:
        """The cursor after a page: the newest `updated` read, and the issues read inside
        the overlap window with their `updated` (to pass over them next time)."""
        if not seen:
            return state
        old = iso_time(state["since"], "time", missing="no time") if state.get("since") else None
        newest = max([*seen.values(), *([old] if old else [])])
        floor = newest - overlap - timedelta(minutes=1)
        done = {
            k: v
            for k, v in state["done"].items()
            if iso_time(v, "time", missing="no time") >= floor and k not in seen
        }
        done.update({k: _iso(v) for k, v in seen.items() if v >= floor})
        return {"tz": state["tz"], "since": _iso(newest), "done": done}

    def _page_records(
        self, client: HttpClient, issues: list[Any], done: dict[str, str]
    ) -> tuple[list[CommentRecord], list[Skip], dict[str, datetime]]:
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        seen: dict[str, datetime] = {}
        for n, issue in enumerate(issues):
            label = issue.get("key") if isinstance(issue, dict) else None
            try:
                if not isinstance(issue, dict) or not str(issue.get("id") or "").isdigit():
                    raise MalformedItem("issue without a numeric id")
                fields = issue.get("fields")
                if not isinstance(fields, dict):
                    raise MalformedItem("issue without fields")
                updated = iso_time(fields.get("updated"), "updated", missing="no updated")
            except MalformedItem as exc:
                skips.append(
                    Skip(
                        item=f"issue {label}" if label else f"issue #{n + 1} of a page",
                        reason=str(exc),
                    )
                )
                continue
            iid = str(issue["id"])
            if done.get(iid) == _iso(updated):
                continue  # stored already, unchanged since (the overlap re-reads it)
            comments = self._comments(client, iid)
            if comments is None:
                skips.append(Skip(item=f"issue {label or iid}", reason="deleted while being read"))
            else:
                self._issue_records(issue, fields, comments, records, skips)
            seen[iid] = updated
        return records, skips, seen

    def _comments(self, client: HttpClient, issue_id: str) -> list[Any] | None:
        path = COMMENTS_PATH.format(id=issue_id)
        size = min(self.settings.page_size, COMMENTS_PAGE_MAX)
        comments: list[Any] = []
        start = 0
        while True:
            try:
                data = self._get(
                    client, path, {"startAt": start, "maxResults": size, "orderBy": "created"}
                )
            except ConnectorConfigError as exc:
                if exc.status == 404:
                    return None  # deleted (or moved out of reach) since the search
                raise
            if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
                raise ConnectorError(
                    f"Jira answered the comments of issue {issue_id} without a comments list."
                )
            page = data["comments"]
            comments.extend(page)
            total = data.get("total")
            start += len(page)
            if not page or not isinstance(total, int) or start >= total:
                return comments

    # --- mapping --------------------------------------------------------------------

    def _issue_records(
        self,
        issue: dict[str, Any],
        fields: dict[str, Any],
        comments: list[Any],
        records: list[CommentRecord],
        skips: list[Skip],
    ) -> None:
        key = str(issue.get("key") or issue["id"])
        reporter = as_dict(fields.get("reporter"))
        listed = (
            fields.get(self.settings.participants_field)
            if self.settings.participants_field
            else None
        )
        participants = {
            str(p.get("accountId"))
            for p in (listed if isinstance(listed, list) else [])
            if isinstance(p, dict) and p.get("accountId")
        }
        if reporter.get("accountId"):
            participants.add(str(reporter["accountId"]))
        thread = {
            "thread_external_id": str(issue["id"]),
            "thread_title": str(fields.get("summary") or key),
            "thread_url": f"{self.settings.base_url}/browse/{key}",
            "category_hint": self._category(fields),
        }
        department = self._department(fields)
        try:
            text = adf_to_text(fields.get("description"))
            if text:
                records.append(
                    self._record(
                        f"{issue['id']}-description",
                        text,
                        iso_time(fields.get("created"), "created", missing="no created"),
                        reporter,
                        "bot" if reporter.get("accountType") == "app" else "business",
                        department,
                        thread,
                    )
                )
        except (MalformedItem, ADFError) as exc:
            skips.append(Skip(item=f"issue {key} description", reason=str(exc)))
        for comment in comments:
            cid = comment.get("id") if isinstance(comment, dict) else None
            try:
                record = self._comment(comment, participants, department, thread)
            except (MalformedItem, ADFError) as exc:
                skips.append(Skip(item=f"issue {key} comment {cid or '?'}", reason=str(exc)))
                continue
            if record is not None:
                records.append(record)

    def _comment(
        self,
        comment: Any,
        participants: set[str],
        department: str,
        thread: dict[str, str],
    ) -> CommentRecord | None:
        if not isinstance(comment, dict):
            raise MalformedItem("comment is not an object")
        cid = str(comment.get("id") or "")
        if not cid.isdigit():
            raise MalformedItem("comment without a numeric id")
        public = comment.get("jsdPublic")
        if public is False or comment.get("visibility"):
            return None  # internal or restricted comment: never collected, not a skip
        if public is not True:
            raise MalformedItem(
                "comment has no jsdPublic flag; not collected in case it is internal"
            )
        created = iso_time(comment.get("created"), "created", missing="no created")
        text = adf_to_text(comment.get("body"))
        author = as_dict(comment.get("author"))
        voice = _voice(author, participants)
        return self._record(
            cid,
            text,
            created,
            author,
            voice,
            department if voice == "business" else "",
            thread,
        )

    @staticmethod
    def _record(
        external_id: str,
        body: str,
        created: datetime,
        author: dict[str, Any],
        voice: str | None,
        department: str,
        thread: dict[str, str],
    ) -> CommentRecord:
        return CommentRecord(
            external_id=external_id,
            body=body,
            created_at=created,
            author_external_id=str(author.get("accountId") or ""),
            author_name=str(author.get("displayName") or ""),
            author_email=str(author.get("emailAddress") or ""),
            department=department,
            voice=voice,
            **thread,
        )

    def _category(self, fields: dict[str, Any]) -> str:
        if self.settings.request_type_field:
            value = as_dict(fields.get(self.settings.request_type_field))
            name = as_dict(value.get("requestType")).get("name")
            if name:
                return str(name)
        listed = fields.get("components")
        components = [
            str(c["name"])
            for c in (listed if isinstance(listed, list) else [])
            if isinstance(c, dict) and c.get("name")
        ]
        if components:
            return " ".join(components)
        return str(as_dict(fields.get("issuetype")).get("name") or "")

    def _department(self, fields: dict[str, Any]) -> str:
        if not self.settings.organizations_field:
            return ""
        orgs = fields.get(self.settings.organizations_field)
        if isinstance(orgs, list):
            for org in orgs:
                if isinstance(org, dict) and org.get("name"):
                    return str(org["name"])
        return ""


def _voice(author: dict[str, Any], participants: set[str]) -> str | None:
    """The platform's own signal: apps (Automation for Jira, integrations) are bots; JSM
    customers, the reporter and request participants are the business; any other licensed
    account answering a service request is an agent. None: no author (Earshot decides)."""
    kind = author.get("accountType")
    if kind == "app":
        return "bot"
    if kind == "customer" or str(author.get("accountId") or "") in participants:
        return "business"
    if kind == "atlassian":
        return "it_staff"
    return None


def _explain(message: str, status: int | None, path: str) -> str:
    if status == 401:
        return (
            f"{message} Jira Cloud wants the email of the Atlassian account and an API token "
            "of that account (id.atlassian.com > Security > API tokens)."
        )
    if status == 403:
        what = "comments" if "/comment" in path else "this resource"
        return (
            f"{message} The account may not read {what}: it needs Browse projects on the "
            "service project (an agent or a user with project access), and the API token must "
            "not be scoped without read:jira-work."
        )
    return message


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds")
