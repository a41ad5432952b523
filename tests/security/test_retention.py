"""Retention: text older than EARSHOT_RETENTION_DAYS is removed; scores, labels, dates and
every rollup stay exactly as they were, and a purged comment is never re-scored."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from collectors.base import Batch
from collectors.ingest import comments_ingest
from collectors.models import WebhookEvent
from dashboards.models import AuditEvent
from sentiment.models import (
    Comment,
    DailyAuthor,
    DailySentiment,
    LabelCorrection,
    Person,
    Thread,
)
from sentiment.retention import text_purge
from sentiment.services import comments_rescore, comments_score, rollups_mark, rollups_refresh
from tests.conftest import T0, days, give_role, record

pytestmark = pytest.mark.django_db

NOW = T0 + days(60)  # the purge's "now": cut-off at 30 days is T0 + 30 days
OLD_TEXT = "Outlook crashed again and I lost the report for the board, awful."
NOTICE = "(text removed after 30 days)"


def snapshot_scores() -> dict[int, tuple[Any, ...]]:
    return {
        c.pk: (
            c.compound,
            c.pos,
            c.neu,
            c.neg,
            c.scorer_version,
            c.voice,
            c.created_at,
            c.thread_id,
        )
        for c in Comment.objects.all()
    }


def snapshot_rollups() -> tuple[Any, ...]:
    daily = sorted(
        (
            r.day,
            r.source_id,
            r.category_id,
            r.department,
            r.n,
            round(r.sum_compound, 9),
            r.n_positive,
            r.n_negative,
            r.n_neutral,
        )
        for r in DailySentiment.objects.all()
    )
    people = sorted(
        (r.day, r.source_id, r.category_id, r.department, r.person_key)
        for r in DailyAuthor.objects.all()
    )
    return daily, people


def people_record(ext: str, body: str, author: str, at: Any, thread: str, **kw: Any) -> Any:
    return record(
        ext,
        body,
        thread=thread,
        at=at,
        author=author,
        author_name=f"Name of {author}",
        author_email=f"{author}@corp.example",
        thread_title=f"{thread}: {body[:30]}",
        department="Finance",
        **kw,
    )


@pytest.fixture
def stored(make_source, django_capture_on_commit_callbacks) -> Any:
    """Old threads (before the cut-off), a mixed one and a recent one, scored and rolled up;
    one old comment left unscored; corrections and webhook deliveries old and new."""
    source = make_source("survey")
    old, recent = T0 + days(2), T0 + days(45)
    records = [
        people_record("o1", OLD_TEXT, "u1", old, "OLD"),
        people_record("o2", "Thanks, the service desk fixed it fast!", "u2", old + days(1), "OLD"),
        people_record("o3", "The VPN is slow and drops every hour.", "u1", old + days(2), "OLD"),
        people_record("m1", "Printer jammed, nobody came.", "u3", old, "MIX"),
        people_record("m2", "Printer works again, great.", "u4", recent, "MIX"),
        people_record("n1", "New laptop is excellent.", "u4", recent + days(1), "NEW"),
        people_record("n2", "Teams keeps freezing, terrible.", "u5", recent + days(2), "NEW"),
        people_record("s1", "Unscored old complaint about Wi-Fi.", "u6", old, "UNSCORED"),
        people_record("b1", "Closing as resolved.", "agent", old, "OLD", voice="it_staff"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        comments_ingest(source=source, batch=Batch(records=records, cursor={}))
    assert Comment.objects.scored().count() == len(records)
    # One old comment that is not scored yet (its task still queued, say).
    Comment.objects.filter(external_id="s1").update(compound=None, pos=None, neu=None, neg=None)
    unscored = Comment.objects.get(external_id="s1")
    rollups_mark({(source.pk, timezone.localtime(unscored.created_at).date())})
    rollups_refresh()  # the rollups as they are while it waits
    for ext, label in (("o1", "neg"), ("n2", "neg")):
        c = Comment.objects.get(external_id=ext)
        LabelCorrection.objects.create(comment=c, label=label, text=c.clean_body)
    for status, at in (
        ("processed", NOW - days(40)),
        ("failed", NOW - days(40)),
        ("pending", NOW - days(40)),
        ("processed", NOW - days(5)),
    ):
        WebhookEvent.objects.create(
            source=source,
            delivery_id=f"{status}-{at:%j}",
            received_at=at,
            body='{"text": "The VPN is down"}',
            status=status,
        )
    return source


def by_ext(ext: str) -> Comment:
    return Comment.objects.get(external_id=ext)


def test_old_text_is_removed_and_scores_and_rollups_stay_exactly(stored):
    scores, rollups = snapshot_scores(), snapshot_rollups()
    assert rollups[0]  # there is something to compare

    result = text_purge(days=30, now=NOW)

    for ext in ("o1", "o2", "o3", "m1", "b1"):
        c = by_ext(ext)
        assert (c.raw_body, c.clean_body) == ("", ""), ext
    for ext in ("m2", "n1", "n2"):
        assert by_ext(ext).raw_body and by_ext(ext).clean_body, ext
    assert by_ext("s1").raw_body.startswith("Unscored")  # not scored yet: keeps its text
    assert result.comments == 5
    # Scores, labels, voices, dates: unchanged. Rollups: unchanged.
    assert snapshot_scores() == scores
    assert snapshot_rollups() == rollups

    # Recomputed from the purged comment table, the rollups come out the same.
    rollups_mark(
        {(c.source_id, timezone.localtime(c.created_at).date()) for c in Comment.objects.all()}
    )
    DailySentiment.objects.all().delete()
    DailyAuthor.objects.all().delete()
    rollups_refresh()
    assert snapshot_rollups() == rollups


def test_titles_names_corrections_and_webhook_bodies_go_with_the_text(stored):
    result = text_purge(days=30, now=NOW)
    titles = dict(Thread.objects.values_list("external_id", "title"))
    assert titles["OLD"] == ""
    assert titles["MIX"] and titles["NEW"]  # a comment there is recent
    assert titles["UNSCORED"]  # its comment still holds text
    names = {p.external_id: (p.display_name, p.email, p.pseudonym) for p in Person.objects.all()}
    for gone in ("u1", "u2", "u3", "u6"):
        assert names[gone][:2] == ("", "") and names[gone][2].startswith("Person-"), gone
    assert names["u4"][:2] == ("Name of u4", "u4@corp.example")
    assert names["u5"][:2] == ("Name of u5", "u5@corp.example")
    corrections = {c.comment.external_id: (c.text, c.label) for c in LabelCorrection.objects.all()}
    assert corrections["o1"] == ("", "neg")
    assert corrections["n2"][0] and corrections["n2"][1] == "neg"
    assert sorted(WebhookEvent.objects.values_list("status", flat=True)) == [
        "pending",
        "processed",
    ]
    assert (result.threads, result.corrections, result.webhook_events) == (1, 1, 2)
    assert result.people == 5  # u1, u2, u3, u6 and the IT agent
    event = AuditEvent.objects.get(action="text_purged")
    assert event.actor == "system" and "5 comments" in event.detail


def test_a_second_run_changes_nothing_and_batches_give_the_same_result(stored):
    first = text_purge(days=30, now=NOW, batch=2)  # several batches of two
    assert first.comments == 5
    after_first = (snapshot_scores(), list(Comment.objects.values_list("raw_body", flat=True)))
    again = text_purge(days=30, now=NOW)
    assert again.total == 0
    assert (snapshot_scores(), list(Comment.objects.values_list("raw_body", flat=True))) == (
        after_first
    )
    assert AuditEvent.objects.filter(action="text_purged").count() == 1


def test_a_purged_comment_is_never_rescored_from_empty_text(
    stored, django_capture_on_commit_callbacks
):
    text_purge(days=30, now=NOW)
    scores, rollups = snapshot_scores(), snapshot_rollups()
    purged = list(Comment.objects.filter(raw_body="").values_list("id", flat=True))
    assert by_ext("o1").compound < -0.3  # a clearly negative score to lose
    # rescore --all: forced scoring of every scored comment (the unscored one aside: it
    # would enter the rollups, rightly).
    scored_ids = list(Comment.objects.scored().values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        scored = comments_score(comment_ids=scored_ids, force=True)
    assert scored == 3  # the three recent comments; the five purged ones are skipped
    after = snapshot_scores()
    assert all(after[pk][:5] == scores[pk][:5] for pk in purged)
    assert snapshot_rollups() == rollups
    # After a scorer upgrade the sweep does not queue them (they would wait forever).
    Comment.objects.update(scorer_version="an-older-version")
    assert comments_rescore(outdated_only=True) == 3  # the recent ones, not the five purged
    assert comments_rescore(force=True) == 4  # and the unscored one
    assert all(
        by_pk.compound == scores[by_pk.pk][0] for by_pk in Comment.objects.filter(id__in=purged)
    )


def test_pages_and_the_export_say_the_text_was_removed(stored, settings):
    settings.EARSHOT_RETENTION_DAYS = 30
    text_purge(days=30, now=NOW)
    user = give_role(get_user_model().objects.create_user("ana", password="x" * 20), "Analyst")
    client = Client()
    client.force_login(user)
    thread = Thread.objects.get(external_id="OLD")
    html = client.get(f"/threads/{thread.pk}/").content.decode()
    assert html.count(NOTICE) == 5  # the title and the four comments
    assert "Outlook crashed" not in html
    assert "Wrong sentiment?" not in html  # nothing left to label
    mixed = Thread.objects.get(external_id="MIX")
    html = client.get(f"/threads/{mixed.pk}/").content.decode()
    assert html.count(NOTICE) == 1 and "Printer works again" in html
    listing = client.get("/explore/?voice=all").content.decode()
    assert NOTICE in listing
    csv = b"".join(client.get("/explore/export.csv?voice=all").streaming_content).decode()
    assert csv.count(NOTICE) == 5 + 4  # five comment texts, the old title on its four rows
    assert "Outlook crashed" not in csv and "Teams keeps freezing" in csv


def test_purge_text_command_dry_run_counts_and_changes_nothing(stored):
    out = io.StringIO()
    before = list(Comment.objects.order_by("id").values_list("raw_body", flat=True))
    call_command("purge_text", "--days", "1", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Would remove the text of 8 comments")
    assert list(Comment.objects.order_by("id").values_list("raw_body", flat=True)) == before
    call_command("purge_text", "--days", "1", stdout=out)
    assert "Removed the text of 8 comments" in out.getvalue()
    assert Comment.objects.exclude(raw_body="").count() == 1  # the unscored one
    assert AuditEvent.objects.get(action="text_purged").actor == "command line"


def test_purge_text_command_says_what_is_wrong(settings):
    settings.EARSHOT_RETENTION_DAYS = 0
    with pytest.raises(CommandError, match="Retention is off .* give --days N"):
        call_command("purge_text")
    with pytest.raises(CommandError, match="--days must be at least 1"):
        call_command("purge_text", "--days", "0")


def test_retention_off_removes_nothing(stored, settings):
    settings.EARSHOT_RETENTION_DAYS = 0
    result = text_purge(now=NOW)
    assert result.total == 0 and result.cutoff is None
    assert not Comment.objects.filter(raw_body="").exists()


def test_the_daily_task_is_scheduled_and_purges_with_the_setting(
    make_source, settings, django_capture_on_commit_callbacks
):
    from sentiment.tasks import purge_old_text

    task = PeriodicTask.objects.get(task="sentiment.purge_old_text")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "days")
    source = make_source("chat")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        comments_ingest(
            source=source,
            batch=Batch(
                records=[
                    record("a", "The VPN is down again.", at=now - timedelta(days=40)),
                    record("b", "Fixed, thanks!", thread="T2", at=now - timedelta(days=5)),
                ],
                cursor={},
            ),
        )
    settings.EARSHOT_RETENTION_DAYS = 0
    assert purge_old_text.delay().get()["comments"] == 0
    settings.EARSHOT_RETENTION_DAYS = 30
    assert purge_old_text.delay().get()["comments"] == 1
    assert by_ext("a").raw_body == "" and by_ext("b").raw_body == "Fixed, thanks!"
