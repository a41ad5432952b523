"""teams: channels of a Microsoft Teams team, read through Microsoft Graph as an application.

A channel post and its replies are a Thread (external id `{channel id}/{post id}`); each
message is a Comment (external id `{channel id}/{message id}`). Chat has no "agent" role:
the voice comes from Earshot's IT-staff directory, except messages sent by an
application or a device (bots, connectors, workflows), which are stored as "bot".
Only `messageType: "message"` is collected (system events are skipped silently); a
message with `deletedDateTime` is skipped and nothing stored is deleted.

How a run reads, per configured channel:
1. The delta query `GET /teams/{team}/channels/{channel}/messages/delta` (root posts
   only, `$top` <= 50), following `@odata.nextLink` until an `@odata.deltaLink`, which is
   saved: the next run calls it and gets only the posts added or changed since. The link
   in progress is saved after every page, so a failed run resumes mid-round; a link Graph
   no longer accepts (400/410) starts a new round (the unique key absorbs the repeat).
   `start_date` becomes the first round's `$filter=lastModifiedDateTime gt ...`.
2. Replies: Graph's delta returns posts without their replies, and a reply does not
   change its post, so every post read in step 1 has its replies read
   (`GET .../messages/{id}/replies`, `$top` 50, `@odata.nextLink`), and every thread with
   activity in the last `active_thread_days` is re-read on each run (the cursor keeps
   them): a reply written days later is still collected. Replies already read at their
   current `lastModifiedDateTime` are not passed on again.
3. Authors: `from.user` gives an id and a display name, no e-mail; with `resolve_emails`,
   `GET /users/{id}?$select=mail,userPrincipalName` (cached per run) adds it so the
   IT-staff directory can match e-mail domains.

Microsoft documentation followed (learn.microsoft.com/graph, sources in
microsoftgraph/microsoft-graph-docs-contrib, checked 2026):
- Token: client-credentials grant, `POST {login}/{tenant}/oauth2/v2.0/token` with
  `client_id, client_secret, scope=https://graph.microsoft.com/.default,
  grant_type=client_credentials`; answer `{token_type, expires_in, access_token}`
  (entra/identity-platform/v2-oauth2-client-creds-grant-flow). Cached per app until five
  minutes before `expires_in`; a 401 from Graph fetches a new token once.
- chatMessage: delta (api-reference/v1.0/api/chatmessage-delta.md): "Retrieve the list of
  messages (without the replies) in a channel"; `$top` "upper limit is 50"; `$filter` only
  on `lastModifiedDateTime` with `gt`; `@odata.nextLink` (`$skiptoken`) /
  `@odata.deltaLink` (`$deltatoken`), "copy and apply the ... URL"; "Delta will only
  return messages within the last eight months"; application permissions
  ChannelMessage.Read.Group (resource-specific consent) or ChannelMessage.Read.All.
- List replies (chatmessage-list-replies.md): `GET /teams/{team-id}/channels/{channel-id}/
  messages/{message-id}/replies`, `$top` max 50, newest first.
- Protected APIs in Microsoft Teams (concepts/teams-protected-apis.md): reading channel
  messages with application permissions needed Microsoft's approval (a request form,
  aka.ms/teamsgraph/requestaccess); Graph answers 403 "Invoked API requires Protected API
  access in application-only context ..." until it is granted.
- chatMessage resource: `id, replyToId, messageType (message | chatEvent | typing |
  systemEventMessage | unknownFutureValue), createdDateTime, lastModifiedDateTime,
  lastEditedDateTime, deletedDateTime, subject, body {contentType: text | html, content},
  from {user | application | device}, webUrl, mentions`; HTML per collectors/teams/html.py.
- Get channel (channel-get.md, Channel.ReadBasic.All), list channel messages
  (channel-list-messages.md) for check(); get user (user-get.md, User.Read.All).
- Errors `{"error": {"code", "message"}}`; throttling: 429 with `Retry-After` (graph/
  throttling, throttling-limits "Microsoft Teams service limits": 4 requests per second
  per app per team/channel for channel messages), honoured by collectors.http.HttpClient.

Next links are followed only when they point under `graph_base_url` (the address checked
at connect time); redirects are refused by HttpClient.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

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
from ..chatmarkup import chat_to_text
from ..http import HttpClient
from ..netguard import HttpSourceSettings, check_address, validate_base_url
from ..parsing import MalformedItem, as_dict, iso_time, iso_time_or_none
from ..registry import register
from .html import teams_html_to_text

SCOPE = "https://graph.microsoft.com/.default"
TOKEN_MARGIN = 300  # seconds before expiry a cached token is replaced
PAGE_MAX = 50
MAX_PAGES = 100_000
THREADS_PER_BATCH = 20
REPLY_OVERLAP = timedelta(minutes=5)  # replies modified this long before the last read
TITLE_LENGTH = 80
PROTECTED_API_FORM = "https://aka.ms/teamsgraph/requestaccess"
MESSAGES_PERMISSION = (
    "the application permission ChannelMessage.Read.All with admin consent (or the app "
    "installed in the team with the resource-specific permission ChannelMessage.Read.Group)"
)
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")
_CHANNEL = re.compile(r"^19:[^\s/?#]+@thread\.[a-z0-9]+$", re.I)

# (login url, tenant, client id, secret digest) -> (access token, Unix time to replace it)
_TOKENS: dict[tuple[str, str, str, str], tuple[str, float]] = {}
_TOKENS_LOCK = threading.Lock()


class TeamsSettings(HttpSourceSettings):
    tenant_id: str = Field(
        description="Directory (tenant) id of the Microsoft Entra ID tenant, or its domain."
    )
    client_id: str = Field(description="Application (client) id of the app registration.")
    team_id: str = Field(description="The team's id (the groupId in a Teams channel link).")
    channel_ids: list[str] = Field(
        min_length=1, description="Channel ids (19:...@thread.tacv2, from a channel link)."
    )
    graph_base_url: str = Field("https://graph.microsoft.com/v1.0")
    login_base_url: str = Field("https://login.microsoftonline.com")
    active_thread_days: int = Field(
        14, ge=1, le=240, description="Threads are re-read for replies until quiet this long."
    )
    resolve_emails: bool = Field(
        False, description="Look up authors' e-mail addresses (needs User.Read.All)."
    )
    start_date: date | None = Field(
        None, description="First collection reads posts changed since this day (UTC)."
    )
    page_size: int = Field(PAGE_MAX, ge=1, le=PAGE_MAX, description="Messages per page (50).")

    @field_validator("channel_ids", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in re.split(r"[\s,]+", value) if v]
        return value

    @field_validator("channel_ids")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        for v in cleaned:
            if not _CHANNEL.match(v):
                raise ValueError(
                    f"{v!r} is not a Teams channel id (19:...@thread.tacv2, as in the "
                    "channel's link, URL-decoded)"
                )
        return cleaned

    @field_validator("client_id", "team_id")
    @classmethod
    def _guid(cls, value: str) -> str:
        if not _GUID.match(value):
            raise ValueError("must be a GUID such as 8ea0e38b-efb3-4757-924a-5f94061cf8c2")
        return value.lower()

    @field_validator("tenant_id")
    @classmethod
    def _tenant(cls, value: str) -> str:
        if not _TENANT.match(value):
            raise ValueError("must be the tenant's GUID or domain (contoso.onmicrosoft.com)")
        return value

    @model_validator(mode="after")
    def _addresses(self) -> TeamsSettings:
        self.graph_base_url = validate_base_url(
            self.graph_base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://graph.microsoft.com/v1.0",
        )
        self.login_base_url = validate_base_url(
            self.login_base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://login.microsoftonline.com",
        )
        return self


def _graph_said(body: dict[str, Any]) -> str:
    """Graph's own words from an error body ({"error": {"code", "message"}})."""
    err = as_dict(body.get("error"))
    code, text = str(err.get("code") or ""), str(err.get("message") or "")[:300]
    return f"{code}: {text}" if code and text else code or text


def _login_said(body: dict[str, Any]) -> str:
    """Entra ID's own words from a token error body ({"error", "error_description"})."""
    code = str(body.get("error") or "")
    text = str(body.get("error_description") or "").split("\n")[0].strip()[:300]
    return f"{code}: {text}" if code and text else code or text


@register
class TeamsConnector(Connector):
    kind = "teams"
    label = "Microsoft Teams"
    settings_model = TeamsSettings
    secret_names = ("client_secret",)
    settings: TeamsSettings

    def __init__(self, settings: Any, secrets: dict[str, Any] | None = None) -> None:
        super().__init__(settings, secrets)
        self._emails: dict[str, str] = {}

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        if not str(self.secrets.get("client_secret") or "").strip():
            raise ConnectorConfigError(
                "No client secret is stored for this Teams source (secret client_secret): "
                "create one under the app registration's Certificates & secrets."
            )
        for url in (self.settings.login_base_url, self.settings.graph_base_url):
            check_address(url, allow_private_network=self.settings.allow_private_network)
        client = HttpClient(
            self.settings.graph_base_url,
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check graph_base_url and login_base_url",
        )
        return client

    def _token_key(self) -> tuple[str, str, str, str]:
        secret = str(self.secrets.get("client_secret") or "").strip()
        digest = hashlib.sha256(secret.encode()).hexdigest()
        s = self.settings
        return (s.login_base_url, s.tenant_id, s.client_id, digest)

    def _token(self, client: HttpClient, *, fresh: bool = False) -> str:
        key = self._token_key()
        with _TOKENS_LOCK:
            cached = _TOKENS.get(key)
            if fresh:
                _TOKENS.pop(key, None)
            elif cached and cached[1] > time.time():
                return cached[0]
        url = f"{self.settings.login_base_url}/{quote(self.settings.tenant_id)}/oauth2/v2.0/token"
        try:
            data = as_dict(
                client.post_json(
                    url,
                    data={
                        "client_id": self.settings.client_id,
                        "client_secret": str(self.secrets.get("client_secret") or "").strip(),
                        "scope": SCOPE,
                        "grant_type": "client_credentials",
                    },
                )
            )
        except ConnectorConfigError as exc:
            if exc.status is None:
                raise  # Entra ID was never reached (an address refused): that error says why
            said = _login_said(exc.body)
            raise ConnectorConfigError(
                f"Microsoft Entra ID refused to issue a token ({said or exc.status}): check "
                "tenant_id, client_id and the client secret (secret client_secret; client "
                "secrets expire, create a new one under Certificates & secrets).",
                status=exc.status,
            ) from None
        token, expires = data.get("access_token"), data.get("expires_in")
        if not isinstance(token, str) or not token:
            raise ConnectorError("Microsoft Entra ID answered the token request without a token.")
        try:
            lifetime = float(expires)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            lifetime = 3600.0
        # Replaced five minutes before it expires (half its life if it is shorter), so a
        # request never leaves with a token about to lapse.
        usable = lifetime - min(TOKEN_MARGIN, lifetime / 2)
        with _TOKENS_LOCK:
            _TOKENS[key] = (token, time.time() + usable)
        return token

    def _graph(
        self,
        client: HttpClient,
        url: str,
        what: str,
        permission: str,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """GET from Graph with the app's token; a 401 fetches a new token and tries once more."""
        for attempt in (1, 2):
            token = self._token(client, fresh=attempt == 2)
            try:
                data = client.get_json(
                    url, params=params, headers={"Authorization": f"Bearer {token}"}
                )
            except ConnectorConfigError as exc:
                if exc.status == 401 and attempt == 1:
                    continue  # expired or revoked early: one new token
                raise ConnectorConfigError(
                    self._explain(str(exc), exc.status, what, permission, exc.body),
                    status=exc.status,
                ) from None
            if not isinstance(data, dict):
                raise ConnectorError(f"Microsoft Graph answered {what} with something not JSON.")
            return data
        raise AssertionError("unreachable")

    def _explain(
        self, message: str, status: int | None, what: str, permission: str, body: dict[str, Any]
    ) -> str:
        said = _graph_said(body)
        if status == 401:
            return (
                f"Microsoft Graph refused the app's token for {what} (401 {said}): check that "
                "tenant_id is the tenant the team belongs to."
            )
        if status == 403:
            if "protected api" in said.lower():
                return (
                    f"Microsoft Graph refused {what} (403 {said}). Microsoft has not enabled "
                    "the Teams protected APIs (channel messages with application "
                    f"permissions) for this app: request access at {PROTECTED_API_FORM}."
                )
            return (
                f"Microsoft Graph refused {what} (403 {said}): the app registration needs "
                f"{permission} (Entra admin center > App registrations > API permissions)."
            )
        if status == 404:
            return (
                f"Microsoft Graph found nothing for {what} (404 {said}): check team_id and "
                "channel_ids "
                "(copy them from the channel's link: groupId is the team id)."
            )
        return f"{message} {said}".strip()

    def _link(self, link: Any) -> str | None:
        """An @odata link from Graph, followed only under graph_base_url."""
        if not isinstance(link, str) or not link:
            return None
        if not link.startswith(self.settings.graph_base_url + "/"):
            raise ConnectorError(
                f"Microsoft Graph answered a next link outside graph_base_url ({link[:80]}...)."
            )
        return link

    def _channel_path(self, cid: str) -> str:
        team = quote(self.settings.team_id, safe="")
        return f"{self.settings.graph_base_url}/teams/{team}/channels/{quote(cid, safe=':@')}"

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        problems: list[str] = []
        good: list[str] = []
        try:
            client = self._client()
            self._token(client, fresh=True)
            for cid in self.settings.channel_ids:
                name = cid
                try:
                    channel = self._graph(
                        client,
                        self._channel_path(cid),
                        f"channel {cid}",
                        "the application permission Channel.ReadBasic.All with admin consent",
                    )
                    name = str(channel.get("displayName") or cid)
                except ConnectorConfigError as exc:
                    if exc.status != 403:
                        raise
                    problems.append(f"{exc} (only the channel's name is missing for this.)")
                try:
                    self._graph(
                        client,
                        self._channel_path(cid) + "/messages",
                        f"the messages of channel {name}",
                        MESSAGES_PERMISSION,
                        params={"$top": 1},
                    )
                except ConnectorConfigError as exc:
                    if exc.status not in (403, 404):
                        raise
                    problems.append(str(exc))
                    continue
                good.append(name)
            if self.settings.resolve_emails:
                try:
                    self._graph(
                        client,
                        f"{self.settings.graph_base_url}/users",
                        "the users (resolve_emails)",
                        "the application permission User.Read.All with admin consent "
                        "(or switch resolve_emails off)",
                        params={"$top": 1, "$select": "mail"},
                    )
                except ConnectorConfigError as exc:
                    if exc.status != 403:
                        raise
                    problems.append(str(exc))
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        parts = ["Signed in to Microsoft Graph as the app."]
        if good:
            parts.append(f"Messages readable in: {', '.join(good)}.")
        parts.extend(problems)
        ok = len(good) == len(self.settings.channel_ids) and not problems
        return CheckResult(ok, " ".join(parts))

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        saved = {} if full else as_dict(as_dict(cursor).get("channels"))
        state: dict[str, dict[str, Any]] = {}
        for cid in self.settings.channel_ids:
            old = as_dict(saved.get(cid))
            state[cid] = {
                "delta": old.get("delta") if isinstance(old.get("delta"), str) else None,
                "threads": {
                    str(k): dict(v)
                    for k, v in as_dict(old.get("threads")).items()
                    if isinstance(v, dict)
                },
            }
        now = datetime.now(UTC)
        for cid in self.settings.channel_ids:
            done: set[str] = set()
            yield from self._delta(client, cid, state, done)
            yield from self._active(client, cid, state, done, now)

    def _cursor(self, state: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "channels": {
                cid: {"delta": s["delta"], "threads": {k: dict(v) for k, v in s["threads"].items()}}
                for cid, s in state.items()
                if s["delta"] or s["threads"]
            }
        }

    def _delta(
        self, client: HttpClient, cid: str, state: dict[str, dict[str, Any]], done: set[str]
    ) -> Iterator[Batch]:
        first_url = self._channel_path(cid) + "/messages/delta"
        first_params: dict[str, Any] = {"$top": self.settings.page_size}
        if self.settings.start_date is not None:
            day = self.settings.start_date
            first_params["$filter"] = f"lastModifiedDateTime gt {day.isoformat()}T00:00:00Z"
        link = self._link(state[cid]["delta"])
        url, params = (link, None) if link else (first_url, first_params)
        restarted = False
        for _ in range(MAX_PAGES):
            try:
                data = self._graph(
                    client, url, f"the messages of channel {cid}", MESSAGES_PERMISSION, params
                )
            except ConnectorConfigError as exc:
                if exc.status in (400, 410) and url != first_url and not restarted:
                    # The saved link expired: a new round from the start (nothing is lost;
                    # what was stored is absorbed by the unique key).
                    url, params, restarted = first_url, first_params, True
                    continue
                raise
            value = data.get("value")
            if not isinstance(value, list):
                raise ConnectorError(
                    f"Microsoft Graph answered channel {cid}'s delta without value."
                )
            records: list[CommentRecord] = []
            skips: list[Skip] = []
            for n, message in enumerate(value):
                self._post(client, cid, message, n, state, done, records, skips)
            next_link = self._link(data.get("@odata.nextLink"))
            delta_link = self._link(data.get("@odata.deltaLink"))
            if not next_link and not delta_link:
                raise ConnectorError(
                    f"Microsoft Graph answered channel {cid}'s delta without a next or delta link."
                )
            state[cid]["delta"] = next_link or delta_link
            yield Batch(records=records, cursor=self._cursor(state), skips=skips)
            if not next_link:
                return
            url, params = next_link, None
        raise ConnectorError(f"Microsoft Graph kept answering delta pages for channel {cid}.")

    def _post(
        self,
        client: HttpClient,
        cid: str,
        message: Any,
        n: int,
        state: dict[str, dict[str, Any]],
        done: set[str],
        records: list[CommentRecord],
        skips: list[Skip],
    ) -> None:
        """A root post from the delta: its record, then all its replies."""
        mid = message.get("id") if isinstance(message, dict) else None
        label = f"channel {cid} message {mid or f'#{n + 1}'}"
        threads = state[cid]["threads"]
        try:
            record = self._record(client, cid, message)
        except MalformedItem as exc:
            skips.append(Skip(item=label, reason=str(exc)))
            return
        if not isinstance(mid, str):
            return
        if record is None and not _is_live_message(message):
            threads.pop(mid, None)  # deleted or a system event: no replies to follow
            return
        if record is not None:
            records.append(record)
        # Replies read now carry the post's title and link: a thread first stored through
        # a reply (a post that is only a card) still gets them. Later runs need neither.
        title = record.thread_title if record is not None else ""
        url = str(message.get("webUrl") or "")
        activity = _activity(message) or datetime.now(UTC)
        entry = threads.setdefault(mid, {})
        self._read_thread(client, cid, mid, entry, activity, records, skips, title, url)
        done.add(mid)

    def _active(
        self,
        client: HttpClient,
        cid: str,
        state: dict[str, dict[str, Any]],
        done: set[str],
        now: datetime,
    ) -> Iterator[Batch]:
        """Re-read the replies of the threads active within active_thread_days."""
        threads = state[cid]["threads"]
        horizon = now - timedelta(days=self.settings.active_thread_days)
        quiet = [
            r for r, e in threads.items() if (iso_time_or_none(e.get("last")) or now) < horizon
        ]
        for root in quiet:
            del threads[root]  # quiet long enough: no more re-reads
        todo = [r for r in threads if r not in done]
        if quiet and not todo:
            yield Batch(records=[], cursor=self._cursor(state))
        for i in range(0, len(todo), THREADS_PER_BATCH):
            records: list[CommentRecord] = []
            skips: list[Skip] = []
            for root in todo[i : i + THREADS_PER_BATCH]:
                entry = threads[root]
                last = iso_time_or_none(entry.get("last")) or now
                self._read_thread(client, cid, root, entry, last, records, skips)
            yield Batch(records=records, cursor=self._cursor(state), skips=skips)

    def _read_thread(
        self,
        client: HttpClient,
        cid: str,
        root: str,
        entry: dict[str, Any],
        activity: datetime,
        records: list[CommentRecord],
        skips: list[Skip],
        title: str = "",
        url: str = "",
    ) -> None:
        """All replies of one post; those changed since the last read become records.

        The entry keeps `last` (the thread's latest activity), `seen` (the newest reply
        version read) and `recent` (the replies read within REPLY_OVERLAP of `seen`, with
        their version): a reply older than that window, or in it at the same version, was
        passed on in an earlier run and is not passed on again."""
        seen = iso_time_or_none(entry.get("seen"))
        recent = {str(k): str(v) for k, v in as_dict(entry.get("recent")).items()}
        versions: dict[str, datetime] = {}
        page: str | None = self._channel_path(cid) + f"/messages/{quote(root, safe='')}/replies"
        params: dict[str, Any] | None = {"$top": PAGE_MAX}
        for _ in range(MAX_PAGES):
            if page is None:
                break
            try:
                data = self._graph(
                    client,
                    page,
                    f"the replies to message {root} in channel {cid}",
                    MESSAGES_PERMISSION,
                    params,
                )
            except ConnectorConfigError as exc:
                if exc.status == 404:  # the post is gone: stop following it
                    entry.clear()
                    entry["last"] = "2000-01-01T00:00:00.000Z"
                    return
                raise
            value = data.get("value")
            if not isinstance(value, list):
                raise ConnectorError(
                    f"Microsoft Graph answered the replies to {root} without value."
                )
            for n, reply in enumerate(value):
                rid = reply.get("id") if isinstance(reply, dict) else None
                changed = _activity(reply)
                if changed is not None:
                    activity = max(activity, changed)
                    if isinstance(rid, str):
                        versions[rid] = changed
                    if seen is not None and changed <= seen - REPLY_OVERLAP:
                        continue  # read at this version in an earlier run
                    if isinstance(rid, str) and recent.get(rid) == _iso(changed):
                        continue  # read at this version, inside the overlap window
                try:
                    record = self._record(client, cid, reply, root=root, title=title, url=url)
                except MalformedItem as exc:
                    label = rid or f"#{n + 1}"
                    skips.append(
                        Skip(item=f"channel {cid} reply {label} to {root}", reason=str(exc))
                    )
                    continue
                if record is not None:
                    records.append(record)
            page, params = self._link(data.get("@odata.nextLink")), None
        entry["last"] = _iso(activity)
        if versions:
            newest = max(versions.values())
            if seen is None or newest > seen:
                seen = newest
            entry["seen"] = _iso(seen)
            edge = seen - REPLY_OVERLAP
            entry["recent"] = {rid: _iso(t) for rid, t in versions.items() if t > edge}

    # --- mapping --------------------------------------------------------------------

    def _record(
        self,
        client: HttpClient,
        cid: str,
        message: Any,
        *,
        root: str | None = None,
        title: str = "",
        url: str = "",
    ) -> CommentRecord | None:
        if not isinstance(message, dict):
            raise MalformedItem("message is not an object")
        mid = message.get("id")
        if not isinstance(mid, str) or not mid:
            raise MalformedItem("message without an id")
        if message.get("messageType", "message") != "message":
            return None  # system events (members added, channel renamed ...)
        if message.get("deletedDateTime"):
            return None  # deleted: not collected, nothing stored is removed
        created = iso_time(message.get("createdDateTime"), "createdDateTime")
        body = as_dict(message.get("body"))
        content = body.get("content")
        if not isinstance(content, str):
            raise MalformedItem("message without a body")
        if str(body.get("contentType") or "text").lower() == "html":
            content = teams_html_to_text(content)
        text = chat_to_text(content).strip()
        if not text:
            return None  # only a card, a file or an image
        sender = as_dict(message.get("from"))
        user = as_dict(sender.get("user"))
        app = as_dict(sender.get("application")) or as_dict(sender.get("device"))
        if user.get("id"):
            author, name, voice = str(user["id"]), str(user.get("displayName") or ""), None
        elif app:
            author = f"app:{app.get('id') or 'unknown'}"
            name, voice = str(app.get("displayName") or "app"), "bot"
        else:
            return None  # no sender: a system message
        email = ""
        if voice is None and self.settings.resolve_emails:
            kind = user.get("userIdentityType")
            if kind in (None, "aadUser"):
                email = self._email(client, author)
        if root is None:
            subject = message.get("subject")
            title = str(subject).strip() if isinstance(subject, str) and subject.strip() else ""
            title = title or _title(text)
            url = str(message.get("webUrl") or "")
        return CommentRecord(
            external_id=f"{cid}/{mid}",
            thread_external_id=f"{cid}/{root or mid}",
            body=text,
            created_at=created,
            thread_title=title,
            thread_url=url,
            author_external_id=author,
            author_name=name,
            author_email=email,
            voice=voice,
        )

    def _email(self, client: HttpClient, user_id: str) -> str:
        if user_id in self._emails:
            return self._emails[user_id]
        try:
            user = self._graph(
                client,
                f"{self.settings.graph_base_url}/users/{quote(user_id, safe='')}",
                f"user {user_id} (resolve_emails)",
                "the application permission User.Read.All with admin consent (or switch "
                "resolve_emails off)",
                params={"$select": "mail,userPrincipalName"},
            )
        except ConnectorConfigError as exc:
            if exc.status != 404:
                raise
            user = {}  # a guest or a deleted account
        mail = str(user.get("mail") or "")
        upn = str(user.get("userPrincipalName") or "")
        if "@" not in mail and "@" in upn and "#EXT#" not in upn:
            mail = upn
        self._emails[user_id] = mail if "@" in mail else ""
        return self._emails[user_id]


def clear_token_cache() -> None:
    """Forget every cached token (tests; a rotated secret gets a new key anyway)."""
    with _TOKENS_LOCK:
        _TOKENS.clear()


def _is_live_message(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and message.get("messageType", "message") == "message"
        and not message.get("deletedDateTime")
    )


def _activity(message: Any) -> datetime | None:
    if not isinstance(message, dict):
        return None
    times = [
        iso_time_or_none(message.get(k))
        for k in ("createdDateTime", "lastModifiedDateTime", "lastEditedDateTime")
    ]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _iso(t: datetime) -> str:
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "\u2026"
