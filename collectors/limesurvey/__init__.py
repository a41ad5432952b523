"""limesurvey: survey responses from a LimeSurvey server, RemoteControl 2 (JSON-RPC).

A response is a Thread (titled with the survey's title); each non-empty answer to a
free-text question is a Comment "{response id}:{question code}". Which questions are
read is collectors/surveys.py's mapping (comments, department, service, rating), by
question code (as in the export's code headings) or by question id (qid).

LimeSurvey calls and shapes followed (LimeSurvey/LimeSurvey application/helpers/
remotecontrol/remotecontrol_handle.php and application/helpers/admin/export/
JsonWriter.php; manual.limesurvey.org "RemoteControl 2 API"; checked 2026):
- Transport: JSON-RPC over HTTP POST to `{base_url}/index.php/admin/remotecontrol`, body
  `{"method": ..., "params": [...], "id": 1}`, answer `{"id", "result", "error"}`. The
  interface must be switched on (Configuration > Global settings > Interfaces > RPC
  interface enabled: JSON-RPC). Failures come back as `error` or as a result
  `{"status": "..."}` ("Invalid user name or password", "Invalid session key", "No
  permission", "Error: Invalid survey ID", "No Data, ...").
- `get_session_key(username, password)` -> the key; `release_session_key(key)` always
  follows, in a finally block.
- `list_surveys(key, username)` -> `[{sid, surveyls_title, startdate, expires, active}]`.
- `list_questions(key, sid, groupId, language)` -> `[{qid, parent_qid, title (the code),
  question (the text), type, other, ...}]`; subquestions have a parent_qid. Types used:
  T long free text, U huge free text, S short free text, Q multiple short text (one
  column "CODE[SUB]" per subquestion), 5 five-point choice (1-5), L / ! / O lists
  (answer options; the long export gives their text), N numerical, X text display.
- `get_question_properties(key, qid, ["answeroptions"])` -> `{answeroptions: {code:
  {answer, assessment_value}}}`: read for a list question mapped as the rating, to know
  its scale.
- `export_responses(key, sid, "json", language, "all", "code", "long", fromId)` -> the
  file base64-encoded: `{"responses": [{id, submitdate, lastpage, startlanguage, seed,
  token, startdate, datestamp, CODE, CODE[SUB], ...}]}` (older servers wrap each
  response as `{"<id>": {...}}`; both are read). `submitdate` is empty while the
  response is incomplete. Dates are the server's local time (`server_timezone`).
- No rate limits (self-hosted); a run opens one session and closes it.

Incremental: response ids grow, so a run exports from the last id read + 1. A response
id is given when the respondent starts, so an incomplete response (no submitdate) is
remembered and the export starts at the oldest one still open, until it is completed or
`incomplete_wait_days` have passed; the unique key turns the complete responses read
again into no-ops. LimeSurvey cannot filter an export by last change: an answer edited
afterwards is updated in place by a full collection (`source collect --full`).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings as django_settings
from django.utils import timezone
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
from ..netguard import check_address, validate_base_url
from ..parsing import MalformedItem, as_dict, iso_time_or_none
from ..registry import register
from ..surveys import (
    CHOICE,
    OTHER,
    RATING,
    TEXT,
    Answers,
    Mapping,
    Question,
    SurveySettings,
    all_numeric,
    chunks,
    describe,
    number,
    plain,
    records,
    scale_of,
    select,
)

RPC_PATH = "index.php/admin/remotecontrol"
TEXT_TYPES = {"T", "U", "S", "Q"}
LIST_TYPES = {"L", "!", "O"}
SKIP_TYPES = {"X", "*", "|"}  # text display, equation, file upload


class LimeSurveySettings(SurveySettings):
    base_url: str = Field(
        description="Address of the LimeSurvey server, e.g. https://survey.corp.example "
        "(with its folder if it has one)."
    )
    username: str = Field(min_length=1, description="A LimeSurvey user allowed to export.")
    survey_id: int = Field(gt=0, description="The survey's id (sid).")
    language: str = Field("", description="Language of the export; empty: the survey's base.")
    server_timezone: str = Field(
        "", description="Time zone of the server's dates (IANA name); empty: Earshot's."
    )
    incomplete_wait_days: int = Field(
        7, ge=0, le=365, description="How long an incomplete response is waited for."
    )

    @field_validator("server_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"{value!r} is not a time zone name (e.g. Europe/Berlin)"
                ) from None
        return value

    @model_validator(mode="after")
    def _address(self) -> LimeSurveySettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://survey.corp.example",
        )
        return self


@register
class LimeSurveyConnector(Connector):
    kind = "limesurvey"
    label = "LimeSurvey"
    settings_model = LimeSurveySettings
    secret_names = ("password",)
    settings: LimeSurveySettings

    # --- JSON-RPC -------------------------------------------------------------------

    def _client(self) -> HttpClient:
        if not str(self.secrets.get("password") or ""):
            raise ConnectorConfigError(
                "No password is stored for this LimeSurvey source (secret password)."
            )
        check_address(
            self.settings.base_url, allow_private_network=self.settings.allow_private_network
        )
        return HttpClient(
            self.settings.base_url,
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check base_url",
        )

    def _rpc(self, client: HttpClient, method: str, *params: Any) -> Any:
        host = urlsplit(self.settings.base_url).netloc
        try:
            response = client.request(
                "POST", RPC_PATH, json={"method": method, "params": list(params), "id": 1}
            )
        except ConnectorConfigError as exc:
            if exc.status == 404:
                raise ConnectorConfigError(
                    f"{exc} Is base_url the LimeSurvey address (the RemoteControl API is at "
                    f"{{base_url}}/{RPC_PATH})?",
                    status=404,
                ) from None
            raise
        try:
            data = response.json()
        except ValueError:
            raise ConnectorConfigError(
                f"{host} did not answer JSON-RPC at /{RPC_PATH}: switch the API on in "
                "LimeSurvey (Configuration > Global settings > Interfaces > RPC interface "
                "enabled: JSON-RPC)."
            ) from None
        data = as_dict(data)
        if data.get("error"):
            raise ConnectorError(f"LimeSurvey refused {method}: {str(data['error'])[:300]}")
        result = data.get("result")
        if isinstance(result, dict) and set(result) <= {"status", "error"} and "status" in result:
            self._status(method, str(result["status"]))
        return result

    def _status(self, method: str, status: str) -> None:
        user, sid = self.settings.username, self.settings.survey_id
        low = status.lower()
        if "user name or password" in low or "login" in low:
            raise ConnectorConfigError(
                f"LimeSurvey refused the user {user!r}: check username and the secret password "
                "(the user must be allowed to log in with LimeSurvey's own accounts)."
            )
        if "permission" in low:
            raise ConnectorConfigError(
                f"The LimeSurvey user {user!r} lacks a permission for {method} on survey {sid}: "
                "give it Responses: export and Survey content: read on the survey."
            )
        if "invalid survey" in low:
            raise ConnectorConfigError(f"LimeSurvey has no survey {sid}: check survey_id.")
        if low.startswith(("no data", "no response", "no questions", "no surveys")):
            raise _NoData()
        raise ConnectorError(f"LimeSurvey answered {method} with: {status[:300]}")

    def _session(self, client: HttpClient) -> str:
        key = self._rpc(
            client, "get_session_key", self.settings.username, str(self.secrets["password"])
        )
        if not isinstance(key, str) or not key:
            raise ConnectorError("LimeSurvey answered get_session_key without a session key.")
        return key

    def _release(self, client: HttpClient, key: str) -> None:
        try:
            self._rpc(client, "release_session_key", key)
        except ConnectorError:
            pass  # the key expires by itself; the run's own outcome matters more

    # --- definition -----------------------------------------------------------------

    def _definition(self, client: HttpClient, key: str) -> tuple[str, bool, Mapping]:
        sid = self.settings.survey_id
        try:
            surveys = self._rpc(client, "list_surveys", key, self.settings.username)
        except _NoData:
            surveys = []
        found = next(
            (as_dict(s) for s in surveys or [] if str(as_dict(s).get("sid")) == str(sid)), None
        )
        if found is None:
            seen = ", ".join(
                f"{as_dict(s).get('sid')}: {as_dict(s).get('surveyls_title')}"
                for s in (surveys or [])[:30]
            )
            raise ConnectorConfigError(
                f"Survey {sid} is not among the surveys the LimeSurvey user "
                f"{self.settings.username!r} can see" + (f" ({seen})." if seen else ".")
            )
        title = plain(found.get("surveyls_title")) or f"Survey {sid}"
        try:
            rows = self._rpc(
                client, "list_questions", key, sid, None, self.settings.language or None
            )
        except _NoData:
            rows = []
        if not isinstance(rows, list):
            raise ConnectorError("LimeSurvey answered list_questions without a list.")
        questions = _questions(rows)
        mapping = select(questions, self.settings, f"LimeSurvey survey {title!r}")
        if (
            mapping.rating is not None
            and mapping.rating.kind == CHOICE
            and not mapping.rating_scale
        ):
            mapping = self._rating_options(client, key, mapping)
        return title, str(found.get("active") or "") == "Y", mapping

    def _rating_options(self, client: HttpClient, key: str, mapping: Mapping) -> Mapping:
        """A list question as the rating: its answer options give the scale and the
        numbers behind answer texts."""
        rating = mapping.rating
        assert rating is not None
        qid = next((a for a in rating.aliases if a.isdigit()), "")
        if not qid:
            return mapping
        props = as_dict(
            self._rpc(
                client,
                "get_question_properties",
                key,
                int(qid),
                ["answeroptions"],
                self.settings.language or None,
            )
        )
        options = as_dict(props.get("answeroptions"))
        codes = list(options)
        values = (
            codes
            if all_numeric(codes)
            else [as_dict(o).get("assessment_value") for o in options.values()]
        )
        if not all_numeric(values):
            return mapping
        by_text = {
            plain(as_dict(o).get("answer")): str(v)
            for o, v in zip(options.values(), values, strict=True)
        }
        rated = dataclasses.replace(rating, choices=by_text, scale=scale_of(values))
        return dataclasses.replace(mapping, rating=rated, rating_scale=rated.scale)

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.base_url).netloc
        try:
            client = self._client()
            key = self._session(client)
            try:
                title, active, mapping = self._definition(client, key)
            finally:
                self._release(client, key)
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        state = "" if active else " (not active: it has no responses table yet)"
        return CheckResult(
            True,
            f"OK: signed in to {host} as {self.settings.username}; survey {title!r}{state}: "
            f"{describe(mapping)}.",
        )

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        key = self._session(client)
        try:
            yield from self._fetch(client, key, {} if full else dict(cursor or {}))
        finally:
            self._release(client, key)

    def _fetch(self, client: HttpClient, key: str, saved: dict[str, Any]) -> Iterator[Batch]:
        title, _, mapping = self._definition(client, key)
        next_id = saved.get("next_id") if isinstance(saved.get("next_id"), int) else 1
        open_ids = {str(k): str(v) for k, v in as_dict(saved.get("open")).items()}
        start = min([next_id, *(int(k) for k in open_ids if k.isdigit())])
        now = timezone.now()
        try:
            raw = self._rpc(
                client,
                "export_responses",
                key,
                self.settings.survey_id,
                "json",
                self.settings.language or None,
                "all",
                "code",
                "long",
                start,
            )
            rows = _rows(raw)
        except _NoData:
            rows = []
        recs: list[CommentRecord] = []
        skips: list[Skip] = []
        still_open: dict[str, str] = {}
        top = next_id - 1
        wait = timedelta(days=self.settings.incomplete_wait_days)
        for n, row in enumerate(rows):
            rid = str(row.get("id") or "").strip()
            if not rid.isdigit():
                skips.append(
                    Skip(
                        item=f"response #{n + 1} of the export",
                        reason="response without a numeric id",
                    )
                )
                continue
            top = max(top, int(rid))
            complete = bool(str(row.get("submitdate") or "").strip())
            first_seen = open_ids.get(rid) or now.isoformat()
            if not complete and (iso_time_or_none(first_seen) or now) > now - wait:
                still_open[rid] = first_seen  # may still be completed: read again next run
            if not complete and not self.settings.include_partial:
                continue
            try:
                answers = self._answers(row, rid, mapping, title, first_seen)
            except MalformedItem as exc:
                skips.append(Skip(item=f"response {rid}", reason=f"response {exc}"))
                continue
            recs.extend(records(answers, mapping))
        done = {"next_id": top + 1, "open": still_open}
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        parts = chunks(recs, size)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part or (last and (skips or done != saved)):
                yield Batch(
                    records=part, cursor=done if last else saved, skips=skips if last else []
                )

    def _zone(self) -> tzinfo:
        name = self.settings.server_timezone
        return ZoneInfo(name) if name else timezone.get_current_timezone()

    def _answers(
        self, row: dict[str, Any], rid: str, mapping: Mapping, title: str, first_seen: str
    ) -> Answers:
        stamp = str(row.get("submitdate") or row.get("datestamp") or "").strip()
        if stamp:
            try:
                created = datetime.fromisoformat(stamp)
            except ValueError:
                raise MalformedItem(f"submitdate {stamp[:40]!r} is not a date") from None
            if timezone.is_naive(created):
                created = created.replace(tzinfo=self._zone())
        else:
            created = iso_time_or_none(first_seen) or datetime.now(UTC)

        def answer(q: Question | None) -> str:
            if q is None:
                return ""
            if q.kind == TEXT and q.choices:  # multiple short text: one column per part
                parts = [_cell(row.get(f"{q.id}[{sub}]")) for sub in q.choices]
                return "\n".join(p for p in parts if p)
            return _cell(row.get(q.id))

        rating: Any = None
        if mapping.rating is not None:
            shown = answer(mapping.rating)
            rating = shown if number(shown) is not None else mapping.rating.choices.get(shown)
        token = _cell(row.get("token"))
        return Answers(
            response_id=rid,
            created_at=created,
            texts={q.id: answer(q) for q in mapping.comments},
            rating=rating,
            department=answer(mapping.department),
            service=answer(mapping.service),
            author_id=token,
            title=title,
        )


class _NoData(ConnectorError):
    """LimeSurvey's "No Data" status: nothing to export (yet)."""


# --- mapping ----------------------------------------------------------------------------


def _questions(rows: list[Any]) -> list[Question]:
    subs: dict[str, dict[str, str]] = {}
    top: list[dict[str, Any]] = []
    for row in rows:
        row = as_dict(row)
        qid = str(row.get("qid") or as_dict(row.get("id")).get("qid") or "")
        parent = str(row.get("parent_qid") or "0")
        if parent not in ("", "0"):
            subs.setdefault(parent, {})[str(row.get("title") or "")] = plain(row.get("question"))
        elif qid:
            top.append({**row, "qid": qid})
    found = []
    for row in top:
        qtype = str(row.get("type") or "")
        code = str(row.get("title") or "")
        if qtype in SKIP_TYPES or not code:
            continue
        kind, scale = OTHER, ""
        if qtype in TEXT_TYPES:
            kind = TEXT
        elif qtype == "5":
            kind, scale = RATING, "1-5"
        elif qtype in LIST_TYPES:
            kind = CHOICE
        choices = subs.get(row["qid"], {}) if qtype == "Q" else {}
        found.append(
            Question(
                code,
                plain(row.get("question")),
                kind,
                aliases=(row["qid"],),
                scale=scale,
                choices=choices,
            )
        )
    return found


def _rows(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, str):
        raise ConnectorError("LimeSurvey answered export_responses without a file.")
    try:
        data = json.loads(base64.b64decode(raw, validate=False).decode("utf-8-sig"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ConnectorError("LimeSurvey's export is not base64-encoded JSON.") from None
    responses = as_dict(data).get("responses")
    if not isinstance(responses, list):
        raise ConnectorError("LimeSurvey's export has no list of responses.")
    rows = []
    for item in responses:
        item = as_dict(item)
        if "id" not in item and len(item) == 1:
            inner = next(iter(item.values()))  # older servers: {"<id>": {...}}
            if isinstance(inner, dict):
                item = {"id": next(iter(item)), **inner}
        rows.append(item)
    return rows


def _cell(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()
