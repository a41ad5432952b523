"""The weekly layer (sentiment/weekly.py) equals a recomputation from the comment table,
including distinct people, lift and themes, after collections that change old weeks."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from collectors.base import Batch
from collectors.ingest import comments_ingest
from dashboards.selectors import week_breakdown
from sentiment.models import Comment, Voice, WeeklyLift, WeeklyPending, WeeklyRollup
from sentiment.scoring import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD
from sentiment.services import rollups_refresh
from sentiment.weekly import stored_themes, themes_of_week, week_start_of
from tests.conftest import record

W1 = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # a Monday (2026-W37)

TEXTS = [
    "The VPN keeps dropping again, this is terrible.",
    "Thanks, the printer works now, great help!",
    "Please install Visio on my laptop.",
    "Outlook is very slow since the update, awful.",
    "Excellent service desk, very happy.",
]
HINTS = ["VPN", "printer", "Visio", "Outlook", ""]
DEPARTMENTS = ["Sales", "HR", "", "Finance"]


def load(source, records, capture) -> None:
    with capture(execute=True):
        comments_ingest(source=source, batch=Batch(records=records, cursor={}))
    rollups_refresh()


def corpus(prefix: str, start: datetime, n: int, *, people: int = 9) -> list:
    """n comments over two weeks from `people` authors, threads of 1–3 comments, a few
    anonymous (each such thread counts as one person) and some IT-staff replies."""
    out = []
    for i in range(n):
        thread = f"{prefix}T{i // 3}"
        out.append(
            record(
                f"{prefix}{i}",
                TEXTS[(i * 7) % 5],
                thread=thread,
                author="" if i % 11 == 0 else f"u{(i * 5) % people}",
                at=start + timedelta(hours=9 * i),
                voice="it_staff" if i % 13 == 4 else None,
                category_hint=HINTS[(i // 3) % 5],
                department=DEPARTMENTS[(i // 3) % 4],
            )
        )
    return out


def recomputed() -> dict[tuple, tuple]:
    """WeeklyRollup as it should be, straight from the comment table."""
    acc: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0.0, set()])
    comments = (
        Comment.objects.filter(voice=Voice.BUSINESS).exclude(compound=None).select_related("thread")
    )
    for c in comments:
        week = week_start_of(timezone.localtime(c.created_at).date())
        person = c.author_id if c.author_id is not None else -c.thread_id
        keys = [
            ("all", ""),
            ("source", str(c.source_id)),
            ("category", str(c.thread.category_id)),
            ("department", c.thread.department),
        ]
        for dimension, key in keys:
            a = acc[(week, dimension, key)]
            a[0] += 1
            a[1] += c.compound >= POSITIVE_THRESHOLD
            a[2] += c.compound <= NEGATIVE_THRESHOLD
            a[3] += c.compound
            a[4].add(person)
    return {
        k: (n, pos, neg, round(total, 6), len(who)) for k, (n, pos, neg, total, who) in acc.items()
    }


def stored() -> dict[tuple, tuple]:
    return {
        (r.week, r.dimension, r.key): (
            r.n,
            r.n_positive,
            r.n_negative,
            round(r.sum_compound, 6),
            r.people,
        )
        for r in WeeklyRollup.objects.all()
    }


def lift_recomputed() -> dict[tuple, tuple]:
    per_thread: dict[int, list] = defaultdict(list)
    comments = Comment.objects.filter(voice=Voice.BUSINESS).exclude(compound=None)
    for c in comments.select_related("thread").order_by("created_at", "id"):
        per_thread[c.thread_id].append(c)
    acc: dict[tuple, list] = defaultdict(lambda: [0, 0.0, set()])
    for thread_id, cs in per_thread.items():
        if len(cs) < 2:
            continue
        week = week_start_of(timezone.localtime(cs[-1].created_at).date())
        a = acc[(week, cs[0].thread.category_id)]
        a[0] += 1
        a[1] += cs[-1].compound - cs[0].compound
        a[2].add(cs[0].author_id if cs[0].author_id is not None else -thread_id)
    return {k: (n, round(s, 6), len(who)) for k, (n, s, who) in acc.items()}


def lift_stored() -> dict[tuple, tuple]:
    return {
        (r.week, r.category_id): (r.threads, round(r.sum_delta, 6), r.people)
        for r in WeeklyLift.objects.all()
    }


@pytest.mark.django_db
def test_weekly_rollups_and_lift_equal_a_recomputation_from_the_comment_table(
    make_source, django_capture_on_commit_callbacks
):
    a, b = make_source("desk"), make_source("chat")
    load(a, corpus("a", W1, 60), django_capture_on_commit_callbacks)
    load(b, corpus("b", W1 + timedelta(days=3), 45, people=6), django_capture_on_commit_callbacks)

    assert stored() == recomputed()
    assert lift_stored() == lift_recomputed()
    assert len({k[0] for k in stored()}) >= 3  # the corpus spans several weeks
    assert not WeeklyPending.objects.exists()


@pytest.mark.django_db
def test_a_thread_continued_in_a_later_week_moves_its_lift_to_that_week(
    make_source, django_capture_on_commit_callbacks
):
    src = make_source()
    opening = [
        record(
            f"o{i}",
            "The VPN is down, I cannot work.",
            thread=f"T{i}",
            author=f"u{i}",
            category_hint="VPN",
            at=W1 + timedelta(hours=i),
        )
        for i in range(6)
    ] + [
        record(
            f"r{i}",
            "Still broken, awful.",
            thread=f"T{i}",
            author=f"u{i}",
            category_hint="VPN",
            at=W1 + timedelta(hours=i, minutes=30),
        )
        for i in range(6)
    ]
    load(src, opening, django_capture_on_commit_callbacks)
    week1 = W1.date()
    assert {k[0] for k in lift_stored()} == {week1}

    later = [
        record(
            f"l{i}",
            "Works again, thank you so much!",
            thread=f"T{i}",
            author=f"u{i}",
            category_hint="VPN",
            at=W1 + timedelta(weeks=1, hours=i),
        )
        for i in range(6)
    ]
    load(src, later, django_capture_on_commit_callbacks)

    assert lift_stored() == lift_recomputed()
    assert {k[0] for k in lift_stored()} == {week1 + timedelta(weeks=1)}
    ((threads, total, people),) = lift_stored().values()
    assert (threads, people) == (6, 6) and total / threads > 0.5


@pytest.mark.django_db
def test_the_weeks_themes_are_stored_and_found_again_when_the_week_changes(
    make_source, django_capture_on_commit_callbacks
):
    src = make_source()
    week = W1.date()
    vpn = [
        record(
            f"v{i}",
            "The VPN keeps dropping again, this is terrible.",
            thread=f"T{i}",
            author=f"u{i}",
            at=W1 + timedelta(hours=i),
        )
        for i in range(5)
    ]
    load(src, vpn, django_capture_on_commit_callbacks)
    first = stored_themes(week)
    assert first == themes_of_week(week)
    assert "vpn keeps dropping" in {t.phrase for t in first}

    printer = [
        record(
            f"p{i}",
            "The printer is broken again, useless.",
            thread=f"P{i}",
            author=f"w{i}",
            at=W1 + timedelta(days=1, hours=i),
        )
        for i in range(5)
    ]
    load(src, printer, django_capture_on_commit_callbacks)
    second = stored_themes(week)
    assert second == themes_of_week(week)
    assert "printer" in " ".join(t.phrase for t in second)
    assert stored_themes(week + timedelta(weeks=1)) is None


@pytest.mark.django_db
@pytest.mark.parametrize(("rotate", "target_shown"), [(False, False), (True, True)])
def test_a_small_groups_baseline_people_are_counted_exactly_across_weeks(
    make_source, django_capture_on_commit_callbacks, rotate, target_shown
):
    """Three people a week in Legal for 12 weeks: the same three (3 people: no target)
    or three new ones each week (36 people: a target). Weekly counts alone (at most 3 a
    week, 36 summed) cannot tell the two apart."""
    src = make_source()
    week = W1.date() + timedelta(weeks=12)
    recs = []
    for w in range(12):
        for p in range(3):
            who = f"l{w}-{p}" if rotate else f"l{p}"
            recs.append(
                record(
                    f"L{w}-{p}",
                    "The VPN is slow.",
                    thread=f"L{w}-{p}",
                    author=who,
                    department="Legal",
                    at=W1 + timedelta(weeks=w, hours=p),
                )
            )
    for p in range(6):
        recs.append(
            record(
                f"S{p}",
                "The VPN keeps dropping.",
                thread=f"S{p}",
                author=f"s{p}",
                department="Sales",
                at=W1 + timedelta(weeks=12, hours=p),
            )
        )
        recs.append(
            record(
                f"N{p}",
                "Printer broken.",
                thread=f"N{p}",
                author=f"n{p}",
                department="Legal",
                at=W1 + timedelta(weeks=12, hours=p),
            )
        )
    load(src, recs, django_capture_on_commit_callbacks)

    rows = {r.name: r for r in week_breakdown("department", week)}

    assert rows["Legal"].people == 6 and not rows["Legal"].suppressed
    assert (rows["Legal"].target is not None) is target_shown


@pytest.mark.django_db
def test_deleting_a_source_takes_its_comments_out_of_the_weekly_figures(
    make_source, django_capture_on_commit_callbacks
):
    from collectors.services import source_remove

    a, b = make_source("desk"), make_source("chat")
    load(a, corpus("a", W1, 40), django_capture_on_commit_callbacks)
    load(b, corpus("b", W1, 40, people=6), django_capture_on_commit_callbacks)
    assert any(k[1] == "source" and k[2] == str(a.pk) for k in stored())

    with django_capture_on_commit_callbacks(execute=True):
        source_remove(source=a)

    assert stored() == recomputed()
    assert lift_stored() == lift_recomputed()
    assert not any(k[1] == "source" and k[2] == str(a.pk) for k in stored())
