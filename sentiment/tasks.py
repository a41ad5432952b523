"""Thin Celery wrappers: look up by id, call the service (which holds the guarantees)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="sentiment.score_comments", max_retries=5, default_retry_delay=30, acks_late=True)
def score_comments(comment_ids: list[int], force: bool = False) -> int:
    return services.comments_score(comment_ids=comment_ids, force=force)


@shared_task(name="sentiment.refresh_rollups", max_retries=5, default_retry_delay=30, acks_late=True)
def refresh_rollups() -> int:
    return services.rollups_refresh()


@shared_task(name="sentiment.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    """Periodic safety net: queue comments never scored (a lost message, a broker wiped)
    and recompute any rollup left pending."""
    queued = services.comments_rescore(unscored_only=True)
    refreshed = services.rollups_refresh()
    return {"queued": queued, "refreshed": refreshed}
