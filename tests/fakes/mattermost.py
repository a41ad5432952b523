"""A fake Mattermost server (API v4) served by pytest-httpserver, speaking its JSON shapes.

Endpoints (see collectors/mattermost for the documentation they follow):
- GET  /api/v4/channels/{id}/posts    page + per_page (newest first, deleted left out,
                                      roots of the listed replies added to `posts`)
                                      | since (modified after, deleted included, roots of
                                      the modified posts added to `posts`, capped)
- POST /api/v4/users/ids              JSON array of user ids -> array of users
- GET  /api/v4/users/me
- GET  /api/v4/channels/{id}
- GET  /api/v4/teams/name/{name}

As on a real server, a reply moves its root's `update_at`, an edit sets `edit_at` and
`update_at`, a deletion sets `delete_at` and `update_at`. `since` with `page`/`per_page`
is refused (the documentation forbids combining them). Every request needs
`Authorization: Bearer {token}` (401 with Mattermost's error body otherwise).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

POSTS = re.compile(r"^/api/v4/channels/([a-z0-9]{26})/posts$")
CHANNEL = re.compile(r"^/api/v4/channels/([a-z0-9]{26})$")
TEAM = re.compile(r"^/api/v4/teams/name/([^/]+)$")
USERS_IDS = "/api/v4/users/ids"
ME = "/api/v4/users/me"


def mm_id(prefix: str, n: int) -> str:
    """A 26-character Mattermost-style id."""
    return (prefix + str(n).rjust(26 - len(prefix), "0"))[:26]


def _error(status: int, message: str, error_id: str) -> Response:
    body = {
        "id": error_id,
        "message": message,
        "detailed_error": "",
        "request_id": "r" * 26,
        "status_code": status,
    }
    return Response(json.dumps(body), status=status, content_type="application/json")


class FakeMattermost:
    def __init__(self, server: HTTPServer, *, token: str = "mm-token") -> None:
        self.server = server
        self.token = token
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.teams = {"it-support": {"id": mm_id("t", 1), "name": "it-support"}}
        self.posts: dict[str, dict[str, Any]] = {}
        # Milliseconds; recent, so posts fall inside any start_date a test does not set.
        self.clock = int((datetime.now(UTC) - timedelta(days=3)).timestamp() * 1000)
        self.next_post = 1
        self.since_cap = 1000
        self._raw_meta: dict[str, tuple[str, int]] = {}
        self.me = self.add_user(mm_id("u", 99), "earshot-bot", "Earshot", "Bot", "", is_bot=True)
        # path prefix -> (status, message): permanent failures, e.g. a 403 on one channel.
        self.refuse: dict[str, tuple[int, str]] = {}
        server.expect_request(POSTS, method="GET").respond_with_handler(self._posts)
        server.expect_request(USERS_IDS, method="POST").respond_with_handler(self._users_ids)
        server.expect_request(ME, method="GET").respond_with_handler(self._me)
        server.expect_request(CHANNEL, method="GET").respond_with_handler(self._channel)
        server.expect_request(TEAM, method="GET").respond_with_handler(self._team)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def tick(self, seconds: float = 1) -> int:
        self.clock += int(seconds * 1000)
        return self.clock

    # --- building the server ----------------------------------------------------------

    def add_user(
        self,
        uid: str,
        username: str,
        first: str,
        last: str,
        email: str,
        *,
        is_bot: bool = False,
    ) -> str:
        self.users[uid] = {
            "id": uid,
            "create_at": self.clock,
            "update_at": self.clock,
            "delete_at": 0,
            "username": username,
            "first_name": first,
            "last_name": last,
            "nickname": "",
            "email": email,
            "email_verified": True,
            "auth_service": "",
            "roles": "system_user",
            "locale": "en",
            "is_bot": is_bot,
        }
        return uid

    def add_channel(self, cid: str, name: str, *, private: bool = False) -> str:
        self.channels[cid] = {
            "id": cid,
            "create_at": self.clock,
            "update_at": self.clock,
            "delete_at": 0,
            "team_id": self.teams["it-support"]["id"],
            "type": "P" if private else "O",
            "display_name": name.replace("-", " ").title(),
            "name": name,
            "header": "",
            "purpose": "",
        }
        return cid

    def post(
        self,
        cid: str,
        uid: str,
        message: str,
        *,
        root_id: str = "",
        type_: str = "",
        props: dict[str, Any] | None = None,
        after: float = 1,
    ) -> str:
        """A new post `after` seconds after the last change (a reply bumps its root)."""
        now = self.tick(after)
        pid = mm_id("p", self.next_post)
        self.next_post += 1
        self.posts[pid] = {
            "id": pid,
            "create_at": now,
            "update_at": now,
            "edit_at": 0,
            "delete_at": 0,
            "is_pinned": False,
            "user_id": uid,
            "channel_id": cid,
            "root_id": root_id,
            "original_id": "",
            "message": message,
            "type": type_,
            "props": props or {},
            "hashtags": "",
            "pending_post_id": "",
            "reply_count": 0,
            "metadata": {},
        }
        if root_id and root_id in self.posts:
            self.posts[root_id]["update_at"] = now
        return pid

    def add_raw(self, pid: str, post: Any, *, channel_id: str) -> None:
        """Any JSON as a post (to serve malformed ones); listed as modified now."""
        now = self.tick()
        self.posts[pid] = post
        self._raw_meta[pid] = (channel_id, now)

    def edit(self, pid: str, message: str) -> None:
        now = self.tick()
        self.posts[pid].update(message=message, edit_at=now, update_at=now)

    def delete(self, pid: str) -> None:
        now = self.tick()
        self.posts[pid].update(delete_at=now, update_at=now)

    def requests_to(self, path: str, method: str = "GET") -> int:
        return sum(
            1 for req, _ in self.server.log if re.fullmatch(path, req.path) and req.method == method
        )

    # --- serving ----------------------------------------------------------------------

    def _auth_error(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(
                401,
                "Invalid or expired session, please login again.",
                "api.context.session_expired.app_error",
            )
        for prefix, (status, message) in self.refuse.items():
            if request.path.startswith(prefix):
                return _error(status, message, "api.context.permissions.app_error")
        return None

    def _meta(self, pid: str, post: Any) -> tuple[str, int, int]:
        """channel, create_at, update_at of any stored post (raw ones included)."""
        if pid in self._raw_meta:
            channel, at = self._raw_meta[pid]
            return channel, at, at
        return post["channel_id"], post["create_at"], post["update_at"]

    def _posts(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = POSTS.match(request.path)
        assert match
        cid = match.group(1)
        if cid not in self.channels:
            return _error(404, "Unable to find the existing channel.", "app.channel.get.existing")
        mine = [(pid, p) for pid, p in self.posts.items() if self._meta(pid, p)[0] == cid]
        # Newest first, as the server's CreateAt DESC.
        mine.sort(key=lambda item: self._meta(*item)[1], reverse=True)
        args = request.args
        if "since" in args:
            if any(k in args for k in ("page", "per_page", "before", "after")):
                return _error(400, "since cannot be combined", "api.context.invalid_param")
            since = int(args["since"])
            changed = [(pid, p) for pid, p in mine if self._meta(pid, p)[2] > since]
            changed = changed[: self.since_cap]
            posts = {pid: p for pid, p in changed}
            for _, p in changed:
                root = p.get("root_id") if isinstance(p, dict) else ""
                if root and root in self.posts:
                    posts.setdefault(root, self.posts[root])
            order = [pid for pid, _ in changed]
        else:
            page = int(args.get("page", 0))
            per_page = min(int(args.get("per_page", 60)), 200)
            live = [
                (pid, p)
                for pid, p in mine
                if not (isinstance(p, dict) and (p.get("delete_at") or 0) > 0)
            ]
            chunk = live[page * per_page : (page + 1) * per_page]
            posts = {pid: p for pid, p in chunk}
            order = [pid for pid, _ in chunk]
            # getParentsPosts: the roots of the listed replies come along in `posts`.
            for _, p in chunk:
                root = p.get("root_id") if isinstance(p, dict) else ""
                if root and root in self.posts:
                    posts.setdefault(root, self.posts[root])
        body = {
            "order": order,
            "posts": posts,
            "next_post_id": "",
            "prev_post_id": "",
            "has_next": False,
        }
        return Response(json.dumps(body), content_type="application/json")

    def _users_ids(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        ids = json.loads(request.get_data(as_text=True) or "[]")
        found = [self.users[i] for i in ids if i in self.users]
        return Response(json.dumps(found), content_type="application/json")

    def _me(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        return Response(json.dumps(self.users[self.me]), content_type="application/json")

    def _channel(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = CHANNEL.match(request.path)
        assert match
        channel = self.channels.get(match.group(1))
        if channel is None:
            return _error(404, "Unable to find the existing channel.", "app.channel.get.existing")
        return Response(json.dumps(channel), content_type="application/json")

    def _team(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = TEAM.match(request.path)
        assert match
        team = self.teams.get(match.group(1))
        if team is None:
            return _error(404, "Unable to find the existing team.", "app.team.get_by_name")
        return Response(json.dumps(team), content_type="application/json")
