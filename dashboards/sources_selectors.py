"""The reads behind the admins' Sources pages: sources with their health, run history,
the progress of a run, what a delete would remove."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from collectors.base import ConnectorError
from collectors.models import Source, SyncRun, WebhookEvent
from collectors.registry import connector_class
from collectors.services import schedule_describe
from sentiment.models import Comment, Person, StaffDirectoryEntry, Thread


def kind_label(kind: str) -> str:
    try:
        return connector_class(kind).label
    except ConnectorError:
        return f"{kind} (unknown kind)"


def _count(model: Any) -> Subquery:
    rows = (
        model.objects.filter(source=OuterRef("pk"))
        .order_by()
        .values("source")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def sources_with_health() -> list[Source]:
    """Every source with its schedule, its last run's counts and its comment count.

    One query (subqueries per column: a handful of sources, each looked up by the
    (source, -started_at) index); `schedule` and `kind_label` are set on each object.
    """
    last = SyncRun.objects.filter(source=OuterRef("pk")).order_by("-started_at", "-pk")
    sources = list(
        Source.objects.select_related("periodic_task__interval", "periodic_task__crontab")
        .annotate(
            n_comments=_count(Comment),
            last_run_status=Subquery(last.values("status")[:1]),
            last_run_created=Subquery(last.values("created")[:1]),
            last_run_updated=Subquery(last.values("updated")[:1]),
            last_run_skipped=Subquery(last.values("skipped")[:1]),
            last_run_started=Subquery(last.values("started_at")[:1]),
        )
        .order_by("name")
    )
    for source in sources:
        source.schedule = schedule_describe(source)  # type: ignore[attr-defined]
        source.kind_label = kind_label(source.kind)  # type: ignore[attr-defined]
        if source.last_run_status == SyncRun.Status.RUNNING:  # type: ignore[attr-defined]
            source.health = ("running", "Running now")  # type: ignore[attr-defined]
        else:
            source.health = (source.last_status, source.get_last_status_display())  # type: ignore[attr-defined]
    return sources


def source_runs(source: Source) -> QuerySet[SyncRun]:
    return SyncRun.objects.filter(source=source).order_by("-started_at", "-pk")


def run_progress(source: Source, *, after: int) -> dict[str, Any]:
    """The newest run of `source` started after run id `after`, as JSON for the page's
    progress box. No such run yet: the collection is still queued (or a worker has not
    picked it up)."""
    run = SyncRun.objects.filter(source=source, pk__gt=after).order_by("-pk").first()
    if run is None:
        return {
            "state": "queued",
            "label": "Queued: waiting for a worker to start the collection",
            "done": False,
        }
    return {
        "state": run.status,
        "label": run.get_status_display(),
        "done": run.status != SyncRun.Status.RUNNING,
        "run": run.pk,
        "started": run.started_at.isoformat(),
        "finished": run.finished_at.isoformat() if run.finished_at else None,
        "seen": run.seen,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "skipped": run.skipped,
        "error": run.error,
    }


@dataclass(frozen=True)
class DeleteImpact:
    comments: int
    threads: int
    people: int
    runs: int
    webhook_events: int
    directory_entries: int


def source_delete_impact(source: Source) -> DeleteImpact:
    return DeleteImpact(
        comments=Comment.objects.filter(source=source).count(),
        threads=Thread.objects.filter(source=source).count(),
        people=Person.objects.filter(source=source).count(),
        runs=SyncRun.objects.filter(source=source).count(),
        webhook_events=WebhookEvent.objects.filter(source=source).count(),
        directory_entries=StaffDirectoryEntry.objects.filter(source=source).count(),
    )
