"""A fake Matrix homeserver (Client-Server API v3) served by pytest-httpserver.

Endpoints (see collectors/matrix for the specification they follow):
- GET /_matrix/client/v3/rooms/{roomId}/messages   dir=f only; from (optional: the room's
                                                   start), limit, filter (types,
                                                   lazy_load_members)
- GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}
- GET /_matrix/client/v3/rooms/{roomId}/state/m.room.encryption
- GET /_matrix/client/v3/profile/{userId}
- GET /_matrix/client/v3/account/whoami
- GET /_matrix/client/v3/joined_rooms

Pagination tokens are positions in a room's timeline ("t{n}": after n events). As Synapse
does, `end` is left out when no event is left, and kept when a filter removed every event
of the slice; `legacy_end` answers like Synapse before 1.6x (an empty chunk with `end`
equal to `from`). Every request needs `Authorization: Bearer {token}` (401
M_UNKNOWN_TOKEN otherwise); a room the bot has not joined answers 403 M_FORBIDDEN.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

API = "/_matrix/client/v3"
MESSAGES = re.compile(rf"^{API}/rooms/(![^/]+)/messages$")
EVENT = re.compile(rf"^{API}/rooms/(![^/]+)/event/(\$[^/]+)$")
ENCRYPTION = re.compile(rf"^{API}/rooms/(![^/]+)/state/m\.room\.encryption/?$")
PROFILE = re.compile(rf"^{API}/profile/(@[^/]+)$")
WHOAMI = f"{API}/account/whoami"
JOINED = f"{API}/joined_rooms"


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, content_type="application/json", headers=headers
    )


def _error(status: int, errcode: str, error: str) -> Response:
    return _json({"errcode": errcode, "error": error}, status)


class FakeMatrix:
    def __init__(
        self, server: HTTPServer, *, token: str = "mx-token", user: str = "@earshot:corp.example"
    ) -> None:
        self.server = server
        self.token = token
        self.user = user
        self.rooms: dict[str, dict[str, Any]] = {}
        self.joined: set[str] = set()
        self.profiles: dict[str, str] = {}
        self.clock = int((datetime.now(UTC) - timedelta(days=3)).timestamp() * 1000)
        self.next_event = 1
        self.legacy_end = False
        server.expect_request(MESSAGES, method="GET").respond_with_handler(self._messages)
        server.expect_request(EVENT, method="GET").respond_with_handler(self._event)
        server.expect_request(ENCRYPTION, method="GET").respond_with_handler(self._encryption)
        server.expect_request(PROFILE, method="GET").respond_with_handler(self._profile)
        server.expect_request(WHOAMI, method="GET").respond_with_handler(self._whoami)
        server.expect_request(JOINED, method="GET").respond_with_handler(self._joined)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    # --- building rooms ---------------------------------------------------------------

    def add_room(self, room: str, *, joined: bool = True, encrypted: bool = False) -> str:
        self.rooms[room] = {"events": [], "members": {}, "encrypted": encrypted}
        if joined:
            self.joined.add(room)
        return room

    def join(self, room: str, user: str, displayname: str) -> str:
        """A member joins: an m.room.member state event in the timeline."""
        self.rooms[room]["members"][user] = displayname
        self.profiles.setdefault(user, displayname)
        return self._append(
            room,
            {
                "type": "m.room.member",
                "state_key": user,
                "sender": user,
                "content": {"membership": "join", "displayname": displayname},
            },
        )

    def send(
        self,
        room: str,
        sender: str,
        body: str,
        *,
        msgtype: str = "m.text",
        relates_to: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        after: float = 1,
    ) -> str:
        content: dict[str, Any] = {"msgtype": msgtype, "body": body, **(extra or {})}
        if relates_to:
            content["m.relates_to"] = relates_to
        return self._append(
            room, {"type": "m.room.message", "sender": sender, "content": content}, after=after
        )

    def thread_reply(self, room: str, sender: str, root: str, body: str, after: float = 1) -> str:
        return self.send(
            room,
            sender,
            body,
            relates_to={
                "rel_type": "m.thread",
                "event_id": root,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": root},
            },
            after=after,
        )

    def reply(self, room: str, sender: str, parent: str, body: str, after: float = 1) -> str:
        """A rich reply with the legacy fallback clients used to send."""
        quoted = self.find(room, parent)
        first, *rest = quoted["content"]["body"].split("\n")
        fallback = "\n".join([f"> <{quoted['sender']}> {first}", *(f"> {r}" for r in rest)])
        return self.send(
            room,
            sender,
            f"{fallback}\n\n{body}",
            relates_to={"m.in_reply_to": {"event_id": parent}},
            extra={
                "format": "org.matrix.custom.html",
                "formatted_body": f"<mx-reply><blockquote>quoted</blockquote></mx-reply>{body}",
            },
            after=after,
        )

    def edit(self, room: str, sender: str, original: str, body: str, after: float = 1) -> str:
        return self.send(
            room,
            sender,
            f"* {body}",
            relates_to={"rel_type": "m.replace", "event_id": original},
            extra={"m.new_content": {"msgtype": "m.text", "body": body}},
            after=after,
        )

    def redact(self, room: str, event_id: str, by: str) -> str:
        redaction = self._append(
            room, {"type": "m.room.redaction", "sender": by, "redacts": event_id, "content": {}}
        )
        target = self.find(room, event_id)
        target["content"] = {}
        target.setdefault("unsigned", {})["redacted_because"] = self.find(room, redaction)
        return redaction

    def add_raw(self, room: str, event: Any) -> None:
        self.rooms[room]["events"].append(event)

    def find(self, room: str, event_id: str) -> dict[str, Any]:
        for event in self.rooms[room]["events"]:
            if isinstance(event, dict) and event.get("event_id") == event_id:
                return event
        raise KeyError(event_id)

    def _append(self, room: str, event: dict[str, Any], after: float = 1) -> str:
        self.clock += int(after * 1000)
        event_id = f"$e{self.next_event}"
        self.next_event += 1
        event.update(event_id=event_id, room_id=room, origin_server_ts=self.clock)
        event.setdefault("unsigned", {})
        self.rooms[room]["events"].append(event)
        return event_id

    def requests_to(self, path: str) -> int:
        return sum(1 for req, _ in self.server.log if re.fullmatch(path, req.path))

    # --- serving ----------------------------------------------------------------------

    def _auth_error(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "M_UNKNOWN_TOKEN", "Invalid access token passed.")
        return None

    def _room(self, request: Request, pattern: re.Pattern[str]) -> tuple[str, Response | None]:
        match = pattern.match(request.path)
        assert match
        room = match.group(1)
        if room not in self.rooms or room not in self.joined:
            return room, _error(403, "M_FORBIDDEN", f"User {self.user} not in room {room}")
        return room, None

    def _messages(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        room, err = self._room(request, MESSAGES)
        if err is not None:
            return err
        if request.args.get("dir") != "f":
            return _error(400, "M_INVALID_PARAM", "this fake pages forward only")
        start = request.args.get("from") or "t0"
        position = int(start[1:])
        limit = int(request.args.get("limit", 10))
        events = self.rooms[room]["events"]
        window = events[position : position + limit]
        if not window:
            body: dict[str, Any] = {"chunk": [], "start": start}
            if self.legacy_end:
                body["end"] = start
            return _json(body)
        filt = json.loads(request.args.get("filter") or "{}")
        types = filt.get("types")
        chunk = [
            e for e in window if types is None or not isinstance(e, dict) or e.get("type") in types
        ]
        state = []
        if filt.get("lazy_load_members"):
            members = self.rooms[room]["members"]
            senders = {e.get("sender") for e in chunk if isinstance(e, dict)}
            state = [
                {
                    "type": "m.room.member",
                    "state_key": user,
                    "sender": user,
                    "content": {"membership": "join", "displayname": members[user]},
                }
                for user in sorted(s for s in senders if s in members)
            ]
        return _json(
            {"chunk": chunk, "start": start, "end": f"t{position + len(window)}", "state": state}
        )

    def _event(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        room, err = self._room(request, EVENT)
        if err is not None:
            return err
        event_id = EVENT.match(request.path).group(2)  # type: ignore[union-attr]
        try:
            return _json(self.find(room, event_id))
        except KeyError:
            return _error(404, "M_NOT_FOUND", "Could not find event")

    def _encryption(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        room, err = self._room(request, ENCRYPTION)
        if err is not None:
            return err
        if self.rooms[room]["encrypted"]:
            return _json({"algorithm": "m.megolm.v1.aes-sha2"})
        return _error(404, "M_NOT_FOUND", "Event not found.")

    def _profile(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        user = PROFILE.match(request.path).group(1)  # type: ignore[union-attr]
        if user not in self.profiles:
            return _error(404, "M_NOT_FOUND", "Profile was not found")
        return _json({"displayname": self.profiles[user]})

    def _whoami(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        return _json({"user_id": self.user, "device_id": "EARSHOT", "is_guest": False})

    def _joined(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        return _json({"joined_rooms": sorted(self.joined)})
