"""Writes around sources: create, schedule, collect, remove.

Each change an admin makes (create, change, credentials, schedule, pause / resume, run,
delete) is recorded in the audit log (dashboards/audit.py) in the same transaction, with
the actor the caller passes (a user, "command line"; else the request's user or
"system"). Errors stored for admins are passed through collectors.secrets.redact: an
upstream that echoes a token in its error body does not get it onto a page.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import time
from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from sentiment.celery import transient_errors
from sentiment.weekly import weekly_refresh_soon, weeks_mark, weeks_of_source

from .base import CheckResult, Connector, ConnectorConfigError, ConnectorError
from .ingest import comments_ingest_stream
from .models import Source, SyncRun
from .registry import connector_class, connector_for
from .secrets import SecretsError, redact

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE = "1h"
_EVERY = re.compile(r"^\s*(\d+)\s*(m|min|h|d)\s*$", re.I)


class SourceError(Exception):
    """A request about a source that cannot be carried out; the message says why."""


def _audit(action: str, source: Source, actor: Any, detail: str = "") -> None:
    from dashboards.audit import audit_record

    audit_record(action=action, actor=actor, target=source, detail=detail)


def _secret_names(names: Any) -> str:
    return ", ".join(sorted(names)) + " (values not recorded)"


# --- create / remove / schedule -------------------------------------------------------


def source_create(
    *,
    name: str,
    kind: str,
    settings: dict[str, Any],
    secrets: dict[str, Any] | None = None,
    schedule: str = DEFAULT_SCHEDULE,
    enabled: bool = True,
    actor: Any = None,
) -> Source:
    name = name.strip()
    if not name:
        raise SourceError("A source needs a name.")
    if Source.objects.filter(name=name).exists():
        raise SourceError(f"A source named {name!r} exists already.")
    cls = connector_class(kind)
    cls.parse_settings(settings)
    secrets = secrets or {}
    _check_secret_names(cls, secrets)
    with transaction.atomic():
        source = Source(name=name, kind=kind, settings=settings, enabled=enabled)
        source.set_secrets(secrets)
        source.save()
        if cls.push:
            from .webhooks import webhook_token_ensure

            webhook_token_ensure(source=source)
        if not cls.push_only:
            source_schedule(source=source, schedule=schedule, audit=False)
        detail = f"{kind} source, {'on' if enabled else 'paused'}, {schedule_describe(source)}"
        if secrets:
            detail += f"; secrets set: {_secret_names(secrets)}"
        _audit("source_created", source, actor, detail)
    return source


def _check_secret_names(cls: type[Connector], secrets: dict[str, Any]) -> None:
    unknown = sorted(set(secrets) - set(cls.secret_names))
    if unknown:
        allowed = ", ".join(cls.secret_names) or "none"
        raise SourceError(
            f"Unknown secret(s) for {cls.kind}: {', '.join(unknown)} (this kind takes: {allowed})."
        )


def parse_schedule(schedule: str) -> tuple[str, Any]:
    """'30m' / '2h' / '1d' -> interval; five cron fields -> crontab."""
    m = _EVERY.match(schedule)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        if n <= 0:
            raise SourceError("A schedule interval must be at least 1.")
        period = {
            "m": IntervalSchedule.MINUTES,
            "min": IntervalSchedule.MINUTES,
            "h": IntervalSchedule.HOURS,
            "d": IntervalSchedule.DAYS,
        }[unit]
        return "interval", (n, period)
    fields = schedule.split()
    if len(fields) == 5 and all(re.fullmatch(r"[\d*/,\-]+", f) for f in fields):
        return "crontab", fields
    raise SourceError(
        f"Schedule {schedule!r} not understood: use an interval such as 15m, 2h, 1d "
        "or five cron fields such as '0 7 * * 1-5'."
    )


def source_schedule(
    *, source: Source, schedule: str, actor: Any = None, audit: bool = True
) -> PeriodicTask:
    """Create or change the beat entry of a source (django-celery-beat: editable live).
    `audit=False`: part of a change recorded by the caller (creating the source)."""
    with transaction.atomic():
        task = _schedule(source, schedule)
        if audit:
            _audit("source_scheduled", source, actor, f"collected {schedule_describe(source)}")
    return task


def _schedule(source: Source, schedule: str) -> PeriodicTask:
    kind, value = parse_schedule(schedule)
    fields: dict[str, Any] = {"interval": None, "crontab": None}
    if kind == "interval":
        every, period = value
        fields["interval"], _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
    else:
        minute, hour, dom, month, dow = value
        fields["crontab"], _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=dom,
            month_of_year=month,
            day_of_week=dow,
            timezone=timezone.get_current_timezone_name(),
        )
    task = source.periodic_task
    if task is None:
        task = PeriodicTask(name=f"collect source #{source.pk}")
    task.task = "collectors.collect_source"
    task.args = json.dumps([source.pk])
    task.enabled = source.enabled
    task.interval, task.crontab = fields["interval"], fields["crontab"]
    task.description = f"Collect new comments from {source.name} ({source.kind})"
    task.save()
    if source.periodic_task_id != task.pk:
        source.periodic_task = task
        source.save(update_fields=["periodic_task"])
    return task


def source_set_enabled(*, source: Source, enabled: bool, actor: Any = None) -> None:
    with transaction.atomic():
        source.enabled = enabled
        source.save(update_fields=["enabled"])
        if source.periodic_task_id:
            PeriodicTask.objects.filter(pk=source.periodic_task_id).update(enabled=enabled)
        _audit("source_resumed" if enabled else "source_paused", source, actor)


def source_remove(*, source: Source, actor: Any = None) -> None:
    """Delete a source with everything collected from it and its schedule."""
    with transaction.atomic():
        task_id = source.periodic_task_id
        _audit(
            "source_deleted",
            source,
            actor,
            f"{source.kind} source and the {source.comments.count()} comments collected from it",
        )
        weeks = weeks_of_source(source.pk)
        source.delete()
        if task_id:
            PeriodicTask.objects.filter(pk=task_id).delete()
        # Its daily rows went with it (cascade); the weeks they were folded into follow.
        weeks_mark(weeks)
        transaction.on_commit(weekly_refresh_soon)


def schedule_describe(source: Source) -> str:
    task = source.periodic_task
    if task is None:
        return "not scheduled"
    if task.interval_id:
        every, period = task.interval.every, task.interval.period
        # "every hour", "every 2 hours"
        return f"every {period.removesuffix('s')}" if every == 1 else f"every {every} {period}"
    if task.crontab_id:
        c = task.crontab
        return f"cron {c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}"
    return "custom"


# --- check ----------------------------------------------------------------------------


def source_check(*, source: Source) -> CheckResult:
    try:
        result = connector_for(source).check()
    except (ConnectorError, SecretsError) as exc:
        result = CheckResult(False, str(exc))
    return CheckResult(result.ok, redact(result.message))


# --- collect --------------------------------------------------------------------------


# Namespace of the PostgreSQL advisory locks, one per source ("EARS").
_LOCK_SPACE = 0x45415253
_INTERRUPTED = (
    "Interrupted: the process running this collection stopped before it finished (killed,"
    " out of memory, restarted, or its database connection was cut). What it stored is kept;"
    " the next run resumed from the saved cursor."
)
# How long a run that lost its database waits for it to come back to record the failure.
_FINISH_PATIENCE = 60.0  # seconds


def _acquire(source: Source) -> bool:
    """Take the per-source lock with one conditional UPDATE: the database arbitrates.

    A lock older than EARSHOT_COLLECT_LOCK_SECONDS is presumed dead. On PostgreSQL the
    holder also holds a session advisory lock on the source, which the server drops the
    moment the holder's connection ends: a lock whose holder died (SIGKILL, out of memory,
    a hard time limit, a database restart) is taken over at once, so the re-delivered task
    or the next scheduled run resumes from the saved cursor instead of waiting for the
    lock to go stale. A lock set without a holder (collecting_by empty) only goes stale.
    Runs left "running" by a dead holder are marked interrupted.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=django_settings.EARSHOT_COLLECT_LOCK_SECONDS)
    free = Q(collecting_since__isnull=True) | Q(collecting_since__lt=stale)
    if connection.vendor == "postgresql":
        if not _session_lock(source.pk):
            return False  # the holder's session is alive
        free |= ~Q(collecting_by="")  # its holder's session has ended: it died
    holder = f"{socket.gethostname()}:{os.getpid()}"[:100]
    got = (
        Source.objects.filter(pk=source.pk)
        .filter(free)
        .update(collecting_since=now, collecting_by=holder)
    )
    if got != 1:
        _session_unlock(source.pk)
        return False
    SyncRun.objects.filter(source_id=source.pk, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED, finished_at=now, error=_INTERRUPTED
    )
    return True


def _session_lock(source_id: int) -> bool:
    """This connection's advisory lock on the source (taken once, never stacked)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND pid = pg_backend_pid() AND classid = %s AND objid = %s AND objsubid = 2)"
            " OR pg_try_advisory_lock(%s, %s)",
            [_LOCK_SPACE, source_id, _LOCK_SPACE, source_id],
        )
        return bool(cur.fetchone()[0])


def _session_unlock(source_id: int) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_unlock(%s, %s) FROM pg_locks WHERE locktype = 'advisory'"
            " AND pid = pg_backend_pid() AND classid = %s AND objid = %s AND objsubid = 2",
            [_LOCK_SPACE, source_id, _LOCK_SPACE, source_id],
        )


def source_collect(
    *, source: Source, full: bool = False, trigger: str = "manual", actor: Any = None
) -> SyncRun | None:
    """Run one collection of `source`. Returns None when one is already running.

    Each batch is stored with its cursor in one transaction (collectors.ingest); an error
    ends the run with the reason recorded on the run and on the source, and everything
    committed before it stays. `actor`: who started it by hand (recorded in the audit
    log; scheduled runs are in the sync history only).
    """
    if actor is not None:
        _audit("source_run", source, actor, f"{'full ' if full else ''}collection ({trigger})")
    if not _acquire(source):
        log.info("collection of %s skipped: another one is running", source.name)
        return None
    run = SyncRun.objects.create(
        source=source, started_at=timezone.now(), trigger=trigger, full=full
    )
    status, error = SyncRun.Status.OK, ""
    try:
        connector = connector_for(source)
        cursor = {} if full else dict(source.cursor or {})
        batches = connector.fetch(cursor, full=full)
        for result in comments_ingest_stream(source=source, batches=batches):
            run.seen += result.seen
            run.created += result.created
            run.updated += result.updated
            run.unchanged += result.unchanged
            run.skipped += len(result.skips)
            room = SyncRun.MAX_SKIPS_KEPT - len(run.skips)
            run.skips.extend(
                {"item": s.item, "reason": redact(s.reason)} for s in result.skips[: max(room, 0)]
            )
            # Progress visible while the run goes on.
            run.save(update_fields=["seen", "created", "updated", "unchanged", "skipped", "skips"])
    except ConnectorConfigError as exc:
        status, error = SyncRun.Status.FAILED, str(exc)
    except (ConnectorError, SecretsError) as exc:
        status, error = SyncRun.Status.FAILED, f"{exc} (will retry on the next scheduled run)"
    except transient_errors() as exc:
        # The database went away mid-run (a restart, a failover): the batch in flight was
        # rolled back with its cursor, the batches committed before stay.
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        error = (
            f"Database unavailable mid-run: {detail}. Everything stored before is kept;"
            " the next run resumes from the saved cursor."
        )
        log.warning("collection of %s: %s", source.name, error)
        _finish_when_the_database_is_back(source, run, SyncRun.Status.FAILED, error)
        return run
    except Exception as exc:  # recorded for the admin, then re-raised for the logs
        status, error = SyncRun.Status.FAILED, f"Unexpected error: {type(exc).__name__}: {exc}"
        _finish(source, run, status, error)
        raise
    if status == SyncRun.Status.OK and run.skipped:
        status = SyncRun.Status.PARTIAL
    _finish(source, run, status, error)
    return run


def _finish(source: Source, run: SyncRun, status: str, error: str) -> None:
    now = timezone.now()
    error = redact(error)
    run.status, run.error, run.finished_at = status, error[:5000], now
    run.save()
    fields: dict[str, Any] = {
        "collecting_since": None,
        "last_run_at": now,
        "last_status": status,
        "last_error": error[:5000],
    }
    if status != SyncRun.Status.FAILED:
        fields["last_success_at"] = now
    Source.objects.filter(pk=source.pk).update(collecting_by="", **fields)
    _session_unlock(source.pk)
    for key, value in fields.items():
        setattr(source, key, value)


def _finish_when_the_database_is_back(
    source: Source, run: SyncRun, status: str, error: str
) -> None:
    """Record the end of a run that lost its database, on a fresh connection, waiting for
    the database to answer again (it may be restarting). Gives up after _FINISH_PATIENCE
    seconds; the next run then finds this one's lock dead and marks it interrupted."""
    deadline = time.monotonic() + _FINISH_PATIENCE
    while True:
        if not connection.in_atomic_block:
            connection.close()  # dead after the error; the next query reconnects
        try:
            _finish(source, run, status, error)
            return
        except transient_errors():
            if time.monotonic() >= deadline:
                raise
            time.sleep(1.0)


# --- update ---------------------------------------------------------------------------


def source_update(
    *,
    source: Source,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    actor: Any = None,
) -> Source:
    """Change a source's name, settings and secrets; the kind stays.

    Settings are validated by the kind (ConnectorConfigError says what is wrong) and
    replace the stored ones; the secrets given are merged into the stored ones, so a
    secret left out is kept. Only these columns are written: a collection running at
    the same time keeps its cursor, lock and health fields.
    """
    cls = connector_class(source.kind)
    fields: list[str] = []
    changes = _changes(source, name, settings)
    if name is not None:
        name = name.strip()
        if not name:
            raise SourceError("A source needs a name.")
        if Source.objects.filter(name=name).exclude(pk=source.pk).exists():
            raise SourceError(f"A source named {name!r} exists already.")
        source.name = name
        fields.append("name")
    if settings is not None:
        cls.parse_settings(settings)
        source.settings = settings
        fields.append("settings")
    secrets = {k: v for k, v in (secrets or {}).items() if v not in (None, "")}
    _check_secret_names(cls, secrets)
    with transaction.atomic():
        if secrets:
            # Merged into what is stored now, not what this instance read earlier.
            current = Source.objects.select_for_update().get(pk=source.pk)
            merged = current.get_secrets()
            merged.update(secrets)
            source.set_secrets(merged)
            fields.append("credentials")
        if fields:
            source.save(update_fields=fields)
        if cls.push:
            from .webhooks import webhook_token_ensure

            webhook_token_ensure(source=source)
        if source.periodic_task_id:
            PeriodicTask.objects.filter(pk=source.periodic_task_id).update(
                description=f"Collect new comments from {source.name} ({source.kind})"
            )
        if changes:
            _audit("source_changed", source, actor, "; ".join(changes))
        if secrets:
            _audit("source_credentials", source, actor, f"replaced: {_secret_names(secrets)}")
    return source


def _changes(source: Source, name: str | None, settings: dict[str, Any] | None) -> list[str]:
    """What an update changes, for the audit log: the name, each setting old -> new
    (settings hold no secrets: those are stored apart, and only named)."""
    from dashboards.audit import shown

    out = []
    if name is not None and name.strip() != source.name:
        out.append(f"name {shown(source.name)} → {shown(name.strip())}")
    if settings is not None:
        old = source.settings or {}
        for key in sorted(set(old) | set(settings)):
            if old.get(key) != settings.get(key):
                out.append(f"{key} {shown(old.get(key))} → {shown(settings.get(key))}")
    return out
