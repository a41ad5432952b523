"""Writes around sources: create, schedule, collect, remove."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from .base import CheckResult, Connector, ConnectorConfigError, ConnectorError
from .ingest import comments_ingest_stream
from .models import Source, SyncRun
from .registry import connector_class, connector_for
from .secrets import SecretsError

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE = "1h"
_EVERY = re.compile(r"^\s*(\d+)\s*(m|min|h|d)\s*$", re.I)


class SourceError(Exception):
    """A request about a source that cannot be carried out; the message says why."""


# --- create / remove / schedule -------------------------------------------------------


def source_create(
    *,
    name: str,
    kind: str,
    settings: dict[str, Any],
    secrets: dict[str, Any] | None = None,
    schedule: str = DEFAULT_SCHEDULE,
    enabled: bool = True,
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
            source_schedule(source=source, schedule=schedule)
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


def source_schedule(*, source: Source, schedule: str) -> PeriodicTask:
    """Create or change the beat entry of a source (django-celery-beat: editable live)."""
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


def source_set_enabled(*, source: Source, enabled: bool) -> None:
    with transaction.atomic():
        source.enabled = enabled
        source.save(update_fields=["enabled"])
        if source.periodic_task_id:
            PeriodicTask.objects.filter(pk=source.periodic_task_id).update(enabled=enabled)


def source_remove(*, source: Source) -> None:
    """Delete a source with everything collected from it and its schedule."""
    with transaction.atomic():
        task_id = source.periodic_task_id
        source.delete()
        if task_id:
            PeriodicTask.objects.filter(pk=task_id).delete()


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
        return connector_for(source).check()
    except (ConnectorError, SecretsError) as exc:
        return CheckResult(False, str(exc))


# --- collect --------------------------------------------------------------------------


def _acquire(source: Source) -> bool:
    """Take the per-source lock with one conditional UPDATE: the database arbitrates."""
    now = timezone.now()
    stale = now - timedelta(seconds=django_settings.EARSHOT_COLLECT_LOCK_SECONDS)
    got = (
        Source.objects.filter(pk=source.pk)
        .filter(Q(collecting_since__isnull=True) | Q(collecting_since__lt=stale))
        .update(collecting_since=now)
    )
    return got == 1


def source_collect(
    *, source: Source, full: bool = False, trigger: str = "manual"
) -> SyncRun | None:
    """Run one collection of `source`. Returns None when one is already running.

    Each batch is stored with its cursor in one transaction (collectors.ingest); an error
    ends the run with the reason recorded on the run and on the source, and everything
    committed before it stays.
    """
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
                {"item": s.item, "reason": s.reason} for s in result.skips[: max(room, 0)]
            )
            # Progress visible while the run goes on.
            run.save(update_fields=["seen", "created", "updated", "unchanged", "skipped", "skips"])
    except ConnectorConfigError as exc:
        status, error = SyncRun.Status.FAILED, str(exc)
    except (ConnectorError, SecretsError) as exc:
        status, error = SyncRun.Status.FAILED, f"{exc} (will retry on the next scheduled run)"
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
    Source.objects.filter(pk=source.pk).update(**fields)
    for key, value in fields.items():
        setattr(source, key, value)


# --- update ---------------------------------------------------------------------------


def source_update(
    *,
    source: Source,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
) -> Source:
    """Change a source's name, settings and secrets; the kind stays.

    Settings are validated by the kind (ConnectorConfigError says what is wrong) and
    replace the stored ones; the secrets given are merged into the stored ones, so a
    secret left out is kept. Only these columns are written: a collection running at
    the same time keeps its cursor, lock and health fields.
    """
    cls = connector_class(source.kind)
    fields: list[str] = []
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
    return source
