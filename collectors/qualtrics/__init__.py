"""qualtrics: survey responses from Qualtrics, Response Export API (v3).

A response is a Thread (titled with the survey's name); each non-empty answer to a
text-entry question is a Comment "{response id}:{question id}" (QID...). Which questions
are read is collectors/surveys.py's mapping (comments, department, service, rating); a
question may be named by its QID or by its export tag (e.g. "Q5").

Qualtrics endpoints and shapes followed (api.qualtrics.com "Survey Response
Import/Export API" and its workflows "Simple Export" and "Export with Continuation";
research/connector_apis.md 3.2; checked 2026):
- Hosts: `https://{datacenter}.qualtrics.com` (the datacenter of the account, e.g. fra1,
  iad1, ca1; Account Settings > Qualtrics IDs). Auth: header `X-API-TOKEN: {token}`. A
  wrong token is a 401 "Unrecognized X-API-TOKEN".
- Who am I: `GET /API/v3/whoami` -> `{result: {userName, firstName, lastName, ...}}`.
- Survey definition: `GET /API/v3/survey-definitions/{surveyId}` -> `{result: {SurveyName,
  Questions: {QID: {QuestionID, QuestionType, Selector, QuestionText, DataExportTag,
  Choices}}}}`. Text entry is QuestionType TE with Selector SL (single line), ML (multi
  line), ESTB (essay) or FORM (several fields); MC with Selector NPS is the Net Promoter
  question (choices 0-10); DB is descriptive text (QSF question encoding as exported by
  Qualtrics: MC/SAVR, MC/MAVR, MC/NPS, MC/DL, TE/SL, TE/ML, Matrix/Likert, DB/TB).
- Export: `POST /API/v3/surveys/{surveyId}/export-responses` with `{"format": "json",
  "allowContinuation": true}` (first export; `startDate` ISO 8601 UTC limits it to
  responses recorded since) or `{"format": "json", "continuationToken": ...}` (only the
  responses recorded since the export that gave the token) -> `{result: {progressId,
  percentComplete, status}}`.
  `GET .../export-responses/{progressId}` -> `{result: {status: inProgress | complete |
  failed, percentComplete, fileId, continuationToken}}`: polled until complete; the
  fileId is null until then.
  `GET .../export-responses/{fileId}/file` -> a zip holding one JSON file (or the JSON
  itself when the export asked `compress: false`): `{responses: [{responseId, values:
  {startDate, endDate, recordedDate, finished, progress, recipientEmail,
  externalDataReference, QIDn (a choice's recode), QIDn_TEXT (text entry), QIDn_k (a form
  field)}, labels: {QIDn: the choice text}}]}`.
- Rate limits: per brand and endpoint, 429 when exceeded; collectors.http.HttpClient
  retries it with `Retry-After`. The export progress is polled every `poll_interval`
  seconds (default 2), for at most `export_timeout` seconds.

Incremental: the continuation token of each export is the cursor, so a run exports only
the responses recorded since the last one. Unfinished responses are not recorded until
they are finished or closed, and recorded but unfinished ones (`finished` 0) are
collected only with include_partial. Qualtrics has no filter on a response's last
change: an answer edited afterwards in Data & Analysis is updated in place by a full
collection (`python manage.py source collect --full` or a scheduled full run). A
continuation token Qualtrics no longer accepts (400) starts a new export from the last
recorded date known, one day earlier; the unique key absorbs the overlap.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from pydantic import Field, model_validator

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
from ..parsing import MalformedItem, as_dict, iso_time, iso_time_or_none
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

WHOAMI_PATH = "/API/v3/whoami"
DEFINITION_PATH = "/API/v3/survey-definitions/{sid}"
EXPORT_PATH = "/API/v3/surveys/{sid}/export-responses"
PROGRESS_PATH = "/API/v3/surveys/{sid}/export-responses/{pid}"
FILE_PATH = "/API/v3/surveys/{sid}/export-responses/{fid}/file"
TEXT_SELECTORS = {"SL", "ML", "ESTB"}
SINGLE_SELECTORS = {"SAVR", "SAHR", "SACOL", "DL", "SB"}
MAX_FILE = 500 * 1024 * 1024  # Qualtrics' own export size limit


class QualtricsSettings(SurveySettings):
    base_url: str = Field(
        description="Your datacenter's address, e.g. https://fra1.qualtrics.com "
        "(Account Settings > Qualtrics IDs)."
    )
    survey_id: str = Field(pattern=r"^SV_\w+$", description="The survey's id, SV_...")
    start_date: date | None = Field(
        None, description="The first export reads responses recorded since this day."
    )
    poll_interval: float = Field(
        2.0, ge=0, le=60, description="Seconds between export progress checks."
    )
    export_timeout: int = Field(
        900, ge=1, le=7200, description="Longest wait for an export file (seconds)."
    )

    @model_validator(mode="after")
    def _address(self) -> QualtricsSettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://fra1.qualtrics.com",
        )
        return self


@register
class QualtricsConnector(Connector):
    kind = "qualtrics"
    label = "Qualtrics"
    settings_model = QualtricsSettings
    secret_names = ("api_token",)
    settings: QualtricsSettings

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("api_token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No API token is stored for this Qualtrics source (secret api_token)."
            )
        check_address(
            self.settings.base_url, allow_private_network=self.settings.allow_private_network
        )
        return HttpClient(
            self.settings.base_url,
            headers={"X-API-TOKEN": token},
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check base_url (https://{datacenter}.qualtrics.com)",
        )

    def _call(self, client: HttpClient, method: str, path: str, **kw: Any) -> Any:
        try:
            response = client.request(method, path, **kw)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(_explain(str(exc), exc.status), status=exc.status) from None
        return response if kw.get("stream") else HttpClient.json(response)

    def _definition(self, client: HttpClient) -> tuple[str, Mapping]:
        sid = self.settings.survey_id
        result = as_dict(
            as_dict(self._call(client, "GET", DEFINITION_PATH.format(sid=sid))).get("result")
        )
        if not isinstance(result.get("Questions"), dict):
            raise ConnectorError("Qualtrics answered the survey definition without questions.")
        title = plain(result.get("SurveyName")) or sid
        mapping = select(
            _questions(result["Questions"]), self.settings, f"Qualtrics survey {title!r}"
        )
        return title, mapping

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.base_url).netloc
        try:
            client = self._client()
            me = as_dict(as_dict(self._call(client, "GET", WHOAMI_PATH)).get("result"))
            title, mapping = self._definition(client)
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        who = me.get("userName") or "?"
        return CheckResult(
            True, f"OK: signed in to {host} as {who}; survey {title!r}: {describe(mapping)}."
        )

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        title, mapping = self._definition(client)
        saved: dict[str, Any] = {} if full else dict(cursor or {})
        token = str(saved.get("continuation") or "")
        recorded = iso_time_or_none(saved.get("recorded"))
        if token:
            try:
                responses, new_token = self._export(client, {"continuationToken": token})
            except ConnectorConfigError as exc:
                if exc.status != 400:
                    raise
                since = recorded - timedelta(days=1) if recorded else self._start()
                responses, new_token = self._export(client, self._first(since))
        else:
            responses, new_token = self._export(client, self._first(self._start()))
        recs: list[CommentRecord] = []
        skips: list[Skip] = []
        for n, item in enumerate(responses):
            got = self._response(item, n, mapping, title)
            if isinstance(got, Skip):
                skips.append(got)
                continue
            when, found = got
            recorded = when if recorded is None else max(recorded, when)
            recs.extend(found)
        done = dict(saved)
        done["continuation"] = new_token or token
        if recorded is not None:
            done["recorded"] = recorded.astimezone(UTC).isoformat()
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        parts = chunks(recs, size)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            # Only the last batch carries the new token: a run that stops half way exports
            # the same responses again, and the unique key absorbs them.
            if part or (last and (skips or done != saved)):
                yield Batch(
                    records=part, cursor=done if last else saved, skips=skips if last else []
                )

    def _start(self) -> datetime | None:
        day = self.settings.start_date
        return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None

    @staticmethod
    def _first(since: datetime | None) -> dict[str, Any]:
        body: dict[str, Any] = {"allowContinuation": True}
        if since is not None:
            body["startDate"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return body

    def _export(self, client: HttpClient, options: dict[str, Any]) -> tuple[list[Any], str]:
        sid = self.settings.survey_id
        started = as_dict(
            self._call(
                client, "POST", EXPORT_PATH.format(sid=sid), json={"format": "json", **options}
            )
        )
        pid = as_dict(started.get("result")).get("progressId")
        if not isinstance(pid, str) or not pid:
            raise ConnectorError("Qualtrics started no export (no progressId in its answer).")
        deadline = time.monotonic() + self.settings.export_timeout
        while True:
            progress = as_dict(
                as_dict(self._call(client, "GET", PROGRESS_PATH.format(sid=sid, pid=pid))).get(
                    "result"
                )
            )
            status = str(progress.get("status") or "")
            if status == "complete":
                break
            if status == "failed":
                error = as_dict(progress.get("error"))
                why = error.get("errorMessage") or error.get("message") or "no reason given"
                raise ConnectorError(f"Qualtrics failed to export the responses: {why}")
            if time.monotonic() > deadline:
                raise ConnectorError(
                    f"Qualtrics' export was not ready after {self.settings.export_timeout} s "
                    f"({progress.get('percentComplete', '?')}% done); the next run tries again."
                )
            time.sleep(self.settings.poll_interval)
        fid = progress.get("fileId")
        if not isinstance(fid, str) or not fid:
            raise ConnectorError("Qualtrics finished the export without a fileId.")
        response = self._call(
            client,
            "GET",
            FILE_PATH.format(sid=sid, fid=fid),
            stream=True,
            headers={"Accept": "application/octet-stream, application/zip, application/json"},
        )
        body = response.raw.read(MAX_FILE + 1, decode_content=True)
        if len(body) > MAX_FILE:
            raise ConnectorError("Qualtrics' export file is larger than 500 MB.")
        return _responses(body), str(progress.get("continuationToken") or "")

    def _response(
        self, item: Any, n: int, mapping: Mapping, title: str
    ) -> Skip | tuple[datetime, list[CommentRecord]]:
        item = as_dict(item)
        values = item.get("values")
        rid = str(item.get("responseId") or as_dict(values).get("_recordId") or "")
        if not rid:
            return Skip(item=f"response #{n + 1} of the export", reason="response without an id")
        if not isinstance(values, dict):
            return Skip(item=f"response {rid}", reason="response without values")
        try:
            when = iso_time(values.get("recordedDate") or values.get("endDate"), "recordedDate")
        except MalformedItem as exc:
            return Skip(item=f"response {rid}", reason=f"response {exc}")
        finished = values.get("finished")
        if not self.settings.include_partial and finished not in (1, True, "1", "true", "True"):
            return when, []
        labels = as_dict(item.get("labels"))

        def answer(q: Question | None) -> str:
            if q is None:
                return ""
            if q.kind == TEXT:
                keys = [f"{q.id}_TEXT"] + [f"{q.id}_{c}" for c in q.choices]
                return "\n".join(str(values[k]).strip() for k in keys if _given(values.get(k)))
            shown = labels.get(q.id)
            if isinstance(shown, list):
                return ", ".join(str(s) for s in shown if s not in (None, ""))
            if _given(shown):
                return str(shown)
            raw = values.get(q.id)
            if isinstance(raw, list):
                return ", ".join(q.choices.get(str(v), str(v)) for v in raw)
            return q.choices.get(str(raw), str(raw)) if _given(raw) else ""

        rating: Any = None
        if mapping.rating is not None:
            rq = mapping.rating
            shown = labels.get(rq.id)
            rating = shown if number(shown) is not None else values.get(rq.id)
            if rating is None:
                rating = values.get(f"{rq.id}_1")  # a slider's first statement
        name = " ".join(
            str(values.get(k) or "").strip() for k in ("recipientFirstName", "recipientLastName")
        ).strip()
        answers = Answers(
            response_id=rid,
            created_at=when,
            texts={q.id: answer(q) for q in mapping.comments},
            rating=rating,
            department=answer(mapping.department),
            service=answer(mapping.service),
            author_id=str(values.get("externalDataReference") or ""),
            author_name=name,
            author_email=str(values.get("recipientEmail") or ""),
            title=title,
        )
        return when, records(answers, mapping)


# --- mapping ----------------------------------------------------------------------------


def _questions(defs: dict[str, Any]) -> list[Question]:
    found: list[Question] = []
    for qid, q in defs.items():
        q = as_dict(q)
        qtype = str(q.get("QuestionType") or "")
        selector = str(q.get("Selector") or "")
        if qtype == "DB":
            continue  # descriptive text
        tag = str(q.get("DataExportTag") or "")
        title = plain(q.get("QuestionText")) or tag
        choices = _choices(q.get("Choices"))
        kind, scale = OTHER, ""
        if qtype == "TE":
            if selector in TEXT_SELECTORS:
                kind, choices = TEXT, {}
            elif selector == "FORM":
                kind = TEXT
        elif qtype == "MC":
            texts = list(choices.values())
            if selector == "NPS":
                kind, scale = RATING, "0-10"
            elif selector in SINGLE_SELECTORS and all_numeric(texts):
                kind, scale = RATING, scale_of(texts)
            else:
                kind = CHOICE
        found.append(
            Question(
                str(q.get("QuestionID") or qid),
                title,
                kind,
                aliases=(tag,) if tag else (),
                scale=scale,
                choices=choices,
            )
        )
    return found


def _choices(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        return {str(k): plain(as_dict(v).get("Display")) for k, v in raw.items()}
    if isinstance(raw, list):  # NPS questions list their choices (0-10) in order
        return {str(i): plain(as_dict(v).get("Display")) for i, v in enumerate(raw)}
    return {}


def _given(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _responses(body: bytes) -> list[Any]:
    if body[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".json")]
                if not names:
                    raise ConnectorError("Qualtrics' export file holds no JSON file.")
                body = archive.read(names[0])
        except zipfile.BadZipFile:
            raise ConnectorError("Qualtrics' export file is not a readable zip.") from None
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ConnectorError("Qualtrics' export file is not JSON.") from None
    responses = as_dict(data).get("responses")
    if not isinstance(responses, list):
        raise ConnectorError("Qualtrics' export file has no list of responses.")
    return responses


def _explain(message: str, status: int | None) -> str:
    if status == 401:
        return (
            f"{message} Qualtrics wants the API token of a user (Account Settings > Qualtrics "
            "IDs > API > Token) as the secret api_token, and base_url must be the account's "
            "datacenter, e.g. https://fra1.qualtrics.com."
        )
    if status == 403:
        return (
            f"{message} The token's user needs the Access API permission and access to the "
            "survey's responses."
        )
    if status == 404:
        return f"{message} Is survey_id the survey's id (SV_...) on this datacenter?"
    return message
