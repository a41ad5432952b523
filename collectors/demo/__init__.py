"""demo_helpdesk and demo_chat: synthetic data for demos and benchmarks, not a real upstream.

Both kinds invent business users' conversations with IT (see generator.py) and hand
them over through the same contract as a real connector, so the whole pipeline
(ingest, scoring, rollups, dashboards) runs on them. Nothing is contacted.

- Deterministic: the same settings always give the same external ids and texts, so
  collecting again creates nothing new.
- Incremental: the cursor is {"until": "<ISO date-time of the last comment handed
  over>"}; fetch() yields only newer comments and never any later than now or the
  end of the `end` day. With `end` empty the window ends today and the feed keeps
  growing day by day, like a live source.
- The storyline is placed relative to the window's last day: a mood that improves
  gently over the weeks, one outage week (`outage_weeks_ago` weeks back) full of
  angry network, VPN and e-mail comments, and a laptop refresh people like.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings as django_settings
from django.utils import timezone
from pydantic import Field, field_validator

from ..base import Batch, CheckResult, CommentRecord, Connector, StrictSettings
from ..registry import register
from .generator import Story, chat_records, helpdesk_records


class DemoSettings(StrictSettings):
    seed: int = Field(1, description="Same seed, same comments.")
    weeks: int = Field(26, ge=1, le=156, description="How many weeks of history, ending on `end`.")
    per_week: int = Field(45, ge=1, le=5000, description="Volume: conversations started per week.")
    end: str = Field("", description="Last day (ISO date, e.g. 2025-06-30); today when empty.")
    outage_weeks_ago: int = Field(
        9, ge=0, le=156, description="The outage week, counted back from `end`."
    )

    @field_validator("end", mode="before")
    @classmethod
    def _end(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str) and value.strip():
            try:
                date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("give the last day as an ISO date, e.g. 2025-06-30") from None
        return value

    def last_day(self) -> date:
        if self.end:
            return date.fromisoformat(self.end)
        return timezone.localdate()

    def story(self) -> Story:
        return Story.build(
            seed=self.seed,
            weeks=self.weeks,
            last_day=self.last_day(),
            outage_weeks_ago=self.outage_weeks_ago,
            per_week=self.per_week,
            tz=timezone.get_current_timezone(),
        )


class HelpdeskDemoSettings(DemoSettings):
    per_week: int = Field(45, ge=1, le=5000, description="Tickets opened per week.")


class ChatDemoSettings(DemoSettings):
    per_week: int = Field(30, ge=1, le=5000, description="Threads started in #it-help per week.")


class _DemoConnector(Connector):
    """Shared by the demo kinds: generate the window, hand over what is new."""

    settings: DemoSettings
    what: ClassVar[str]

    def generate(self, story: Story) -> list[CommentRecord]:
        raise NotImplementedError

    def now(self) -> datetime:
        return timezone.now()

    def _horizon(self, story: Story) -> datetime:
        """Nothing later than now, nor than the end of the last day."""
        end_of_window = datetime.combine(story.last_day, datetime.max.time(), tzinfo=story.tz)
        return min(self.now(), end_of_window)

    def records(self) -> list[CommentRecord]:
        """Every comment of the window that exists by now, oldest first."""
        story = self.settings.story()
        horizon = self._horizon(story)
        found = [r for r in self.generate(story) if r.created_at <= horizon]
        found.sort(key=lambda r: (r.created_at, r.external_id))
        return found

    def check(self) -> CheckResult:
        story = self.settings.story()
        records = self.records()
        voices: dict[str, int] = {}
        for r in records:
            voices[r.voice or "business"] = voices.get(r.voice or "business", 0) + 1
        mix = ", ".join(f"{n} {v}" for v, n in sorted(voices.items()))
        return CheckResult(
            True,
            f"OK: synthetic {self.what} (seed {self.settings.seed}), nothing is contacted. "
            f"{len(records)} comments from {story.first_day} to {story.last_day} ({mix}); "
            f"outage in the week of {story.outage_monday}.",
        )

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        until = None if full else _parse_until(cursor)
        pending = [r for r in self.records() if until is None or r.created_at > until]
        size = max(int(django_settings.EARSHOT_INGEST_BATCH), 1)
        start = 0
        while start < len(pending):
            stop = min(start + size, len(pending))
            # Never split one instant across batches: the cursor is "everything up to here".
            while stop < len(pending) and pending[stop].created_at == pending[stop - 1].created_at:
                stop += 1
            chunk = pending[start:stop]
            yield Batch(records=chunk, cursor={"until": chunk[-1].created_at.isoformat()})
            start = stop


def _parse_until(cursor: dict[str, Any]) -> datetime | None:
    raw = (cursor or {}).get("until")
    if not raw:
        return None
    try:
        until = datetime.fromisoformat(str(raw))
    except ValueError:
        return None  # an unreadable cursor: start over; the unique key absorbs the repeats
    if timezone.is_naive(until):
        until = timezone.make_aware(until, timezone.get_current_timezone())
    return until


@register
class DemoHelpdeskConnector(_DemoConnector):
    """demo_helpdesk: synthetic data for demos and benchmarks, not a real upstream.

    Service-desk tickets: a business requester's opening comment, IT-staff agent
    replies (voice it_staff), the requester's follow-ups, now and then an automation
    message (voice bot). The ticket's service field ("VPN", "Email", "Laptop", ...) is
    the category hint; its link is https://helpdesk.example.invalid/tickets/<n>.
    """

    kind = "demo_helpdesk"
    label = "Demo: service desk tickets (synthetic)"
    settings_model = HelpdeskDemoSettings
    what = "service desk tickets"

    def generate(self, story: Story) -> list[CommentRecord]:
        return helpdesk_records(story)


@register
class DemoChatConnector(_DemoConnector):
    """demo_chat: synthetic data for demos and benchmarks, not a real upstream.

    An #it-help chat channel: business users' messages and replies in threads, IT
    staff answering (voice it_staff), and the "IT Status Bot" posting incidents and
    maintenance notices (voice bot). Chat has no service field: Earshot's keyword
    rules pick the category from the text.
    """

    kind = "demo_chat"
    label = "Demo: #it-help chat channel (synthetic)"
    settings_model = ChatDemoSettings
    what = "#it-help chat messages"

    def generate(self, story: Story) -> list[CommentRecord]:
        return chat_records(story)
