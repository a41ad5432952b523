"""What the survey kinds share: question selection, rating scales, records per response.

A survey response is a Thread; each non-empty free-text answer in it is a Comment with
the external id "{response id}:{question id}". The admin picks, by question id (or the
tool's other handle for it: a Typeform ref, a Qualtrics export tag, a LimeSurvey code):
- `comment_questions`: the free-text questions to collect (default: every free-text
  question the survey definition names);
- `department_question`, `service_question`: answers that give the respondent's
  department and the IT service the comment is about (choice answers as their text);
- `rating_question`: a numeric answer (CSAT 1-5, NPS 0-10) stored with every comment of
  the response, so rating and sentiment can be compared. Left empty, the survey's one
  rating question (NPS, rating, opinion scale) is used when there is exactly one.
An id the survey does not have is a ConnectorConfigError that lists the survey's
questions as "id: title", so the admin can pick.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from .base import CommentRecord, ConnectorConfigError
from .netguard import HttpSourceSettings

# Question kinds, as far as Earshot cares.
TEXT = "text"  # free text: each answer is a comment
RATING = "rating"  # a numeric scale: CSAT, NPS, opinion scale, stars
CHOICE = "choice"  # one or more choices: their text maps departments and services
OTHER = "other"  # numbers, dates, e-mail, file uploads ...

MAX_LISTED = 60  # questions listed in an error message
_BREAK = re.compile(r"<(?:br|/p|/div|/li|/h\d)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)")
_SCALE = re.compile(r"^-?\d+(\.\d+)?\s*-\s*-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Question:
    """A question as the survey definition describes it."""

    id: str
    title: str
    kind: str
    # Other handles the admin may use for it (Typeform ref, Qualtrics export tag).
    aliases: tuple[str, ...] = ()
    # For ratings: the range, e.g. "1-5" (empty when the definition does not say).
    scale: str = ""
    # Choice id -> the text shown (for answers that come as ids).
    choices: dict[str, str] = field(default_factory=dict)

    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


@dataclass(frozen=True)
class Mapping:
    """The questions a source reads, once checked against the survey definition."""

    comments: tuple[Question, ...]
    department: Question | None
    service: Question | None
    rating: Question | None
    rating_scale: str

    def wanted(self) -> set[str]:
        """Ids of every question the mapping reads."""
        found = {q.id for q in self.comments}
        for q in (self.department, self.service, self.rating):
            if q is not None:
                found.add(q.id)
        return found


class SurveySettings(HttpSourceSettings):
    """Settings every survey kind shares (on top of its address and survey id)."""

    comment_questions: list[str] = Field(
        default_factory=list,
        description="Ids of the free-text questions to collect (comma-separated); empty: "
        "every free-text question of the survey.",
    )
    department_question: str = Field("", description="Id of the question giving the department.")
    service_question: str = Field(
        "", description="Id of the question naming the IT service the comment is about."
    )
    rating_question: str = Field(
        "",
        description="Id of the rating question (CSAT, NPS) stored with each comment; empty: "
        "the survey's only rating question, if it has exactly one.",
    )
    rating_scale: str = Field(
        "", description='Range of the rating when the survey does not say, e.g. "1-5" or "0-10".'
    )
    include_partial: bool = Field(
        False, description="Also collect responses that were not completed."
    )

    @field_validator("comment_questions", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("rating_scale")
    @classmethod
    def _scale(cls, value: str) -> str:
        if value and not _SCALE.match(value):
            raise ValueError('write the range as low-high, e.g. "1-5" or "0-10"')
        return value.replace(" ", "")


def plain(text: Any) -> str:
    """A question title as plain text: no HTML tags or entities, one line."""
    if not isinstance(text, str):
        return ""
    text = _TAG.sub("", _BREAK.sub(" ", text))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def number(value: Any) -> float | None:
    """A rating answer as a number ("4", 4, "9 - very likely"), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _NUMBER.match(value)
        if m:
            return float(m.group(1).replace(",", "."))
    return None


def scale_of(values: Iterable[Any]) -> str:
    """ "low-high" of the numbers among `values`, or "" when there are none (or one)."""
    nums = [n for n in (number(v) for v in values) if n is not None]
    if len(nums) < 2:
        return ""
    return f"{_fmt(min(nums))}-{_fmt(max(nums))}"


def all_numeric(values: Sequence[Any]) -> bool:
    return len(values) >= 2 and all(
        isinstance(v, int | float) or (isinstance(v, str) and v.strip().lstrip("-").isdigit())
        for v in values
    )


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)


def listing(questions: Sequence[Question]) -> str:
    shown = [f"{q.id}: {q.title or '(no title)'}" for q in questions[:MAX_LISTED]]
    more = len(questions) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def select(questions: Sequence[Question], settings: SurveySettings, survey: str) -> Mapping:
    """Check the settings' question ids against the survey; ConnectorConfigError if one
    is unknown (listing the survey's questions) or nothing is left to collect."""
    lookup: dict[str, Question] = {}
    for q in questions:
        for name in q.names():
            lookup.setdefault(name, q)
            lookup.setdefault(name.lower(), q)

    def find(name: str, setting: str) -> Question:
        q = lookup.get(name) or lookup.get(name.lower())
        if q is None:
            raise ConnectorConfigError(
                f"{setting} {name!r} is not a question of {survey}. Its questions are: "
                f"{listing(questions)}."
            )
        return q

    if settings.comment_questions:
        comments = tuple(find(n, "comment_questions names") for n in settings.comment_questions)
    else:
        comments = tuple(q for q in questions if q.kind == TEXT)
        if not comments:
            raise ConnectorConfigError(
                f"{survey} has no free-text question Earshot recognises: set comment_questions "
                f"to the ids of the questions to collect. Its questions are: {listing(questions)}."
            )
    department: Question | None = None
    service: Question | None = None
    if settings.department_question:
        department = find(settings.department_question, "department_question")
    if settings.service_question:
        service = find(settings.service_question, "service_question")
    if settings.rating_question:
        rating: Question | None = find(settings.rating_question, "rating_question")
    else:
        ratings = [q for q in questions if q.kind == RATING]
        rating = ratings[0] if len(ratings) == 1 else None
    scale = settings.rating_scale or (rating.scale if rating is not None else "")
    return Mapping(comments, department, service, rating, scale)


def describe(mapping: Mapping) -> str:
    """For check(): what the mapping reads, in one sentence."""
    parts = ["comments from " + ", ".join(f"{q.id} ({q.title[:40]})" for q in mapping.comments)]
    if mapping.rating is not None:
        scale = f", scale {mapping.rating_scale}" if mapping.rating_scale else ""
        parts.append(f"rating from {mapping.rating.id}{scale}")
    if mapping.department is not None:
        parts.append(f"department from {mapping.department.id}")
    if mapping.service is not None:
        parts.append(f"service from {mapping.service.id}")
    return "; ".join(parts)


@dataclass
class Answers:
    """One response, read: the texts of the mapped questions and its respondent."""

    response_id: str
    created_at: datetime
    texts: dict[str, str] = field(default_factory=dict)  # question id -> answer text
    rating: Any = None  # the raw rating answer
    department: str = ""
    service: str = ""
    author_id: str = ""
    author_name: str = ""
    author_email: str = ""
    title: str = ""
    url: str = ""


def records(answers: Answers, mapping: Mapping) -> list[CommentRecord]:
    """A CommentRecord per non-empty free-text answer, the rating beside each."""
    rating = number(answers.rating) if mapping.rating is not None else None
    email = answers.author_email.strip()
    out = []
    for q in mapping.comments:
        body = (answers.texts.get(q.id) or "").strip()
        if not body:
            continue  # an empty answer is not a comment
        out.append(
            CommentRecord(
                external_id=f"{answers.response_id}:{q.id}"[:255],
                thread_external_id=answers.response_id,
                body=body,
                created_at=answers.created_at,
                thread_title=answers.title,
                thread_url=answers.url,
                author_external_id=answers.author_id or email,
                author_name=answers.author_name,
                author_email=email if "@" in email else "",
                department=answers.department.strip(),
                category_hint=answers.service.strip(),
                # Survey respondents are business users unless Earshot's directory says not.
                voice=None,
                rating=rating,
                rating_scale=mapping.rating_scale if rating is not None else "",
            )
        )
    return out


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    size = max(1, size)
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


class Pacer:
    """Keeps at least `interval` seconds between calls (an API's requests-per-second cap)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last = 0.0

    def wait(self) -> None:
        if self.interval <= 0:
            return
        now = time.monotonic()
        pause = self._last + self.interval - now
        if pause > 0:
            time.sleep(pause)
        self._last = time.monotonic()
