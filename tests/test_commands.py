"""The management commands admins script: source add/list/check/remove, collect, rescore."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from collectors.models import Source
from sentiment.models import Comment
from tests.collectors.test_csvfile import MS_FORMS

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def survey(catalogue, write_csv):
    path = write_csv(MS_FORMS)
    run("source", "add", "--kind", "csvfile", "--name", "pulse", "--set", f"path={path}",
        "--set", "text_columns=What should IT do better?,Anything else?",
        "--set", "timestamp_column=Completion time", "--schedule", "30m")
    return Source.objects.get(name="pulse")


def test_source_add_validates_stores_and_schedules(survey):
    assert survey.settings["text_columns"] == "What should IT do better?,Anything else?"
    task = PeriodicTask.objects.get(pk=survey.periodic_task_id)
    assert (task.task, task.args, task.interval.every, task.interval.period) == (
        "collectors.collect_source", f"[{survey.pk}]", 30, "minutes")


def test_source_add_rejects_bad_input_with_a_clear_message(catalogue):
    with pytest.raises(CommandError, match="Unknown source kind 'jiraa'"):
        run("source", "add", "--kind", "jiraa", "--name", "x")
    with pytest.raises(CommandError, match="text_columns: Field required"):
        run("source", "add", "--kind", "csvfile", "--name", "x", "--set", "path=/tmp/a.csv")
    with pytest.raises(CommandError, match="not of the form key=value"):
        run("source", "add", "--kind", "csvfile", "--name", "x", "--set", "path")
    with pytest.raises(CommandError, match="Schedule 'often' not understood"):
        run("source", "add", "--kind", "csvfile", "--name", "x", "--set", "path=/a",
            "--set", "text_columns=a", "--schedule", "often")
    assert not Source.objects.exists()


def test_a_duplicate_name_is_refused_and_the_first_source_kept(survey):
    with pytest.raises(CommandError, match="exists already"):
        run("source", "add", "--kind", "csvfile", "--name", "pulse", "--set", "path=/a", "--set", "text_columns=a")
    assert Source.objects.get().settings == survey.settings


def test_secrets_are_encrypted_at_rest_and_never_printed(catalogue, monkeypatch):
    from collectors.csvfile import CsvFileConnector

    # A kind that takes a secret: the csvfile kind with one extra secret name.
    monkeypatch.setattr(CsvFileConnector, "secret_names", ("token",))
    monkeypatch.setenv("PULSE_TOKEN", "s3cr3t-value")
    out = run("source", "add", "--kind", "csvfile", "--name", "p", "--set", "path=/a",
              "--set", "text_columns=a", "--secret", "token=env:PULSE_TOKEN")
    assert "s3cr3t-value" not in out and "token" in out
    source = Source.objects.get()
    assert "s3cr3t" not in source.credentials
    assert source.get_secrets() == {"token": "s3cr3t-value"}
    assert "s3cr3t" not in run("source", "list")


def test_source_list_and_check(survey):
    listing = run("source", "list")
    assert "pulse" in listing and "csvfile" in listing and "every 30 minutes" in listing
    assert "OK: 3 responses" in run("source", "check", "pulse")
    with pytest.raises(CommandError, match="No source named 'nope'. Sources: pulse."):
        run("source", "check", "nope")


def test_collect_prints_counts_and_skip_reasons(survey, write_csv, django_capture_on_commit_callbacks):
    rows = [list(r) for r in MS_FORMS]
    rows[2][2] = "soon"
    write_csv(rows)
    with django_capture_on_commit_callbacks(execute=True):
        out = run("collect", "pulse")
    assert "1 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert "skipped line 3: timestamp 'soon' not understood" in out
    with django_capture_on_commit_callbacks(execute=True):
        out = run("collect", "pulse", "--full")
    assert "0 created, 0 updated, 1 unchanged, 1 skipped" in out
    assert Comment.objects.scored().count() == 1


def test_collect_of_a_broken_source_fails_with_the_reason(survey):
    survey.settings["path"] = "/nonexistent/file.csv"
    survey.save()
    with pytest.raises(CommandError, match="collection failed: CSV file /nonexistent/file.csv does not exist"):
        run("collect", "pulse")


def test_collect_refuses_while_another_collection_runs(survey):
    from django.utils import timezone

    Source.objects.filter(pk=survey.pk).update(collecting_since=timezone.now())
    with pytest.raises(CommandError, match="already running"):
        run("collect", "pulse")
    assert not survey.runs.exists()


def test_a_stale_lock_from_a_dead_worker_does_not_block_forever(survey, settings):
    from datetime import timedelta

    from django.utils import timezone

    Source.objects.filter(pk=survey.pk).update(
        collecting_since=timezone.now() - timedelta(seconds=settings.EARSHOT_COLLECT_LOCK_SECONDS + 60))
    assert "3 created" in run("collect", "pulse")


def test_source_disable_pauses_the_schedule_and_remove_deletes_everything(survey, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run("collect", "pulse")
    run("source", "disable", "pulse")
    assert not PeriodicTask.objects.get(pk=survey.periodic_task_id).enabled
    out = run("source", "remove", "pulse")
    assert "Removed source 'pulse' and its 3 comments" in out
    assert not Comment.objects.exists()
    assert not PeriodicTask.objects.filter(task="collectors.collect_source").exists()


def test_a_push_source_prints_its_webhook_url_and_gets_no_schedule(catalogue, settings):
    settings.EARSHOT_BASE_URL = "https://earshot.example.com"
    out = run(
        "source", "add", "--kind", "webhook", "--name", "Feedback form",
        "--set", "id_field=id", "--set", "text_field=text", "--secret", "signing_secret=s3cr3t-value",
    )
    source = Source.objects.get(name="Feedback form")
    token = source.get_secrets()["hook_token"]
    assert f"https://earshot.example.com/hooks/{source.pk}/{token}/" in out
    assert "s3cr3t-value" not in out
    assert source.periodic_task is None
    assert token in run("source", "webhook", "Feedback form")



def test_a_collected_source_has_no_webhook_url(survey):
    with pytest.raises(CommandError, match="takes no pushed events"):
        run("source", "webhook", "pulse")


def test_a_schedule_of_one_unit_reads_in_the_singular(survey):
    from collectors.services import schedule_describe

    run("source", "schedule", "pulse", "1h")
    survey.refresh_from_db()
    assert schedule_describe(survey) == "every hour"
    run("source", "schedule", "pulse", "2h")
    survey.refresh_from_db()
    assert schedule_describe(survey) == "every 2 hours"
