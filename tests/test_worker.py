"""The pipeline across real processes: PostgreSQL, Redis and a Celery worker (prefork, 2).

Runs when DATABASE_URL is PostgreSQL and CELERY_BROKER_URL is Redis (CI's second pass,
`make test-services`). Elsewhere it is skipped, except under CI=true where a missing
service is a failure, not a skip.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from collectors.models import Source
from collectors.services import source_collect, source_create
from sentiment.models import Comment, DailySentiment, RollupPending
from sentiment.scoring import SCORER_VERSION
from tests.sentiment.test_pipeline import actual_rollup, expected_rollup

ROOT = Path(__file__).resolve().parent.parent
BROKER = os.environ.get("CELERY_BROKER_URL", "")
DB_URL = os.environ.get("DATABASE_URL", "")
HAVE_SERVICES = BROKER.startswith("redis://") and DB_URL.startswith(("postgres://", "postgresql://"))

if not HAVE_SERVICES and os.environ.get("EARSHOT_REQUIRE_SERVICES"):
    raise RuntimeError("EARSHOT_REQUIRE_SERVICES is set but DATABASE_URL/CELERY_BROKER_URL are not PostgreSQL/Redis")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not HAVE_SERVICES, reason="needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)"),
]


def _redis():
    import redis

    return redis.Redis.from_url(BROKER)


def _queue_empty() -> bool:
    r = _redis()
    return r.llen("celery") == 0 and r.hlen("unacked") == 0


def _wait(predicate, timeout: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process on the test database; killed by its process group."""
    from sentiment.celery import app

    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
    test_db_url = DB_URL.rsplit("/", 1)[0] + "/" + name
    _redis().delete("celery", "unacked", "unacked_index")
    env = {**os.environ, "DATABASE_URL": test_db_url, "CELERY_BROKER_URL": BROKER, "DEBUG": "on"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sentiment", "worker", "--concurrency", "2",
         "--pool", "prefork", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
         "--hostname", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        _wait(lambda: bool(app.control.ping(timeout=0.5)) or proc.poll() is not None, 60, "worker ready")
        assert proc.poll() is None, "the worker exited at start-up"
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture
def big_survey(transactional_db, write_csv):
    from sentiment.catalogue import ensure_catalogue
    from sentiment.models import Category

    ensure_catalogue(Category)
    texts = ["The VPN is down again, awful.", "Great help, thank you!", "Please install Visio.",
             "Laptop is slow and crashes.", "Excellent service desk, very happy."]
    rows = [["ID", "Completion time", "Email", "Department", "Feedback", "Other"]]
    for i in range(600):
        rows.append([str(i), f"2026-03-{1 + i % 28:02d} 10:{i % 60:02d}:00", f"u{i % 50}@corp.example",
                     ["Sales", "HR", "Ops"][i % 3], texts[i % 5], texts[(i + 2) % 5] if i % 2 else ""])
    path = write_csv(rows)
    return source_create(name="survey", kind="csvfile", settings={
        "path": str(path), "text_columns": ["Feedback", "Other"], "timestamp_column": "Completion time",
        "respondent_column": "Email", "department_column": "Department"})


def test_a_worker_process_scores_what_a_collection_queued_and_rolls_it_up(worker, big_survey, settings):
    from sentiment.celery import app

    assert app.conf.task_always_eager is False
    settings.EARSHOT_SCORE_BATCH = 50
    run = source_collect(source=big_survey, trigger="test")
    assert run.created == 900
    # Queued, not scored inline: the worker process does it.
    _wait(lambda: not Comment.objects.filter(compound__isnull=True).exists()
          and not RollupPending.objects.exists() and _queue_empty(), what="scores and rollups")
    assert Comment.objects.filter(scorer_version=SCORER_VERSION).count() == 900
    assert actual_rollup() == expected_rollup()
    assert sum(DailySentiment.objects.values_list("n", flat=True)) == 900


def test_a_score_task_delivered_twice_through_the_broker_changes_nothing(worker, big_survey):
    from sentiment.tasks import score_comments

    source_collect(source=big_survey, trigger="test")
    _wait(lambda: not Comment.objects.filter(compound__isnull=True).exists()
          and not RollupPending.objects.exists() and _queue_empty(), what="first scoring")
    before = list(Comment.objects.order_by("id").values_list("id", "compound", "scored_at"))
    rollup = actual_rollup()
    ids = [pk for pk, *_ in before[:200]]
    score_comments.delay(ids)
    score_comments.delay(ids)
    time.sleep(0.5)
    _wait(_queue_empty, what="redelivered tasks to finish")
    assert list(Comment.objects.order_by("id").values_list("id", "compound", "scored_at")) == before
    assert actual_rollup() == rollup


def test_recollecting_through_the_worker_adds_nothing(worker, big_survey):
    source_collect(source=big_survey, trigger="test")
    _wait(lambda: _queue_empty() and not RollupPending.objects.exists(), what="first run")
    again = source_collect(source=Source.objects.get(pk=big_survey.pk), full=True, trigger="test")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 900)
    assert Comment.objects.count() == 900
