"""webhook: a generic signed JSON webhook (push only), for any system that can POST JSON
when something is said (a form tool, an intranet, an in-house helpdesk, a chat bridge).

Nothing is fetched: fetch() yields nothing and a schedule has nothing to do. The sender
POSTs to `/hooks/<source id>/<hook token>/` (collectors/webhooks.py) with:

- `X-Earshot-Timestamp: <Unix seconds>` (within 5 minutes of Earshot's clock);
- `X-Earshot-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, keyed with
  the source's secret `signing_secret` (the scheme of Stripe's and Slack's signatures:
  the timestamp is signed with the body, so a captured request cannot be replayed later);
- optionally `X-Earshot-Delivery: <unique id>`: a redelivery with the same id is stored
  once (without it, the SHA-256 of the body is the delivery id).

The body is one JSON object or a list of them (at most `max_items`), or an envelope with
the list at `items_field`. The settings map JSON fields, as dotted paths (`ticket.id`,
`answers.0.text`), onto the record: `id_field` and `text_field` are required; the thread
is `thread_id_field` (default: the item's own id, a thread of one); `created_at_field`
takes ISO 8601 or Unix seconds (or milliseconds) and defaults to the time of receipt.
An item without an id or text is skipped with the reason, the others land. The same id
sent again with other text updates the stored comment (re-scored), never duplicates it.

Voice: left to Earshot's IT-staff directory (pass the author's e-mail so it can match).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, field_validator

from ..base import (
    Batch,
    CheckResult,
    CommentRecord,
    Connector,
    ConnectorConfigError,
    Skip,
    StrictSettings,
)
from ..parsing import MalformedItem, iso_time
from ..registry import register

PATH = re.compile(r"^[A-Za-z0-9_\-$@]+(\.[A-Za-z0-9_\-$@]+)*$")
MAX_ITEMS = 1000
_MISSING = object()

OPTIONAL_FIELDS = (
    "thread_id_field",
    "created_at_field",
    "author_id_field",
    "author_name_field",
    "author_email_field",
    "department_field",
    "category_field",
    "title_field",
    "url_field",
    "rating_field",
    "items_field",
)


class WebhookSettings(StrictSettings):
    id_field: str = Field(description="Dotted path of the item's unique id, e.g. id or ticket.id.")
    text_field: str = Field(description="Dotted path of the comment text, e.g. comment.body.")
    thread_id_field: str = Field("", description="Dotted path of the thread id (default: the id).")
    created_at_field: str = Field(
        "", description="Dotted path of the time (ISO 8601 or Unix seconds; default: receipt)."
    )
    author_id_field: str = Field("", description="Dotted path of the author's id.")
    author_name_field: str = Field("", description="Dotted path of the author's name.")
    author_email_field: str = Field("", description="Dotted path of the author's e-mail.")
    department_field: str = Field("", description="Dotted path of the author's department.")
    category_field: str = Field("", description="Dotted path of the service / category.")
    title_field: str = Field("", description="Dotted path of the thread title.")
    url_field: str = Field("", description="Dotted path of a link back to the item.")
    rating_field: str = Field("", description="Dotted path of a numeric rating (CSAT, NPS).")
    rating_scale: str = Field("", description='The rating\'s range, e.g. "1-5" or "0-10".')
    items_field: str = Field(
        "", description="Dotted path of the list of items in an envelope (default: the body)."
    )
    max_items: int = Field(100, ge=1, le=MAX_ITEMS, description="Items accepted per delivery.")

    @field_validator("id_field", "text_field", *OPTIONAL_FIELDS)
    @classmethod
    def _path(cls, value: str, info: Any) -> str:
        required = info.field_name in ("id_field", "text_field")
        if (value or required) and not PATH.match(value):
            raise ValueError("give a dotted path of JSON keys, e.g. id or ticket.requester.email")
        return value


@register
class WebhookConnector(Connector):
    kind = "webhook"
    label = "Generic JSON webhook (push)"
    settings_model = WebhookSettings
    secret_names = ("signing_secret", "hook_token")
    push = True
    push_only = True
    settings: WebhookSettings

    def check(self) -> CheckResult:
        s = self.settings
        mapping = ", ".join(
            f"{name.removesuffix('_field')} <- {getattr(s, name)}"
            for name in ("id_field", "text_field", *OPTIONAL_FIELDS)
            if getattr(s, name)
        )
        scheme = (
            "Push only: nothing is fetched. The sender POSTs JSON (one object or a list of "
            f"at most {s.max_items}) to Earshot at /hooks/<source id>/<hook token>/ with "
            "the headers X-Earshot-Timestamp: <Unix seconds> and X-Earshot-Signature: "
            'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the '
            "signing_secret>, optionally X-Earshot-Delivery: <unique id>. "
            f"Fields: {mapping}."
        )
        missing = [n for n in ("signing_secret", "hook_token") if not self.secrets.get(n)]
        if missing:
            return CheckResult(False, f"Not ready: no {' or '.join(missing)} stored. {scheme}")
        return CheckResult(True, f"OK: signing secret and hook token stored. {scheme}")

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        return iter(())  # push only: deliveries arrive through collectors/webhooks.py

    # --- push -----------------------------------------------------------------------

    def items(self, payload: Any) -> list[Any]:
        """The items of a delivery; ConnectorConfigError saying what is wrong with it."""
        if self.settings.items_field:
            payload = dig(payload, self.settings.items_field)
            if payload is _MISSING:
                raise ConnectorConfigError(f"the body has no {self.settings.items_field!r}")
        if isinstance(payload, dict):
            return [payload]
        if isinstance(payload, list):
            return payload
        raise ConnectorConfigError("the body must be a JSON object or a list of objects")

    def push_records(
        self, payload: Any, *, received_at: datetime, cursor: dict[str, Any]
    ) -> tuple[list[CommentRecord], list[Skip], str]:
        del cursor  # nothing is polled, so there is nothing to carry
        items = self.items(payload)
        records: list[CommentRecord] = []
        skips: list[Skip] = []
        for n, item in enumerate(items[: self.settings.max_items]):
            try:
                records.append(self._record(item, received_at))
            except MalformedItem as exc:
                ident = dig(item, self.settings.id_field) if isinstance(item, dict) else _MISSING
                label = f"item {_text(ident)}" if _text(ident) else f"item #{n + 1}"
                skips.append(Skip(item=label[:255], reason=str(exc)))
        return records, skips, f"{len(records)} item(s) stored, {len(skips)} skipped"

    def _record(self, item: Any, received_at: datetime) -> CommentRecord:
        s = self.settings
        if not isinstance(item, dict):
            raise MalformedItem("item is not a JSON object")
        ident = _text(dig(item, s.id_field))
        if not ident:
            raise MalformedItem(f"no id at {s.id_field!r}")
        text = dig(item, s.text_field)
        if not isinstance(text, str) or not text.strip():
            raise MalformedItem(f"no text at {s.text_field!r}")
        thread = _text(self._get(item, s.thread_id_field)) or ident
        created = self._time(item, received_at)
        rating: float | None = None
        raw_rating = self._get(item, s.rating_field)
        if raw_rating not in (None, ""):
            try:
                rating = float(raw_rating)
            except (TypeError, ValueError):
                raise MalformedItem(
                    f"rating {str(raw_rating)[:20]!r} at {s.rating_field!r} is not a number"
                ) from None
        return CommentRecord(
            external_id=ident,
            thread_external_id=thread,
            body=text,
            created_at=created,
            thread_title=_text(self._get(item, s.title_field)),
            thread_url=_url(self._get(item, s.url_field)),
            author_external_id=_text(self._get(item, s.author_id_field)),
            author_name=_text(self._get(item, s.author_name_field)),
            author_email=_text(self._get(item, s.author_email_field)),
            department=_text(self._get(item, s.department_field)),
            category_hint=_text(self._get(item, s.category_field)),
            rating=rating,
            rating_scale=s.rating_scale if rating is not None else "",
        )

    @staticmethod
    def _get(item: dict[str, Any], path: str) -> Any:
        if not path:
            return None
        value = dig(item, path)
        return None if value is _MISSING else value

    def _time(self, item: dict[str, Any], received_at: datetime) -> datetime:
        path = self.settings.created_at_field
        value = self._get(item, path)
        if value in (None, ""):
            return received_at
        if isinstance(value, bool):
            raise MalformedItem(f"time at {path!r} is not a date-time")
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 1e11 else value  # milliseconds since 1973
            try:
                return datetime.fromtimestamp(seconds, tz=UTC)
            except (OverflowError, OSError, ValueError):
                raise MalformedItem(f"time {value!r} at {path!r} is out of range") from None
        return iso_time(value, path)


def dig(value: Any, path: str) -> Any:
    """The value at a dotted path ("a.b.0.c": keys, and list indexes as numbers), or
    _MISSING."""
    for key in path.split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _MISSING
    return value


def _text(value: Any) -> str:
    if value is None or value is _MISSING or isinstance(value, dict | list):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _url(value: Any) -> str:
    text = _text(value)
    return text if text.startswith(("https://", "http://")) else ""
