"""A fake Slack Web API served by pytest-httpserver, speaking Slack's JSON shapes.

Methods (see collectors/slack for the documentation they follow), all `GET /api/{method}`:
- auth.test                  -> {ok, url, team, user, team_id, user_id, bot_id}
- conversations.info         channel -> {ok, channel: {id, name, is_private, is_member, ...}}
- conversations.history      channel, oldest, latest, inclusive, limit, cursor -> parents
                             (and thread_broadcast replies) newest first, {messages, has_more,
                             response_metadata: {next_cursor}}; parents carry thread_ts,
                             reply_count, reply_users, latest_reply
- conversations.replies      channel, ts, limit, cursor -> the parent then its replies
- users.info                 user -> {ok, user: {id, name, real_name, is_bot, profile}}

Failures are Slack's: HTTP 200 `{"ok": false, "error": ...}` (not_authed, invalid_auth,
missing_scope with `needed` / `provided`, channel_not_found, not_in_channel,
thread_not_found, user_not_found). Every answer carries the token's scopes in
`X-OAuth-Scopes`. Timestamps are real Slack ts strings near the real clock (the
connector's active-thread window is measured against it).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

DAY = 86400
SCOPES = (
    "channels:history",
    "channels:read",
    "groups:history",
    "groups:read",
    "users:read",
    "users:read.email",
)
METHODS = (
    "auth.test",
    "conversations.info",
    "conversations.history",
    "conversations.replies",
    "users.info",
)


def _key(msg: dict[str, Any]) -> Decimal:
    """A message's ts as a number; a malformed one (served on purpose) sorts as 0."""
    try:
        return Decimal(str(msg.get("ts")))
    except ArithmeticError:
        return Decimal(0)


def ts_of(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole}.{int(round((seconds - whole) * 1_000_000)):06d}"


class FakeSlack:
    def __init__(self, server: HTTPServer, *, token: str = "xoxb-fake-token") -> None:
        self.server = server
        self.token = token
        self.scopes: list[str] = list(SCOPES)
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        # method -> Slack error body served instead of the answer (ok false).
        self.refuse: dict[str, dict[str, Any]] = {}
        # (method, args) -> a response to serve instead (an outage on one page), or None.
        self.intercept: Callable[[str, Any], Response | None] | None = None
        self.clock = time.time() - 5 * DAY
        for method in METHODS:
            server.expect_request(f"/api/{method}", method="GET").respond_with_handler(
                self._handler(method)
            )

    # --- building the workspace -----------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.server.url_for("/api").rstrip("/")

    def add_channel(
        self, cid: str, name: str, *, member: bool = True, private: bool = False
    ) -> None:
        self.channels[cid] = {
            "id": cid,
            "name": name,
            "is_channel": not private,
            "is_group": False,
            "is_im": False,
            "is_private": private,
            "is_archived": False,
            "is_general": False,
            "is_member": member,
            "created": 1449252889,
            "creator": "U0ADMIN",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": f"Ask IT in #{name}", "creator": "", "last_set": 0},
        }
        self.messages.setdefault(cid, [])

    def add_user(
        self,
        uid: str,
        real_name: str,
        email: str = "",
        *,
        display_name: str = "",
        is_bot: bool = False,
        is_app_user: bool = False,
    ) -> None:
        profile: dict[str, Any] = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display_name,
            "display_name_normalized": display_name,
            "title": "",
            "image_48": "https://avatars.example/48.png",
        }
        if email:
            profile["email"] = email
        self.users[uid] = {
            "id": uid,
            "team_id": "T0ACME",
            "name": real_name.lower().replace(" ", "."),
            "deleted": False,
            "real_name": real_name,
            "tz": "Europe/Berlin",
            "is_admin": False,
            "is_owner": False,
            "is_bot": is_bot,
            "is_app_user": is_app_user,
            "is_restricted": False,
            "updated": 1700000000,
            "profile": profile,
        }

    def tick(self, seconds: float = 37.000125) -> str:
        self.clock += seconds
        return ts_of(self.clock)

    def post(
        self,
        channel: str,
        user: str | None,
        text: str,
        *,
        thread: str | None = None,
        at: float | None = None,
        **extra: Any,
    ) -> str:
        """A message (a reply when `thread` is its parent's ts); returns its ts. `at` is
        a Unix time (else the fake clock ticks)."""
        ts = ts_of(at) if at is not None else self.tick()
        msg: dict[str, Any] = {"type": "message", "text": text, "ts": ts}
        if user:
            msg["user"] = user
            msg["team"] = "T0ACME"
        if thread:
            msg["thread_ts"] = thread
            parent = self.find(channel, thread)
            msg["parent_user_id"] = parent.get("user", "")
        msg.update(extra)
        self.messages[channel].append(msg)
        return ts

    def find(self, channel: str, ts: str) -> dict[str, Any]:
        for msg in self.messages[channel]:
            if msg.get("ts") == ts:
                return msg
        raise KeyError(ts)

    def edit(self, channel: str, ts: str, text: str) -> None:
        msg = self.find(channel, ts)
        msg["text"] = text
        msg["edited"] = {"user": msg.get("user", ""), "ts": self.tick(1)}

    def requests_to(self, method: str) -> int:
        return sum(1 for req, _ in self.server.log if req.path == f"/api/{method}")

    def calls(self, method: str) -> list[Request]:
        return [req for req, _ in self.server.log if req.path == f"/api/{method}"]

    # --- serving --------------------------------------------------------------------

    def _handler(self, method: str):
        def handle(request: Request) -> Response:
            auth = request.headers.get("Authorization", "")
            if not auth:
                return self._json({"ok": False, "error": "not_authed"})
            if auth != f"Bearer {self.token}":
                return self._json({"ok": False, "error": "invalid_auth"})
            if method in self.refuse:
                return self._json({"ok": False, **self.refuse[method]})
            if self.intercept is not None:
                served = self.intercept(method, request.args)
                if served is not None:
                    return served
            return getattr(self, "_" + method.replace(".", "_"))(request.args)

        return handle

    def _json(self, body: dict[str, Any]) -> Response:
        if "ok" not in body:
            body = {"ok": True, **body}
        return Response(
            json.dumps(body),
            status=200,
            content_type="application/json; charset=utf-8",
            headers={"X-OAuth-Scopes": ",".join(self.scopes)},
        )

    def _missing(self, needed: str) -> Response | None:
        if needed in self.scopes:
            return None
        return self._json(
            {
                "ok": False,
                "error": "missing_scope",
                "needed": needed,
                "provided": ",".join(self.scopes),
            }
        )

    def _channel(self, args: Any, scope: str) -> tuple[dict[str, Any] | None, Response | None]:
        channel = self.channels.get(args.get("channel", ""))
        if channel is None or (channel["is_private"] and not channel["is_member"]):
            return None, self._json({"ok": False, "error": "channel_not_found"})
        kind = "groups" if channel["is_private"] else "channels"
        missing = self._missing(f"{kind}:{scope}")
        if missing is not None:
            return None, missing
        return channel, None

    def _auth_test(self, args: Any) -> Response:
        return self._json(
            {
                "url": "https://acme.slack.com/",
                "team": "Acme",
                "user": "earshot",
                "team_id": "T0ACME",
                "user_id": "U0EARSHOT",
                "bot_id": "B0EARSHOT",
                "is_enterprise_install": False,
            }
        )

    def _conversations_info(self, args: Any) -> Response:
        channel, error = self._channel(args, "read")
        if error is not None:
            return error
        return self._json({"channel": channel})

    def _thread_fields(self, channel: str, msg: dict[str, Any]) -> dict[str, Any]:
        replies = [
            m
            for m in self.messages[channel]
            if m.get("thread_ts") == msg["ts"] and m["ts"] != msg["ts"]
        ]
        if not replies:
            return dict(msg)
        latest = max(replies, key=_key)
        users = list(dict.fromkeys(m.get("user", "") for m in replies if m.get("user")))
        return {
            **msg,
            "thread_ts": msg["ts"],
            "reply_count": len(replies),
            "reply_users_count": len(users),
            "reply_users": users,
            "latest_reply": latest["ts"],
            "is_locked": False,
            "subscribed": False,
        }

    def _page(self, items: list[dict[str, Any]], args: Any, key: str) -> Response:
        limit = max(1, min(int(args.get("limit", 100)), 999))
        start = 0
        if args.get("cursor"):
            start = int(base64.b64decode(args["cursor"]).decode().split(":")[1])
        chunk = items[start : start + limit]
        more = start + limit < len(items)
        cursor = base64.b64encode(f"next:{start + limit}".encode()).decode() if more else ""
        return self._json(
            {
                key: chunk,
                "has_more": more,
                "pin_count": 0,
                "response_metadata": {"next_cursor": cursor},
            }
        )

    @staticmethod
    def _window(items: list[dict[str, Any]], args: Any) -> list[dict[str, Any]]:
        inclusive = args.get("inclusive") in ("true", "1")
        if args.get("oldest"):
            low = Decimal(args["oldest"])
            items = [m for m in items if _key(m) > low or (inclusive and _key(m) == low)]
        if args.get("latest"):
            high = Decimal(args["latest"])
            items = [m for m in items if _key(m) < high or (inclusive and _key(m) == high)]
        return items

    def _conversations_history(self, args: Any) -> Response:
        channel, error = self._channel(args, "history")
        if error is not None:
            return error
        assert channel is not None
        if not channel["is_member"]:
            return self._json({"ok": False, "error": "not_in_channel"})
        cid = channel["id"]
        shown = [
            self._thread_fields(cid, m)
            for m in self.messages[cid]
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        shown = self._window(shown, args)
        shown.sort(key=_key, reverse=True)
        return self._page(shown, args, "messages")

    def _conversations_replies(self, args: Any) -> Response:
        channel, error = self._channel(args, "history")
        if error is not None:
            return error
        assert channel is not None
        if not channel["is_member"]:
            return self._json({"ok": False, "error": "not_in_channel"})
        cid = channel["id"]
        try:
            parent = self.find(cid, args.get("ts", ""))
        except KeyError:
            return self._json({"ok": False, "error": "thread_not_found"})
        replies = [
            m
            for m in self.messages[cid]
            if m.get("thread_ts") == parent["ts"] and m["ts"] != parent["ts"]
        ]
        replies.sort(key=_key)
        thread = [self._thread_fields(cid, parent), *self._window(replies, args)]
        return self._page(thread, args, "messages")

    def _users_info(self, args: Any) -> Response:
        missing = self._missing("users:read")
        if missing is not None:
            return missing
        user = self.users.get(args.get("user", ""))
        if user is None:
            return self._json({"ok": False, "error": "user_not_found"})
        if "users:read.email" not in self.scopes:
            user = {**user, "profile": {k: v for k, v in user["profile"].items() if k != "email"}}
        return self._json({"user": user})
