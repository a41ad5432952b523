"""The connector contract: what every source kind implements.

To add a kind, copy a sibling package (collectors/csvfile/): a pydantic settings
model, a Connector subclass registered in collectors/registry.py, a mapping from
the upstream's items to CommentRecord, and tests against a fake upstream.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError


class ConnectorError(Exception):
    """Upstream failed; worth retrying later (network, 5xx, rate limit exhausted).

    `status` is the upstream's HTTP status when there was one, so connectors can react
    to a code (a deleted item's 404) without reading the message; `body` its JSON error
    body.
    """

    def __init__(
        self, message: str = "", *, status: int | None = None, body: Any = None
    ) -> None:
        super().__init__(message)
        self.status = status
        # The upstream's JSON error body (a dict, {} when there was none): its own words
        # often name what is missing (a permission, a scope, an error code).
        self.body: dict[str, Any] = body if isinstance(body, dict) else {}


class ConnectorConfigError(ConnectorError):
    """Bad credentials or settings; retrying will not help. Shown to the admin as is."""


@dataclass(frozen=True, slots=True)
class CommentRecord:
    """One utterance as any source delivers it, before it touches the database.

    `external_id` is stable across re-collection: the same item always maps to the same
    id, so storing it twice updates instead of duplicating.
    """

    external_id: str
    thread_external_id: str
    body: str
    created_at: datetime
    thread_title: str = ""
    thread_url: str = ""
    author_external_id: str = ""
    author_name: str = ""
    author_email: str = ""
    department: str = ""
    # The source's own service/category field; mapped onto Earshot's categories.
    category_hint: str = ""
    # None: decided by Earshot (IT-staff directory, bot flags); else the platform's own signal.
    voice: str | None = None
    # Teams / groups the platform reports for the author (matched by the IT-staff directory).
    author_groups: tuple[str, ...] = ()
    # A numeric answer given beside the comment (survey CSAT 1-5, NPS 0-10), stored with it
    # so rating and sentiment can be compared; `rating_scale` names the range, e.g. "1-5".
    rating: float | None = None
    rating_scale: str = ""


@dataclass(frozen=True, slots=True)
class Skip:
    """An item the connector could not turn into a record, and why."""

    item: str
    reason: str


@dataclass(slots=True)
class Batch:
    """Records to store together, and the cursor to resume from once they are stored."""

    records: list[CommentRecord]
    cursor: dict[str, Any]
    skips: list[Skip] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    message: str


class Connector(abc.ABC):
    """Reads new comments from one upstream system.

    fetch() yields batches newer than `cursor`; each batch carries the cursor to
    resume from once that batch is stored. fetch() never touches the database:
    the caller stores a batch and its cursor in one transaction.
    """

    kind: ClassVar[str]
    label: ClassVar[str]
    settings_model: ClassVar[type[BaseModel]]
    # Names of secrets this kind needs (stored encrypted, never shown back).
    secret_names: ClassVar[tuple[str, ...]] = ()
    # Receives pushed events on its webhook URL (collectors/webhooks.py).
    push: ClassVar[bool] = False
    # Only pushed to: fetch() yields nothing, so the source gets no collection schedule.
    push_only: ClassVar[bool] = False

    def __init__(self, settings: BaseModel, secrets: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.secrets = secrets or {}

    @classmethod
    def parse_settings(cls, raw: dict[str, Any]) -> BaseModel:
        """Validate a source's settings; raise ConnectorConfigError with readable messages."""
        try:
            return cls.settings_model.model_validate(raw)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "settings"
                problems.append(f"{where}: {err['msg']}")
            raise ConnectorConfigError(
                f"Invalid settings for a {cls.kind} source: " + "; ".join(problems)
            ) from None

    @abc.abstractmethod
    def check(self) -> CheckResult:
        """Test the connection and permissions without storing anything."""

    @abc.abstractmethod
    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        """Yield batches after `cursor` (from the beginning when `full`)."""


class StrictSettings(BaseModel):
    """Base for settings models: unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
