"""A fake ServiceNow Table API served by pytest-httpserver, speaking its JSON shapes.

GET /api/now/table/{table} for incident, sys_journal_field, sys_user, sys_user_has_role,
with the parameters the connector uses (see collectors/servicenow for the documentation):
sysparm_query (conditions joined by ^: `f=v`, `f>=v`, `fINa,b`, `ORDERBYf`; dot-walked
fields; `javascript:gs.getUserID()`), sysparm_fields (dot-walked), sysparm_limit,
sysparm_offset. Answers `{"result": [...]}` with a `Link` header (first/prev/next/last,
next only when more rows exist) and errors as `{"error": {message, detail}, "status":
"failure"}`. Basic auth or a bearer token is checked on every request.

Adding or editing a journal entry updates the incident's sys_updated_on, as ServiceNow
does when a comment is added through the form or the API.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLE_RE = re.compile(r"^/api/now/table/([a-z_]+)$")
INCIDENT = "/api/now/table/incident"
JOURNAL = "/api/now/table/sys_journal_field"
SYS_USER = "/api/now/table/sys_user"
HAS_ROLE = "/api/now/table/sys_user_has_role"

# (table, reference field) -> referenced table
REFS = {
    ("incident", "caller_id"): "sys_user",
    ("incident", "assignment_group"): "sys_user_group",
    ("sys_user", "department"): "cmn_department",
    ("sys_user_has_role", "user"): "sys_user",
    ("sys_user_has_role", "role"): "sys_user_role",
}


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _sid(prefix: str, n: int) -> str:
    return f"{prefix}{n:0>{32 - len(prefix)}x}"


class FakeServiceNow:
    def __init__(
        self, server: HTTPServer, *, username: str = "earshot.integration", password: str = "pw"
    ) -> None:
        self.server = server
        self.username, self.password = username, password
        self.token = "sn-oauth-token"
        self.tables: dict[str, dict[str, dict[str, Any]]] = {
            t: {}
            for t in (
                "incident",
                "sys_journal_field",
                "sys_user",
                "sys_user_group",
                "cmn_department",
                "sys_user_has_role",
                "sys_user_role",
            )
        }
        self.clock = T0
        self.counter = 0
        # table -> (status, message, detail): permanent failures, e.g. a 403 on journals.
        self.refuse: dict[str, tuple[int, str, str | None]] = {}
        # A 503 for requests whose sysparm_query contains this text (a failure mid-run).
        self.fail_query = ""
        self.me = self.add_user("earshot.integration", "Earshot Integration", "int@corp.example")
        self.add_role(self.me, "admin")
        server.expect_request(TABLE_RE, method="GET").respond_with_handler(self._table)

    # --- building the instance ------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _new_id(self, prefix: str) -> str:
        self.counter += 1
        return _sid(prefix, self.counter)

    def _tick(self) -> str:
        self.clock += timedelta(minutes=1)
        return _ts(self.clock)

    def add_department(self, name: str) -> str:
        sid = self._new_id("dep")
        self.tables["cmn_department"][sid] = {"sys_id": sid, "name": name}
        return sid

    def add_group(self, name: str) -> str:
        sid = self._new_id("grp")
        self.tables["sys_user_group"][sid] = {"sys_id": sid, "name": name}
        return sid

    def add_user(self, user_name: str, name: str, email: str, department: str = "") -> str:
        sid = self._new_id("usr")
        self.tables["sys_user"][sid] = {
            "sys_id": sid,
            "user_name": user_name,
            "name": name,
            "email": email,
            "department": department,
            "active": "true",
            "sys_created_on": _ts(T0),
            "sys_updated_on": _ts(T0),
        }
        return sid

    def add_role(self, user_sys_id: str, role: str) -> None:
        roles = self.tables["sys_user_role"]
        role_id = next((k for k, v in roles.items() if v["name"] == role), None)
        if role_id is None:
            role_id = self._new_id("rol")
            roles[role_id] = {"sys_id": role_id, "name": role}
        sid = self._new_id("uhr")
        self.tables["sys_user_has_role"][sid] = {
            "sys_id": sid,
            "user": user_sys_id,
            "role": role_id,
            "inherited": "false",
            "state": "active",
        }

    def add_incident(
        self,
        number: int,
        short_description: str,
        *,
        caller: str,
        comment: str,
        category: str = "",
        subcategory: str = "",
        group: str = "",
    ) -> str:
        """An incident opened by its caller with a first additional comment; returns its sys_id."""
        sid = _sid("inc", number)
        now = self._tick()
        self.tables["incident"][sid] = {
            "sys_id": sid,
            "number": f"INC{number:07d}",
            "short_description": short_description,
            "caller_id": caller,
            "opened_by": caller,
            "category": category,
            "subcategory": subcategory,
            "assignment_group": group,
            "contact_type": "self-service",
            "state": "1",
            "active": "true",
            "sys_created_on": now,
            "sys_created_by": self._user(caller)["user_name"],
            "sys_updated_on": now,
            "sys_updated_by": self._user(caller)["user_name"],
            "sys_mod_count": "0",
        }
        self.add_comment(sid, self._user(caller)["user_name"], comment)
        return sid

    def _user(self, sid: str) -> dict[str, Any]:
        return self.tables["sys_user"][sid]

    def add_comment(
        self, incident: str, user_name: str, value: str, *, element: str = "comments"
    ) -> str:
        now = self._tick()
        return self.add_raw_journal(
            {
                "sys_id": self._new_id("jrn"),
                "name": "incident",
                "element": element,
                "element_id": incident,
                "value": value,
                "sys_created_on": now,
                "sys_created_by": user_name,
            },
            now=now,
        )

    def add_raw_journal(self, entry: dict[str, Any], now: str | None = None) -> str:
        """Any JSON as a journal row (to serve malformed ones)."""
        now = now or self._tick()
        self.tables["sys_journal_field"][entry.get("sys_id") or self._new_id("bad")] = entry
        self._touch(entry["element_id"], now)
        return str(entry.get("sys_id"))

    def edit_comment(self, sys_id: str, value: str) -> None:
        self.tables["sys_journal_field"][sys_id]["value"] = value
        self._touch(self.tables["sys_journal_field"][sys_id]["element_id"], self._tick())

    def _touch(self, incident: str, now: str) -> None:
        inc = self.tables["incident"][incident]
        inc["sys_updated_on"] = now
        inc["sys_mod_count"] = str(int(inc["sys_mod_count"]) + 1)

    def requests_to(self, path: str) -> int:
        return sum(1 for req, _ in self.server.log if req.path == path)

    # --- serving --------------------------------------------------------------------

    def _auth_error(self, request: Request) -> Response | None:
        auth = request.authorization
        ok = auth is not None and (
            (
                auth.type == "basic"
                and (auth.username, auth.password) == (self.username, self.password)
            )
            or (auth.type == "bearer" and auth.token == self.token)
        )
        if not ok:
            return _error(401, "User Not Authenticated", "Required to provide Auth information")
        return None

    def _walk(self, table: str, row: dict[str, Any], path: str) -> Any:
        head, _, rest = path.partition(".")
        value = row.get(head, "")
        if not rest:
            return value
        target = REFS.get((table, head))
        ref = self.tables.get(target or "", {}).get(value) if target else None
        return self._walk(target, ref, rest) if ref else ""

    def _table(self, request: Request) -> Response:
        if (err := self._auth_error(request)) is not None:
            return err
        match = TABLE_RE.match(request.path)
        assert match
        table = match.group(1)
        if table in self.refuse:
            status, message, detail = self.refuse[table]
            return _error(status, message, detail)
        if self.fail_query and self.fail_query in request.args.get("sysparm_query", ""):
            return _error(503, "Service Unavailable", None)
        if table not in self.tables:
            return _error(400, "Invalid table " + table, None)
        rows = list(self.tables[table].values())
        order: list[str] = []
        for cond in filter(None, request.args.get("sysparm_query", "").split("^")):
            if cond.startswith("ORDERBY"):
                order.append(cond[len("ORDERBY") :])
                continue
            m = re.fullmatch(r"([a-z_.]+)(>=|IN|=)(.*)", cond)
            if not m:
                return _error(400, "Unsupported query in this fake: " + cond, None)
            fld, op, val = m.groups()
            if val == "javascript:gs.getUserID()":
                val = self.me
            if op == "=":
                rows = [r for r in rows if str(self._walk(table, r, fld)) == val]
            elif op == ">=":
                rows = [r for r in rows if str(self._walk(table, r, fld)) >= val]
            else:
                wanted = set(val.split(","))
                rows = [r for r in rows if str(self._walk(table, r, fld)) in wanted]
        for fld in reversed(order):
            rows.sort(key=lambda r, f=fld: str(self._walk(table, r, f)))
        limit = int(request.args.get("sysparm_limit", 10000))
        offset = int(request.args.get("sysparm_offset", 0))
        page = rows[offset : offset + limit]
        fields = [f for f in request.args.get("sysparm_fields", "").split(",") if f]
        if fields:
            page = [{f: self._walk(table, r, f) for f in fields} for r in page]
        links = [self._link(request, 0, limit, "first")]
        if offset > 0:
            links.append(self._link(request, max(0, offset - limit), limit, "prev"))
        if offset + limit < len(rows):
            links.append(self._link(request, offset + limit, limit, "next"))
        links.append(self._link(request, max(0, (len(rows) - 1) // limit * limit), limit, "last"))
        headers = {"Link": ",".join(links)}
        if request.args.get("sysparm_no_count") != "true":
            headers["X-Total-Count"] = str(len(rows))
        return Response(
            json.dumps({"result": page}),
            status=200,
            headers=headers,
            content_type="application/json;charset=UTF-8",
        )

    def _link(self, request: Request, offset: int, limit: int, rel: str) -> str:
        args = {**request.args.to_dict(), "sysparm_offset": offset, "sysparm_limit": limit}
        return f'<{self.base_url}{request.path}?{urlencode(args)}>;rel="{rel}"'


def _error(status: int, message: str, detail: str | None) -> Response:
    return Response(
        json.dumps({"error": {"message": message, "detail": detail}, "status": "failure"}),
        status=status,
        content_type="application/json;charset=UTF-8",
    )
