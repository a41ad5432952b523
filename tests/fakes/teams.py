"""A fake Microsoft Graph (Teams channel messages) and Entra ID token endpoint, served by
pytest-httpserver, speaking their JSON shapes.

Endpoints (see collectors/teams for the documentation they follow):
- POST /{tenant}/oauth2/v2.0/token                          client-credentials grant (form)
- GET  /v1.0/teams/{team}/channels/{channel}                channel
- GET  /v1.0/teams/{team}/channels/{channel}/messages       $top (newest root posts)
- GET  /v1.0/teams/{team}/channels/{channel}/messages/delta  $top, $filter (lastModified-
                                                            DateTime gt), $skiptoken,
                                                            $deltatoken
- GET  /v1.0/teams/{team}/channels/{channel}/messages/{id}/replies  $top, $skiptoken
- GET  /v1.0/users/{id}, GET /v1.0/users                    $select

As Graph documents it, the delta lists root posts only, and a reply does not change its
post: only creating, editing or deleting a post moves it into the next round. Each
change gets a sequence number; a `$deltatoken` is the last number a round saw. Every Graph
request needs `Authorization: Bearer {token}` with a token this fake issued and has not
revoked (401 InvalidAuthenticationToken otherwise).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

TENANT = "2432b57b-0abd-43db-aa7b-16eadd115d34"
CLIENT = "8ea0e38b-efb3-4757-924a-5f94061cf8c2"
TEAM = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"
TOKEN = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
CHANNEL = re.compile(r"^/v1\.0/teams/([^/]+)/channels/([^/]+)$")
MESSAGES = re.compile(r"^/v1\.0/teams/([^/]+)/channels/([^/]+)/messages$")
DELTA = re.compile(r"^/v1\.0/teams/([^/]+)/channels/([^/]+)/messages/delta$")
REPLIES = re.compile(r"^/v1\.0/teams/([^/]+)/channels/([^/]+)/messages/([^/]+)/replies$")
USER = re.compile(r"^/v1\.0/users/([^/]+)$")
USERS = "/v1.0/users"


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def graph_error(status: int, code: str, message: str) -> Response:
    return _json({"error": {"code": code, "message": message, "innerError": {}}}, status)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


class FakeGraph:
    def __init__(self, server: HTTPServer, *, secret: str = "s3cret~value") -> None:
        self.server = server
        self.secret = secret
        self.expires_in = 3599
        self.tokens: set[str] = set()
        self.issued = 0
        self.channels: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.seq = 0
        self.clock = datetime.now(UTC) - timedelta(days=3)
        # path prefix -> (status, code, message): e.g. a missing permission on a channel.
        self.refuse: dict[str, tuple[int, str, str]] = {}
        server.expect_request(TOKEN, method="POST").respond_with_handler(self._token)
        server.expect_request(DELTA, method="GET").respond_with_handler(self._delta)
        server.expect_request(REPLIES, method="GET").respond_with_handler(self._replies)
        server.expect_request(MESSAGES, method="GET").respond_with_handler(self._messages)
        server.expect_request(CHANNEL, method="GET").respond_with_handler(self._channel)
        server.expect_request(USER, method="GET").respond_with_handler(self._user)
        server.expect_request(USERS, method="GET").respond_with_handler(self._users)

    @property
    def login_base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    @property
    def graph_base_url(self) -> str:
        return self.server.url_for("/v1.0")

    # --- building the team ------------------------------------------------------------

    def add_user(self, uid: str, name: str, mail: str = "", upn: str = "") -> str:
        self.users[uid] = {
            "id": uid,
            "displayName": name,
            "mail": mail or None,
            "userPrincipalName": upn or mail,
        }
        return uid

    def add_channel(self, cid: str, name: str) -> str:
        self.channels[cid] = {"name": name, "roots": {}, "replies": {}, "changes": {}}
        return cid

    def _tick(self, minutes: float) -> datetime:
        self.clock += timedelta(minutes=minutes)
        return self.clock

    def _message(
        self,
        cid: str,
        author: str,
        html: str,
        *,
        root: str | None,
        app: bool,
        at: datetime,
        message_type: str = "message",
        subject: str | None = None,
    ) -> dict[str, Any]:
        mid = str(int(at.timestamp() * 1000))
        sender: dict[str, Any] = {"application": None, "device": None, "user": None}
        if app:
            sender["application"] = {
                "@odata.type": "#microsoft.graph.teamworkApplicationIdentity",
                "id": author,
                "displayName": "Service Desk Bot",
                "applicationIdentityType": "bot",
            }
        elif message_type == "message":
            user = self.users[author]
            sender["user"] = {
                "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                "id": author,
                "displayName": user["displayName"],
                "userIdentityType": "aadUser",
                "tenantId": TENANT,
            }
        else:
            sender = None  # type: ignore[assignment]
        link = f"https://teams.microsoft.com/l/message/{quote(cid, safe='')}/{mid}?" + urlencode(
            {"groupId": TEAM, "tenantId": TENANT, "parentMessageId": root or mid}
        )
        return {
            "@odata.type": "#microsoft.graph.chatMessage",
            "id": mid,
            "replyToId": root,
            "etag": mid,
            "messageType": message_type,
            "createdDateTime": _iso(at),
            "lastModifiedDateTime": _iso(at),
            "lastEditedDateTime": None,
            "deletedDateTime": None,
            "subject": subject,
            "summary": None,
            "chatId": None,
            "importance": "normal",
            "locale": "en-us",
            "webUrl": link,
            "policyViolation": None,
            "eventDetail": None,
            "from": sender,
            "body": {"contentType": "html", "content": html},
            "channelIdentity": {"teamId": TEAM, "channelId": cid},
            "attachments": [],
            "mentions": [],
            "reactions": [],
        }

    def post(
        self,
        cid: str,
        author: str,
        html: str,
        *,
        app: bool = False,
        subject: str | None = None,
        message_type: str = "message",
        after: float = 7,
    ) -> str:
        """A root post `after` minutes after the last change."""
        msg = self._message(
            cid,
            author,
            html,
            root=None,
            app=app,
            at=self._tick(after),
            subject=subject,
            message_type=message_type,
        )
        channel = self.channels[cid]
        channel["roots"][msg["id"]] = msg
        channel["replies"][msg["id"]] = []
        self._changed(cid, msg["id"])
        return msg["id"]

    def reply(
        self, cid: str, root: str, author: str, html: str, *, app: bool = False, after: float = 7
    ) -> str:
        """A reply: the post's delta entry does not change (Graph's documented behaviour)."""
        msg = self._message(cid, author, html, root=root, app=app, at=self._tick(after))
        self.channels[cid]["replies"][root].append(msg)
        return msg["id"]

    def add_raw_reply(self, cid: str, root: str, item: Any) -> None:
        self.channels[cid]["replies"][root].append(item)

    def find(self, cid: str, mid: str) -> tuple[dict[str, Any], bool]:
        channel = self.channels[cid]
        if mid in channel["roots"]:
            return channel["roots"][mid], True
        for replies in channel["replies"].values():
            for msg in replies:
                if isinstance(msg, dict) and msg.get("id") == mid:
                    return msg, False
        raise KeyError(mid)

    def edit(self, cid: str, mid: str, html: str, after: float = 7) -> None:
        msg, is_root = self.find(cid, mid)
        now = _iso(self._tick(after))
        msg["body"]["content"] = html
        msg.update(lastModifiedDateTime=now, lastEditedDateTime=now)
        if is_root:
            self._changed(cid, mid)

    def delete(self, cid: str, mid: str, after: float = 7) -> None:
        msg, is_root = self.find(cid, mid)
        now = _iso(self._tick(after))
        msg.update(deletedDateTime=now, lastModifiedDateTime=now)
        msg["body"]["content"] = ""
        if is_root:
            self._changed(cid, mid)

    def _changed(self, cid: str, mid: str) -> None:
        self.seq += 1
        self.channels[cid]["changes"][mid] = self.seq

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def requests_to(self, path: str, method: str = "GET") -> int:
        return sum(
            1 for req, _ in self.server.log if re.fullmatch(path, req.path) and req.method == method
        )

    # --- serving ----------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        tenant = TOKEN.match(request.path).group(1)  # type: ignore[union-attr]
        form = request.form
        if tenant != TENANT:
            return _json(
                {
                    "error": "invalid_request",
                    "error_description": f"AADSTS90002: Tenant '{tenant}' not found.\r\nTrace ID: x",
                },
                400,
            )
        if form.get("grant_type") != "client_credentials" or form.get("scope") != (
            "https://graph.microsoft.com/.default"
        ):
            return _json({"error": "invalid_request", "error_description": "AADSTS900144"}, 400)
        if form.get("client_id") != CLIENT:
            return _json(
                {
                    "error": "unauthorized_client",
                    "error_description": "AADSTS700016: Application with identifier was not "
                    "found in the directory.",
                },
                400,
            )
        if form.get("client_secret") != self.secret:
            return _json(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided. "
                    "Ensure the secret being sent in the request is the client secret value.",
                },
                401,
            )
        self.issued += 1
        token = f"eyJ0eXAi.fake-{self.issued}"
        self.tokens.add(token)
        return _json(
            {
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "ext_expires_in": self.expires_in,
                "access_token": token,
            }
        )

    def _auth_error(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in self.tokens:
            return graph_error(
                401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."
            )
        for prefix, (status, code, message) in self.refuse.items():
            if request.path.startswith(prefix):
                return graph_error(status, code, message)
        return None

    def _channel_of(
        self, request: Request, pattern: re.Pattern[str]
    ) -> tuple[Any, Response | None]:
        match = pattern.match(request.path)
        assert match
        team, cid = match.group(1), match.group(2)
        if team != TEAM or cid not in self.channels:
            return None, graph_error(404, "NotFound", "Resource not found.")
        return match, None

    def _channel(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match, err = self._channel_of(request, CHANNEL)
        if err is not None:
            return err
        cid = match.group(2)
        return _json(
            {"id": cid, "displayName": self.channels[cid]["name"], "membershipType": "standard"}
        )

    def _messages(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match, err = self._channel_of(request, MESSAGES)
        if err is not None:
            return err
        roots = list(self.channels[match.group(2)]["roots"].values())
        top = int(request.args.get("$top", 20))
        return _json({"value": roots[::-1][:top]})

    def _delta(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match, err = self._channel_of(request, DELTA)
        if err is not None:
            return err
        cid = match.group(2)
        channel = self.channels[cid]
        args = request.args
        if "$deltatoken" in args:
            token = args["$deltatoken"]
            if not token.isdigit():
                return graph_error(410, "SyncStateNotFound", "The sync state was not found.")
            base, offset, top, floor = int(token), 0, 50, ""
        elif "$skiptoken" in args:
            base_s, offset_s, top_s, floor = args["$skiptoken"].split("~")
            base, offset, top = int(base_s), int(offset_s), int(top_s)
        else:
            top = min(int(args.get("$top", 50)), 50)
            base, offset, floor = 0, 0, ""
            if "$filter" in args:
                m = re.fullmatch(r"lastModifiedDateTime gt (\S+)", args["$filter"])
                if not m:
                    return graph_error(400, "BadRequest", "Unsupported filter")
                floor = m.group(1)
        items = sorted((seq, mid) for mid, seq in channel["changes"].items() if seq > base)
        roots = [channel["roots"][mid] for _, mid in items]
        if floor:
            cut = datetime.fromisoformat(floor.replace("Z", "+00:00"))
            roots = [
                r
                for r in roots
                if datetime.fromisoformat(r["lastModifiedDateTime"].replace("Z", "+00:00")) > cut
            ]
        page = roots[offset : offset + top]
        url = self.graph_base_url + request.path[len("/v1.0") :]
        body: dict[str, Any] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(chatMessage)",
            "value": page,
        }
        if offset + top < len(roots):
            body["@odata.nextLink"] = f"{url}?$skiptoken={base}~{offset + top}~{top}~{floor}"
        else:
            body["@odata.deltaLink"] = f"{url}?$deltatoken={self.seq}"
        return _json(body)

    def _replies(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match, err = self._channel_of(request, REPLIES)
        if err is not None:
            return err
        cid, root = match.group(2), match.group(3)
        replies = self.channels[cid]["replies"].get(root)
        if replies is None:
            return graph_error(404, "NotFound", "Message not found.")
        newest_first = replies[::-1]
        top = min(int(request.args.get("$top", 50)), 50)
        offset = int(request.args.get("$skiptoken", 0))
        body: dict[str, Any] = {
            "@odata.count": len(replies),
            "value": newest_first[offset : offset + top],
        }
        if offset + top < len(replies):
            url = self.graph_base_url + request.path[len("/v1.0") :]
            body["@odata.nextLink"] = f"{url}?$top={top}&$skiptoken={offset + top}"
        return _json(body)

    def _user(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        uid = USER.match(request.path).group(1)  # type: ignore[union-attr]
        user = self.users.get(uid)
        if user is None:
            return graph_error(404, "Request_ResourceNotFound", f"Resource '{uid}' does not exist.")
        wanted = (request.args.get("$select") or "id,displayName,mail").split(",")
        return _json({k: user.get(k) for k in wanted})

    def _users(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        return _json({"value": [{"mail": u.get("mail")} for u in list(self.users.values())[:1]]})
