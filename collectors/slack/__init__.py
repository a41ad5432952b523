"""slack: channels of a Slack workspace (#it-help, #ask-it), polled through the Web API
and, optionally, pushed through the Events API (collectors/webhooks.py).

A chat thread (a message and its replies) is a Thread, external id `{channel}:{thread_ts}`;
an unthreaded message is a thread of one (`{channel}:{ts}`). Each message is a Comment,
external id `{channel}:{ts}` (a `ts` is unique within a channel). An edited message
(`edited`) keeps its ts, so it updates in place. Non-message subtypes (channel_join,
channel_topic, pinned_item, tombstone, ...) are skipped silently, as are messages without
text (a file or image alone).

How a run reads, per configured channel (cursor: `channels.{id}`):
1. History: `conversations.history`, newest first, paged by `response_metadata.next_cursor`,
   from `oldest` = the newest ts already stored (`top`), widened back to the start of the
   active-thread window (now - `active_thread_days`). Slack does not bump a parent in
   history when a reply arrives, but a parent in history carries `reply_count` and
   `latest_reply`; re-reading the window is what finds a message that got its first reply
   days later (a few pages, instead of one replies call per recent message). Messages at
   or below `top` are re-delivered only when `edited`. The pass is saved after each page
   (`pass`: its bounds and the oldest ts read), so a failure resumes below the last page
   stored (`latest` = that ts) instead of starting over; `top` moves when a pass ends.
2. Threads: the active threads are kept in the cursor (`threads.{thread_ts}` = the
   latest reply stored `seen`, the latest reply known `latest`). A thread is re-read with
   `conversations.replies` when history shows a newer `latest_reply`, and on every run
   when its parent is older than the window (history no longer shows it), until it has
   been quiet for `active_thread_days`; then it is dropped from the cursor. A re-read
   delivers the replies newer than `seen`, and edited ones.
3. Authors: `users.info` (cached per run) gives the name, e-mail (for the IT-staff
   directory) and `is_bot` / `is_app_user`.

Voice: bot messages (`subtype: bot_message`, a `bot_id`, an app or bot user, Slackbot) are
"bot"; everyone else is left to Earshot's IT-staff directory (chat has no agent role).

Slack documentation followed (docs.slack.dev, checked 2026):
- Web API basics (apis/web-api): `GET https://slack.com/api/{method}`, token in
  `Authorization: Bearer xoxb-...`; every answer is JSON with `ok`; failures are HTTP 200
  `{"ok": false, "error": "..."}`; `missing_scope` adds `needed` and `provided`. Answers
  carry the token's scopes in the `X-OAuth-Scopes` header (used by check()).
- reference/methods/conversations.history: `channel, cursor, limit, oldest, latest,
  inclusive` (exclusive bounds by default), answer `{messages, has_more,
  response_metadata.next_cursor}`; only parent messages (and `thread_broadcast` replies);
  parents carry `thread_ts, reply_count, latest_reply`. Scopes channels:history /
  groups:history (private channels); a bot token reads the channels its app is a member of.
- reference/methods/conversations.replies: `channel, ts, cursor, limit`; "the entire
  thread", parent first; `thread_not_found` for a deleted parent. The page's note that bot
  tokens "lack sufficient permissions" on channels concerns legacy bot tokens: the
  method's Facts list bot-token scopes channels:history / groups:history, and a current
  app's bot token (xoxb) reads the threads of channels it is a member of.
- reference/methods/users.info (Tier 4): `user` -> `{id, name, real_name, deleted,
  is_bot, is_app_user, profile: {display_name, real_name, email}}`; `email` needs
  users:read.email besides users:read.
- reference/methods/auth.test (`{url, team, user, user_id, bot_id}`),
  reference/methods/conversations.info (`{channel: {id, name, is_private, is_archived,
  is_member}}`; channels:read / groups:read).
- Rate limits (apis/web-api/rate-limits; changelog 2025-05-29 "Rate limit changes for
  non-Marketplace apps"): conversations.history and .replies are Tier 3 (50+ per minute)
  for internal customer-built apps (what this kind needs: an app created in your own
  workspace) and Marketplace apps. Commercially distributed apps outside the Marketplace
  get 1 request per minute with `limit` at most 15 (new apps and installs since
  2025-05-29; existing installs from 2026-03-03 per the method pages). Pagination
  guidance: `limit` up to 999, no more than 200 recommended. So `page_size` defaults to
  200 and `requests_per_minute` (pacing of history/replies calls) to 50; for such an app
  set 15 and 1. Excess is answered HTTP 429 with `Retry-After` (seconds), waited out by
  collectors.http.HttpClient.
- Message formatting (messaging/formatting-message-text): see collectors/slack/markup.py.
- Permalinks: `{workspace_url}/archives/{channel}/p{ts without the dot}` (the address
  chat.getPermalink returns for a channel message), built locally to spare a call per
  thread; `workspace_url` defaults to auth.test's `url`.
- Events API message events (reference/events/message, .../message_changed,
  .../message_deleted): see push_records().
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

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
from ..parsing import MalformedItem, as_dict, epoch_time
from ..registry import register
from .markup import slack_to_text

DEFAULT_BASE_URL = "https://slack.com/api"
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{5,20}$")
TS = re.compile(r"^\d{1,12}\.\d{1,6}$")
MAX_USER_ID = 64  # Slack's are about 11 characters
MAX_PAGES = 100_000  # a guard against an upstream that keeps answering has_more
PACED = frozenset({"conversations.history", "conversations.replies"})
# Subtypes that are someone's words; every other subtype (channel_join, channel_topic,
# pinned_item, tombstone, ...) is an event in the channel, not a comment.
SPOKEN = frozenset({"", "bot_message", "thread_broadcast", "me_message", "file_share"})
AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
)
SCOPES_NEEDED = ("channels:history", "channels:read", "users:read", "users:read.email")
SCOPES_PRIVATE = ("groups:history", "groups:read")


class SlackSettings(HttpSourceSettings):
    channels: list[str] = Field(
        description="Channel ids to collect (C0123ABCD, comma-separated): in Slack, the "
        "channel's name > About > Channel ID.",
        min_length=1,
    )
    workspace_url: str = Field(
        "",
        description="The workspace address for links back, e.g. https://acme.slack.com "
        "(default: what auth.test answers).",
    )
    active_thread_days: int = Field(
        14, ge=1, le=90, description="A thread is re-read until it has been quiet this long."
    )
    start_date: date | None = Field(
        None, description="First collection reads messages from this day (default: all)."
    )
    page_size: int = Field(
        200,
        ge=1,
        le=999,
        description="Messages per history/replies page (15 for a non-Marketplace distributed app).",
    )
    requests_per_minute: float = Field(
        50,
        ge=0,
        le=1000,
        description="Pace of history/replies calls (Tier 3: 50; 1 for a non-Marketplace "
        "distributed app; 0: no pacing).",
    )
    base_url: str = Field(DEFAULT_BASE_URL, description="The Web API address (tests only).")

    @field_validator("channels", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().lstrip("#") for part in value.split(",") if part.strip()]
        return value

    @field_validator("channels")
    @classmethod
    def _channel_ids(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not CHANNEL_ID.match(c)]
        if bad:
            raise ValueError(
                f"{', '.join(bad)}: give channel ids such as C0123ABCD (in Slack: the "
                "channel's name > About > Channel ID), not names"
            )
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _addresses(self) -> SlackSettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example=DEFAULT_BASE_URL,
        )
        if self.workspace_url:
            self.workspace_url = validate_base_url(
                self.workspace_url, allow_insecure_http=False, example="https://acme.slack.com"
            )
        return self


@register
class SlackConnector(Connector):
    kind = "slack"
    label = "Slack"
    settings_model = SlackSettings
    # bot_token: polling; signing_secret: the Events API (push); hook_token: the secret
    # part of this source's push URL (generated by collectors.webhooks).
    secret_names = ("bot_token", "signing_secret", "hook_token")
    push = True
    settings: SlackSettings

    def __init__(self, settings: Any, secrets: dict[str, Any] | None = None) -> None:
        super().__init__(settings, secrets)
        self._http: HttpClient | None = None
        self._users: dict[str, dict[str, Any]] = {}
        self._channel_names: dict[str, str] = {}
        self._workspace = self.settings.workspace_url
        self._scopes: str | None = None
        self._last_paced = 0.0
        self._handed: dict[str, Any] = {}

    # --- calling Slack --------------------------------------------------------------

    def _client(self) -> HttpClient:
        if self._http is None:
            token = str(self.secrets.get("bot_token") or "").strip()
            if not token:
                raise ConnectorConfigError(
                    "No bot token is stored for this Slack source (secret bot_token): copy "
                    "the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions "
                    "page."
                )
            check_address(
                self.settings.base_url, allow_private_network=self.settings.allow_private_network
            )
            self._http = HttpClient(
                self.settings.base_url,
                headers={"Authorization": f"Bearer {token}"},
                backoff=self.settings.retry_backoff,
                allow_private_network=self.settings.allow_private_network,
                address_hint="check base_url",
            )
        return self._http

    def _pace(self) -> None:
        rpm = self.settings.requests_per_minute
        if rpm <= 0:
            return
        wait = self._last_paced + 60.0 / rpm - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_paced = time.monotonic()

    def _call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        channel: str = "",
        allow: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """One Web API call: the answer when `ok` (or its error is in `allow`), else the
        error explained (ConnectorConfigError for what the admin must fix)."""
        if method in PACED:
            self._pace()
        response = self._client().get(method, params=params)
        self._scopes = response.headers.get("X-OAuth-Scopes", self._scopes)
        data = HttpClient.json(response)
        if not isinstance(data, dict):
            raise ConnectorError(f"Slack answered {method} without a JSON object.")
        if data.get("ok") is True or str(data.get("error")) in allow:
            return data
        raise _error(method, data, channel=channel)

    def _auth(self) -> dict[str, Any]:
        auth = self._call("auth.test")
        if not self._workspace:
            url = str(auth.get("url") or "")
            if url.startswith("https://"):
                self._workspace = url.rstrip("/")
        return auth

    def _user(self, uid: str) -> dict[str, Any]:
        """users.info, once per user per run; {} for an unknown or unreadable user."""
        # An id no Slack user has (control characters, thousands of characters) is not
        # asked about: the request would fail and end the run over one message.
        if not uid or len(uid) > MAX_USER_ID or not uid.isprintable():
            return {}
        if uid not in self._users:
            data = self._call("users.info", {"user": uid}, allow=("user_not_found",))
            self._users[uid] = as_dict(data.get("user"))
        return self._users[uid]

    def _display(self, uid: str) -> str:
        user = self._user(uid)
        profile = as_dict(user.get("profile"))
        for name in (
            profile.get("display_name"),
            profile.get("real_name"),
            user.get("real_name"),
            user.get("name"),
        ):
            if isinstance(name, str) and name.strip():
                return name.strip()
        return ""

    def _channel_info(self, channel: str) -> dict[str, Any]:
        data = self._call("conversations.info", {"channel": channel}, channel=channel)
        info = as_dict(data.get("channel"))
        if isinstance(info.get("name"), str):
            self._channel_names[channel] = info["name"]
        return info

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        try:
            auth = self._auth()
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        who = f"{auth.get('user') or '?'} in {auth.get('team') or '?'} ({self._workspace or '?'})"
        scopes = None if self._scopes is None else {s.strip() for s in self._scopes.split(",")}
        problems: list[str] = []
        reachable: list[str] = []
        private = False
        for channel in self.settings.channels:
            try:
                info = self._channel_info(channel)
            except ConnectorConfigError as exc:
                problems.append(str(exc))
                continue
            name = f"#{info.get('name') or channel} ({channel})"
            private = private or bool(info.get("is_private"))
            if info.get("is_member") is False:
                problems.append(
                    f"{name}: the app is not a member: invite it in Slack with "
                    f"/invite @{auth.get('user') or 'your-app'} in that channel."
                )
            else:
                reachable.append(name + (" (archived)" if info.get("is_archived") else ""))
        if scopes is not None:
            wanted = SCOPES_NEEDED + (SCOPES_PRIVATE if private else ())
            missing = [s for s in wanted if s not in scopes]
            if missing:
                problems.append(
                    f"The bot token lacks the scope(s) {', '.join(missing)}: add them under "
                    "OAuth & Permissions > Bot Token Scopes, reinstall the app and store "
                    "the new token."
                )
        elif auth.get("user_id"):
            try:  # no scope header to read: users:read is tried instead
                self._user(str(auth["user_id"]))
            except ConnectorConfigError as exc:
                problems.append(str(exc))
        text = f"Signed in as {who}."
        if reachable:
            text += f" Reachable: {', '.join(reachable)}."
        if problems:
            return CheckResult(False, text + " Not working: " + " ".join(problems))
        push = (
            " Events API: signing secret stored."
            if self.secrets.get("signing_secret")
            else " Events API (optional): no signing secret stored."
        )
        return CheckResult(True, "OK: " + text + push)

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        state: dict[str, Any] = {} if full else copy.deepcopy(dict(cursor or {}))
        self._handed = copy.deepcopy(dict(cursor or {}))
        self._auth()
        state["workspace_url"] = self._workspace
        names = state.setdefault("channel_names", {})
        channels = state.setdefault("channels", {})
        for gone in set(channels) - set(self.settings.channels):
            del channels[gone]  # a channel taken out of the settings
        failures: list[str] = []
        for channel in self.settings.channels:
            try:
                info = self._channel_info(channel)
            except ConnectorConfigError as exc:
                failures.append(str(exc))
                continue
            names[channel] = str(info.get("name") or channel)
            try:
                yield from self._fetch_channel(channel, state)
            except ConnectorConfigError as exc:
                if exc.status is not None:
                    raise  # an HTTP-level refusal concerns every channel
                failures.append(str(exc))
        if failures:
            raise ConnectorConfigError(" ".join(dict.fromkeys(failures)))

    def _fetch_channel(self, channel: str, state: dict[str, Any]) -> Iterator[Batch]:
        cs = state["channels"].setdefault(channel, {})
        threads: dict[str, dict[str, str]] = cs.setdefault("threads", {})
        window = Decimal(int(time.time() - self.settings.active_thread_days * 86400))
        top = _dec(cs.get("top"))
        run = cs.get("pass")
        if not isinstance(run, dict):
            run = {"lower": _ts(self._lower(top, window)), "latest": None, "top": None}
        lower = _dec(run.get("lower"))
        emit = self._emit

        # 1. History, newest first; the pass is saved after each page.
        page_cursor = ""
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"channel": channel, "limit": self.settings.page_size}
            if lower is not None:
                params["oldest"] = _ts(lower)
            if page_cursor:
                params["cursor"] = page_cursor
            elif run.get("latest"):
                params["latest"] = run["latest"]
            data = self._call("conversations.history", params, channel=channel)
            messages = data.get("messages")
            if not isinstance(messages, list):
                raise ConnectorError(f"Slack answered the history of {channel} without messages.")
            records: list[CommentRecord] = []
            skips: list[Skip] = []
            for n, msg in enumerate(messages):
                try:
                    ts = _msg_ts(msg)
                except MalformedItem as exc:
                    skips.append(Skip(f"{channel} message #{n + 1} of a page", str(exc)))
                    continue
                value = Decimal(ts)
                if run.get("top") is None or value > Decimal(run["top"]):
                    run["top"] = ts
                if run.get("latest") is None or value < Decimal(run["latest"]):
                    run["latest"] = ts
                _note_thread(threads, msg, ts)
                if top is not None and value <= top and not msg.get("edited"):
                    continue  # stored on an earlier run, unchanged
                try:
                    record = self._record(channel, msg, state)
                except MalformedItem as exc:
                    skips.append(Skip(f"{channel}:{ts}", str(exc)))
                    continue
                if record is not None:
                    records.append(record)
            page_cursor = str(as_dict(data.get("response_metadata")).get("next_cursor") or "")
            more = bool(data.get("has_more")) and bool(messages)
            if more:
                cs["pass"] = run
            else:
                ends = [x for x in (top, _dec(run.get("top"))) if x is not None]
                cs["top"] = _ts(max(ends)) if ends else None
                cs.pop("pass", None)
            yield from emit(state, records, skips)
            if not more:
                break
        else:
            raise ConnectorError(
                f"Slack kept answering has_more for {channel} ({MAX_PAGES} pages)."
            )

        # 2. Threads: read the new ones, those history shows a newer reply for, and those
        # whose parent is below the history pass (history cannot tell) until quiet.
        for thread_ts in sorted(threads, key=Decimal):
            entry = threads[thread_ts]
            seen, known = _dec(entry.get("seen")), _dec(entry.get("latest"))
            below = lower is not None and Decimal(thread_ts) <= lower
            due = (
                seen is None
                or (known is not None and known > seen)
                or (below and _last(thread_ts, entry) >= window)
            )
            if due:
                # A parent inside the history pass came with it (when new or edited).
                records, skips, newest = self._thread(
                    channel, thread_ts, seen, state, with_parent=below
                )
                if newest is None:
                    del threads[thread_ts]  # the parent was deleted
                else:
                    entry["seen"] = _ts(newest)
                    entry["latest"] = _ts(max(newest, known or newest))
                yield from emit(state, records, skips)
            if thread_ts in threads and _last(thread_ts, entry) < window:
                del threads[thread_ts]  # quiet for active_thread_days
        yield from emit(state, [], [])

    def _emit(
        self, state: dict[str, Any], records: list[CommentRecord], skips: list[Skip]
    ) -> Iterator[Batch]:
        """Batches of at most EARSHOT_INGEST_BATCH records carrying a snapshot of the
        cursor (stored by another thread while this one reads on); none when there is
        nothing new and the cursor is as last handed out (an idle run writes nothing)."""
        if not records and not skips and state == self._handed:
            return
        before, self._handed = self._handed, copy.deepcopy(state)
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        chunks = [records[i : i + size] for i in range(0, len(records), size)] or [[]]
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            # Only the last chunk moves the cursor: a failure in between re-reads the page.
            yield Batch(chunk, self._handed if last else before, skips if last else [])

    def _lower(self, top: Decimal | None, window: Decimal) -> Decimal | None:
        """Where a history pass starts: the newest ts stored, widened back to the window
        (to see new replies to recent messages); the start date on a first run."""
        if top is not None:
            return min(top, window)
        day = self.settings.start_date
        if day is None:
            return None
        return Decimal(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()))

    def _thread(
        self,
        channel: str,
        thread_ts: str,
        seen: Decimal | None,
        state: dict[str, Any],
        *,
        with_parent: bool = True,
    ) -> tuple[list[CommentRecord], list[Skip], Decimal | None]:
        """The replies of one thread newer than `seen` (and edited ones), the parent too
        when `with_parent`, and the newest ts in it; newest None when the thread is gone."""
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        newest: Decimal | None = None
        page_cursor = ""
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {
                "channel": channel,
                "ts": thread_ts,
                "limit": self.settings.page_size,
            }
            if page_cursor:
                params["cursor"] = page_cursor
            data = self._call(
                "conversations.replies", params, channel=channel, allow=("thread_not_found",)
            )
            if data.get("ok") is not True:
                return [], [], None
            messages = data.get("messages")
            if not isinstance(messages, list):
                raise ConnectorError(
                    f"Slack answered the thread {channel}:{thread_ts} without messages."
                )
            for n, msg in enumerate(messages):
                try:
                    ts = _msg_ts(msg)
                except MalformedItem as exc:
                    skips.append(
                        Skip(item=f"{channel}:{thread_ts} reply #{n + 1}", reason=str(exc))
                    )
                    continue
                value = Decimal(ts)
                newest = value if newest is None else max(newest, value)
                if seen is not None and value <= seen and not msg.get("edited"):
                    continue
                if ts == thread_ts and not with_parent:
                    continue
                try:
                    record = self._record(channel, msg, state)
                except MalformedItem as exc:
                    skips.append(Skip(item=f"{channel}:{ts}", reason=str(exc)))
                    continue
                if record is not None:
                    records.append(record)
            page_cursor = str(as_dict(data.get("response_metadata")).get("next_cursor") or "")
            if not (data.get("has_more") and page_cursor):
                return records, skips, newest if newest is not None else Decimal(thread_ts)
        raise ConnectorError(f"Slack kept answering has_more for {channel}:{thread_ts}.")

    # --- mapping --------------------------------------------------------------------

    def _record(
        self, channel: str, msg: dict[str, Any], state: dict[str, Any]
    ) -> CommentRecord | None:
        """A message as a record; None for what is not someone's words (joins, topic
        changes, a file without text)."""
        subtype = str(msg.get("subtype") or "")
        if subtype not in SPOKEN:
            return None
        ts = _msg_ts(msg)
        text = msg.get("text")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise MalformedItem("message text is not a string")
        thread_ts = msg.get("thread_ts") or ts
        if not isinstance(thread_ts, str) or not TS.match(thread_ts):
            raise MalformedItem(f"thread_ts {str(thread_ts)[:30]!r} is not a Slack timestamp")
        uid = msg.get("user") if isinstance(msg.get("user"), str) else ""
        user = self._user(uid) if uid else {}
        bot = (
            subtype == "bot_message"
            or bool(msg.get("bot_id"))
            or bool(user.get("is_bot"))
            or bool(user.get("is_app_user"))
            or uid == "USLACKBOT"
        )
        body = slack_to_text(
            text, user_name=self._display, channel_name=lambda cid: self._name(cid, state)
        )
        if not body:
            return None
        profile = as_dict(user.get("profile"))
        name = next(
            (
                n.strip()
                for n in (
                    profile.get("real_name"),
                    user.get("real_name"),
                    profile.get("display_name"),
                    user.get("name"),
                    as_dict(msg.get("bot_profile")).get("name"),
                    msg.get("username"),
                )
                if isinstance(n, str) and n.strip()
            ),
            "",
        )
        email = profile.get("email") if isinstance(profile.get("email"), str) else ""
        channel_name = self._name(channel, state)
        title = ""
        if thread_ts == ts:
            first = body.splitlines()[0] if body else ""
            title = f"#{channel_name}: {first[:80]}" if channel_name else first[:80]
        return CommentRecord(
            external_id=f"{channel}:{ts}",
            thread_external_id=f"{channel}:{thread_ts}",
            body=body,
            created_at=_ts_time(ts),
            thread_title=title,
            thread_url=self._permalink(channel, thread_ts, state),
            author_external_id=uid or str(msg.get("bot_id") or ""),
            author_name=name,
            author_email=email.strip(),
            # A channel named after a service (#vpn-help) lands in its category.
            category_hint=channel_name,
            voice="bot" if bot else None,
        )

    def _name(self, channel: str, state: dict[str, Any]) -> str:
        names = as_dict(state.get("channel_names"))
        return self._channel_names.get(channel) or str(names.get(channel) or "")

    def _permalink(self, channel: str, ts: str, state: dict[str, Any]) -> str:
        base = self._workspace or str(state.get("workspace_url") or "")
        return f"{base}/archives/{channel}/p{ts.replace('.', '')}" if base else ""

    # --- push (Events API) ----------------------------------------------------------

    def push_records(
        self, payload: Any, *, received_at: datetime, cursor: dict[str, Any]
    ) -> tuple[list[CommentRecord], list[Skip], str]:
        """Records from one Events API delivery (an `event_callback` envelope), mapped as
        polling maps them, plus a note for the event's record.

        - `message` (any spoken subtype): a new message; a reply (`thread_ts`) lands in
          its thread.
        - `message_changed`: the edited `message` replaces the stored one (same ts).
        - `message_deleted`: recorded on the event only. Nothing stored is deleted: the
          comment stays with its score until an admin removes it, so a metric never
          changes silently behind a reader's back (and a poll cannot see deletions either).
        - other subtypes (joins, topic changes) and event types: nothing.
        """
        del received_at  # a Slack message carries its own time
        event = as_dict(as_dict(payload).get("event"))
        channel = str(event.get("channel") or "")
        if event.get("type") != "message" or not channel:
            return [], [], "not a channel message event: nothing to store"
        state = {
            "workspace_url": cursor.get("workspace_url") or "",
            "channel_names": as_dict(cursor.get("channel_names")),
        }
        if not self._workspace and not state["workspace_url"]:
            self._auth()
        if not self._name(channel, state):
            try:
                self._channel_info(channel)
            except ConnectorConfigError:
                pass  # the name only decorates the title
        subtype = str(event.get("subtype") or "")
        if subtype == "message_deleted":
            return (
                [],
                [],
                (
                    f"message {channel}:{event.get('deleted_ts') or '?'} was deleted in Slack; "
                    "the stored comment is kept"
                ),
            )
        if subtype == "message_changed":
            msg = as_dict(event.get("message"))
            verb = "edited"
        else:
            msg, verb = event, "new"
        try:
            record = self._record(channel, msg, state)
        except MalformedItem as exc:
            ts = msg.get("ts") if isinstance(msg.get("ts"), str) else "?"
            return [], [Skip(item=f"{channel}:{ts}", reason=str(exc))], ""
        if record is None:
            return [], [], f"{subtype or 'message'} without words: nothing to store"
        return [record], [], f"{verb} message {record.external_id}"


def _error(method: str, data: dict[str, Any], *, channel: str = "") -> ConnectorError:
    code = str(data.get("error") or "unknown_error")
    where = f"channel {channel}" if channel else "the workspace"
    if code in AUTH_ERRORS:
        hint = (
            "the app was uninstalled or its token revoked: reinstall it and store the new token"
            if code in ("token_revoked", "account_inactive", "token_expired")
            else "store the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page"
        )
        return ConnectorConfigError(
            f"Slack refused the bot token ({code}): {hint} (secret bot_token)."
        )
    if code == "not_allowed_token_type":
        return ConnectorConfigError(
            f"Slack does not accept this kind of token for {method}: store the app's bot "
            "token (xoxb-...) as bot_token."
        )
    if code == "missing_scope":
        needed = str(data.get("needed") or "?")
        provided = str(data.get("provided") or "none")
        return ConnectorConfigError(
            f"The Slack app lacks the scope {needed} needed for {method}: add it under "
            "OAuth & Permissions > Bot Token Scopes, reinstall the app and store the new "
            f"bot token. (The token has: {provided}.)"
        )
    if code == "channel_not_found":
        return ConnectorConfigError(
            f"Slack channel {channel or '?'} was not found: check the id in the settings; a "
            "private channel is visible only once the app is invited (/invite @your-app in "
            "that channel)."
        )
    if code == "not_in_channel":
        return ConnectorConfigError(
            f"The Slack app is not a member of channel {channel or '?'}: invite it in Slack "
            "with /invite @your-app in that channel."
        )
    if code == "ratelimited":
        return ConnectorError(f"Slack is rate limiting {method}; the next run resumes.")
    return ConnectorError(f"Slack answered {method} for {where} with the error {code!r}.")


def _note_thread(threads: dict[str, dict[str, str]], msg: Any, ts: str) -> None:
    """Remember a thread that history shows replies for (a parent's latest_reply, or a
    reply also sent to the channel)."""
    if not isinstance(msg, dict):
        return
    thread_ts = msg.get("thread_ts")
    if not isinstance(thread_ts, str) or not TS.match(thread_ts):
        return
    if thread_ts == ts:
        latest = msg.get("latest_reply")
        if not (isinstance(latest, str) and TS.match(latest)) or not msg.get("reply_count"):
            return
    else:
        latest = ts  # thread_broadcast: a reply seen in the channel
    entry = threads.setdefault(thread_ts, {"seen": "", "latest": ""})
    if not entry.get("latest") or Decimal(latest) > Decimal(entry["latest"]):
        entry["latest"] = latest


def _last(thread_ts: str, entry: dict[str, str]) -> Decimal:
    """The last activity known in a thread."""
    values = [Decimal(thread_ts)] + [
        d for d in (_dec(entry.get("seen")), _dec(entry.get("latest"))) if d is not None
    ]
    return max(values)


def _msg_ts(msg: Any) -> str:
    if not isinstance(msg, dict):
        raise MalformedItem("message is not an object")
    ts = msg.get("ts")
    if not isinstance(ts, str) or not TS.match(ts):
        raise MalformedItem(f"message without a Slack timestamp (ts {str(ts)[:30]!r})")
    return ts


def _dec(value: Any) -> Decimal | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _ts(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.6f}"


def _ts_time(ts: str) -> datetime:
    """A Slack ts ("1712345678.000100", seconds.microseconds) as an exact UTC time."""
    seconds, _, fraction = ts.partition(".")
    micro = int((fraction + "000000")[:6])
    return epoch_time(int(seconds), "ts") + timedelta(microseconds=micro)
