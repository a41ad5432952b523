"""Scoring and rollup guarantees: idempotent scoring, rollups equal a recomputation."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.core.management import call_command
from django.test import override_settings

from collectors.base import Batch
from collectors.ingest import comments_ingest
from sentiment.models import Comment, DailySentiment, Person, RollupPending, Thread
from sentiment.scoring import SCORER_VERSION, label_for, score_text
from sentiment.services import comments_score, rollups_mark, rollups_refresh
from tests.conftest import T0, days, record

pytestmark = pytest.mark.django_db

TEXTS = [
    "The VPN is terrible and slow.",
    "Thanks, great help from the service desk!",
    "Please install Visio on my laptop.",
    "Outage again. Awful. Nobody answers.",
    "Love the new laptops, excellent work.",
]


def load(source, n=40, capture=None, **kw):
    recs = [
        record(f"c{i}", TEXTS[i % len(TEXTS)], thread=f"T{i // 3}", at=T0 + days(i % 9),
               author=f"u{i % 7}", **kw)
        for i in range(n)
    ]
    with capture(execute=True):
        comments_ingest(source=source, batch=Batch(records=recs, cursor={}))


def expected_rollup() -> dict:
    """The rollup recomputed straight from the comment table, in Python."""
    out: dict = defaultdict(lambda: [0, 0.0, 0, 0])
    for c in Comment.objects.business().scored().select_related("thread"):
        from django.utils import timezone

        key = (timezone.localtime(c.created_at).date(), c.source_id, c.thread.category_id, c.thread.department)
        row = out[key]
        row[0] += 1
        row[1] += c.compound
        row[2] += label_for(c.compound) == "pos"
        row[3] += label_for(c.compound) == "neg"
    return {k: (v[0], round(v[1], 6), v[2], v[3]) for k, v in out.items()}


def actual_rollup() -> dict:
    return {
        (r.day, r.source_id, r.category_id, r.department): (r.n, round(r.sum_compound, 6), r.n_positive, r.n_negative)
        for r in DailySentiment.objects.all()
    }


def test_every_ingested_comment_is_scored_with_the_current_version(make_source, django_capture_on_commit_callbacks):
    load(make_source(), capture=django_capture_on_commit_callbacks)
    assert Comment.objects.count() == 40
    assert Comment.objects.filter(scorer_version=SCORER_VERSION, compound__isnull=False).count() == 40
    assert not RollupPending.objects.exists()


def test_rollups_equal_a_recomputation_from_the_comment_table(make_source, django_capture_on_commit_callbacks):
    load(make_source("a"), capture=django_capture_on_commit_callbacks)
    load(make_source("b"), n=25, capture=django_capture_on_commit_callbacks)
    assert actual_rollup() == expected_rollup()
    assert sum(r.n for r in DailySentiment.objects.all()) == 65


def test_a_redelivered_score_task_changes_nothing(make_source, django_capture_on_commit_callbacks):
    load(make_source(), capture=django_capture_on_commit_callbacks)
    ids = list(Comment.objects.values_list("id", flat=True))
    before = list(Comment.objects.order_by("id").values_list("compound", "scored_at"))
    rollup = actual_rollup()
    with django_capture_on_commit_callbacks(execute=True):
        assert comments_score(comment_ids=ids) == 0
    assert list(Comment.objects.order_by("id").values_list("compound", "scored_at")) == before
    assert actual_rollup() == rollup


def test_rollups_are_recomputed_not_incremented(make_source, django_capture_on_commit_callbacks):
    source = make_source()
    load(source, capture=django_capture_on_commit_callbacks)
    rollup = actual_rollup()
    # Mark every day dirty twice over and refresh twice: the numbers stay the same.
    pairs = {(source.pk, d) for (d, *_rest) in rollup}
    rollups_mark(pairs)
    rollups_mark(pairs)
    rollups_refresh()
    rollups_refresh()
    assert actual_rollup() == rollup


def test_forced_rescore_of_everything_leaves_the_numbers_as_they_were(make_source, django_capture_on_commit_callbacks):
    load(make_source(), capture=django_capture_on_commit_callbacks)
    rollup = actual_rollup()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rescore", "--all")
    assert actual_rollup() == rollup


def test_rescore_brings_old_scores_up_to_the_current_version(make_source, django_capture_on_commit_callbacks):
    load(make_source(), capture=django_capture_on_commit_callbacks)
    stale = list(Comment.objects.order_by("id").values_list("id", flat=True)[:10])
    Comment.objects.filter(id__in=stale).update(scorer_version="old", compound=0.99)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rescore")
    assert not Comment.objects.exclude(scorer_version=SCORER_VERSION).exists()
    assert actual_rollup() == expected_rollup()
    for c in Comment.objects.filter(id__in=stale):
        assert c.compound == score_text(c.clean_body).compound


@override_settings(TIME_ZONE="America/New_York")
def test_days_are_counted_in_the_organizations_time_zone(make_source, django_capture_on_commit_callbacks):
    from datetime import UTC, datetime

    source = make_source()
    late = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)  # 21:30 on 2 March in New York
    with django_capture_on_commit_callbacks(execute=True):
        comments_ingest(source=source, batch=Batch(records=[record("c1", "awful", at=late)], cursor={}))
    assert str(DailySentiment.objects.get().day) == "2026-03-02"
    from sentiment.models import DailyAuthor

    assert str(DailyAuthor.objects.get().day) == "2026-03-02"


def test_score_labels_use_the_one_threshold_definition():
    from sentiment.scoring import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

    assert label_for(POSITIVE_THRESHOLD) == "pos"
    assert label_for(POSITIVE_THRESHOLD - 0.0001) == "neu"
    assert label_for(NEGATIVE_THRESHOLD) == "neg"
    assert label_for(NEGATIVE_THRESHOLD + 0.0001) == "neu"
    assert score_text("").label == "neu"


def test_the_sweep_scores_comments_whose_task_was_lost(make_source, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from sentiment.tasks import sweep

    source = make_source()
    recs = [record(f"c{i}", TEXTS[i % len(TEXTS)], at=T0 + days(i % 3)) for i in range(12)]
    # Stored, but the scoring message never reached a worker (a wiped broker, say).
    comments_ingest(source=source, batch=Batch(records=recs, cursor={}), enqueue=False)
    fresh = Comment.objects.order_by("id").first()
    Comment.objects.exclude(pk=fresh.pk).update(updated_at=timezone.now() - timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep.apply().get()
    # The one stored a moment ago still has its own task queued: the sweep leaves it.
    assert result["queued"] == 11
    assert Comment.objects.filter(compound__isnull=True).get() == fresh
    assert sum(r.n for r in DailySentiment.objects.all()) == 11
    assert actual_rollup() == expected_rollup()


def test_people_behind_each_day_are_rolled_up_once_each(make_source, django_capture_on_commit_callbacks):
    """DailyAuthor counts people, not comments: the basis of the fewer-than-5 rule."""
    from sentiment.models import DailyAuthor

    source = make_source()
    recs = [
        record("a1", "VPN down again.", author="anna"),
        record("a2", "Still down, awful.", author="anna", thread="T2"),
        record("b1", "Thanks, fixed!", author="bob"),
        record("s1", "We are on it.", author="ivan", voice="it_staff"),  # not counted
        record("x1", "Printer jammed.", author="", thread="T9"),  # unknown author: its thread
    ]
    with django_capture_on_commit_callbacks(execute=True):
        comments_ingest(source=source, batch=Batch(records=recs, cursor={}))
    # one row per day x group x person: anna's two threads may be two groups, one person
    keys = sorted(set(DailyAuthor.objects.values_list("person_key", flat=True)))
    people = sorted(Person.objects.filter(external_id__in=["anna", "bob"]).values_list("id", flat=True))
    thread9 = Thread.objects.get(external_id="T9").pk
    assert keys == sorted([-thread9, *people])
    rows = DailyAuthor.objects.count()

    # recomputed, not added to: a second refresh leaves the same rows
    from sentiment.services import rollups_mark, rollups_refresh

    rollups_mark([(source.pk, T0.date())])
    rollups_refresh()
    assert sorted(set(DailyAuthor.objects.values_list("person_key", flat=True))) == keys
    assert DailyAuthor.objects.count() == rows


def test_a_day_still_receiving_scores_is_left_for_a_later_refresh(make_source, django_capture_on_commit_callbacks):
    """With a settle window, a refresh skips days marked moments ago; the next takes them."""
    from datetime import timedelta

    from django.utils import timezone

    source = make_source()
    comments_ingest(source=source, batch=Batch(records=[record("c1", "awful")], cursor={}))
    comments_score(comment_ids=list(Comment.objects.values_list("id", flat=True)))
    assert RollupPending.objects.count() == 1

    assert rollups_refresh(settle=60) == 0  # marked just now: left alone
    assert not DailySentiment.objects.exists()
    RollupPending.objects.update(marked_at=timezone.now() - timedelta(seconds=61))
    assert rollups_refresh(settle=60) == 1
    assert DailySentiment.objects.get().n == 1
