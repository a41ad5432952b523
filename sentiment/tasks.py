"""Thin Celery wrappers: look up by id, call the service (which holds the guarantees).

Every task is an EarshotTask (sentiment/celery.py): a transient database error is retried
up to max_retries times with a growing delay, a task that fails for good is recorded for
the admin (collectors.TaskFailure) and its comments are left to the sweep."""

from __future__ import annotations

from celery import shared_task

from . import services
from .celery import TRANSIENT_RETRIES, queue_after

# Comments at an older scorer version queued per sweep (every 5 minutes).
SWEEP_RESCORE_LIMIT = 20_000


@shared_task(name="sentiment.score_comments", max_retries=TRANSIENT_RETRIES, acks_late=True)
def score_comments(comment_ids: list[int], force: bool = False) -> int:
    return services.comments_score(comment_ids=comment_ids, force=force)


@shared_task(name="sentiment.refresh_rollups", max_retries=TRANSIENT_RETRIES, acks_late=True)
def refresh_rollups() -> int:
    return services.rollups_refresh(settle=services.settle_seconds())


@shared_task(name="sentiment.refresh_weeks", acks_late=True)
def refresh_weeks() -> int:
    """Fold the pending weeks (WeeklyRollup, WeeklyLift) once their days stop changing;
    then their themes, once those settle too."""
    from . import weekly

    settle = weekly.weeks_settle_seconds()
    done = weekly.weekly_refresh(settle=settle)
    if done:
        weekly.themes_refresh_soon()
    if settle and weekly.weeks_pending():
        queue_after(refresh_weeks, settle)  # marked since: fold them once settled
    return done


@shared_task(name="sentiment.refresh_themes", acks_late=True)
def refresh_themes() -> int:
    """Negative themes of the weeks whose figures changed and have since settled."""
    from . import weekly

    return weekly.themes_refresh(settle=weekly.themes_settle_seconds())


# The sweeps run every 5 minutes anyway: a couple of retries, then the next tick.
@shared_task(name="sentiment.sweep", max_retries=2, acks_late=True)
def sweep() -> dict[str, int]:
    """Periodic safety net: queue comments never scored (a lost message, a broker wiped),
    then some scored at an older scorer version (after an upgrade or a lost rescore
    message; bounded per run, the next run continues), and recompute any rollup left
    pending."""
    queued = services.comments_rescore(unscored_only=True)
    outdated = services.comments_rescore(outdated_only=True, limit=SWEEP_RESCORE_LIMIT)
    refreshed = services.rollups_refresh()
    from . import weekly

    weeks = weekly.weekly_refresh()
    themes = weekly.themes_refresh(settle=weekly.themes_settle_seconds())
    return {
        "queued": queued,
        "outdated": outdated,
        "refreshed": refreshed,
        "weeks": weeks,
        "themes": themes,
    }


@shared_task(name="sentiment.rescore_outdated", max_retries=2, acks_late=True)
def rescore_outdated() -> int:
    """After an admin changed the organisation's lexicon or rules: queue every comment
    scored at an older version (walks by id in pages; a re-run continues the work)."""
    return services.comments_rescore()


@shared_task(name="sentiment.purge_old_text", max_retries=2, acks_late=True)
def purge_old_text() -> dict[str, object]:
    """Daily: remove comment text older than EARSHOT_RETENTION_DAYS, keeping scores and
    rollups (sentiment/retention.py). Off (nothing done) while the setting is 0."""
    from . import retention

    return retention.text_purge().as_dict()
