"""typeform: form responses from Typeform, Responses API.

A response is a Thread (titled with the form's title); each non-empty answer to a
free-text field is a Comment "{response id}:{field id}". Which fields are read is
collectors/surveys.py's mapping (comments, department, service, rating); a field may be
named by its id or by its `ref`.

Typeform endpoints and shapes followed (typeform.com/developers, checked 2026):
- Auth: `Authorization: Bearer {personal access token}`; the token needs the scopes
  forms:read and responses:read (developers "Personal access token"; PostHog's and
  Apache SeaTunnel's Typeform connectors document the same scopes).
- Hosts: https://api.typeform.com; accounts in Typeform's EU data center use
  https://api.eu.typeform.com (also published as https://api.typeform.eu).
- Form definition: `GET /forms/{form_id}` -> `{id, title, fields: [{id, ref, title,
  type, properties: {choices: [{id, ref, label}], steps, start_at_one, fields (group /
  inline_group)}}], hidden: [names]}` (create/reference/retrieve-form). Free text is
  `long_text` and `short_text`; ratings are `rating` (1..steps, default 5),
  `opinion_scale` (0 or 1 .. steps, default 0-10) and `nps` (0-10).
- Responses: `GET /forms/{form_id}/responses?page_size=(max 1000)&after={token}`
  (responses/reference/retrieve-responses): `after` and `before` take a response token
  and are exclusive; they "could not be used together with sort, as it sorts responses
  in the order that our system processed them", which "ensures that you can traverse
  the complete set of responses without repeating entries". Without a token responses
  come newest first (submitted_at), and the next older page is asked `before` the last
  token read. `response_type` selects completed (the default), partial, started. Answer
  `{total_items, page_count, items: [{response_id, token, landing_id, landed_at,
  submitted_at, hidden: {...}, answers: [{field: {id, ref, type}, type (text | choice |
  choices | number | email | boolean | date | ...), text | choice: {label, other} |
  choices: {labels, other} | number | email ...}]}]}`. Very recent responses (say
  within the last 30 minutes) may not be returned yet; they come later, after the token.
- Rate limits: 2 requests per second per account; a 429 is retried by
  collectors.http.HttpClient with `Retry-After`, and requests are spaced by
  `request_interval` (default 0.5 s) so a run stays under the cap.

Cursor: the first run walks all responses newest first (`before` the last token of each
page) and remembers the newest token; every later run asks `after` it, page by page in
processing order, and the cursor after each page is its last token. A submitted
Typeform response cannot be edited, so a response is read once; a full collection reads
them all again and the unique key turns the known ones into no-ops.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from ..parsing import MalformedItem, as_dict, iso_time
from ..registry import register
from ..surveys import (
    CHOICE,
    OTHER,
    RATING,
    TEXT,
    Answers,
    Mapping,
    Pacer,
    Question,
    SurveySettings,
    chunks,
    describe,
    plain,
    records,
    select,
)

FORM_PATH = "/forms/{id}"
RESPONSES_PATH = "/forms/{id}/responses"
PAGE_MAX = 1000
MAX_PAGES = 100_000
TEXT_TYPES = {"long_text", "short_text"}
CHOICE_TYPES = {"dropdown", "multiple_choice", "picture_choice", "yes_no", "ranking"}


class TypeformSettings(SurveySettings):
    base_url: str = Field(
        "https://api.typeform.com",
        description="API host: https://api.typeform.com, or https://api.eu.typeform.com for "
        "accounts in the EU data center.",
    )
    form_id: str = Field(
        min_length=1, description="The form's id, as in https://yourname.typeform.com/to/{id}."
    )
    page_size: int = Field(PAGE_MAX, ge=1, le=PAGE_MAX, description="Responses per page.")
    request_interval: float = Field(
        0.5, ge=0, le=10, description="Seconds between requests (Typeform allows 2 a second)."
    )

    @model_validator(mode="after")
    def _address(self) -> TypeformSettings:
        self.base_url = validate_base_url(
            self.base_url,
            allow_insecure_http=self.allow_insecure_http,
            example="https://api.typeform.com",
        )
        return self


@register
class TypeformConnector(Connector):
    kind = "typeform"
    label = "Typeform"
    settings_model = TypeformSettings
    secret_names = ("token",)
    settings: TypeformSettings

    # --- connection -----------------------------------------------------------------

    def _client(self) -> HttpClient:
        token = str(self.secrets.get("token") or "").strip()
        if not token:
            raise ConnectorConfigError(
                "No personal access token is stored for this Typeform source (secret token)."
            )
        check_address(
            self.settings.base_url, allow_private_network=self.settings.allow_private_network
        )
        self._pacer = Pacer(self.settings.request_interval)
        return HttpClient(
            self.settings.base_url,
            headers={"Authorization": f"Bearer {token}"},
            backoff=self.settings.retry_backoff,
            allow_private_network=self.settings.allow_private_network,
            address_hint="check base_url (https://api.typeform.com or the EU host)",
        )

    def _get(self, client: HttpClient, path: str, params: dict[str, Any] | None = None) -> Any:
        self._pacer.wait()
        try:
            return client.get_json(path, params=params)
        except ConnectorConfigError as exc:
            raise ConnectorConfigError(_explain(str(exc), exc.status), status=exc.status) from None

    def _definition(self, client: HttpClient) -> tuple[str, Mapping]:
        form = as_dict(self._get(client, FORM_PATH.format(id=self.settings.form_id)))
        if not isinstance(form.get("fields"), list):
            raise ConnectorError("Typeform answered the form without its fields.")
        title = plain(form.get("title")) or f"Form {self.settings.form_id}"
        mapping = select(_questions(form["fields"]), self.settings, f"Typeform form {title!r}")
        return title, mapping

    def _page(self, client: HttpClient, **token: str) -> list[Any]:
        params: dict[str, Any] = {"page_size": self.settings.page_size, **token}
        params["response_type"] = (
            "completed,partial" if self.settings.include_partial else "completed"
        )
        data = as_dict(self._get(client, RESPONSES_PATH.format(id=self.settings.form_id), params))
        items = data.get("items")
        if not isinstance(items, list):
            raise ConnectorError("Typeform answered the responses without items.")
        return items

    # --- check ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        host = urlsplit(self.settings.base_url).netloc
        try:
            client = self._client()
            title, mapping = self._definition(client)
            data = as_dict(
                self._get(client, RESPONSES_PATH.format(id=self.settings.form_id), {"page_size": 1})
            )
        except ConnectorError as exc:
            return CheckResult(False, str(exc))
        total = data.get("total_items")
        count = f"{total} responses" if isinstance(total, int) else "responses readable"
        return CheckResult(True, f"OK: form {title!r} on {host}: {count}; {describe(mapping)}.")

    # --- fetch ----------------------------------------------------------------------

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        client = self._client()
        title, mapping = self._definition(client)
        after = "" if full else str((cursor or {}).get("after") or "")
        if after:
            try:
                yield from self._forward(client, after, mapping, title)
                return
            except ConnectorConfigError as exc:
                if exc.status != 400:
                    raise
                # Typeform no longer knows the token (the response was deleted): read all
                # again; the unique key turns the known responses into no-ops.
        yield from self._backfill(client, mapping, title)

    def _forward(
        self, client: HttpClient, after: str, mapping: Mapping, title: str
    ) -> Iterator[Batch]:
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        for _ in range(MAX_PAGES):
            items = self._page(client, after=after)
            recs, skips = self._read(items, mapping, title)
            last = _token(items[-1]) if items else ""
            done = {"after": last or after}
            parts = chunks(recs, size)
            for i, part in enumerate(parts):
                final = i == len(parts) - 1
                if part or (final and (skips or last)):
                    yield Batch(
                        records=part,
                        cursor=done if final else {"after": after},
                        skips=skips if final else [],
                    )
            if len(items) < self.settings.page_size or not last:
                return
            after = last
        raise ConnectorError(f"Typeform kept answering full pages ({MAX_PAGES} pages).")

    def _backfill(self, client: HttpClient, mapping: Mapping, title: str) -> Iterator[Batch]:
        # Newest first: the cursor is the first token read, saved with the last batch (a
        # run that fails half way starts again; the unique key absorbs the repeat).
        size = max(1, int(django_settings.EARSHOT_INGEST_BATCH))
        newest = ""
        before = ""
        pending: list[Batch] = []
        for _ in range(MAX_PAGES):
            items = self._page(client, **({"before": before} if before else {}))
            if not newest and items:
                newest = _token(items[0])
            recs, skips = self._read(items, mapping, title)
            for i, part in enumerate(chunks(recs, size)):
                batch = Batch(records=part, cursor={}, skips=skips if i == 0 else [])
                if part or batch.skips:
                    if pending:
                        yield pending.pop()
                    pending.append(batch)
            last = _token(items[-1]) if items else ""
            if len(items) < self.settings.page_size or not last:
                break
            before = last
        else:
            raise ConnectorError(f"Typeform kept answering full pages ({MAX_PAGES} pages).")
        final = pending.pop() if pending else Batch(records=[], cursor={})
        final.cursor = {"after": newest} if newest else {}
        if final.records or final.skips or final.cursor:
            yield final

    def _read(
        self, items: list[Any], mapping: Mapping, title: str
    ) -> tuple[list[CommentRecord], list[Skip]]:
        recs: list[CommentRecord] = []
        skips: list[Skip] = []
        for n, item in enumerate(items):
            rid = str(as_dict(item).get("response_id") or as_dict(item).get("token") or "")
            if not rid:
                skips.append(Skip(item=f"response #{n + 1} of a page", reason="without an id"))
                continue
            try:
                recs.extend(records(self._answers(item, rid, mapping, title), mapping))
            except MalformedItem as exc:
                skips.append(Skip(item=f"response {rid}", reason=f"response {exc}"))
        return recs, skips

    def _answers(self, item: dict[str, Any], rid: str, mapping: Mapping, title: str) -> Answers:
        when = item.get("submitted_at") or (
            item.get("landed_at") if self.settings.include_partial else None
        )
        created = iso_time(when, "submitted_at")
        raw = item.get("answers")
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raise MalformedItem("answers are not a list")
        given: dict[str, dict[str, Any]] = {}
        emails: list[str] = []
        for a in raw:
            a = as_dict(a)
            fid = as_dict(a.get("field")).get("id")
            if fid is not None:
                given[str(fid)] = a
            if a.get("type") == "email" and isinstance(a.get("email"), str):
                emails.append(a["email"])

        def value(q: Question | None) -> Any:
            return _value(given.get(q.id)) if q is not None else None

        hidden = as_dict(item.get("hidden"))
        email = str(hidden.get("email") or (emails[0] if emails else ""))
        return Answers(
            response_id=rid,
            created_at=created,
            texts={q.id: _text(value(q)) for q in mapping.comments},
            rating=value(mapping.rating),
            department=_text(value(mapping.department)),
            service=_text(value(mapping.service)),
            author_id=str(hidden.get("employee_id") or hidden.get("user_id") or ""),
            author_name=str(hidden.get("name") or ""),
            author_email=email,
            title=title,
            url="",
        )


# --- mapping ----------------------------------------------------------------------------


def _questions(fields: list[Any]) -> list[Question]:
    found: list[Question] = []
    for f in fields:
        f = as_dict(f)
        props = as_dict(f.get("properties"))
        kind = str(f.get("type") or "")
        if kind in ("group", "inline_group"):
            found.extend(_questions(props.get("fields") or []))
            continue
        if f.get("id") in (None, "") or kind in ("statement", "payment"):
            continue
        scale = ""
        if kind in TEXT_TYPES:
            qkind = TEXT
        elif kind == "nps":
            qkind, scale = RATING, "0-10"
        elif kind == "rating":
            qkind, scale = RATING, f"1-{_int(props.get('steps'), 5)}"
        elif kind == "opinion_scale":
            low = 1 if props.get("start_at_one") else 0
            qkind, scale = RATING, f"{low}-{low + _int(props.get('steps'), 11) - 1}"
        elif kind in CHOICE_TYPES:
            qkind = CHOICE
        else:
            qkind = OTHER
        ref = str(f.get("ref") or "")
        found.append(
            Question(
                str(f["id"]),
                plain(f.get("title")),
                qkind,
                aliases=(ref,) if ref else (),
                scale=scale,
            )
        )
    return found


def _value(answer: dict[str, Any] | None) -> Any:
    if not answer:
        return None
    kind = answer.get("type")
    if kind == "choice":
        choice = as_dict(answer.get("choice"))
        return choice.get("label") or choice.get("other")
    if kind == "choices":
        choices = as_dict(answer.get("choices"))
        labels = [str(x) for x in choices.get("labels") or [] if x]
        if choices.get("other"):
            labels.append(str(choices["other"]))
        return ", ".join(labels)
    if kind == "boolean":
        return "yes" if answer.get("boolean") else "no"
    if isinstance(kind, str) and kind in answer:
        return answer[kind]  # text, number, email, date, url, phone_number ...
    return None


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def _token(item: Any) -> str:
    return str(as_dict(item).get("token") or as_dict(item).get("response_id") or "")


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and value > 1 else default


def _explain(message: str, status: int | None) -> str:
    if status in (401, 403):
        return (
            f"{message} Typeform wants a personal access token (Account > Your settings > "
            "Personal tokens) with the scopes forms:read and responses:read, stored as the "
            "secret token, from an account that can see this form."
        )
    if status == 404:
        return f"{message} Is form_id the id in the form's address (…/to/{{form_id}})?"
    return message
