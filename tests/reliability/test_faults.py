"""Faults, with real processes: PostgreSQL, Redis and Celery workers on 127.0.0.1, killed,
stopped, wiped and restarted by pid (tests/reliability/conftest.py starts its own Redis,
workers and PostgreSQL cluster; the machine's shared ones are never touched). The
comments come from a fake ServiceNow over HTTP, collected by the real connector.

Each test ends with the same check (conftest.assert_complete): 0 comments lost, 0
duplicated, every comment scored at the current scorer version, rollups equal to a
recomputation from the comment table. Where the sweep is run it stands in for beat's
5-minute tick (what beat would send), after the clock is moved on.

Runs when DATABASE_URL is PostgreSQL and CELERY_BROKER_URL is Redis (`make
test-services`); skipped otherwise, and a failure under EARSHOT_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest

from collectors.models import Source, SyncRun, TaskFailure
from collectors.tasks import collect_source
from sentiment.models import Comment
from tests.reliability.conftest import (
    VISIBILITY,
    assert_complete,
    needs_services,
    post_webhooks,
    run_the_sweeps,
    servicenow_source,
    settle,
    wait_for,
    webhook_source,
)

pytestmark = [pytest.mark.worker, needs_services]

ROUNDS = 3


# --- SIGKILL ------------------------------------------------------------------------------


def other_sessions() -> int:
    """Sessions on the test database other than this process's own."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cur.fetchone()[0])


@pytest.mark.parametrize("round_", range(1, ROUNDS + 1))
def test_a_worker_killed_mid_collection_loses_and_duplicates_nothing_after_restart(
    round_, workers, broker, upstream
):
    expected = upstream.populate(incidents=1200, comments_each=10)  # 12,000 comments
    source = servicenow_source(upstream)
    first = workers(concurrency=2)
    collect_source.delay(source.pk)
    delivered = time.monotonic()

    # Some but not all stored: SIGKILL the worker (main process and pool) a random moment
    # after a round-dependent share of the comments is in.
    share = (0.25, 0.4, 0.55)[round_ - 1]
    wait_for(lambda: Comment.objects.count() >= share * expected, 60, f"{share:.0%} stored")
    time.sleep(random.uniform(0, 0.3))
    first.kill()
    # Its database sessions end with it (a transaction in flight rolls back); then count.
    wait_for(lambda: not other_sessions(), 30, "the killed worker's sessions to end")
    stored = Comment.objects.count()
    assert 0 < stored < expected, f"the kill came too late ({stored} of {expected} stored)"
    dead = SyncRun.objects.get()
    assert dead.status == SyncRun.Status.RUNNING  # nobody left to record its end
    assert Source.objects.get(pk=source.pk).collecting_since is not None

    # Redis hands the killed worker's unacknowledged messages out again once their
    # visibility timeout has passed (1 h in production, VISIBILITY s here); a worker
    # restarted after that gets them at start-up.
    time.sleep(max(0.0, delivered + VISIBILITY + 1 - time.monotonic()))
    workers(concurrency=2)
    wait_for(
        lambda: SyncRun.objects.filter(status=SyncRun.Status.OK).exists(),
        60,
        "the re-delivered collection to finish",
    )
    settle(broker)
    run_the_sweeps(broker)

    assert_complete(expected)
    resumed = SyncRun.objects.get(status=SyncRun.Status.OK)
    # It resumed from the cursor of the last committed batch: nothing read twice was new,
    # nothing stored before the kill was created again.
    assert resumed.created == expected - stored
    assert resumed.seen < expected
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED and dead.error.startswith("Interrupted")
    assert not TaskFailure.objects.exists()
    print(
        f"round {round_}: {expected} comments, killed at {stored / expected:.0%} stored; "
        f"resumed run created {resumed.created}"
    )


@pytest.mark.parametrize("round_", range(1, ROUNDS + 1))
def test_a_pool_process_killed_mid_scoring_batch_loses_no_score(
    round_, workers, broker, upstream, settings
):
    from collectors.services import source_collect
    from sentiment.services import comments_enqueue_scoring

    expected = upstream.populate(incidents=1200, comments_each=10)
    source = servicenow_source(upstream)
    settings.EARSHOT_SCORE_BATCH = 1000  # 12 batches
    assert source_collect(source=source).created == expected  # collected here, ...
    broker.wipe()  # ... its scoring queued again below, once the worker is up
    worker = workers(concurrency=2)
    assert not Comment.objects.scored().exists()
    comments_enqueue_scoring(list(Comment.objects.values_list("id", flat=True)))
    share = (0.1, 0.25, 0.4)[round_ - 1]

    def inside_a_batch() -> int | None:
        """Once `share` is scored: a pool process inside a batch, its comments claimed FOR
        UPDATE in an open transaction, their scores being computed."""
        if Comment.objects.scored().count() < share * expected:
            return None
        return worker.in_scoring_transaction()

    victim = wait_for(inside_a_batch, 60, f"{share:.0%} scored and a batch under way", every=0.01)
    os.kill(victim, signal.SIGKILL)
    scored = Comment.objects.scored().count()
    assert scored < expected, "the kill came too late"

    # The worker sees its pool process die with the job, re-queues the message
    # (reject_on_worker_lost) and starts a new process, which scores the batch.
    wait_for(
        lambda: "Worker exited prematurely: signal 9 (SIGKILL)" in worker.log_text(),
        20,
        "the worker to report the killed job",
    )
    settle(broker)
    assert victim not in worker.children()
    run_the_sweeps(broker)
    assert_complete(expected)
    assert not TaskFailure.objects.exists()
    print(
        f"round {round_}: {expected} comments, pool process killed mid-batch at "
        f"{scored / expected:.0%} scored"
    )


# --- Redis stopped, Redis wiped ------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["stopped", "wiped"])
def test_redis_stopped_or_wiped_mid_collection_loses_nothing_and_the_sweep_requeues(
    fault, workers, broker, upstream
):
    from collectors.models import WebhookEvent

    expected = upstream.populate(incidents=600, comments_each=10)
    upstream.delay = 0.02  # a paced upstream: the collection outlasts the outage
    source = servicenow_source(upstream)
    hooks = webhook_source()
    # One pool process: while it collects, score batches and webhook events wait in Redis.
    workers(concurrency=1)
    collect_source.delay(source.pk)
    wait_for(lambda: Comment.objects.count() >= 0.3 * expected, 60, "30% stored")
    post_webhooks(hooks, 0, 5)  # queued behind the collection
    at_fault = Comment.objects.count()
    if fault == "stopped":
        broker.stop()  # SIGTERM: Redis writes its append-only file and exits
        post_webhooks(hooks, 5, 5)  # stored; queuing their processing fails (logged)
        # The collection goes on without Redis: comments land, their scoring cannot be queued.
        wait_for(
            lambda: Comment.objects.count() > at_fault + 1000,
            60,
            "comments stored while Redis is down",
        )
        broker.start()  # same port, same files: what was queued before the stop is back
    else:
        broker.wipe()  # FLUSHALL: queued score batches and webhook events are gone
    assert Comment.objects.count() >= at_fault  # nothing stored was lost

    wait_for(
        lambda: (
            SyncRun.objects.filter(source=source).exclude(status=SyncRun.Status.RUNNING).exists()
        ),
        90,
        "the collection to end",
    )
    run = SyncRun.objects.get(source=source)
    assert run.status == SyncRun.Status.OK, run.error
    assert Comment.objects.filter(source=source).count() == expected

    # New tickets upstream; the next scheduled run (sent here as beat would) starts from
    # the saved cursor: it reads and creates only those.
    for i in range(5):
        upstream.add_incident(
            10_000 + i,
            "After the outage",
            caller=upstream.user("user1"),
            comment="Printing works again, thanks!",
        )
    settle(broker, timeout=VISIBILITY + 60)
    collect_source.delay(source.pk)
    wait_for(
        lambda: (
            SyncRun.objects.filter(source=source).exclude(status=SyncRun.Status.RUNNING).count()
            >= 2
        ),
        60,
        "the next run",
    )
    settle(broker, timeout=VISIBILITY + 60)
    nxt = SyncRun.objects.filter(source=source).order_by("-pk").first()
    assert (nxt.status, nxt.created, nxt.seen) == (SyncRun.Status.OK, 5, 5)

    # What was queued and lost (wiped, or never queued while Redis was down) shows as
    # comments never scored and events never processed, until the sweep re-queues them.
    lost_scores = Comment.objects.filter(compound__isnull=True).count()
    pending = WebhookEvent.objects.filter(status=WebhookEvent.Status.PENDING)
    # Stopped: the 5 events queued before the stop were kept by Redis and processed; the 5
    # received while it was down were never queued. Wiped: the 5 queued ones are gone.
    lost_events = (
        ["fb-5", "fb-6", "fb-7", "fb-8", "fb-9"]
        if fault == "stopped"
        else ["fb-0", "fb-1", "fb-2", "fb-3", "fb-4"]
    )
    assert sorted(json.loads(e.body)["id"] for e in pending) == lost_events
    assert lost_scores > 0
    run_the_sweeps(broker)
    assert not WebhookEvent.objects.exclude(status=WebhookEvent.Status.PROCESSED).exists()
    assert_complete(expected + 5 + 10 if fault == "stopped" else expected + 5 + 5)
    print(
        f"Redis {fault} at {at_fault / expected:.0%} of {expected}: {lost_scores} comments "
        f"unscored and {len(lost_events)} webhook events pending until the sweep"
    )


# --- PostgreSQL restarted -----------------------------------------------------------------


def test_postgresql_restarted_mid_run_fails_the_run_cleanly_and_the_next_run_completes(
    pg_cluster, workers, broker, upstream
):
    """On a private cluster (the shared server keeps serving everyone else): stopped with
    pg_ctl (fast: open sessions are cut) in the middle of a collection, down for 2 s,
    started again."""
    from sentiment import scoring
    from sentiment.models import DailySentiment, RollupPending, Thread
    from tests.reliability.conftest import manage

    db = pg_cluster
    manage("migrate", "-v0", db_url=db.url)
    expected = upstream.populate(incidents=600, comments_each=10)
    upstream.delay = 0.01
    manage(
        "source",
        "add",
        "--kind",
        "servicenow",
        "--name",
        "ServiceNow",
        "--set",
        f"base_url={upstream.base_url}",
        "--set",
        f"username={upstream.username}",
        "--set",
        "page_size=50",
        "--set",
        "allow_insecure_http=true",
        "--set",
        "allow_private_network=true",
        "--secret",
        "password=env:SN_PASSWORD",
        db_url=db.url,
        SN_PASSWORD=upstream.password,
    )
    ((source_id,),) = db.sql(f"SELECT id FROM {Source._meta.db_table}")
    comments, runs, threads = Comment._meta.db_table, SyncRun._meta.db_table, Thread._meta.db_table

    def stored() -> int:
        return db.sql(f"SELECT count(*) FROM {comments}")[0][0]

    def statuses() -> list[str]:
        return [s for (s,) in db.sql(f"SELECT status FROM {runs} ORDER BY id")]

    worker = workers(concurrency=2, db_url=db.url)
    collect_source.delay(source_id)
    wait_for(lambda: stored() >= 0.3 * expected, 60, "30% stored")
    db.stop("fast")
    time.sleep(2)
    db.start()

    # The run ends failed, with a readable reason on the run and on the source.
    wait_for(lambda: statuses() == ["failed"], 90, "the interrupted run to be recorded")
    at_restart = stored()
    assert 0 < at_restart < expected
    ((error,),) = db.sql(f"SELECT error FROM {runs}")
    # e.g. "Database unavailable mid-run: terminating connection due to administrator
    # command. Everything stored before is kept; the next run resumes from the saved cursor."
    assert error.startswith("Database unavailable mid-run: "), error
    assert "next run resumes from the saved cursor" in error
    ((status, last_error, lock, cursor),) = db.sql(
        f"SELECT last_status, last_error, collecting_since, cursor FROM {Source._meta.db_table}"
    )
    assert (status, last_error, lock) == ("failed", error, None)
    # Nothing half-written: each page of 50 incidents (500 comments) committed whole with
    # its cursor, or not at all.
    per_thread = {n for (n,) in db.sql(f"SELECT count(*) FROM {comments} GROUP BY thread_id")}
    assert per_thread == {10} and at_restart % 500 == 0
    ((newest,),) = db.sql(f"SELECT max(external_id) FROM {threads}")
    assert upstream.tables["incident"][newest]["sys_updated_on"] == cursor["watermark"]

    # The next run completes, from the saved cursor.
    collect_source.delay(source_id)
    wait_for(lambda: statuses() == ["failed", "ok"], 90, "the next run")

    def quiet() -> bool:
        return broker.queue_empty() and not db.sql(
            f"SELECT 1 FROM {RollupPending._meta.db_table} LIMIT 1"
        )

    wait_for(lambda: quiet() and (time.sleep(0.5) or quiet()), 90, "the workers to finish")
    ((created,),) = db.sql(f"SELECT created FROM {runs} WHERE status = 'ok'")
    assert created == expected - at_restart
    # ... and leaves the whole: nothing lost or duplicated, everything scored, rollups exact.
    ((n, distinct, unscored),) = db.sql(
        f"SELECT count(*), count(DISTINCT (source_id, external_id)),"
        f" count(*) FILTER (WHERE compound IS NULL OR scorer_version <> %s) FROM {comments}",
        [scoring.current_version()],
    )
    assert (n, distinct, unscored) == (expected, expected, 0)
    recomputed = db.sql(
        f"SELECT (c.created_at AT TIME ZONE 'UTC')::date, c.source_id, t.category_id, t.department,"
        f" count(*), round(sum(c.compound)::numeric, 6),"
        f" count(*) FILTER (WHERE c.compound >= 0.05), count(*) FILTER (WHERE c.compound <= -0.05)"
        f" FROM {comments} c JOIN {threads} t ON t.id = c.thread_id"
        f" WHERE c.voice = 'business' AND c.compound IS NOT NULL GROUP BY 1, 2, 3, 4"
    )
    rollups = db.sql(
        f"SELECT day, source_id, category_id, department, n, round(sum_compound::numeric, 6),"
        f" n_positive, n_negative FROM {DailySentiment._meta.db_table}"
    )
    assert sorted(rollups, key=str) == sorted(recomputed, key=str) and rollups
    # The scoring tasks that hit the restart were retried, not given up.
    assert db.sql(f"SELECT count(*) FROM {TaskFailure._meta.db_table}") == [(0,)]
    print(
        f"PostgreSQL restarted at {at_restart / expected:.0%} of {expected}; next run created "
        f"{created}; {worker.log_text().count('transient database error')} task retries"
    )


# --- a task that keeps failing; two collections at once; beat restarted --------------------------


@pytest.fixture
def disk_full(transactional_db):
    """The comment table refuses every score write with PostgreSQL's own "disk full" error
    (SQLSTATE 53100, an OperationalError), counting the attempts in a sequence (which a
    rollback does not undo). Dropped again at the end: the cause fixed."""
    from django.db import connection

    table = Comment._meta.db_table
    with connection.cursor() as cur:
        cur.execute("CREATE SEQUENCE earshot_fault_attempts")
        cur.execute(
            "CREATE FUNCTION earshot_fault_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN PERFORM nextval('earshot_fault_attempts');"
            " RAISE EXCEPTION 'could not extend file: No space left on device'"
            " USING ERRCODE = 'disk_full'; END $$"
        )
        cur.execute(
            f"CREATE TRIGGER earshot_fault_disk_full BEFORE UPDATE OF compound ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION earshot_fault_disk_full()"
        )

    def attempts() -> int:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM earshot_fault_attempts"
            )
            return int(cur.fetchone()[0])

    def fix() -> None:
        with connection.cursor() as cur:
            cur.execute(f"DROP TRIGGER IF EXISTS earshot_fault_disk_full ON {table}")
            cur.execute("DROP FUNCTION IF EXISTS earshot_fault_disk_full()")
            cur.execute("DROP SEQUENCE IF EXISTS earshot_fault_attempts")

    attempts.fix = fix  # type: ignore[attr-defined]
    try:
        yield attempts
    finally:
        fix()


def test_a_task_that_keeps_failing_stops_after_bounded_retries_and_admins_see_it(
    disk_full, workers, broker, upstream, django_user_model
):
    from django.test import Client
    from django.urls import reverse

    from collectors.services import source_collect
    from sentiment.celery import TRANSIENT_RETRIES
    from tests.conftest import give_role

    expected = upstream.populate(incidents=20, comments_each=5)  # one score batch
    source_collect(source=servicenow_source(upstream))
    worker = workers(concurrency=1)

    failure = wait_for(lambda: TaskFailure.objects.first(), 60, "the task to give up")
    assert failure.task == "sentiment.score_comments"
    assert failure.attempts == TRANSIENT_RETRIES + 1 == disk_full()
    assert failure.error == "OperationalError: could not extend file: No space left on device"
    assert failure.arguments["args"][0][-1] == f"({expected} in all)"  # ids, cut
    time.sleep(2)  # and then it stops: no further attempt
    assert disk_full() == TRANSIENT_RETRIES + 1
    assert broker.queue_empty()
    assert f"(try {TRANSIENT_RETRIES} of {TRANSIENT_RETRIES + 1})" in worker.log_text()

    # Where admins look: the Sources page (the Admin role) and the Django admin.
    admin = django_user_model.objects.create_user("ada", password="a-long-test-password")
    client = Client()
    client.force_login(give_role(admin, "Admin"))
    page = client.get(reverse("sources-list")).content.decode()
    assert "Background tasks that failed after retries: 1 in the last 7 days" in page
    assert "sentiment.score_comments</strong> failed after 6 attempts" in page
    assert "No space left on device" in page
    root = django_user_model.objects.create_superuser("root", password="a-long-test-password")
    client.force_login(root)
    listing = client.get(reverse("admin:collectors_taskfailure_changelist")).content.decode()
    assert "sentiment.score_comments" in listing and "No space left on device" in listing

    # Cause fixed: the sweep queues the comments again and they are scored.
    disk_full.fix()
    run_the_sweeps(broker)
    assert_complete(expected)


def test_two_collections_of_one_source_delivered_at_once_make_one_run(workers, broker, upstream):
    expected = upstream.populate(incidents=300, comments_each=10)
    upstream.delay = 0.02
    source = servicenow_source(upstream)
    worker = workers(concurrency=2)
    # Two deliveries at once (two beats, beat and "Run now", or a re-delivery), each taken
    # by one of the two pool processes.
    collect_source.delay(source.pk)
    collect_source.delay(source.pk)
    wait_for(
        lambda: worker.log_text().count("collectors.collect_source[") >= 4,
        60,
        "both deliveries to be received and finished",
    )
    settle(broker)
    assert "collection of ServiceNow skipped: another one is running" in worker.log_text()
    run = SyncRun.objects.get()  # exactly one run
    assert (run.status, run.created) == (SyncRun.Status.OK, expected)
    assert_complete(expected)


def test_beat_restarted_after_downtime_sends_one_collection_not_one_per_missed_tick(
    test_db_url, broker, upstream, tmp_path
):
    """What django-celery-beat does on a restart: a source whose hourly tick was missed for
    three hours gets one collection, not three; a beat killed and restarted does not send
    it again (the entry's last run is saved when sent). Were a collection delivered twice
    anyway, the per-source lock makes it one run (the test above)."""
    import json
    import subprocess
    import sys
    from datetime import timedelta

    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from tests.reliability.conftest import ROOT

    source = servicenow_source(upstream)
    PeriodicTask.objects.filter(pk=source.periodic_task_id).update(
        last_run_at=timezone.now() - timedelta(hours=3)
    )
    env = {
        **os.environ,
        "DATABASE_URL": test_db_url,
        "CELERY_BROKER_URL": broker.url,
        "DEBUG": "on",
    }
    log = tmp_path / "beat.log"

    def sent() -> list[list[int]]:
        messages = [json.loads(m) for m in broker.client().lrange("celery", 0, -1)]
        return [
            json.loads(__import__("base64").b64decode(m["body"]))[0]
            for m in messages
            if m["headers"]["task"] == "collectors.collect_source"
        ]

    def start_beat() -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "sentiment",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--max-interval",
                    "1",
                    "--schedule",
                    str(tmp_path / "beat-schedule"),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    beat = start_beat()
    try:
        wait_for(lambda: sent(), 30, "beat to send the missed collection")
        time.sleep(3)  # several more beat ticks
        assert sent() == [[source.pk]]
    finally:
        os.killpg(beat.pid, signal.SIGKILL)  # no chance to save anything on the way out
        beat.wait(20)
    # django-celery-beat saved the entry's last run when it sent it: a beat restarted
    # (even after SIGKILL) does not send it again.
    beat = start_beat()
    try:
        wait_for(lambda: log.read_text().count("beat: Starting") == 2, 30, "beat to restart")
        time.sleep(4)
        assert sent() == [[source.pk]]
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(20)
    entry = PeriodicTask.objects.get(pk=source.periodic_task_id)
    assert entry.last_run_at > timezone.now() - timedelta(minutes=1)
    assert entry.total_run_count == 1
