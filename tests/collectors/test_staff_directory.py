"""The IT-staff directory decides a voice where the platform gives none."""

from __future__ import annotations

import pytest

from collectors.base import Batch
from collectors.ingest import comments_ingest
from collectors.services import source_collect, source_create
from sentiment.models import Comment, DailySentiment, StaffDirectoryEntry, Voice
from tests.collectors.test_csvfile import MS_FORMS
from tests.conftest import record

pytestmark = pytest.mark.django_db


def voices(source=None) -> dict[str, str]:
    qs = Comment.objects.all() if source is None else Comment.objects.filter(source=source)
    return dict(qs.values_list("external_id", "voice"))


def add(kind: str, value: str, voice: str = Voice.IT_STAFF, source=None) -> None:
    StaffDirectoryEntry.objects.create(kind=kind, value=value, voice=voice, source=source)


def test_domains_emails_people_and_groups_mark_it_staff_and_bots(make_source):
    source = make_source()
    add("domain", "IT.corp.example")  # stored lower-case; subdomains match too
    add("email", "helpdesk-bot@corp.example", Voice.BOT)
    add("person", "u-ops-7")
    add("group", "Service Desk L1")
    comments_ingest(source=source, batch=Batch(cursor={}, records=[
        record("a", author="u1", author_email="ana@it.corp.example"),
        record("b", author="u2", author_email="bo@emea.it.corp.example"),
        record("c", author="u3", author_email="helpdesk-bot@corp.example"),
        record("d", author="u-ops-7"),
        record("e", author="u5", author_groups=("service desk l1",)),
        record("f", author="u6", author_email="finn@corp.example"),
    ]))
    assert voices() == {"a": "it_staff", "b": "it_staff", "c": "bot", "d": "it_staff",
                        "e": "it_staff", "f": "business"}


def test_the_platforms_own_role_signal_wins_over_the_directory(make_source):
    source = make_source()
    add("domain", "corp.example")
    comments_ingest(source=source, batch=Batch(cursor={}, records=[
        record("a", author="u1", author_email="ana@corp.example", voice=Voice.BUSINESS),
        record("b", author="u2", author_email="bo@corp.example"),
    ]))
    assert voices() == {"a": "business", "b": "it_staff"}


def test_an_entry_for_one_source_does_not_apply_to_another(make_source):
    one, other = make_source("one"), make_source("two")
    add("domain", "corp.example", source=one)
    for source in (one, other):
        comments_ingest(source=source, batch=Batch(cursor={}, records=[
            record("a", author="u1", author_email="ana@corp.example")]))
    assert voices(one) == {"a": "it_staff"}
    assert voices(other) == {"a": "business"}


def test_a_directory_change_applies_on_the_next_full_collection_and_leaves_the_metrics(
    catalogue, write_csv, django_capture_on_commit_callbacks
):
    rows = [list(r) for r in MS_FORMS]
    rows[1][3] = "anna@it.corp.example"  # an IT colleague answered the survey
    source = source_create(name="pulse", kind="csvfile", settings={
        "path": str(write_csv(rows)), "text_columns": ["What should IT do better?"],
        "respondent_column": "Email", "timestamp_column": "Completion time"})
    with django_capture_on_commit_callbacks(execute=True):
        source_collect(source=source)
    assert sum(DailySentiment.objects.values_list("n", flat=True)) == 2

    add("domain", "it.corp.example")
    with django_capture_on_commit_callbacks(execute=True):
        run = source_collect(source=source, full=True)
    assert (run.updated, run.unchanged) == (1, 1)
    assert voices()["1:What should IT do better?"] == "it_staff"
    assert sum(DailySentiment.objects.values_list("n", flat=True)) == 1

    StaffDirectoryEntry.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        source_collect(source=source, full=True)
    assert voices()["1:What should IT do better?"] == "business"
    assert sum(DailySentiment.objects.values_list("n", flat=True)) == 2


def test_a_person_entered_with_an_at_sign_matches_a_chat_id_written_with_one(make_source):
    source = make_source()
    add("person", "@ivan:corp.example")  # a Matrix id, as people copy it
    comments_ingest(source=source, batch=Batch(cursor={}, records=[
        record("m1", author="@ivan:corp.example"),
        record("m2", author="@anna:corp.example"),
    ]))
    assert voices() == {"m1": "it_staff", "m2": "business"}
