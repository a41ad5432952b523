"""The demo: the synthetic kinds (deterministic, incremental) and `manage.py loaddemo`.

loaddemo runs once per module (it takes a few seconds): a module fixture runs it twice
against the test database, outside any test transaction so the scoring scheduled with
transaction.on_commit really runs, records what the tests check, and removes what it
created. The tests then assert on those figures.
"""

from __future__ import annotations

import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Max, Min
from django.test import override_settings
from django.utils import timezone

from collectors.base import ConnectorConfigError
from collectors.demo import DemoChatConnector, DemoHelpdeskConnector
from collectors.demo.generator import DEPARTMENTS, Story
from collectors.models import Source
from collectors.registry import connector_for, kinds
from collectors.services import source_collect, source_create, source_remove
from sentiment.catalogue import ensure_catalogue
from sentiment.celery import app as celery_app
from sentiment.management.commands import loaddemo
from sentiment.models import Category, Comment, DailySentiment, Thread, Voice

END = "2025-06-29"  # a Sunday: the window is 26 whole ISO weeks
DEMO_NAMES = (loaddemo.HELPDESK, loaddemo.CHAT, loaddemo.SURVEY)
CATEGORY_SLUGS = {
    "email",
    "network",
    "devices",
    "access",
    "printing",
    "applications",
    "mobile",
    "service-desk",
    "other",
}


def _weekly_net() -> dict[tuple[int, int], float]:
    weeks: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in DailySentiment.objects.all():
        w = weeks[tuple(row.day.isocalendar())[:2]]
        w[0] += row.n
        w[1] += row.n_positive
        w[2] += row.n_negative
    return {k: 100 * (p - ng) / n for k, (n, p, ng) in weeks.items() if n}


@dataclass
class DemoFigures:
    output: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # name -> kind
    comments: int = 0
    per_source_voice: Counter = field(default_factory=Counter)
    voices: Counter = field(default_factory=Counter)
    unscored: int = 0
    span_days: int = 0
    categories: set[str] = field(default_factory=set)
    departments: set[str] = field(default_factory=set)
    weekly_net: dict[tuple[int, int], float] = field(default_factory=dict)
    outage_week: tuple[int, int] = (0, 0)
    second_output: str = ""
    second_run_created: int = -1
    second_run_comments: int = -1
    refetched_after_cursor: int = -1
    user_ok: bool = False


def _load_and_measure() -> DemoFigures:
    figures = DemoFigures()
    out = io.StringIO()
    # DEBUG is off under test: the command then wants the password spelled out.
    call_command(
        "loaddemo", end=END, password=loaddemo.DEMO_PASSWORD, stdout=out, stderr=io.StringIO()
    )
    figures.output = out.getvalue()
    sources = list(Source.objects.filter(name__in=DEMO_NAMES))
    figures.sources = {s.name: s.kind for s in sources}
    comments = Comment.objects.filter(source__in=sources)
    figures.comments = comments.count()
    for source_name, voice in comments.values_list("source__name", "voice"):
        figures.per_source_voice[(source_name, voice)] += 1
        figures.voices[voice] += 1
    figures.unscored = comments.filter(compound__isnull=True).count()
    span = comments.aggregate(first=Min("created_at"), last=Max("created_at"))
    figures.span_days = (span["last"] - span["first"]).days
    threads = Thread.objects.filter(source__in=sources)
    figures.categories = set(threads.values_list("category__slug", flat=True))
    figures.departments = set(threads.values_list("department", flat=True)) - {""}
    figures.weekly_net = _weekly_net()
    story = Story.build(
        seed=1,
        weeks=26,
        last_day=date.fromisoformat(END),
        outage_weeks_ago=loaddemo.OUTAGE_WEEKS_AGO,
        per_week=1,
        tz=timezone.get_current_timezone(),
    )
    figures.outage_week = tuple(story.outage_monday.isocalendar())[:2]

    out = io.StringIO()
    # No --end this time: the day pinned by the first run holds.
    call_command("loaddemo", password=loaddemo.DEMO_PASSWORD, stdout=out, stderr=io.StringIO())
    figures.second_output = out.getvalue()
    figures.second_run_comments = Comment.objects.filter(source__in=sources).count()
    figures.second_run_created = sum(
        s.runs.order_by("-started_at").first().created for s in sources
    )
    refetched = 0
    for source in Source.objects.filter(name__in=DEMO_NAMES, kind__startswith="demo_"):
        for batch in connector_for(source).fetch(source.cursor):
            refetched += len(batch.records)
    figures.refetched_after_cursor = refetched
    user = get_user_model().objects.get(username=loaddemo.DEMO_USER)
    figures.user_ok = (
        user.is_superuser and user.is_staff and user.check_password(loaddemo.DEMO_PASSWORD)
    )
    return figures


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Any:
    """loaddemo twice on the test database, measured; what it made is removed afterwards."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        # A transactional test elsewhere may have flushed the migration's catalogue.
        ensure_catalogue(Category)
        # Scoring inline, as in the embedded mode, even where a broker is configured (CI).
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            figures = _load_and_measure()
        except BaseException:
            _remove_demo()
            raise
        finally:
            celery_app.conf.task_always_eager = eager
        yield figures
        _remove_demo()


def _remove_demo() -> None:
    for source in Source.objects.filter(name__in=DEMO_NAMES):
        source_remove(source=source)
    get_user_model().objects.filter(username=loaddemo.DEMO_USER).delete()


# --- loaddemo -------------------------------------------------------------------------


@pytest.mark.django_db
def test_loaddemo_creates_three_sources_of_three_kinds(demo: DemoFigures) -> None:
    assert len(demo.sources) >= 3
    assert len(set(demo.sources.values())) >= 3
    assert set(demo.sources.values()) >= {"demo_helpdesk", "demo_chat", "csvfile"}
    for name in demo.sources:
        assert name in demo.output


@pytest.mark.django_db
def test_loaddemo_volume_span_and_voices(demo: DemoFigures) -> None:
    assert demo.comments >= 5_000
    assert demo.span_days >= 25 * 7
    assert demo.voices[Voice.BUSINESS] > demo.voices[Voice.IT_STAFF] > demo.voices[Voice.BOT] > 0
    # Each kind brings its voices: tickets and chat have IT staff and bots, the survey business only.
    for name in (loaddemo.HELPDESK, loaddemo.CHAT):
        for voice in Voice.values:
            assert demo.per_source_voice[(name, voice)] > 0, (name, voice)
    assert demo.per_source_voice[(loaddemo.SURVEY, Voice.BUSINESS)] > 300


@pytest.mark.django_db
def test_loaddemo_covers_every_category_and_department(demo: DemoFigures) -> None:
    assert demo.categories >= CATEGORY_SLUGS
    assert demo.departments >= set(DEPARTMENTS)


@pytest.mark.django_db
def test_loaddemo_scores_everything_and_rolls_up(demo: DemoFigures) -> None:
    assert demo.unscored == 0
    assert len(demo.weekly_net) >= 26
    assert "Every comment is scored" in demo.output


@pytest.mark.django_db
def test_outage_week_dips_clearly(demo: DemoFigures) -> None:
    nets = demo.weekly_net
    outage = nets[demo.outage_week]
    others = [v for k, v in nets.items() if k != demo.outage_week]
    assert outage <= statistics.median(others) - 15, (outage, statistics.median(others))
    assert outage == min(nets.values())


@pytest.mark.django_db
def test_loaddemo_twice_creates_nothing_new(demo: DemoFigures) -> None:
    assert demo.second_run_created == 0
    assert demo.second_run_comments == demo.comments
    assert demo.refetched_after_cursor == 0
    assert "existing" in demo.second_output


@pytest.mark.django_db
def test_loaddemo_prints_the_demo_login(demo: DemoFigures) -> None:
    assert demo.user_ok
    assert "http://127.0.0.1:8000/" in demo.output
    assert f"{loaddemo.DEMO_USER} / {loaddemo.DEMO_PASSWORD}" in demo.output


# --- the demo kinds -------------------------------------------------------------------


SMALL = {"seed": 7, "weeks": 4, "per_week": 12, "end": "2025-03-16", "outage_weeks_ago": 1}


def _connector(cls: Any, **overrides: Any) -> Any:
    return cls(cls.parse_settings({**SMALL, **overrides}))


def _all(connector: Any, cursor: dict[str, Any] | None = None) -> list[Any]:
    return [r for batch in connector.fetch(cursor or {}) for r in batch.records]


def test_demo_kinds_are_registered_and_documented() -> None:
    registered = kinds()
    for kind in ("demo_helpdesk", "demo_chat"):
        assert kind in registered
        assert (
            "synthetic data for demos and benchmarks, not a real upstream"
            in registered[kind].__doc__
        )


@pytest.mark.parametrize("cls", [DemoHelpdeskConnector, DemoChatConnector])
def test_same_settings_same_records(cls: Any) -> None:
    first = [(r.external_id, r.body, r.created_at) for r in _all(_connector(cls))]
    again = [(r.external_id, r.body, r.created_at) for r in _all(_connector(cls))]
    assert first and first == again
    assert len({ext for ext, _, _ in first}) == len(first)  # ids unique
    other_seed = [(r.external_id, r.body) for r in _all(_connector(cls, seed=8))]
    assert other_seed != [(ext, body) for ext, body, _ in first]


@pytest.mark.parametrize("cls", [DemoHelpdeskConnector, DemoChatConnector])
def test_a_longer_window_keeps_the_days_already_in_it(cls: Any) -> None:
    # Same last day, one more week of history: the shared days' ids are the same.
    short = {r.external_id for r in _all(_connector(cls, outage_weeks_ago=50))}
    longer = {r.external_id for r in _all(_connector(cls, weeks=5, outage_weeks_ago=50))}
    assert short and short < longer


@pytest.mark.parametrize("cls", [DemoHelpdeskConnector, DemoChatConnector])
def test_fetch_is_incremental_and_batched(cls: Any, settings: Any) -> None:
    settings.EARSHOT_INGEST_BATCH = 50
    connector = _connector(cls)
    batches = list(connector.fetch({}))
    assert len(batches) > 2
    assert all(len(b.records) >= 50 for b in batches[:-1])
    everything = [r for b in batches for r in b.records]
    # A finished run's cursor: nothing more.
    assert _all(connector, batches[-1].cursor) == []
    # Resuming after any committed batch yields exactly the rest: nothing lost, nothing twice.
    middle = len(batches) // 2
    done = sum(len(b.records) for b in batches[: middle + 1])
    rest = _all(connector, batches[middle].cursor)
    assert [r.external_id for r in rest] == [r.external_id for r in everything[done:]]
    assert batches[-1].cursor == {"until": everything[-1].created_at.isoformat()}
    # full=True ignores the cursor.
    assert len(
        [r for b in connector.fetch(batches[-1].cursor, full=True) for r in b.records]
    ) == len(everything)


@pytest.mark.parametrize("cls", [DemoHelpdeskConnector, DemoChatConnector])
def test_fetch_never_goes_beyond_now_or_the_end(cls: Any, monkeypatch: Any) -> None:
    connector = _connector(cls)
    end_of_window = datetime(2025, 3, 17, tzinfo=UTC)
    assert all(r.created_at < end_of_window for r in _all(connector))
    now = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(connector, "now", lambda: now)
    until_now = _all(connector)
    assert until_now and all(r.created_at <= now for r in until_now)
    cursor = {"until": until_now[-1].created_at.isoformat()}
    # Time passes: the next run brings only what happened since.
    later = now + timedelta(days=1)
    monkeypatch.setattr(connector, "now", lambda: later)
    new = _all(connector, cursor)
    assert new and all(now < r.created_at <= later for r in new)


@pytest.mark.parametrize("cls", [DemoHelpdeskConnector, DemoChatConnector])
def test_records_look_like_their_platform(cls: Any) -> None:
    records = _all(_connector(cls, weeks=8, per_week=40))
    voices = Counter(r.voice or Voice.BUSINESS for r in records)
    assert voices[Voice.BUSINESS] and voices[Voice.IT_STAFF] and voices[Voice.BOT]
    assert all(
        r.thread_url.startswith("https://") and ".example.invalid/" in r.thread_url for r in records
    )
    business = [r for r in records if r.voice is None]
    assert {r.department for r in business} <= set(DEPARTMENTS)
    distinct = len({r.body for r in business})  # varied, not a handful of lines
    assert distinct >= 300 and distinct > 0.4 * len(business)
    if cls is DemoHelpdeskConnector:
        assert all(
            r.thread_url.startswith("https://helpdesk.example.invalid/tickets/") for r in records
        )
        assert {r.category_hint for r in records} >= {
            "VPN",
            "Email",
            "Laptop",
            "Password",
            "Printer",
            "SAP",
            "Mobile",
        }
    else:
        assert any(r.author_name == "IT Status Bot" and r.voice == Voice.BOT for r in records)


def test_settings_are_checked() -> None:
    with pytest.raises(ConnectorConfigError, match="end"):
        DemoHelpdeskConnector.parse_settings({"end": "30/06/2025"})
    with pytest.raises(ConnectorConfigError, match="colour"):
        DemoChatConnector.parse_settings({"colour": "blue"})
    result = _connector(DemoHelpdeskConnector).check()
    assert result.ok and "synthetic" in result.message


@pytest.mark.django_db(transaction=True)
def test_small_demo_source_through_the_pipeline(catalogue: None) -> None:
    """A small demo_chat source collected for real: every voice stored, all scored,
    a second collection creates nothing, a full re-collection changes nothing."""
    source = source_create(name="chat demo small", kind="demo_chat", settings=dict(SMALL))
    run = source_collect(source=source)
    assert run is not None and run.status == "ok" and run.created > 50
    comments = Comment.objects.filter(source=source)
    assert set(comments.values_list("voice", flat=True)) == set(Voice.values)
    assert not comments.filter(compound__isnull=True).exists()
    assert DailySentiment.objects.filter(source=source).exists()
    source.refresh_from_db()
    assert set(source.cursor) == {"until"}
    again = source_collect(source=source)
    assert again is not None and again.created == 0 and again.seen == 0
    full = source_collect(source=source, full=True)
    assert (
        full is not None
        and full.created == 0
        and full.updated == 0
        and full.unchanged == run.created
    )
