"""matrix: rooms on a Matrix homeserver (Client-Server API v3), read as a logged-in bot user.

A message and the replies in its thread are a Thread; each message is a Comment (external
id = the event id, unique across the federation). Threads: an event with
`m.relates_to.rel_type == "m.thread"` belongs to its root's Thread; a rich reply
(`m.in_reply_to`) joins the Thread of the event it answers; any other message opens its
own. Edits (`rel_type == "m.replace"` with `m.new_content`) update the original Comment
(same external id, the original's time and thread). Redacted events and redactions are
skipped and nothing stored is deleted. `msgtype` m.text and m.emote are collected,
m.notice (the bots' convention) is stored with voice "bot", other msgtypes (images, files)
and other event types are skipped silently; so are the authors listed in `bot_user_ids`.

How a run reads, per room: `GET /_matrix/client/v3/rooms/{roomId}/messages?dir=f&from=
{token}&limit=...&filter=...`, page after page with the answer's `end` as the next `from`,
until the answer has no `end` (nothing further) or an empty chunk whose `end` did not move
(servers before Synapse 1.6x). The `end` of the last page that had one is the cursor: the
next run continues exactly there, so replies written days later to an old thread arrive
like any new event (Matrix does not bump a thread's root). The first run starts with no
`from`, which the spec (v1.3+) defines as "the first visible event in the room history";
events before `start_date` are read and dropped. Chosen over a backwards backfill
(`dir=b`) because forward pages keep events in order (an edit or reply follows its
original in the same run) and give the forward token directly; a `dir=b` backfill would
need a second token (a /sync `next_batch`) to continue forward.

An edit or rich reply whose original was read in an earlier run is looked up with
`GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}` (once per run). Display names come
from the `m.room.member` state the answer carries (`lazy_load_members` filter), else
`GET /_matrix/client/v3/profile/{userId}` (cached).

Matrix specification followed (spec.matrix.org, matrix-org/matrix-spec data/api/
client-server, checked 2026):
- Auth: `Authorization: Bearer {access_token}` (client-server-api "Using access tokens").
- `GET /rooms/{roomId}/messages` (message_pagination.yaml): `from` optional since v1.3
  ("If it is not provided, the homeserver shall return a list of messages from the first
  or last (per the value of the dir parameter) visible event"), `dir` b|f, `limit`
  (default 10), `filter` (RoomEventFilter JSON). Answer `{start, end, chunk, state}`;
  `end` "omitted ... if no further events are available"; "an empty chunk does not
  necessarily imply that no more events are available. Clients should continue to
  paginate until no end property is returned". Synapse (synapse/handlers/pagination.py
  get_messages) leaves `end` out when pagination returned no event and keeps it when a
  filter removed them all. 403: not a member of the room.
- Events (client_event.yaml, m.room.message): `event_id, sender, origin_server_ts (ms),
  type, content{msgtype, body, format, formatted_body, m.relates_to, m.new_content},
  unsigned{redacted_because}`.
- Threading (client-server-api "Threading"): `m.relates_to {rel_type: "m.thread",
  event_id: root, is_falling_back, m.in_reply_to}`. Rich replies ("Rich replies"):
  `m.relates_to.m.in_reply_to.event_id`; the legacy fallback is "> <@user:hs> ..." quoted
  lines then a blank line at the start of `body`, and `<mx-reply>...</mx-reply>` in
  `formatted_body` (removed from the spec in v1.13; old events carry them), stripped here.
- Edits ("Event replacements"): `rel_type: "m.replace"`, `m.new_content`; a replacement
  from another sender than the original's must be ignored.
- `GET /rooms/{roomId}/event/{eventId}`, `GET /profile/{userId}` (displayname),
  `GET /account/whoami` (user_id), `GET /joined_rooms` (joined_rooms),
  `GET /rooms/{roomId}/state/m.room.encryption` (404 when the room is not encrypted).
- Errors: `{errcode, error}`: 401 M_UNKNOWN_TOKEN / M_MISSING_TOKEN, 403 M_FORBIDDEN,
  429 M_LIMIT_EXCEEDED with `retry_after_ms` in the body and, since v1.10 (MSC4041), a
  `Retry-After` header. collectors.http.HttpClient honours the header; for homeservers
  that only send `retry_after_ms` this connector's retry policy reads the body
  (`_RetryAfterMs`).
- Links: `https://matrix.to/#/{roomId}/{eventId}` (appendices "matrix.to navigation").

Encrypted rooms cannot be read without the room keys: check() says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import Field, field_validator, model_validator
from urllib3.util.retry import Retry

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
from ..parsing import MalformedItem, as_dict, epoch_time
from ..registry import register

API = "/_matrix/client/v3"
MESSAGES_PATH = API + "/rooms/{room}/messages"
EVENT_PATH = API + "/rooms/{room}/event/{event}"
PROFILE_PATH = API + "/profile/{user}"
WHOAMI_PATH = API + "/account/whoami"
JOINED_PATH = API + "/joined_rooms"
ENCRYPTION_PATH = API + "/rooms/{room}/state/m.room.encryption"
# Only messages are needed; the member events of their senders come along in `state`.
FILTER = json.dumps({"types": ["m.room.message"], "lazy_load_members": True}, separators=(",", ":"))
COLLECTED = {"m.text", "m.emote", "m.notice"}
MAX_PAGES = 100_000
MAX_REPLY_DEPTH = 8  # a reply to a reply to ...: looked up this far for its thread
TITLE_LENGTH = 80
_MXID = re.compile(r"@([a-z0-9._=/+\-]+):[a-z0-9.\-]+(?::\d+)?", re.I)
_MX_REPLY = re.compile(r"<mx-reply>.*?</mx-reply>", re.S | re.I)


class MatrixSettings(HttpSourceSettings):
    base_url: str = Field(
        description="Client-server address of the homeserver, e.g. https://matrix.corp.example."
    )
    room_ids: list[str] = Field(
        min_length=1,
        description="Internal ids of the rooms to collect (!abc...:corp.example; "
        "Room settings > Advanced).",
    )
    bot_user_ids: list[str] = Field(
        default_factory=list,
        description="Matrix ids whose messages are automation (stored with voice bot).",
    )
    start_date: date | None = Field(
        None, description="First collection keeps messages sent since this day (UTC)."
    )
    page_size: int = Field(100, ge=1, le=1000, description="Events per /messages page.")

    @field_validator("room_ids", "bot_user_ids", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in re.split(r"[\s,]+", value) if v]
        return value

    @field_validator("room_ids")
    @classmethod
    def _rooms(cls, value: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        for v in cleaned:
            if not v.startswith("!") or len(v) > 255 or any(c.isspace() for c in v):
                raise ValueError(
                    f"{v!r} is not a room id: room ids start with '!' (an alias such as "
                    "#it-help:corp.example is not accepted; Room settings > Advanced shows "
                    "the internal room id)"
                )
        return cleaned

    @field_validator("bot_user_ids")
    @classmethod
    def _users(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value if v.strip()]
        for v in cleaned:
            if not (v.startswith("@") and ":" in v):
                raise ValueError(f"{v!r} is not a Matrix user id (@name:server)")
        return cleaned

    @model_validator(mode="after")
    def _address(self) -> MatrixSettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://matrix.corp.example",
        )
        return self


class _RetryAfterMs(Retry):
    """The retry policy HttpClient sets up, also waiting out Matrix's `retry_after_ms`.

    Homeservers before spec v1.10 answer 429 with the wait only in the JSON body
    (`{"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 2000}`); urllib3 honours only the
    `Retry-After` header, so the body is read here when the header is missing. Capped like
    HttpClient's header wait."""

    max_wait: float = 120.0
    body_wait: float | None = None

    def new(self, **kw: Any) -> _RetryAfterMs:
        fresh = super().new(**kw)
        fresh.max_wait = self.max_wait
        return fresh

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> _RetryAfterMs:
        fresh = super().increment(method, url, response, error, _pool, _stacktrace)
        if (
            response is not None
            and response.status == 429
            and not response.headers.get("Retry-After")
        ):
            fresh.body_wait = _retry_after_ms(response.data)
        return fresh

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        if seconds is None:
            seconds = self.body_wait
        return None if seconds is None else min(seconds, self.max_wait)


def _retry_after_ms(body: Any) -> float | None:
    try:
        wait = json.loads(body).get("retry_after_ms")
    except (TypeError, ValueError, AttributeError):
        return None
    if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0:
        return wait / 1000
    return None


def _use_body_retry_after(client: HttpClient) -> None:
    """Swap the client's retry policy for the same one that also reads `retry_after_ms`."""
    for prefix in ("https://", "http://"):
        adapter = client.session.get_adapter(prefix)
        old = adapter.max_retries  # type: ignore[attr-defined]
        if isinstance(old, _RetryAfterMs):
            continue
        fresh = _RetryAfterMs(
            total=old.total,
            connect=old.connect,
            read=old.read,
            status=old.status,
            other=old.other,
            backoff_factor=old.backoff_factor,
            backoff_max=old.backoff_max,
            status_forcelist=old.status_forcelist,
            allowed_methods=old.allowed_methods,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        fresh.max_wait = float(getattr(old, "max_retry_after", 120.0))
        adapter.max_retries = fresh  # type: ignore[attr-defined]


def _said(body: dict[str, Any]) -> str:
    """The homeserver's own words from an error body (errcode, error)."""
    code = str(body.get("errcode") or "")
    text = str(body.get("error") or "")[:200]
    return f"{code}: {text}" if code and text else code or text


@dataclass(frozen=True, slots=True)
class _Known:
    """What later events need to know about a message: its thread, time, author, title."""

    thread: str
    created: datetime
    sender: str
    title: str


@register
class MatrixConnector(Connector):
    kind = "matrix"
    label = "Matrix"
    settings_model = MatrixSettings
    secret_names = ("access_token",)
    settings: MatrixSettings

    def __init__(self, settings: Any, secrets: dict[str, Any] | None = None) -> None:
        super().__init__(settings, secrets)
        self._names: dict[tuple[str, str], str] = {}  # (room, user) -> display name
        self._profiles: dict[str, str] = {}
        self._known: dict[str, _Known | None] = {}

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("access_token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No access token is stored for this Matrix source (secret access_token): "
                "log the bot user in and store its access token."
            )
        check_address(
            self.settings.base_url, allow_private_network=self.settings.allow_private_network
        )
        client = HttpClient(
            self.settings.base_url,
            headers={"Authorization": f"Bearer {token}"},
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check base_url (the homeserver's client-server address)",
        )
        _use_body_retry_after(client)
        return client

    def _get(self, client: HttpClient, path: str, what: str, **kw: Any) -> Any:
        try:
            return client.get_json(path, **kw)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(
                self._explain(str(exc), exc.status, what, exc.body), status=exc.status
            ) from None

    def _explain(self, message: str, status: int | None, what: str, body: dict[str, Any]) -> str:
        said = _said(body)
        code = str(body.get("errcode") or "")
        if status == 401 or code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"):
            return (
                f"The homeserver does not accept the access token ({said or '401'}): log the "
                "bot user in again and store its new access token (secret access_token)."
            )
        if status == 403:
            return (
                f"The homeserver refused to show {what} ({said or '403 Forbidden'}): invite "
                "the bot user to the room and let it join (it reads only rooms it has joined)."
            )
        if status == 404:
            return f"The homeserver found nothing for {what} ({said or '404'}): check the room id."
        return f"{message} {said}".strip()

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.base_url).netloc
        try:
            client = self._client()
            me = as_dict(self._get(client, WHOAMI_PATH, "the signed-in user"))
            user = me.get("user_id")
            if not isinstance(user, str):
                return CheckResult(False, f"{host} did not name the signed-in user: Matrix?")
            joined_raw = as_dict(self._get(client, JOINED_PATH, "the joined rooms")).get(
                "joined_rooms"
            )
            joined = set(joined_raw) if isinstance(joined_raw, list) else set()
            good, problems = [], []
            for room in self.settings.room_ids:
                if room not in joined:
                    problems.append(
                        f"{user} has not joined {room}: invite it to the room and accept the "
                        "invitation (log in as the bot, or use /join)."
                    )
                    continue
                if self._encrypted(client, room):
                    problems.append(
                        f"{room} is end-to-end encrypted: its messages cannot be read by "
                        "Earshot (use an unencrypted room for IT questions)."
                    )
                    continue
                good.append(room)
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        parts = [f"Signed in to {host} as {user}."]
        if good:
            parts.append(f"Readable: {', '.join(good)}.")
        parts.extend(problems)
        return CheckResult(not problems, " ".join(parts))

    def _encrypted(self, client: HttpClient, room: str) -> bool:
        try:
            self._get(client, ENCRYPTION_PATH.format(room=_seg(room)), f"room {room}")
        except ConnectorConfigError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        saved = {} if full else as_dict(as_dict(cursor).get("rooms"))
        state: dict[str, dict[str, Any]] = {
            room: dict(as_dict(saved.get(room))) for room in self.settings.room_ids
        }
        for room in self.settings.room_ids:
            yield from self._room(client, room, state)

    def _room(
        self, client: HttpClient, room: str, state: dict[str, dict[str, Any]]
    ) -> Iterator[Batch]:
        token = state[room].get("from")
        token = token if isinstance(token, str) and token else None
        path = MESSAGES_PATH.format(room=_seg(room))
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"dir": "f", "limit": self.settings.page_size}
            params["filter"] = FILTER
            if token:
                params["from"] = token
            data = as_dict(self._get(client, path, f"the messages of room {room}", params=params))
            chunk = data.get("chunk")
            if not isinstance(chunk, list):
                raise ConnectorError(
                    f"The homeserver answered /messages of {room} without a chunk."
                )
            self._remember_members(room, data.get("state"))
            records, skips = self._map(client, room, chunk)
            end = data.get("end")
            moved = isinstance(end, str) and end and end != token
            if moved:
                # Without `end` there is no position after these events: the next run asks
                # from the previous one again (the unique key absorbs the repeat).
                token = end
                state[room] = {"from": token}
            if records or skips or moved:
                yield Batch(records=records, cursor=_cursor(state), skips=skips)
            if not moved:
                return
        raise ConnectorError(f"The homeserver kept answering pages for room {room}.")

    # --- mapping --------------------------------------------------------------------

    def _map(
        self, client: HttpClient, room: str, chunk: list[Any]
    ) -> tuple[list[CommentRecord], list[Skip]]:
        records: dict[str, CommentRecord] = {}
        skips: list[Skip] = []
        start = self._start()
        for n, event in enumerate(chunk):
            label = event.get("event_id") if isinstance(event, dict) else None
            try:
                record = self._record(client, room, event)
            except MalformedItem as exc:
                item = f"event {label}" if isinstance(label, str) and label else f"event #{n + 1}"
                skips.append(Skip(item=f"{room} {item}", reason=str(exc)))
                continue
            if record is not None and (start is None or record.created_at >= start):
                # An edit in the same page replaces its original (same external id).
                records.pop(record.external_id, None)
                records[record.external_id] = record
        return list(records.values()), skips

    def _start(self) -> datetime | None:
        day = self.settings.start_date
        return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)

    def _record(self, client: HttpClient, room: str, event: Any) -> CommentRecord | None:
        if not isinstance(event, dict):
            raise MalformedItem("event is not an object")
        if event.get("type") != "m.room.message":
            return None  # state, reactions, redactions, encrypted events: not messages
        eid = event.get("event_id")
        if not isinstance(eid, str) or not eid.startswith("$"):
            raise MalformedItem("event without an event_id")
        sender = event.get("sender")
        if not isinstance(sender, str) or not sender.startswith("@"):
            raise MalformedItem("event without a sender")
        ts = event.get("origin_server_ts")
        if not isinstance(ts, int) or isinstance(ts, bool) or ts <= 0:
            raise MalformedItem("event without a numeric origin_server_ts")
        if "redacted_because" in as_dict(event.get("unsigned")):
            return None  # redacted: skipped, nothing deleted
        content = event.get("content")
        if not isinstance(content, dict):
            raise MalformedItem("event content is not an object")
        if not content:
            return None  # redacted content
        relation = as_dict(content.get("m.relates_to"))
        if relation.get("rel_type") == "m.replace":
            return self._edit(client, room, sender, relation, content)
        msgtype = content.get("msgtype")
        if not isinstance(msgtype, str) or msgtype not in COLLECTED:
            return None  # images, files, locations ...
        body = content.get("body")
        if not isinstance(body, str):
            raise MalformedItem("message without a text body")
        created = epoch_time(ts / 1000, "origin_server_ts")
        thread = self._thread_of(client, room, eid, relation, depth=0)
        text = matrix_to_text(body, is_reply="m.in_reply_to" in relation)
        if thread == eid:
            title = _title(text)
        else:
            # The root's title when it was read; else none (the stored title stays).
            root = self._known.get(thread)
            title = root.title if root is not None else ""
        self._known[eid] = _Known(thread=thread, created=created, sender=sender, title=title)
        if not text:
            return None
        if (room, sender) not in self._names:
            self._profile(client, sender)
        return self._make(room, eid, thread, created, sender, text, msgtype, title)

    def _edit(
        self,
        client: HttpClient,
        room: str,
        sender: str,
        relation: dict[str, Any],
        content: dict[str, Any],
    ) -> CommentRecord | None:
        original_id = relation.get("event_id")
        if not isinstance(original_id, str) or not original_id.startswith("$"):
            raise MalformedItem("edit without the id of the message it replaces")
        new = content.get("m.new_content")
        if not isinstance(new, dict):
            raise MalformedItem("edit without m.new_content")
        msgtype = new.get("msgtype")
        if not isinstance(msgtype, str) or msgtype not in COLLECTED:
            return None
        body = new.get("body")
        if not isinstance(body, str):
            raise MalformedItem("edit without a text body")
        original = self._lookup(client, room, original_id, depth=0)
        if original is None:
            raise MalformedItem(f"edit of {original_id}, which cannot be read")
        if original.sender != sender:
            raise MalformedItem(
                f"edit by {sender} of a message by {original.sender}: ignored, as the spec requires"
            )
        text = matrix_to_text(body, is_reply=False)
        if not text:
            return None
        if (room, sender) not in self._names:
            self._profile(client, sender)
        title = _title(text) if original.thread == original_id else ""
        return self._make(
            room, original_id, original.thread, original.created, sender, text, msgtype, title
        )

    def _make(
        self,
        room: str,
        eid: str,
        thread: str,
        created: datetime,
        sender: str,
        text: str,
        msgtype: str,
        title: str,
    ) -> CommentRecord:
        bot = msgtype == "m.notice" or sender in self.settings.bot_user_ids
        return CommentRecord(
            external_id=eid,
            thread_external_id=thread,
            body=text,
            created_at=created,
            thread_title=title,
            thread_url=f"https://matrix.to/#/{quote(room, safe='!:')}/{quote(thread, safe='$:')}",
            # Without the @ sigil: the IT-staff directory stores people that way.
            author_external_id=sender.lstrip("@"),
            author_name=self._names.get((room, sender)) or self._profiles.get(sender, ""),
            voice="bot" if bot else None,
        )

    def _thread_of(
        self, client: HttpClient, room: str, eid: str, relation: dict[str, Any], depth: int
    ) -> str:
        if relation.get("rel_type") == "m.thread" and isinstance(relation.get("event_id"), str):
            return relation["event_id"]
        parent = as_dict(relation.get("m.in_reply_to")).get("event_id")
        if isinstance(parent, str) and parent.startswith("$") and parent != eid:
            known = self._lookup(client, room, parent, depth=depth + 1)
            return known.thread if known is not None else parent
        return eid

    def _lookup(self, client: HttpClient, room: str, eid: str, depth: int) -> _Known | None:
        """What is known about an event: read in this run, else fetched (once)."""
        if eid in self._known:
            return self._known[eid]
        if depth > MAX_REPLY_DEPTH or not _valid_id(eid):
            return None
        try:
            event = as_dict(
                self._get(
                    client,
                    EVENT_PATH.format(room=_seg(room), event=_seg(eid)),
                    f"event {eid} in room {room}",
                )
            )
        except ConnectorConfigError as exc:
            if exc.status not in (403, 404):
                raise
            self._known[eid] = None  # gone or not visible to the bot
            return None
        content = as_dict(event.get("content"))
        sender, ts = event.get("sender"), event.get("origin_server_ts")
        if (
            event.get("type") != "m.room.message"
            or not content
            or not isinstance(sender, str)
            or not isinstance(ts, int)
        ):
            self._known[eid] = None
            return None
        relation = as_dict(content.get("m.relates_to"))
        thread = self._thread_of(client, room, eid, relation, depth)
        body = content.get("body") if isinstance(content.get("body"), str) else ""
        title = ""
        if thread == eid:
            title = _title(matrix_to_text(body, is_reply="m.in_reply_to" in relation))
        elif thread in self._known and self._known[thread] is not None:
            title = self._known[thread].title  # type: ignore[union-attr]
        known = _Known(thread, epoch_time(ts / 1000, "origin_server_ts"), sender, title)
        self._known[eid] = known
        return known

    def _remember_members(self, room: str, events: Any) -> None:
        for event in events if isinstance(events, list) else []:
            event = as_dict(event)
            if event.get("type") != "m.room.member":
                continue
            user, name = event.get("state_key"), as_dict(event.get("content")).get("displayname")
            if isinstance(user, str) and isinstance(name, str) and name.strip():
                self._names[(room, user)] = name.strip()[:255]

    def _profile(self, client: HttpClient, user: str) -> None:
        if user in self._profiles or not _valid_id(user):
            return
        try:
            profile = as_dict(
                self._get(client, PROFILE_PATH.format(user=_seg(user)), f"the profile of {user}")
            )
        except ConnectorConfigError as exc:
            if exc.status not in (403, 404):
                raise
            profile = {}
        name = profile.get("displayname")
        self._profiles[user] = name.strip()[:255] if isinstance(name, str) else ""


def matrix_to_text(body: str, *, is_reply: bool) -> str:
    """A message body as plain text: the reply fallback (quoted lines of the message
    answered) removed, user ids shortened to @name, then chat_to_text."""
    if is_reply and body.startswith(">"):
        lines = body.split("\n")
        n = 0
        while n < len(lines) and lines[n].startswith(">"):
            n += 1
        if n < len(lines) and not lines[n].strip():
            n += 1
        body = "\n".join(lines[n:])
    if "<mx-reply>" in body:
        body = _MX_REPLY.sub("", body)
    if "@" in body:
        body = _MXID.sub(r"@\1", body)
    return chat_to_text(body).strip()


def _cursor(state: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"rooms": {room: dict(s) for room, s in state.items() if s}}


def _valid_id(value: str) -> bool:
    """An id a homeserver could have issued (at most 255 bytes, no control characters;
    the Matrix spec's limit): another one is not asked about, the request would fail."""
    return value.isprintable() and len(value.encode("utf-8", "replace")) <= 255


def _seg(value: str) -> str:
    """One path segment: room ids, event ids and user ids carry ! $ : @ / +."""
    return quote(value, safe="")


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "\u2026"
