"""The Celery app, and what every Earshot task shares (EarshotTask).

Delivery guarantees come from the settings (sentiment/settings.py, checked by
tests/reliability/test_celery_settings.py): a message is acknowledged only when its task
is done (acks_late), re-queued when the process running it dies (reject_on_worker_lost),
one message reserved per process (prefetch 1), and every time limit below the broker's
visibility timeout. Every task is idempotent, so a re-delivery changes nothing.
"""

from __future__ import annotations

import logging
import os
import random
from typing import Any

from celery import Celery, Task
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sentiment.settings")

log = logging.getLogger(__name__)

# How many times a task failing on a transient database error is tried again.
TRANSIENT_RETRIES = 5


def transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth retrying: the database went away or refused for now (a restart, a
    failover, too many connections, a full disk, a deadlock or serialization failure)."""
    from django.db import InterfaceError, OperationalError

    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:  # the driver's own classes, from the few calls Django does not wrap (COPY)
        import psycopg2
    except ImportError:  # pragma: no cover - psycopg2 is a dependency
        pass
    else:
        errors += [psycopg2.OperationalError, psycopg2.InterfaceError]
    return tuple(errors)


def retry_delay(retries: int) -> float:
    """Seconds before retry number `retries + 1`: the base doubled each time, with jitter
    (half to all of it) so the tasks of a whole batch do not come back at once."""
    from django.conf import settings

    return settings.EARSHOT_TASK_RETRY_SECONDS * 2**retries * random.uniform(0.5, 1.0)


def drop_dead_connections() -> None:
    """What Django does between two requests, done between two tasks: close connections
    that errored and no longer answer or outlived CONN_MAX_AGE, and have the next query
    check the connection first (CONN_HEALTH_CHECKS, one `SELECT 1`); a dead one is
    replaced.

    Celery's Django fix-up keeps a worker's connection across tasks (CELERY_DB_REUSE_MAX);
    after a database restart that kept connection is dead, and without this every later
    task of the process would fail on it."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


@task_prerun.connect
def _reconnect_if_the_database_went_away(**_: Any) -> None:
    drop_dead_connections()


class EarshotTask(Task):
    """The base of every Earshot task.

    A transient database error (see transient_errors) is retried, at most
    TRANSIENT_RETRIES times for a task whose max_retries allows it, after retry_delay();
    a task with max_retries=0 (collections: the next scheduled run resumes) is not.
    A task that fails for good is recorded (collectors.TaskFailure), where the Sources
    page and the Django admin show it.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except transient_errors() as exc:
            drop_dead_connections()
            if not self.max_retries or self.request.is_eager:
                raise  # inline (the embedded mode), the caller gets the error at once
            log.warning(
                "%s[%s] hit a transient database error (try %d of %d): %s",
                self.name,
                self.request.id,
                self.request.retries + 1,
                self.max_retries + 1,
                _first_line(exc),
            )
            raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        from collectors.models import TaskFailure

        drop_dead_connections()
        try:
            TaskFailure.record(
                task=self.name,
                task_id=task_id or "",
                args=args,
                kwargs=kwargs,
                error=f"{type(exc).__name__}: {_first_line(exc)}",
                attempts=self.request.retries + 1,
            )
        except Exception:  # the database itself may be what failed: the log keeps it
            log.exception("could not record the failure of %s[%s]", self.name, task_id)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def settle_window(seconds: float) -> float:
    """`seconds`, or 0 when tasks run inline (the embedded mode waits for nothing)."""
    return 0.0 if app.conf.task_always_eager else seconds


def queue_after(task: Task, settle: float) -> None:
    """Queue `task` to run once `settle` seconds have passed (at once when 0)."""
    if settle:
        task.apply_async(countdown=settle)
    else:
        task.delay()


app = Celery("earshot", task_cls=EarshotTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
