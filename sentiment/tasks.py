"""Thin Celery wrappers: look up by id, call the service (which holds the guarantees)."""

from __future__ import annotations

from celery import shared_task

from . import services

# Comments at an older scorer version queued per sweep (every 5 minutes).
SWEEP_RESCORE_LIMIT = 20_000


@shared_task(name="sentiment.score_comments", max_retries=5, default_retry_delay=30, acks_late=True)
def score_comments(comment_ids: list[int], force: bool = False) -> int:
    return services.comments_score(comment_ids=comment_ids, force=force)


@shared_task(
    name="sentiment.refresh_rollups", max_retries=5, default_retry_delay=30, acks_late=True
)
def refresh_rollups() -> int:
    return services.rollups_refresh(settle=services.settle_seconds())


@shared_task(name="sentiment.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    """Periodic safety net: queue comments never scored (a lost message, a broker wiped),
    then some scored at an older scorer version (after an upgrade or a lost rescore
    message; bounded per run, the next run continues), and recompute any rollup left
    pending."""
    queued = services.comments_rescore(unscored_only=True)
    outdated = services.comments_rescore(outdated_only=True, limit=SWEEP_RESCORE_LIMIT)
    refreshed = services.rollups_refresh()
    return {"queued": queued, "outdated": outdated, "refreshed": refreshed}


@shared_task(name="sentiment.rescore_outdated", acks_late=True)
def rescore_outdated() -> int:
    """After an admin changed the organisation's lexicon or rules: queue every comment
    scored at an older version (walks by id in pages; a re-run continues the work)."""
    return services.comments_rescore()
