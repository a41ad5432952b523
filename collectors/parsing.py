"""Reading upstream JSON defensively: what every HTTP kind needs to turn items into records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class MalformedItem(ValueError):
    """An upstream item that cannot become a record: skipped with this message as the reason."""


def iso_time(value: Any, what: str, *, missing: str = "") -> datetime:
    """An ISO 8601 date-time (a trailing Z allowed; no zone means UTC), or MalformedItem
    saying `missing` (default "without <what>") or why the value is not one."""
    if not isinstance(value, str) or not value:
        raise MalformedItem(missing or f"without {what}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedItem(f"{what} {value[:40]!r} is not an ISO date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def epoch_time(seconds: float, what: str) -> datetime:
    """Unix seconds as a UTC date-time, or MalformedItem when datetime cannot hold it (an
    upstream's garbage timestamp must skip one item, not end the run)."""
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedItem(f"{what} {seconds!r:.40} is out of range") from None


def iso_time_or_none(value: Any) -> datetime | None:
    """For values Earshot stored itself (cursors): None instead of an error."""
    try:
        return iso_time(value, "time")
    except MalformedItem:
        return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
