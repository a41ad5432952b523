"""Sources pages (admins): health list, the generated settings form, test connection,
run now with progress, pause / resume, schedule, history with skip reasons, delete,
the IT-staff directory and category rules; who may see and do what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from collectors.base import ConnectorConfigError
from collectors.models import Source, SyncRun
from collectors.services import SourceError, source_create, source_update
from sentiment.models import Category, Comment, StaffDirectoryEntry
from tests.conftest import give_role

pytestmark = pytest.mark.django_db

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'
SECRET = "s3cr3t-token-never-shown"


def client_as(role: str | None, name: str = "u") -> Client:
    client = Client()
    user = get_user_model().objects.create_user(name, password="a-long-test-password")
    if role:
        give_role(user, role)
    client.force_login(user)
    return client


def client_with(*perms: str) -> Client:
    user = get_user_model().objects.create_user("limited", password="a-long-test-password")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin() -> Client:
    return client_as("Admin", "admin")


@pytest.fixture
def demo(catalogue) -> Source:
    return source_create(
        name="Demo desk",
        kind="demo_helpdesk",
        settings={"weeks": 1, "per_week": 3, "end": "2026-03-06"},
        schedule="2h",
    )


def page_urls(source: Source) -> list[str]:
    category = Category.objects.first()
    return [
        reverse("sources-list"),
        reverse("sources-add"),
        reverse("sources-add-kind", args=["jira"]),
        reverse("sources-detail", args=[source.pk]),
        reverse("sources-edit", args=[source.pk]),
        reverse("sources-progress", args=[source.pk]),
        reverse("sources-delete", args=[source.pk]),
        reverse("sources-directory"),
        reverse("sources-categories"),
        reverse("sources-category-add"),
        reverse("sources-category-edit", args=[category.pk]),
    ]


def post_urls(source: Source) -> list[str]:
    entry = StaffDirectoryEntry.objects.create(kind="domain", value="it.example.com")
    return [
        reverse("sources-test", args=[source.pk]),
        reverse("sources-run", args=[source.pk]),
        reverse("sources-toggle", args=[source.pk]),
        reverse("sources-schedule", args=[source.pk]),
        reverse("sources-delete", args=[source.pk]),
        reverse("sources-directory"),
        reverse("sources-directory-delete", args=[entry.pk]),
        reverse("sources-category-add"),
    ]


def field_errors(html: str) -> dict[str, str]:
    """{setting name: its first error} as shown inside each field's own box."""
    found = {}
    for box in html.split('<div class="field src-field')[1:]:
        name = re.search(r'name="setting_(\w+)"', box)
        error = re.search(r'<p class="field__error" role="alert">([^<]+)', box)
        if name and error:
            found[name.group(1)] = error.group(1)
    return found


# --- who may see and do what ----------------------------------------------------------


@pytest.mark.parametrize("role", ["Executive", "Analyst", None])
def test_every_sources_page_and_action_is_refused_to_executives_analysts_and_others(role, demo):
    client = client_as(role)
    for url in page_urls(demo):
        assert client.get(url).status_code == 403, url
    for url in post_urls(demo):
        assert client.post(url, {"enabled": "0", "schedule": "1h"}).status_code == 403, url
    demo.refresh_from_db()
    assert demo.enabled and Source.objects.filter(pk=demo.pk).exists()
    assert StaffDirectoryEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(demo):
    for url in page_urls(demo):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_admins_open_every_sources_page(admin, demo):
    for url in page_urls(demo):
        assert admin.get(url).status_code == 200, url


def test_admins_see_the_sources_link_and_others_do_not(admin, demo):
    assert 'href="/sources/"' in admin.get(reverse("overview")).content.decode()
    analyst = client_as("Analyst", "ana")
    assert 'href="/sources/"' not in analyst.get(reverse("overview")).content.decode()


def test_a_view_only_user_sees_no_buttons_and_cannot_act(demo):
    client = client_with(
        "collectors.view_source", "collectors.view_syncrun", "sentiment.view_category"
    )
    listing = client.get(reverse("sources-list")).content.decode()
    assert "Demo desk" in listing and "Add a source" not in listing
    detail = client.get(reverse("sources-detail", args=[demo.pk])).content.decode()
    for button in ("Run now", "Test connection", "Pause", "Edit settings", "Delete"):
        assert button not in detail
    assert "Sync history" in detail
    assert client.post(reverse("sources-run", args=[demo.pk])).status_code == 403
    assert client.post(reverse("sources-delete", args=[demo.pk])).status_code == 403
    assert not SyncRun.objects.exists()
    categories = client.get(reverse("sources-categories")).content.decode()
    assert "Add a category" not in categories and ">Edit<" not in categories
    # Directory pages need their own permission.
    assert client.get(reverse("sources-directory")).status_code == 403


def test_history_is_hidden_without_the_sync_run_permission(demo):
    client = client_with("collectors.view_source")
    detail = client.get(reverse("sources-detail", args=[demo.pk])).content.decode()
    assert "Sync history" not in detail


def test_posts_without_a_csrf_token_are_refused(demo):
    user = give_role(get_user_model().objects.create_user("adm", password="x-long-pw-1"), "Admin")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for url in post_urls(demo):
        assert client.post(url, {"enabled": "0"}).status_code == 403, url
    demo.refresh_from_db()
    assert demo.enabled


def test_every_form_on_the_pages_carries_a_csrf_token(admin, demo):
    for url in page_urls(demo):
        html = admin.get(url).content.decode()
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        for form in forms:
            assert "csrfmiddlewaretoken" in form, url


# --- list with health -----------------------------------------------------------------


def test_the_list_shows_each_sources_health_in_plain_words(admin, demo, make_source):
    broken = make_source("Old survey", "csvfile", path="missing.csv", text_columns=["Comment"])
    now = timezone.now()
    SyncRun.objects.create(
        source=demo,
        started_at=now - timedelta(hours=1),
        finished_at=now,
        status="ok",
        seen=9,
        created=7,
        updated=2,
        skipped=0,
    )
    Source.objects.filter(pk=demo.pk).update(last_run_at=now, last_status="ok")
    SyncRun.objects.create(
        source=broken,
        started_at=now,
        finished_at=now,
        status="failed",
        error="The file missing.csv does not exist.",
    )
    Source.objects.filter(pk=broken.pk).update(
        last_run_at=now,
        last_status="failed",
        last_error="The file missing.csv does not exist.",
        enabled=False,
    )
    html = admin.get(reverse("sources-list")).content.decode()
    rows = html.split('data-testid="source-row"')[1:]
    assert len(rows) == 2
    demo_row = next(r for r in rows if "Demo desk" in r)
    assert "Demo: service desk tickets (synthetic)" in demo_row
    assert "every 2 hours" in demo_row and ">On<" in demo_row and "Healthy" in demo_row
    assert "7 / 2 / 0" in demo_row
    broken_row = next(r for r in rows if "Old survey" in r)
    assert "Paused" in broken_row and "Failed" in broken_row
    assert "The file missing.csv does not exist." in broken_row
    assert "not scheduled" in broken_row


def test_the_list_counts_comments_collected(admin, demo):
    admin.post(reverse("sources-run", args=[demo.pk]))
    n = Comment.objects.filter(source=demo).count()
    assert n > 0
    html = admin.get(reverse("sources-list")).content.decode()
    assert f'data-label="Comments" class="num">{n}<' in html


def test_an_empty_list_invites_to_add_a_source(admin, catalogue):
    html = admin.get(reverse("sources-list")).content.decode()
    assert 'data-testid="sources-empty"' in html and "No sources yet." in html
    assert f'href="{reverse("sources-add")}"' in html


# --- add / edit -----------------------------------------------------------------------


def test_adding_a_source_starts_with_choosing_its_kind(admin, catalogue):
    html = admin.get(reverse("sources-add")).content.decode()
    assert reverse("sources-add-kind", args=["jira"]) in html
    assert "Jira Service Management" in html and "Survey export (CSV or XLSX file)" in html
    assert admin.get(reverse("sources-add-kind", args=["nope"])).status_code == 404


def test_the_settings_form_is_generated_from_the_kinds_settings_model(admin, catalogue):
    html = admin.get(reverse("sources-add-kind", args=["slack"])).content.decode()
    # list -> text, int -> number with its default, bool -> checkbox, date -> date input
    assert re.search(r'<input type="text" name="setting_channels"', html)
    assert re.search(r'<input type="number" name="setting_active_thread_days" value="14"', html)
    assert re.search(r'<input type="checkbox" name="setting_allow_insecure_http"', html)
    assert re.search(r'<input type="date" name="setting_start_date"', html)
    assert "Channel ids to collect" in html  # the field's description
    # secrets are password inputs; the generated hook token is not asked for
    assert re.search(r'<input type="password" name="secret_bot_token"', html)
    assert "secret_hook_token" not in html
    assert 'name="schedule"' in html


def test_a_source_added_from_the_form_is_stored_validated_and_scheduled(admin, catalogue):
    response = admin.post(
        reverse("sources-add-kind", args=["jira"]),
        {
            "name": "Service desk",
            "setting_base_url": "https://acme.atlassian.net",
            "setting_email": "earshot@acme.com",
            "setting_project_key": "ITSM",
            "secret_api_token": SECRET,
            "schedule": "30m",
        },
    )
    source = Source.objects.get(name="Service desk")
    assert response.status_code == 302
    assert response["Location"] == reverse("sources-detail", args=[source.pk])
    assert source.kind == "jira" and source.enabled
    # what was given, no defaults copied in
    assert source.settings == {
        "base_url": "https://acme.atlassian.net",
        "email": "earshot@acme.com",
        "project_key": "ITSM",
    }
    assert source.get_secrets() == {"api_token": SECRET}
    assert SECRET not in source.credentials  # encrypted at rest
    assert source.periodic_task.interval.every == 30


def test_invalid_settings_are_explained_next_to_their_field(admin, catalogue):
    response = admin.post(
        reverse("sources-add-kind", args=["jira"]),
        {
            "name": "Service desk",
            "setting_base_url": "http://acme.atlassian.net",
            "setting_project_key": "ITSM",
            "setting_retry_backoff": "99",
            "schedule": "1h",
        },
    )
    assert response.status_code == 200
    assert not Source.objects.exists()
    html = response.content.decode()
    assert "Not saved" in html
    fields = field_errors(html)
    assert fields["email"] == "Required: give a value."
    assert fields["retry_backoff"] == "Input should be less than or equal to 30"
    assert '<details class="src-advanced" open>' in html  # the error is not hidden
    assert 'value="ITSM"' in html  # what was typed is kept
    # A check across fields (run once the fields are valid) lands on the field it names.
    response = admin.post(
        reverse("sources-add-kind", args=["jira"]),
        {
            "name": "Service desk",
            "setting_base_url": "http://acme.atlassian.net",
            "setting_email": "earshot@acme.com",
            "setting_project_key": "ITSM",
            "schedule": "1h",
        },
    )
    html = response.content.decode()
    fields = field_errors(html)
    assert fields["base_url"].startswith("base_url must use https")
    assert not Source.objects.exists()


def test_a_bad_schedule_or_a_taken_name_is_explained_when_adding(admin, demo):
    response = admin.post(
        reverse("sources-add-kind", args=["demo_chat"]),
        {"name": "Demo desk", "schedule": "every tuesday"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A source with this name exists already." in html
    assert "not understood: use an interval such as 15m, 2h, 1d" in html
    assert Source.objects.count() == 1


def test_secrets_are_never_rendered_back_and_an_empty_field_keeps_them(admin, catalogue):
    source = source_create(
        name="Desk",
        kind="zendesk",
        settings={"subdomain": "acme", "email": "e@acme.com"},
        secrets={"api_token": SECRET},
    )
    for url in (
        reverse("sources-edit", args=[source.pk]),
        reverse("sources-detail", args=[source.pk]),
        reverse("sources-list"),
    ):
        html = admin.get(url).content.decode()
        assert SECRET not in html, url
    edit = admin.get(reverse("sources-edit", args=[source.pk])).content.decode()
    assert "Replace api_token" in edit and "Set, hidden." in edit
    form = {"name": "Desk", "setting_subdomain": "acme", "setting_email": "e@acme.com"}
    admin.post(reverse("sources-edit", args=[source.pk]), {**form, "secret_api_token": ""})
    source.refresh_from_db()
    assert source.get_secrets() == {"api_token": SECRET}
    admin.post(reverse("sources-edit", args=[source.pk]), {**form, "secret_api_token": "new-one"})
    source.refresh_from_db()
    assert source.get_secrets() == {"api_token": "new-one"}


def test_editing_changes_name_and_settings_and_keeps_health(admin, demo):
    Source.objects.filter(pk=demo.pk).update(last_status="ok", cursor={"row": 3})
    response = admin.post(
        reverse("sources-edit", args=[demo.pk]),
        {
            "name": "Demo tickets",
            "setting_weeks": "2",
            "setting_per_week": "3",
            "setting_seed": "1",
        },
    )
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.name == "Demo tickets" and demo.settings == {"weeks": 2, "per_week": 3}
    assert demo.last_status == "ok" and demo.cursor == {"row": 3}
    assert demo.periodic_task.description.startswith("Collect new comments from Demo tickets")


def test_a_csv_upload_becomes_a_source_that_collects(admin, catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = (
        b"ID,Submitted,Comment\n"
        b"1,2026-03-02 09:00:00,The VPN drops every hour.\n"
        b"2,2026-03-02 10:00:00,Thanks for fixing my laptop so fast!\n"
    )
    response = admin.post(
        reverse("sources-add-kind", args=["csvfile"]),
        {
            "name": "Pulse survey",
            "setting_text_columns": "Comment",
            "setting_timestamp_column": "Submitted",
            "upload": SimpleUploadedFile("pulse.csv", data, content_type="text/csv"),
            "schedule": "1d",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(name="Pulse survey")
    assert source.settings["path"].startswith("uploads/")
    assert (tmp_path / source.settings["path"]).read_bytes() == data
    assert source.settings["text_columns"] == ["Comment"]
    admin.post(reverse("sources-run", args=[source.pk]))
    assert Comment.objects.filter(source=source).count() == 2


def test_a_csv_source_without_file_or_path_is_refused_with_a_reason(admin, catalogue):
    response = admin.post(
        reverse("sources-add-kind", args=["csvfile"]),
        {"name": "Pulse", "setting_text_columns": "Comment", "schedule": "1d"},
    )
    assert response.status_code == 200 and not Source.objects.exists()
    assert "Required: give a value." in response.content.decode().split('name="setting_path"')[1]


def test_a_push_source_shows_its_webhook_url(admin, catalogue, settings):
    settings.EARSHOT_BASE_URL = "https://earshot.example.com"
    response = admin.post(
        reverse("sources-add-kind", args=["webhook"]),
        {"name": "Forms hook", "setting_id_field": "id", "setting_text_field": "text"},
    )
    source = Source.objects.get(name="Forms hook")
    assert response.status_code == 302 and source.periodic_task is None  # push only
    html = admin.get(reverse("sources-detail", args=[source.pk])).content.decode()
    token = source.get_secrets()["hook_token"]
    assert f"https://earshot.example.com/hooks/{source.pk}/{token}/" in html
    assert "Run now" not in html and "no schedule" in html
    # a view-only user does not get the capability URL
    viewer = client_with("collectors.view_source")
    assert token not in viewer.get(reverse("sources-detail", args=[source.pk])).content.decode()


# --- test connection, run now, progress -----------------------------------------------


def test_test_connection_says_whether_it_works(admin, demo, make_source):
    response = admin.post(reverse("sources-test", args=[demo.pk]), follow=True)
    assert "Connection works." in response.content.decode()
    broken = make_source("Survey", "csvfile", path="nowhere.csv", text_columns=["Comment"])
    html = admin.post(reverse("sources-test", args=[broken.pk]), follow=True).content.decode()
    assert "Connection failed:" in html and "nowhere.csv" in html


def test_run_now_collects_and_the_progress_endpoint_reports_the_run(admin, demo):
    response = admin.post(reverse("sources-run", args=[demo.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("sources-detail", args=[demo.pk]) + "?after=0#progress"
    run = SyncRun.objects.get(source=demo)
    assert run.trigger == "manual" and run.status == "ok" and run.created > 0
    progress = admin.get(reverse("sources-progress", args=[demo.pk]), {"after": 0}).json()
    assert progress["done"] is True and progress["state"] == "ok"
    assert progress["created"] == run.created and progress["run"] == run.pk
    page = admin.get(response["Location"]).content.decode()
    assert 'data-testid="progress"' in page and "Succeeded" in page
    assert "sources.js" not in page  # nothing left to poll


def test_progress_says_queued_until_a_worker_starts_the_run_then_running(admin, demo):
    url = reverse("sources-progress", args=[demo.pk])
    old = SyncRun.objects.create(source=demo, started_at=timezone.now(), status="ok")
    assert admin.get(url, {"after": old.pk}).json() == {
        "state": "queued",
        "label": "Queued: waiting for a worker to start the collection",
        "done": False,
    }
    SyncRun.objects.create(source=demo, started_at=timezone.now(), seen=40, created=12)
    progress = admin.get(url, {"after": old.pk}).json()
    assert progress["state"] == "running" and not progress["done"]
    assert (progress["seen"], progress["created"]) == (40, 12)
    page = admin.get(reverse("sources-detail", args=[demo.pk])).content.decode()
    assert "sources.js" in page and f'data-after="{old.pk}"' in page


def test_run_now_on_a_paused_source_is_refused_with_the_reason(admin, demo):
    Source.objects.filter(pk=demo.pk).update(enabled=False)
    html = admin.post(reverse("sources-run", args=[demo.pk]), follow=True).content.decode()
    assert "This source is paused: resume it first" in html
    assert not SyncRun.objects.exists()


def test_run_now_while_a_collection_runs_follows_that_one(admin, demo):
    running = SyncRun.objects.create(source=demo, started_at=timezone.now())
    Source.objects.filter(pk=demo.pk).update(collecting_since=timezone.now())
    response = admin.post(reverse("sources-run", args=[demo.pk]))
    assert response["Location"].endswith(f"?after={running.pk - 1}#progress")
    assert SyncRun.objects.count() == 1


# --- pause / resume, schedule ---------------------------------------------------------


def test_pause_and_resume_switch_the_scheduled_collection(admin, demo):
    admin.post(reverse("sources-toggle", args=[demo.pk]), {"enabled": "0"})
    demo.refresh_from_db()
    assert not demo.enabled and not PeriodicTask.objects.get(pk=demo.periodic_task_id).enabled
    html = admin.get(reverse("sources-detail", args=[demo.pk])).content.decode()
    assert "Resume" in html and 'data-testid="state">Paused' in html
    admin.post(reverse("sources-toggle", args=[demo.pk]), {"enabled": "1"})
    demo.refresh_from_db()
    assert demo.enabled and PeriodicTask.objects.get(pk=demo.periodic_task_id).enabled


def test_the_schedule_takes_an_interval_or_cron_fields_and_explains_bad_input(admin, demo):
    url = reverse("sources-schedule", args=[demo.pk])
    html = admin.post(url, {"schedule": "15m"}, follow=True).content.decode()
    assert "Schedule changed: collected every 15 minutes." in html
    admin.post(url, {"schedule": "0 7 * * 1-5"})
    demo.refresh_from_db()
    assert demo.periodic_task.crontab.hour == "7" and demo.periodic_task.interval is None
    html = admin.post(url, {"schedule": "every morning"}, follow=True).content.decode()
    assert "not understood: use an interval such as 15m, 2h, 1d" in html
    html = admin.post(url, {"schedule": ""}, follow=True).content.decode()
    assert "Give a schedule" in html
    demo.refresh_from_db()
    assert demo.periodic_task.crontab.hour == "7"  # bad input changed nothing


# --- history --------------------------------------------------------------------------


def test_history_shows_counts_errors_and_skip_reasons_paginated(admin, demo):
    t0 = timezone.now() - timedelta(days=2)
    for n in range(24):
        SyncRun.objects.create(
            source=demo,
            started_at=t0 + timedelta(hours=n),
            finished_at=t0 + timedelta(hours=n),
            status="ok",
            seen=n,
            created=n,
        )
    SyncRun.objects.create(
        source=demo,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status="partial",
        trigger="manual",
        seen=10,
        created=7,
        updated=1,
        unchanged=0,
        skipped=2,
        skips=[
            {"item": "line 4", "reason": "no timestamp in column Submitted"},
            {"item": "line 9", "reason": "the Comment cell is empty"},
        ],
        error="",
    )
    html = admin.get(reverse("sources-detail", args=[demo.pk])).content.decode()
    assert "Why 2 items were skipped" in html
    assert "line 4</span>: no timestamp in column Submitted" in html
    assert "Page 1 of 2" in html and "Succeeded, some items skipped" in html
    rows = html.split('data-testid="history"')[1].count('<th scope="row"')
    assert rows == 20
    page2 = admin.get(reverse("sources-detail", args=[demo.pk]), {"page": 2}).content.decode()
    assert page2.split('data-testid="history"')[1].count('<th scope="row"') == 5


# --- delete ---------------------------------------------------------------------------


def test_delete_says_what_will_go_and_removes_the_source_and_its_comments(admin, demo):
    admin.post(reverse("sources-run", args=[demo.pk]))
    n = Comment.objects.filter(source=demo).count()
    task_id = demo.periodic_task_id
    html = admin.get(reverse("sources-delete", args=[demo.pk])).content.decode()
    assert f"<strong>{n}</strong> comments" in html and "run of sync history" in html
    assert Source.objects.filter(pk=demo.pk).exists()  # looking deletes nothing
    response = admin.post(reverse("sources-delete", args=[demo.pk]), follow=True)
    assert "Deleted Demo desk" in response.content.decode()
    assert not Source.objects.exists() and not Comment.objects.exists()
    assert not PeriodicTask.objects.filter(pk=task_id).exists()


# --- escaping -------------------------------------------------------------------------


def test_user_text_is_escaped_and_a_javascript_url_never_becomes_a_link(admin, catalogue):
    source = Source.objects.create(
        name=f"Desk {XSS}",
        kind="webhook",
        settings={"id_field": "id", "text_field": "javascript:alert(3)"},
        last_error=f"Upstream said {XSS}",
        last_status="failed",
    )
    SyncRun.objects.create(
        source=source,
        started_at=timezone.now(),
        status="partial",
        skipped=1,
        skips=[{"item": XSS, "reason": f"bad {XSS}"}],
        error=XSS,
    )
    StaffDirectoryEntry.objects.create(kind="person", value=XSS, note=XSS)
    Category.objects.create(name=f"Cat {XSS}", slug="cat-x", keywords=XSS, aliases=XSS)
    for url in (
        reverse("sources-list"),
        reverse("sources-detail", args=[source.pk]),
        reverse("sources-delete", args=[source.pk]),
        reverse("sources-edit", args=[source.pk]),
        reverse("sources-directory"),
        reverse("sources-categories"),
    ):
        html = admin.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url
        assert 'href="javascript:' not in html.lower(), url
    detail = admin.get(reverse("sources-detail", args=[source.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "javascript:alert(3)" in detail


# --- IT-staff directory ---------------------------------------------------------------


def test_the_directory_says_what_it_does_and_adds_normalised_entries(admin, demo):
    html = admin.get(reverse("sources-directory")).content.decode()
    assert "never enter a metric" in html and "next collection" in html
    response = admin.post(
        reverse("sources-directory"),
        {"kind": "domain", "value": " @IT.Example.com ", "voice": "it_staff", "note": "IT dept"},
        follow=True,
    )
    entry = StaffDirectoryEntry.objects.get()
    assert entry.value == "it.example.com" and entry.source is None
    assert "takes effect at the next collection" in response.content.decode()
    admin.post(
        reverse("sources-directory"),
        {"kind": "person", "value": "IT Status Bot", "voice": "bot", "source": demo.pk},
    )
    bot = StaffDirectoryEntry.objects.get(kind="person")
    assert bot.value == "it status bot" and bot.voice == "bot" and bot.source == demo
    html = admin.get(reverse("sources-directory")).content.decode()
    assert "Demo desk only" in html and "it.example.com" in html


def test_the_directory_refuses_bad_values_and_duplicates(admin, catalogue):
    url = reverse("sources-directory")
    html = admin.post(
        url, {"kind": "domain", "value": "not a domain", "voice": "it_staff"}
    ).content.decode()
    assert "Give a domain such as it.example.com" in html
    html = admin.post(
        url, {"kind": "email", "value": "nobody", "voice": "it_staff"}
    ).content.decode()
    assert "Give an e-mail address" in html
    html = admin.post(url, {"kind": "shoe", "value": "x", "voice": "manager"}).content.decode()
    assert "Select a valid choice" in html
    admin.post(url, {"kind": "email", "value": "Jo@Example.com", "voice": "it_staff"})
    html = admin.post(
        url, {"kind": "email", "value": "jo@example.com", "voice": "bot"}
    ).content.decode()
    assert "in the directory already" in html
    assert StaffDirectoryEntry.objects.count() == 1


def test_a_directory_entry_is_removed(admin, catalogue):
    entry = StaffDirectoryEntry.objects.create(kind="domain", value="it.example.com")
    response = admin.post(reverse("sources-directory-delete", args=[entry.pk]), follow=True)
    assert "Removed it.example.com" in response.content.decode()
    assert not StaffDirectoryEntry.objects.exists()
    assert admin.get(reverse("sources-directory-delete", args=[entry.pk])).status_code == 405


# --- categories -----------------------------------------------------------------------


def test_categories_show_aliases_keywords_and_how_matching_works(admin, catalogue):
    html = admin.get(reverse("sources-categories")).content.decode()
    assert "source&#x27;s own field first" in html or "source's own field first" in html
    assert "Keywords second" in html and "Other" in html
    network = Category.objects.get(slug="network")
    for keyword in network.keyword_list()[:3]:
        assert f'<span class="badge">{keyword}</span>' in html


def test_a_category_is_edited_one_keyword_per_line_and_added_with_a_made_up_slug(admin, catalogue):
    network = Category.objects.get(slug="network")
    response = admin.post(
        reverse("sources-category-edit", args=[network.pk]),
        {
            "name": network.name,
            "slug": "network",
            "aliases": "Network\n\nVPN\nVPN\n",
            "keywords": " vpn \nwifi\nglobalprotect\n",
            "position": 20,
        },
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.aliases == "Network\nVPN" and network.keywords == "vpn\nwifi\nglobalprotect"
    admin.post(
        reverse("sources-category-add"),
        {
            "name": "Printing & scanning",
            "slug": "",
            "aliases": "",
            "keywords": "printer",
            "position": 50,
        },
    )
    assert Category.objects.get(name="Printing & scanning").slug == "printing-scanning"


def test_a_category_name_taken_is_refused_and_other_keeps_its_slug(admin, catalogue):
    html = admin.post(
        reverse("sources-category-add"),
        {"name": "Other", "slug": "", "aliases": "", "keywords": "", "position": 1},
    ).content.decode()
    assert "already exists" in html
    other = Category.objects.get(slug=Category.OTHER_SLUG)
    admin.post(
        reverse("sources-category-edit", args=[other.pk]),
        {
            "name": "Other / unknown",
            "slug": "renamed",
            "aliases": "",
            "keywords": "",
            "position": 10000,
        },
    )
    other.refresh_from_db()
    assert other.name == "Other / unknown" and other.slug == Category.OTHER_SLUG


# --- collectors.services.source_update ------------------------------------------------


def test_source_update_merges_secrets_and_writes_only_its_own_columns(catalogue):
    source = source_create(
        name="Desk",
        kind="servicenow",
        settings={"instance": "acme"},
        secrets={"password": "p1"},
    )
    # A collection running meanwhile moved the cursor and health in the database.
    Source.objects.filter(pk=source.pk).update(cursor={"since": "x"}, last_status="ok")
    source_update(
        source=source,
        name="Desk 2",
        settings={"instance": "acme2"},
        secrets={"oauth_token": "t1", "password": ""},
    )
    stored = Source.objects.get(pk=source.pk)
    assert stored.name == "Desk 2" and stored.settings == {"instance": "acme2"}
    assert stored.get_secrets() == {"password": "p1", "oauth_token": "t1"}
    assert stored.cursor == {"since": "x"} and stored.last_status == "ok"


def test_source_update_refuses_bad_settings_names_and_secrets(catalogue, demo):
    other = source_create(name="Other desk", kind="demo_chat", settings={})
    with pytest.raises(ConnectorConfigError, match="weeks"):
        source_update(source=other, settings={"weeks": 0})
    with pytest.raises(SourceError, match="exists already"):
        source_update(source=other, name="Demo desk")
    with pytest.raises(SourceError, match="Unknown secret"):
        source_update(source=other, secrets={"password": "x"})
    assert Source.objects.get(pk=other.pk).name == "Other desk"
