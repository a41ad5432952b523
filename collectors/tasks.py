"""Thin Celery wrappers around collectors.services."""

from __future__ import annotations

from celery import shared_task

from .models import Source
from .services import source_collect


@shared_task(name="collectors.collect_source", acks_late=True, max_retries=0)
def collect_source(source_id: int, full: bool = False, trigger: str = "schedule") -> int | None:
    """Run one collection. Not retried by Celery: the next scheduled run resumes from the
    saved cursor, and a permanent error must be fixed by the admin, not hammered."""
    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None:
        return None
    run = source_collect(source=source, full=full, trigger=trigger)
    return run.pk if run else None
