"""mattermost: channels of a Mattermost server (API v4), their posts and thread replies.

A root post and its replies are a Thread (external id = the root post's id); each post is
a Comment (external id = the post id, unique server-wide). Chat has no "agent" role: the
voice comes from Earshot's IT-staff directory, except bots, webhooks and integration
posts, which this connector marks "bot".

How a run reads, per configured channel:
1. First run (no cursor): `GET /api/v4/channels/{id}/posts?page=N&per_page=200`, newest
   first, until a short page or a post created before `start_date`. The cursor (the
   newest `update_at` read) is saved once the channel is read to its end.
2. Later runs: `GET /api/v4/channels/{id}/posts?since={ms}` with `since` = watermark -
   `overlap_seconds`. `since` answers every post *modified* after that time - new posts,
   replies, edited and deleted ones - so a reply written days later to an old thread comes
   back like any new post (the server also moves the root's `update_at` on a reply:
   post_store.go SaveMultiple). The posts already read at their current `update_at`
   (remembered for the overlap window) are dropped, so an idle run makes one request
   per channel and writes nothing.
   `since` is capped at 1000 posts with no guarantee they are consecutive; when an answer
   hits the cap, its posts are stored and the channel is read by pages down to the
   watermark (new posts are then complete; an edit of an older post left out of the
   capped answer waits for a full run).
3. Authors: `POST /api/v4/users/ids` (cached per run) for username, names, e-mail (when the
   server's privacy settings or the token's role let it be seen) and `is_bot`.

Mattermost documentation followed (mattermost/mattermost api/v4/source, the API reference
at developers.mattermost.com/api-documentation, checked 2026):
- Auth: `Authorization: Bearer {token}`: a personal access token or a bot account's token
  (introduction: "Authentication"; integrations-guide "Bot accounts").
- `GET /api/v4/channels/{channel_id}/posts` (posts.yaml GetPostsForChannel): `page`
  (default 0), `per_page` (default 60; the server caps it at 200), `since` (Unix ms; "must
  not be used with any of before, after, page, and per_page"; "will always return all
  posts modified since that time, ordered by their create time limited till 1000 ...
  no guarantee that the returned posts will be consecutive"). Needs `read_channel`.
  Answer: PostList `{order: [post ids], posts: {id: Post}, next_post_id, prev_post_id,
  has_next}`; the server's store (server/channels/store/sqlstore/post_store.go
  GetPostsSince) selects `UpdateAt > since` including deleted posts, adds the roots of
  those posts to `posts`, and lists in `order` only the posts modified after `since`.
- Post: `id, create_at, update_at, edit_at, delete_at (ms; > 0 = deleted), user_id,
  channel_id, root_id ("" for a root), message (Markdown), type ("" for a user's post;
  "system_*" for joins, header changes ...; other values from integrations), props
  (from_bot, from_webhook, override_username)` (definitions.yaml Post).
- `POST /api/v4/users/ids` with a JSON array of ids: array of User `{id, username,
  first_name, last_name, nickname, email, is_bot, roles}` (users.yaml GetUsersByIds).
- `GET /api/v4/users/me`, `GET /api/v4/channels/{id}`, `GET /api/v4/teams/name/{name}`
  for check(). Errors: `{id, message, detailed_error, request_id, status_code}`.
- Permalink: `{site}/{team name}/pl/{post id}` (the web app's permalink route).
- Rate limits: optional server setting (RateLimitSettings), answered with 429 and
  `Retry-After` seconds (server/channels/app/ratelimit.go setRateLimitHeaders); honoured
  by collectors.http.HttpClient.

Text: Mattermost Markdown goes through collectors.chatmarkup.chat_to_text (code blocks,
links with labels, emphasis, emoji shortcodes -> emoji for VADER); `@username` stays and
Earshot's cleaning drops it before scoring; `~channel` mentions become `#channel`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

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
from ..parsing import MalformedItem, as_dict, epoch_time
from ..registry import register

POSTS_PATH = "/api/v4/channels/{channel}/posts"
USERS_BY_IDS_PATH = "/api/v4/users/ids"
ME_PATH = "/api/v4/users/me"
CHANNEL_PATH = "/api/v4/channels/{channel}"
TEAM_BY_NAME_PATH = "/api/v4/teams/name/{team}"
PAGE_MAX = 200  # the server truncates per_page to 200
SINCE_CAP = 1000  # GetPostsSince: LIMIT 1000
USERS_PER_REQUEST = 100
MAX_PAGES = 100_000
TITLE_LENGTH = 80
_ID = re.compile(r"^[a-z0-9]{26}$")
_CHANNEL_MENTION = re.compile(r"(?<![\w~])~([a-z0-9][a-z0-9_-]{0,63})\b")


class MattermostSettings(HttpSourceSettings):
    base_url: str = Field(
        description="Address of the Mattermost server, e.g. https://chat.corp.example."
    )
    team_name: str = Field(
        description="The team's URL name (chat.corp.example/<team>/...), for links back."
    )
    channel_ids: list[str] = Field(
        min_length=1,
        description="Ids of the channels to collect (channel menu > View Info, 26 characters).",
    )
    start_date: date | None = Field(
        None, description="First collection reads posts created since this day (UTC)."
    )
    page_size: int = Field(PAGE_MAX, ge=1, le=PAGE_MAX, description="Posts per page (max 200).")
    overlap_seconds: int = Field(
        120, ge=0, le=86_400, description="Each run re-asks this far behind the watermark."
    )

    @field_validator("channel_ids", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in re.split(r"[\s,]+", value) if v]
        return value

    @field_validator("channel_ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        for v in cleaned:
            if not _ID.match(v):
                raise ValueError(
                    f"{v!r} is not a Mattermost channel id (26 lowercase letters and digits)"
                )
        return cleaned

    @field_validator("team_name")
    @classmethod
    def _team(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", value):
            raise ValueError("team_name is the team's URL name, e.g. it-support")
        return value

    @model_validator(mode="after")
    def _address(self) -> MattermostSettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://chat.corp.example",
        )
        return self


@register
class MattermostConnector(Connector):
    kind = "mattermost"
    label = "Mattermost"
    settings_model = MattermostSettings
    secret_names = ("token",)
    settings: MattermostSettings

    def __init__(self, settings: Any, secrets: dict[str, Any] | None = None) -> None:
        super().__init__(settings, secrets)
        self._users: dict[str, dict[str, Any]] = {}

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No access token is stored for this Mattermost source (secret token): create "
                "a bot account or a personal access token and store it."
            )
        check_address(
            self.settings.base_url, allow_private_network=self.settings.allow_private_network
        )
        client = HttpClient(
            self.settings.base_url,
            headers={"Authorization": f"Bearer {token}"},
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check base_url",
        )
        return client

    def _call(self, client: HttpClient, method: str, path: str, what: str, **kw: Any) -> Any:
        try:
            return client.json(client.request(method, path, **kw))
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(
                self._explain(str(exc), exc.status, what, exc.body), status=exc.status
            ) from None

    def _explain(self, message: str, status: int | None, what: str, body: dict[str, Any]) -> str:
        said = str(body.get("message") or "").strip()[:300]  # Mattermost's own words
        said = f' Mattermost says: "{said}".' if said else ""
        if status == 401:
            return (
                f"{message}{said} Store a valid personal access token or bot token (secret "
                "token); personal access tokens must be enabled (System Console > "
                "Integrations > Integration Management)."
            )
        if status == 403:
            return (
                f"Mattermost refused to show {what} (403).{said} Add the bot or user that "
                "owns the token to the channel (private channels need membership; public "
                "ones need the read_public_channel permission of a team member)."
            )
        if status == 404:
            return f"Mattermost found nothing for {what} (404).{said} Check the id in the settings."
        return message + said

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.base_url).netloc
        try:
            client = self._client()
            me = as_dict(self._call(client, "GET", ME_PATH, "the signed-in account"))
            if not me.get("id"):
                return CheckResult(False, f"{host} did not name the signed-in user: Mattermost?")
            who = f"@{me.get('username') or me['id']}" + (" (bot)" if me.get("is_bot") else "")
            team_ok = True
            try:
                self._call(
                    client,
                    "GET",
                    TEAM_BY_NAME_PATH.format(team=quote(self.settings.team_name)),
                    f"team {self.settings.team_name!r}",
                )
            except ConnectorConfigError as exc:
                if exc.status not in (403, 404):
                    raise
                team_ok = False
            good, bad = [], []
            for cid in self.settings.channel_ids:
                try:
                    channel = as_dict(
                        self._call(
                            client, "GET", CHANNEL_PATH.format(channel=cid), f"channel {cid}"
                        )
                    )
                    self._call(
                        client,
                        "GET",
                        POSTS_PATH.format(channel=cid),
                        f"the posts of channel {cid}",
                        params={"page": 0, "per_page": 1},
                    )
                except ConnectorConfigError as exc:
                    if exc.status in (403, 404):
                        bad.append(str(exc))
                        continue
                    raise
                good.append(f"~{channel.get('name') or cid}")
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        parts = [f"Signed in to {host} as {who}."]
        if good:
            parts.append(f"Readable: {', '.join(good)}.")
        parts.extend(bad)
        if not team_ok:
            parts.append(
                f"Team {self.settings.team_name!r} was not found: links back to posts will "
                "be wrong (team_name is the name in the team's URL)."
            )
        return CheckResult(not bad and team_ok, " ".join(parts))

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        saved = {} if full else as_dict(as_dict(cursor).get("channels"))
        state: dict[str, Any] = {
            cid: dict(as_dict(saved.get(cid))) for cid in self.settings.channel_ids
        }
        for cid in self.settings.channel_ids:
            since = state[cid].get("since")
            if isinstance(since, int) and since > 0:
                yield from self._incremental(client, cid, state)
            else:
                yield from self._backfill(client, cid, state, floor=self._start_ms())

    def _cursor(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"channels": {cid: dict(s) for cid, s in state.items() if s}}

    def _start_ms(self) -> int:
        day = self.settings.start_date
        if day is None:
            return 0
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)

    def _backfill(
        self, client: HttpClient, cid: str, state: dict[str, Any], *, floor: int
    ) -> Iterator[Batch]:
        """Pages newest first down to `floor` (ms, create_at); the watermark is set at the end."""
        high = int(state[cid].get("since") or 0)
        per_page = self.settings.page_size
        for page in range(MAX_PAGES):
            data = self._posts(client, cid, {"page": page, "per_page": per_page})
            order, posts = _post_list(data)
            wanted = []
            oldest = None
            for pid in order:
                post = posts.get(pid)
                created = as_dict(post).get("create_at")
                if isinstance(created, int):
                    oldest = created if oldest is None else min(oldest, created)
                    if created < floor:
                        continue
                wanted.append((pid, post))
                updated = as_dict(post).get("update_at")
                if isinstance(updated, int):
                    high = max(high, updated)
            records, skips = self._map(client, wanted, posts)
            done = len(order) < per_page or (oldest is not None and oldest < floor)
            if done:
                # The whole channel is read: from now on only what changes after `high`.
                state[cid] = {"since": high, "recent": _recent(wanted, high, self._overlap())}
            yield Batch(records=records, cursor=self._cursor(state), skips=skips)
            if done:
                return
        raise ConnectorError(f"Mattermost kept answering full pages for channel {cid}.")

    def _incremental(self, client: HttpClient, cid: str, state: dict[str, Any]) -> Iterator[Batch]:
        since = int(state[cid]["since"])
        recent = {str(k): v for k, v in as_dict(state[cid].get("recent")).items()}
        ask = max(since - self._overlap(), 1)
        data = self._posts(client, cid, {"since": ask})
        order, posts = _post_list(data)
        if len(order) >= SINCE_CAP:
            # More changed than `since` returns, and not necessarily consecutively: keep
            # what came (edits included), then read the channel by pages down to the
            # watermark so that every new post is there; the watermark moves after that.
            wanted = [(pid, posts.get(pid)) for pid in order]
            records, skips = self._map(client, wanted, posts)
            yield Batch(records=records, cursor=self._cursor(state), skips=skips)
            yield from self._backfill(client, cid, state, floor=ask)
            return
        wanted = []
        high = since
        for pid in order:
            post = posts.get(pid)
            updated = as_dict(post).get("update_at")
            if isinstance(updated, int):
                high = max(high, updated)
                if recent.get(pid) == updated:
                    continue  # read at this version in an earlier run (the overlap window)
            wanted.append((pid, post))
        records, skips = self._map(client, wanted, posts)
        recent.update(
            {pid: as_dict(p).get("update_at") for pid, p in wanted if isinstance(p, dict)}
        )
        edge = high - self._overlap()
        recent = {k: v for k, v in recent.items() if isinstance(v, int) and v >= edge}
        new_state = {"since": high, "recent": recent}
        if records or skips or new_state != state[cid]:
            state[cid] = new_state
            yield Batch(records=records, cursor=self._cursor(state), skips=skips)

    def _overlap(self) -> int:
        return self.settings.overlap_seconds * 1000

    def _posts(self, client: HttpClient, cid: str, params: dict[str, Any]) -> Any:
        return self._call(
            client,
            "GET",
            POSTS_PATH.format(channel=cid),
            f"the posts of channel {cid}",
            params=params,
        )

    # --- mapping --------------------------------------------------------------------

    def _map(
        self, client: HttpClient, wanted: list[tuple[str, Any]], posts: dict[str, Any]
    ) -> tuple[list[CommentRecord], list[Skip]]:
        self._load_users(client, [p.get("user_id") for _, p in wanted if isinstance(p, dict)])
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        for pid, post in wanted:
            try:
                record = self._record(post, posts)
            except MalformedItem as exc:
                skips.append(Skip(item=f"post {pid}", reason=str(exc)))
                continue
            if record is not None:
                records.append(record)
        return records, skips

    def _load_users(self, client: HttpClient, ids: list[Any]) -> None:
        missing = sorted(
            {i for i in ids if isinstance(i, str) and _ID.match(i) and i not in self._users}
        )
        for i in range(0, len(missing), USERS_PER_REQUEST):
            chunk = missing[i : i + USERS_PER_REQUEST]
            found = self._call(client, "POST", USERS_BY_IDS_PATH, "the post authors", json=chunk)
            for user in found if isinstance(found, list) else []:
                if isinstance(user, dict) and isinstance(user.get("id"), str):
                    self._users[user["id"]] = user
            for uid in chunk:
                self._users.setdefault(uid, {})  # deleted or invisible: asked once per run

    def _record(self, post: Any, posts: dict[str, Any]) -> CommentRecord | None:
        if not isinstance(post, dict):
            raise MalformedItem("post is not an object")
        pid = post.get("id")
        if not isinstance(pid, str) or not pid:
            raise MalformedItem("post without an id")
        delete_at = post.get("delete_at") or 0
        if isinstance(delete_at, int) and delete_at > 0:
            return None  # deleted: not collected (what was stored stays)
        post_type = post.get("type") or ""
        if not isinstance(post_type, str):
            raise MalformedItem("post type is not a string")
        if post_type.startswith("system_"):
            return None  # joins, leaves, header changes: nobody's opinion
        created = post.get("create_at")
        if not isinstance(created, int) or isinstance(created, bool) or created <= 0:
            raise MalformedItem("post without a numeric create_at")
        message = post.get("message")
        if message is None:
            message = ""
        if not isinstance(message, str):
            raise MalformedItem("post message is not a string")
        text = mattermost_to_text(message)
        if not text.strip():
            return None  # a file or a bare attachment: no words to score
        root_id = post.get("root_id") or ""
        if not isinstance(root_id, str):
            raise MalformedItem("post root_id is not a string")
        thread = root_id or pid
        props = as_dict(post.get("props"))
        uid = post.get("user_id") if isinstance(post.get("user_id"), str) else ""
        user = self._users.get(uid or "", {})
        bot = (
            _flag(props.get("from_bot"))
            or _flag(props.get("from_webhook"))
            or bool(user.get("is_bot"))
            or bool(post_type)  # integration post types (e.g. slack_attachment, custom_*)
        )
        author = uid or ""
        name = _fullname(user) or str(user.get("username") or "")
        email = str(user.get("email") or "")
        if _flag(props.get("from_webhook")):
            # A webhook posts under its creator's account: kept apart from that person.
            override = props.get("override_username")
            name = override if isinstance(override, str) and override else "webhook"
            author, email = f"{uid}:webhook:{name}"[:255], ""
        title = _title(text)
        if root_id:
            # The answer carries the roots of the replies it lists: a thread first stored
            # through a reply still gets its title (and its category from it).
            root = as_dict(posts.get(root_id))
            message = root.get("message") if not root.get("delete_at") else ""
            title = _title(mattermost_to_text(message)) if isinstance(message, str) else ""
        return CommentRecord(
            external_id=pid,
            thread_external_id=thread,
            body=text,
            created_at=epoch_time(created / 1000, "create_at"),
            thread_title=title,
            thread_url=f"{self.settings.base_url}/{self.settings.team_name}/pl/{thread}",
            author_external_id=author,
            author_name=name,
            author_email=email if "@" in email else "",
            voice="bot" if bot else None,
        )


def mattermost_to_text(message: str) -> str:
    """Mattermost Markdown as plain text (channel mentions as #name), via chat_to_text."""
    if "~" in message:
        message = _CHANNEL_MENTION.sub(r"#\1", message)
    return chat_to_text(message).strip()


def _post_list(data: Any) -> tuple[list[str], dict[str, Any]]:
    data = as_dict(data)
    order = data.get("order")
    posts = data.get("posts")
    if not isinstance(order, list) or not isinstance(posts, dict):
        raise ConnectorError("Mattermost answered the channel's posts without order and posts.")
    return [str(p) for p in order if isinstance(p, str)], posts


def _recent(wanted: list[tuple[str, Any]], high: int, overlap: int) -> dict[str, int]:
    edge = high - overlap
    out = {}
    for pid, post in wanted:
        updated = as_dict(post).get("update_at")
        if isinstance(updated, int) and updated >= edge:
            out[pid] = updated
    return out


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _fullname(user: dict[str, Any]) -> str:
    return " ".join(str(user[k]) for k in ("first_name", "last_name") if user.get(k)).strip()


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "\u2026"
