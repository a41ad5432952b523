"""Admins add sources in the Django admin (with a CSV upload); beat runs what is scheduled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_celery_beat.models import PeriodicTask

from collectors.models import Source
from sentiment.models import Comment
from tests.collectors.test_csvfile import MS_FORMS

pytestmark = pytest.mark.django_db


def csv_bytes(rows) -> bytes:
    return "\n".join(",".join(f'"{c}"' for c in row) for row in rows).encode()


def test_an_admin_uploads_a_survey_export_and_the_source_is_created_and_scheduled(admin_client, catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = admin_client.post("/admin/collectors/source/add/", {
        "name": "Pulse upload", "kind": "csvfile", "enabled": "on", "schedule": "2h",
        "settings": json.dumps({"text_columns": ["What should IT do better?"], "path": "placeholder"}),
        "upload": SimpleUploadedFile("pulse.csv", csv_bytes(MS_FORMS), content_type="text/csv"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(name="Pulse upload")
    stored = Path(source.settings["path"])
    assert stored.parent == tmp_path / "uploads" and stored.read_bytes() == csv_bytes(MS_FORMS)
    assert PeriodicTask.objects.get(pk=source.periodic_task_id).interval.every == 2


def test_the_admin_form_shows_the_settings_error_and_stores_nothing(admin_client, catalogue):
    response = admin_client.post("/admin/collectors/source/add/", {
        "name": "Broken", "kind": "csvfile", "settings": json.dumps({"path": "/x.csv"}),
    })
    assert response.status_code == 200
    assert "text_columns: Field required" in response.content.decode()
    assert not Source.objects.exists()


def test_secrets_set_in_the_admin_are_never_shown_back(admin_client, catalogue, monkeypatch):
    from collectors.csvfile import CsvFileConnector

    monkeypatch.setattr(CsvFileConnector, "secret_names", ("token",))
    admin_client.post("/admin/collectors/source/add/", {
        "name": "S", "kind": "csvfile", "settings": json.dumps({"path": "/x.csv", "text_columns": ["a"]}),
        "new_secrets": "token=very-secret-123",
    })
    source = Source.objects.get()
    assert source.get_secrets() == {"token": "very-secret-123"}
    page = admin_client.get(f"/admin/collectors/source/{source.pk}/change/").content.decode()
    assert "very-secret-123" not in page and "token (set, hidden)" in page


def test_every_model_has_an_admin_page(admin_client):
    for url in ["collectors/source", "collectors/syncrun", "sentiment/comment", "sentiment/thread",
                "sentiment/person", "sentiment/category", "sentiment/dailysentiment", "sentiment/rolluppending",
                "sentiment/staffdirectoryentry"]:
        assert admin_client.get(f"/admin/{url}/").status_code == 200, url


def test_the_scheduled_beat_entry_runs_a_collection(catalogue, write_csv, django_capture_on_commit_callbacks):
    from collectors.services import source_create
    from sentiment.celery import app

    source = source_create(name="pulse", kind="csvfile", settings={
        "path": str(write_csv(MS_FORMS)), "text_columns": ["What should IT do better?"]})
    entry = PeriodicTask.objects.get(pk=source.periodic_task_id)
    app.loader.import_default_modules()  # task discovery, as a worker does at start-up
    with django_capture_on_commit_callbacks(execute=True):
        app.tasks[entry.task].apply(args=json.loads(entry.args))  # exactly what beat sends
    assert Comment.objects.scored().count() == 2
    assert source.runs.get().trigger == "schedule"


def test_a_paused_source_is_not_collected_by_its_schedule(catalogue, write_csv):
    from collectors.services import source_create, source_set_enabled
    from collectors.tasks import collect_source

    source = source_create(name="pulse", kind="csvfile", settings={
        "path": str(write_csv(MS_FORMS)), "text_columns": ["What should IT do better?"]})
    source_set_enabled(source=source, enabled=False)
    assert collect_source.apply(args=[source.pk]).get() is None
    assert not Comment.objects.exists()
