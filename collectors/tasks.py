"""Thin Celery wrappers around collectors.services. Every task is an EarshotTask
(sentiment/celery.py): one that fails for good is recorded for the admin (TaskFailure)."""

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


@shared_task(name="collectors.process_webhook_event", acks_late=True, max_retries=0)
def process_webhook_event(event_id: int) -> str | None:
    """Turn one stored webhook event into comments. Carries the event's id only: the body
    is read from the database and the secrets from the source, never from the message.
    Not retried by Celery: a transient failure leaves the event pending and
    collectors.webhooks.webhook_events_requeue queues it again."""
    from .webhooks import webhook_event_process

    event = webhook_event_process(event_id=event_id)
    return event.status if event else None


@shared_task(name="collectors.sweep_webhooks", max_retries=2, acks_late=True)
def sweep_webhooks() -> int:
    """Periodic safety net: saved webhook events never processed (a lost message, a wiped
    broker, a transient failure) are queued again."""
    from .webhooks import webhook_events_requeue

    return webhook_events_requeue()
