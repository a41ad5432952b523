"""The Celery settings the fault guarantees rest on, checked on the app and on every task
as they are in force (sentiment.celery.app), in both test modes:

- a message is acknowledged only once its task is done, and re-queued if the process
  running it dies (acks_late, reject_on_worker_lost), one message reserved per process
  (prefetch 1);
- every time limit, plus the longest retry wait, is below the broker's visibility timeout,
  so Redis never hands a running task to a second worker;
- retries are bounded; a task failing for good is recorded (collectors.TaskFailure);
- messages carry ids and flags only: never comment text, never credentials.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from sentiment.celery import TRANSIENT_RETRIES, app
from tests.reliability.conftest import ROOT, app_on_broker, post_webhooks, webhook_source

SECRET_PASSWORD = "sn-password-never-in-a-message"


def earshot_tasks() -> dict[str, Any]:
    app.loader.import_default_modules()
    tasks = {n: t for n, t in app.tasks.items() if n.split(".")[0] in ("sentiment", "collectors")}
    assert {"sentiment.score_comments", "collectors.collect_source"} <= set(tasks)
    return tasks


def visibility_timeout() -> int:
    return int(app.conf.broker_transport_options["visibility_timeout"])


def test_messages_are_acknowledged_after_the_task_and_requeued_when_its_process_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    for name, task in earshot_tasks().items():
        assert task.acks_late is True, name
        assert task.reject_on_worker_lost is True, name


def test_every_time_limit_stays_below_the_brokers_visibility_timeout():
    from django.conf import settings

    soft, hard = app.conf.task_soft_time_limit, app.conf.task_time_limit
    assert soft and hard and soft < hard
    # The longest a message stays unacknowledged: running up to the hard limit, or waiting
    # for its last retry (the base doubled per try, at most 16x for the 5th).
    longest_retry_wait = settings.EARSHOT_TASK_RETRY_SECONDS * 2 ** (TRANSIENT_RETRIES - 1)
    assert hard + longest_retry_wait < visibility_timeout()
    for name, task in earshot_tasks().items():
        limit = task.time_limit or hard
        assert limit is not None and limit < visibility_timeout(), name
        assert (task.soft_time_limit or soft) < limit, name


def test_settings_refuse_time_limits_that_would_let_redis_redeliver_a_running_task():
    env = {**os.environ, "CELERY_TASK_TIME_LIMIT": "4000", "CELERY_VISIBILITY_TIMEOUT": "3600"}
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Celery limits would let Redis re-deliver a running task" in done.stderr


def test_retries_are_bounded_and_collections_are_not_retried_by_celery():
    for name, task in earshot_tasks().items():
        assert task.max_retries is not None and 0 <= task.max_retries <= TRANSIENT_RETRIES, name
    tasks = earshot_tasks()
    assert tasks["sentiment.score_comments"].max_retries == TRANSIENT_RETRIES
    assert tasks["sentiment.refresh_rollups"].max_retries == TRANSIENT_RETRIES
    # A collection resumes from its cursor on the next scheduled run; a webhook event stays
    # pending for the sweep.
    assert tasks["collectors.collect_source"].max_retries == 0
    assert tasks["collectors.process_webhook_event"].max_retries == 0


def test_task_signatures_take_ids_and_flags_only():
    allowed = {"int", "list[int]", "bool"}
    for name, task in earshot_tasks().items():
        for param in inspect.signature(task.run).parameters.values():
            kind = str(param.annotation)
            assert kind in allowed or (param.name == "trigger" and kind == "str"), (name, param)


@pytest.fixture
def flaky_task():
    """A task of the app's base class (EarshotTask) that fails with a transient database
    error a given number of times; registered under tests.*, outside the checks above."""
    from django.db import OperationalError

    calls: list[int] = []

    @app.task(name="tests.reliability.flaky", max_retries=TRANSIENT_RETRIES, shared=False)
    def flaky(failures: int) -> int:
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError("could not connect to server: Connection refused")
        return len(calls)

    flaky.calls = calls  # type: ignore[attr-defined]
    yield flaky
    app.tasks.unregister("tests.reliability.flaky")


@pytest.mark.django_db
def test_inline_a_transient_database_error_reaches_the_caller_at_once(flaky_task):
    """The embedded mode runs tasks inline: no retry loop inside a web request or a
    command, the caller gets the database's own error. (Retries with a growing delay and
    the record of a task failing for good happen in workers: tests/reliability/
    test_faults.py::test_a_task_that_keeps_failing_stops_after_bounded_retries_and_admins_see_it.)"""
    from django.db import OperationalError

    from collectors.models import TaskFailure

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with pytest.raises(OperationalError, match="Connection refused"):
            flaky_task.delay(1)
    finally:
        app.conf.task_always_eager = before
    assert len(flaky_task.calls) == 1
    assert not TaskFailure.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_queued_messages_carry_ids_never_text_or_credentials(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
):
    """A real collection (the ServiceNow connector against its fake), the collection task
    beat sends, and a webhook delivery: every message they queue, read back from the broker
    (Celery's in-memory transport here: the same message bodies as on Redis)."""
    from django_celery_beat.models import PeriodicTask

    from collectors.services import source_collect, source_create
    from collectors.tasks import collect_source
    from sentiment.models import Comment
    from tests.fakes.servicenow import FakeServiceNow

    sn = FakeServiceNow(httpserver, password=SECRET_PASSWORD)
    anna = sn.add_user("anna", "Anna", "anna@corp.example")
    for i in range(3):
        sn.add_incident(i + 1, "VPN", caller=anna, comment=f"The VPN drops again, ticket {i}.")
    source = source_create(
        name="ServiceNow",
        kind="servicenow",
        settings={
            "base_url": sn.base_url,
            "username": sn.username,
            "allow_insecure_http": True,
            "allow_private_network": True,
        },
        secrets={"password": SECRET_PASSWORD},
    )
    hooks = webhook_source()
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with app_on_broker("memory://localhost/"):
            _drain()
            run = source_collect(source=source)
            collect_source.delay(source.pk, trigger="schedule")
            post_webhooks(hooks, 0, 1)
            messages = _drain()
    finally:
        app.conf.task_always_eager = before
    assert run.created == 3
    assert {m["task"] for m in messages} == {
        "sentiment.score_comments",
        "collectors.collect_source",
        "collectors.process_webhook_event",
    }
    texts = [c.raw_body for c in Comment.objects.all()]
    # The raw message is plain JSON (so a secret in it would show):
    collect = next(m for m in messages if m["task"] == "collectors.collect_source")
    assert f'[[{source.pk}], {{"trigger": "schedule"}}' in collect["raw"].replace('\\"', '"')
    for m in messages:
        for needle in [SECRET_PASSWORD, "hook-secret", sn.username, *texts]:
            assert needle not in m["raw"], (m["task"], needle)
        args, kwargs = m["args"], m["kwargs"]
        assert all(
            isinstance(a, int) or (isinstance(a, list) and all(isinstance(i, int) for i in a))
            for a in args
        ), m
        assert set(kwargs) <= {"trigger", "full", "force"}, m
    # What beat stores and sends for a source: its id.
    entry = PeriodicTask.objects.get(pk=source.periodic_task_id)
    assert json.loads(entry.args) == [source.pk] and entry.kwargs in ("{}", "")


def _drain() -> list[dict[str, Any]]:
    """Every message waiting in the default queue, taken off it: task name, decoded
    arguments and the raw message as it travelled."""
    from queue import Empty

    out = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue(app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except Empty:
                    return out
                args, kwargs, _ = message.decode()
                raw = json.dumps(
                    {
                        "headers": message.headers,
                        "body": message.body.decode()
                        if isinstance(message.body, bytes)
                        else message.body,
                    }
                )
                out.append(
                    {"task": message.headers["task"], "args": args, "kwargs": kwargs, "raw": raw}
                )
                message.ack()
        finally:
            queue.close()
