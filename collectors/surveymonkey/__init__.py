"""surveymonkey: survey responses from SurveyMonkey, API v3.

A response is a Thread (titled with the survey's title); each non-empty answer to a
free-text question is a Comment "{response id}:{question id}". Which questions are read
is collectors/surveys.py's mapping (comments, department, service, rating). Responses
changed since the last run come from the bulk responses list sorted by `date_modified`,
so an edited response (or a partial one completed later) is read again and its comments
are updated in place, never duplicated.

SurveyMonkey endpoints and shapes followed (api.surveymonkey.com/v3/docs, whose sources
are SurveyMonkey/public_api_docs includes/*.md; checked 2026):
- Auth: `Authorization: Bearer {access token}`; a private app's access token is shown
  in the app's settings (developer.surveymonkey.com/apps). Reading answers needs the
  "View Response Details" scope (responses_read_detail), the definition "View Surveys"
  (_overview.md "Scopes", _responses.md "Available Methods").
- Hosts: https://api.surveymonkey.com; accounts in the EU data center use
  https://api.eu.surveymonkey.com (research/connector_apis.md 3.1).
- Survey definition: `GET /v3/surveys/{id}/details` -> `{title, pages: [{questions: [{id,
  family, subtype, display_options, headings: [{heading}], answers: {choices: [{id, text,
  weight}], rows: [{id, text}], other}}]}]}`. Families: open_ended (single | multi |
  essay | numerical; display_type slider or file_upload), single_choice, multiple_choice,
  matrix (single | rating | ranking | menu | multi; star/emoji ratings are matrix rating
  with a `weight` per choice), demographic, datetime, presentation (_questions.md
  "Formatting Question Types"). Headings may carry HTML; they are shown as plain text.
- Responses: `GET /v3/surveys/{id}/responses/bulk?per_page=(max 100)&sort_by=date_modified
  &sort_order=ASC&start_modified_at=YYYY-MM-DDTHH:MM:SS[&status=completed]` -> `{data:
  [{id, response_status (completed | partial | overquota | disqualified), date_created,
  date_modified, analyze_url, recipient_id, email_address, first_name, last_name,
  metadata.contact, pages: [{questions: [{id, answers: [{choice_id, row_id, col_id,
  other_id, text}]}]}]}], page, per_page, total, links: {self, next}}` (_responses.md
  "/collectors/{id}/responses/bulk"). Date strings are UTC (_overview.md "Data Types").
- Rate limits: draft and private apps 120 requests a minute and 500 a day; every answer
  carries `X-Ratelimit-App-Global-Minute-Remaining/-Reset` and `...-Day-Remaining/-Reset`
  (seconds until the allowance resets) (_overview.md "Request and Response Limits",
  "Headers"). A 429 is retried by collectors.http.HttpClient with `Retry-After`; here,
  when the minute allowance is used up the next request waits for its reset (capped),
  and when the day's is used up the run stops with the batches read so far stored.

Paging. `start_modified_at` is not documented as inclusive or exclusive and offsets shift
when a response changes mid-run (it moves to the end of the date_modified order), so the
list is paged by key as collectors/zammad does: each next request asks again from one
second before the newest `date_modified` read, and the responses read at or after the
watermark are remembered (id -> date_modified) and dropped when they come back
unchanged. A run with nothing new makes two requests (the definition, one list page).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
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
    plain,
    records,
    scale_of,
    select,
)

DETAILS_PATH = "/v3/surveys/{id}/details"
BULK_PATH = "/v3/surveys/{id}/responses/bulk"
PAGE_MAX = 100  # bulk: "Max of 100 allowed per page"
MAX_PAGES = 10_000
MAX_WAIT = 65.0  # longest wait for the minute allowance to come back (seconds)
OVERLAP = timedelta(seconds=1)


class SurveyMonkeySettings(SurveySettings):
    base_url: str = Field(
        "https://api.surveymonkey.com",
        description="API host: https://api.surveymonkey.com, or https://api.eu.surveymonkey.com "
        "for accounts in the EU data center.",
    )
    survey_id: str = Field(min_length=1, description="The survey's id (a number).")
    start_date: date | None = Field(
        None, description="First collection reads responses changed since this day."
    )
    page_size: int = Field(PAGE_MAX, ge=1, le=PAGE_MAX, description="Responses per page (max 100).")

    @model_validator(mode="after")
    def _address(self) -> SurveyMonkeySettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://api.surveymonkey.com",
        )
        return self


class _Api:
    """The HTTP client plus SurveyMonkey's rate-limit headers."""

    def __init__(self, client: HttpClient) -> None:
        self.client = client
        self.wait_until = 0.0
        self.day_reset: int | None = None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        if self.day_reset is not None:
            raise ConnectorError(
                "SurveyMonkey's daily request allowance for this app is used up (it resets in "
                f"{self.day_reset} s); what was read so far is stored and the next run resumes."
            )
        pause = self.wait_until - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        try:
            response = self.client.get(path, params=params)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(_explain(str(exc), exc.status), status=exc.status) from None
        self._limits(response)
        return HttpClient.json(response)

    def _limits(self, response: requests.Response) -> None:
        h = response.headers
        if _int(h.get("X-Ratelimit-App-Global-Day-Remaining")) == 0:
            self.day_reset = _int(h.get("X-Ratelimit-App-Global-Day-Reset")) or 0
        if _int(h.get("X-Ratelimit-App-Global-Minute-Remaining")) == 0:
            reset = _int(h.get("X-Ratelimit-App-Global-Minute-Reset"))
            wait = min(float(reset if reset is not None else 60), MAX_WAIT)
            self.wait_until = time.monotonic() + wait


@register
class SurveyMonkeyConnector(Connector):
    kind = "surveymonkey"
    label = "SurveyMonkey"
    settings_model = SurveyMonkeySettings
    secret_names = ("access_token",)
    settings: SurveyMonkeySettings

    # --- connection -----------------------------------------------------------------

    def _api(self) -> _Api:
        token = str(self.secrets.get("access_token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No access token is stored for this SurveyMonkey source (secret access_token)."
            )
        check_address(
            self.settings.base_url, allow_private_network=self.settings.allow_private_network
        )
        return _Api(
            HttpClient(
                self.settings.base_url,
                headers={"Authorization": f"Bearer {token}"},
                backoff=self.settings.retry_backoff,
                allow_private_network=self.settings.allow_private_network,
                address_hint="check base_url (https://api.surveymonkey.com or the EU host)",
            )
        )

    def _definition(self, api: _Api) -> tuple[str, list[Question], Mapping]:
        details = as_dict(api.get(DETAILS_PATH.format(id=self.settings.survey_id)))
        if not isinstance(details.get("pages"), list):
            raise ConnectorError("SurveyMonkey answered the survey details without its pages.")
        title = plain(details.get("title")) or f"Survey {self.settings.survey_id}"
        questions = _questions(details)
        mapping = select(questions, self.settings, f"SurveyMonkey survey {title!r}")
        return title, questions, mapping

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.base_url).netloc
        try:
            api = self._api()
            title, _, mapping = self._definition(api)
            page = as_dict(api.get(BULK_PATH.format(id=self.settings.survey_id), {"per_page": 1}))
            total = page.get("total")
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        count = f"{total} responses" if isinstance(total, int) else "responses readable"
        return CheckResult(True, f"OK: survey {title!r} on {host}: {count}; {describe(mapping)}.")

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        api = self._api()
        title, _, mapping = self._definition(api)
        saved: dict[str, Any] = {} if full else dict(cursor or {})
        watermark = iso_time_or_none(saved.get("since"))
        known = {str(k): str(v) for k, v in as_dict(saved.get("recent")).items()}
        if watermark is None:
            known = {}
            start = self.settings.start_date
            bound = datetime(start.year, start.month, start.day, tzinfo=UTC) if start else None
        else:
            bound = watermark - OVERLAP
        high = watermark
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        per_page = self.settings.page_size
        resume = saved
        page = 1
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {
                "per_page": per_page,
                "page": page,
                "sort_by": "date_modified",
                "sort_order": "ASC",
            }
            if bound is not None:
                params["start_modified_at"] = bound.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            if not self.settings.include_partial:
                params["status"] = "completed"
            data = as_dict(api.get(BULK_PATH.format(id=self.settings.survey_id), params))
            items = data.get("data")
            if not isinstance(items, list):
                raise ConnectorError("SurveyMonkey answered the responses list without data.")
            recs: list[CommentRecord] = []
            skips: list[Skip] = []
            fresh = 0
            for n, item in enumerate(items):
                got = self._response(item, n, known, mapping, title)
                if isinstance(got, Skip):
                    skips.append(got)
                    continue
                if got is None:
                    continue  # unchanged since it was last read
                rid, modified, recs_one = got
                fresh += 1
                recs.extend(recs_one)
                known[rid] = _iso(modified)
                high = modified if high is None else max(high, modified)
            if high is not None:
                edge = high - OVERLAP
                known = {k: v for k, v in known.items() if (t := iso_time_or_none(v)) and t >= edge}
            # Sorted by date_modified: everything up to `high` is read and the responses at
            # the edge are remembered, so this cursor is complete after every page.
            done = {"since": _iso(high), "recent": dict(known)} if high is not None else resume
            parts = chunks(recs, size)
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                if part or (last and (skips or done != resume)):
                    yield Batch(
                        records=part, cursor=done if last else resume, skips=skips if last else []
                    )
            resume = done
            more = isinstance(as_dict(data.get("links")).get("next"), str)
            if len(items) < per_page and not more:
                return
            top = high - OVERLAP if high is not None else None
            if fresh and top is not None and (bound is None or top > bound):
                # By key: ask again from the newest change read, one page larger by the
                # responses at that edge (they come back first and are dropped as known).
                ties = sum(
                    1
                    for i in items
                    if (t := iso_time_or_none(as_dict(i).get("date_modified"))) and t >= top
                )
                bound, page = top, 1
                per_page = min(self.settings.page_size + ties, PAGE_MAX)
            else:
                page += 1  # a full page of known responses at one instant: next by offset
        raise ConnectorError(f"SurveyMonkey kept answering full pages ({MAX_PAGES} pages).")

    def _response(
        self, item: Any, n: int, known: dict[str, str], mapping: Mapping, title: str
    ) -> Skip | None | tuple[str, datetime, list[CommentRecord]]:
        if not isinstance(item, dict) or not str(item.get("id") or "").strip():
            return Skip(item=f"response #{n + 1} of a page", reason="response without an id")
        rid = str(item["id"])
        try:
            modified = iso_time(item.get("date_modified"), "date_modified")
            if known.get(rid) == _iso(modified):
                return None
            answers = _answers(item, rid, mapping, title)
        except MalformedItem as exc:
            return Skip(item=f"response {rid}", reason=f"response {exc}")
        if not self.settings.include_partial and item.get("response_status") not in (
            None,
            "completed",
        ):
            return rid, modified, []  # not completed (the status filter normally drops it)
        return rid, modified, records(answers, mapping)


# --- mapping ----------------------------------------------------------------------------


def _questions(details: dict[str, Any]) -> list[Question]:
    found: list[Question] = []
    for page in details.get("pages") or []:
        for q in as_dict(page).get("questions") or []:
            if not isinstance(q, dict) or q.get("id") in (None, ""):
                continue
            family = str(q.get("family") or "")
            if family == "presentation":
                continue  # text or an image, not a question
            subtype = str(q.get("subtype") or "")
            display = str(as_dict(q.get("display_options")).get("display_type") or "")
            headings = q.get("headings") if isinstance(q.get("headings"), list) else []
            title = plain(as_dict(headings[0]).get("heading")) if headings else ""
            answers = as_dict(q.get("answers"))
            options = [c for c in answers.get("choices") or [] if isinstance(c, dict)]
            rows = [r for r in answers.get("rows") or [] if isinstance(r, dict)]
            texts = {str(c.get("id")): plain(c.get("text")) for c in options}
            weights = {str(c.get("id")): c.get("weight") for c in options}
            kind, choices, scale = OTHER, texts, ""
            if family == "open_ended":
                if display in ("slider", "file_upload") or subtype == "numerical":
                    kind = OTHER
                else:
                    kind = TEXT  # single, essay, multi (one text box per row)
            elif family == "matrix" and subtype == "rating" and len(rows) <= 1:
                # A star/emoji rating or a one-row rating scale (NPS): the weight is the value.
                values = weights if all_numeric(list(weights.values())) else texts
                if all_numeric(list(values.values())):
                    kind, choices = RATING, {k: str(v) for k, v in values.items()}
                    scale = scale_of(values.values())
                else:
                    kind = CHOICE
            elif family == "single_choice" and all_numeric(list(texts.values())):
                kind, scale = RATING, scale_of(texts.values())  # e.g. a 0-10 scale as choices
            elif family in ("single_choice", "multiple_choice", "matrix"):
                kind = CHOICE
            found.append(Question(str(q["id"]), title, kind, scale=scale, choices=choices))
    return found


def _answers(item: dict[str, Any], rid: str, mapping: Mapping, title: str) -> Answers:
    created = iso_time(item.get("date_created"), "date_created")
    given: dict[str, list[dict[str, Any]]] = {}
    pages = item.get("pages")
    if not isinstance(pages, list):
        raise MalformedItem("without pages of answers")
    for page in pages:
        questions = as_dict(page).get("questions")
        for q in questions if isinstance(questions, list) else []:
            q = as_dict(q)
            answers = q.get("answers")
            if q.get("id") is None or not isinstance(answers, list):
                continue
            given[str(q["id"])] = [a for a in answers if isinstance(a, dict)]

    def text(q: Question | None) -> str:
        if q is None:
            return ""
        parts = []
        for a in given.get(q.id, []):
            if isinstance(a.get("text"), str) and a["text"].strip():
                parts.append(a["text"].strip())
            elif a.get("choice_id") is not None:
                parts.append(q.choices.get(str(a["choice_id"]), ""))
        return (
            "\n".join(p for p in parts if p) if q.kind == TEXT else ", ".join(p for p in parts if p)
        )

    rating: Any = None
    if mapping.rating is not None:
        for a in given.get(mapping.rating.id, []):
            if a.get("choice_id") is not None:
                rating = mapping.rating.choices.get(str(a["choice_id"]))
            elif a.get("text") is not None:
                rating = a.get("text")
            if rating is not None:
                break
    contact = as_dict(as_dict(item.get("metadata")).get("contact"))
    email = str(item.get("email_address") or as_dict(contact.get("email")).get("value") or "")
    name = " ".join(
        str(item.get(k) or as_dict(contact.get(k)).get("value") or "").strip()
        for k in ("first_name", "last_name")
    ).strip()
    recipient = str(item.get("recipient_id") or "").strip()
    url = str(item.get("analyze_url") or "")
    return Answers(
        response_id=rid,
        created_at=created,
        texts={q.id: text(q) for q in mapping.comments},
        rating=rating,
        department=text(mapping.department),
        service=text(mapping.service),
        author_id=recipient if recipient not in ("", "0") else "",
        author_name=name,
        author_email=email,
        title=title,
        url=url if url.startswith("https://") else "",
    )


def _explain(message: str, status: int | None) -> str:
    if status == 401:
        return (
            f"{message} SurveyMonkey wants the access token of your app "
            "(developer.surveymonkey.com > My Apps > Settings > Access Token) as the secret "
            "access_token; a draft app's token expires after 90 days."
        )
    if status == 403:
        return (
            f"{message} The app needs the scopes View Surveys and View Response Details "
            "(responses_read_detail, a paid plan) and access to this survey."
        )
    if status == 404:
        return f"{message} Is survey_id the survey's number (from GET /v3/surveys)?"
    return message


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
