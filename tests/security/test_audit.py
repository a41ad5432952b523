"""The audit log: exports and every change to sources (from the Sources pages, the Django
admin and the command line), to the IT-staff directory, categories, scoring rules, users
and roles are recorded with who, what and when, never with a secret value; admins read
it at /sources/audit/, newest first, filtered by action; nobody edits it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from collectors.models import Source
from collectors.services import source_create
from dashboards.models import AuditEvent
from sentiment.models import Category, Thread, ThreadViewLog

# The browser tests' fixtures: Chromium, the artifacts folder, ORM access beside Playwright.
from tests.browser.conftest import _allow_orm_beside_playwright, artifacts, chromium  # noqa: F401
from tests.conftest import give_role

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
TOKEN = "audit-token-kept-out-of-the-log-1234"
NEW_TOKEN = "audit-token-replacement-5678"


def user_in(role: str | None, name: str, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(name, password=PASSWORD, **extra)
    return give_role(user, role) if role else user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice() -> Any:
    return user_in("Admin", "alice", is_staff=True)


@pytest.fixture
def as_alice(alice: Any) -> Client:
    return client_for(alice)


def events(**filters: Any) -> list[tuple[str, str, str]]:
    """(actor, action, target) oldest first, of the events about sources and rules."""
    rows = AuditEvent.objects.filter(**filters).order_by("at", "id")
    return [(e.actor, e.action, e.target) for e in rows]


def demo_settings() -> dict[str, str]:
    return {"setting_weeks": "1", "setting_per_week": "3", "setting_end": "2026-03-06"}


def test_source_changes_on_the_sources_pages_are_recorded_with_who_made_them(
    as_alice, alice, catalogue, django_capture_on_commit_callbacks
):
    AuditEvent.objects.all().delete()
    added = as_alice.post(
        "/sources/add/jira/",
        {
            "name": "Jira ITSD",
            "setting_base_url": "https://acme.atlassian.net",
            "setting_email": "earshot@acme.example",
            "setting_project_key": "ITSD",
            "secret_api_token": TOKEN,
            "schedule": "30m",
        },
    )
    assert added.status_code == 302
    jira = Source.objects.get(name="Jira ITSD")
    as_alice.post(
        f"/sources/{jira.pk}/edit/",
        {
            "name": "Jira ITSD",
            "setting_base_url": "https://acme.atlassian.net",
            "setting_email": "earshot@acme.example",
            "setting_project_key": "HELP",
            "secret_api_token": NEW_TOKEN,
        },
    )
    as_alice.post(f"/sources/{jira.pk}/schedule/", {"schedule": "2h"})
    as_alice.post(f"/sources/{jira.pk}/pause/", {"enabled": "0"})
    as_alice.post(f"/sources/{jira.pk}/pause/", {"enabled": "1"})
    as_alice.post(
        "/sources/add/demo_helpdesk/", {"name": "Demo", **demo_settings(), "schedule": "1h"}
    )
    demo = Source.objects.get(name="Demo")
    with django_capture_on_commit_callbacks(execute=True):
        as_alice.post(f"/sources/{demo.pk}/run/")
    n = demo.comments.count()
    assert n > 0
    as_alice.post(f"/sources/{demo.pk}/delete/")

    assert events() == [
        ("alice", "source_created", "Jira ITSD"),
        ("alice", "source_changed", "Jira ITSD"),
        ("alice", "source_credentials", "Jira ITSD"),
        ("alice", "source_scheduled", "Jira ITSD"),
        ("alice", "source_paused", "Jira ITSD"),
        ("alice", "source_resumed", "Jira ITSD"),
        ("alice", "source_created", "Demo"),
        ("alice", "source_run", "Demo"),
        ("alice", "source_deleted", "Demo"),
    ]
    detail = {e.action: e.detail for e in AuditEvent.objects.filter(target="Jira ITSD")}
    assert "secrets set: api_token (values not recorded)" in detail["source_created"]
    assert detail["source_changed"] == "project_key 'ITSD' → 'HELP'"
    assert detail["source_credentials"] == "replaced: api_token (values not recorded)"
    assert detail["source_scheduled"] == "collected every 2 hours"
    deleted = AuditEvent.objects.get(action="source_deleted")
    assert deleted.detail == f"demo_helpdesk source and the {n} comments collected from it"
    assert deleted.target_id == str(demo.pk) and deleted.target_type == "source"
    assert all(e.user_id == alice.pk for e in AuditEvent.objects.all())
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert TOKEN not in everything and NEW_TOKEN not in everything


def test_source_changes_from_the_command_line_are_recorded_as_the_command_line(catalogue):
    AuditEvent.objects.all().delete()
    out = io.StringIO()
    call_command(
        "source", "add", "--kind", "demo_helpdesk", "--name", "CLI desk",
        "--set", "weeks=1", "--set", "per_week=2", "--set", "end=2026-03-06",
        stdout=out,
    )  # fmt: skip
    call_command("source", "schedule", "CLI desk", "15m", stdout=out)
    call_command("source", "disable", "CLI desk", stdout=out)
    call_command("source", "enable", "CLI desk", stdout=out)
    call_command("collect", "CLI desk", stdout=out)
    call_command("source", "remove", "CLI desk", stdout=out)
    assert events() == [
        ("command line", "source_created", "CLI desk"),
        ("command line", "source_scheduled", "CLI desk"),
        ("command line", "source_paused", "CLI desk"),
        ("command line", "source_resumed", "CLI desk"),
        ("command line", "source_run", "CLI desk"),
        ("command line", "source_deleted", "CLI desk"),
    ]
    assert not AuditEvent.objects.filter(user__isnull=False).exists()


def test_source_changes_in_the_django_admin_are_recorded_also_a_bulk_delete(as_alice, catalogue):
    AuditEvent.objects.all().delete()
    jira_settings = {
        "base_url": "https://acme.atlassian.net",
        "email": "earshot@acme.example",
        "project_key": "ITSD",
    }
    added = as_alice.post(
        "/admin/collectors/source/add/",
        {
            "name": "Admin Jira",
            "kind": "jira",
            "settings": json.dumps(jira_settings),
            "enabled": "on",
            "new_secrets": f"api_token={TOKEN}",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    source = Source.objects.get(name="Admin Jira")
    changed = as_alice.post(
        f"/admin/collectors/source/{source.pk}/change/",
        {
            "name": "Admin Jira",
            "kind": "jira",
            "settings": json.dumps({**jira_settings, "project_key": "HELP"}),
            "enabled": "on",
            "schedule": "2h",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    other = source_create(
        name="Other", kind="demo_helpdesk", settings={"weeks": 1, "end": "2026-03-06"}
    )
    AuditEvent.objects.filter(target="Other").delete()
    bulk = as_alice.post(
        "/admin/collectors/source/",
        {"action": "delete_selected", "_selected_action": [source.pk, other.pk], "post": "yes"},
    )
    assert bulk.status_code == 302
    assert not Source.objects.exists()
    assert events() == [
        ("alice", "source_created", "Admin Jira"),
        ("alice", "source_credentials", "Admin Jira"),
        ("alice", "source_scheduled", "Admin Jira"),
        ("alice", "source_changed", "Admin Jira"),
        ("alice", "source_deleted", "Admin Jira"),
        ("alice", "source_deleted", "Other"),
    ]
    assert "settings" in AuditEvent.objects.get(action="source_changed").detail
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert TOKEN not in everything


def test_directory_category_scoring_rule_and_role_changes_are_recorded(as_alice, catalogue):
    AuditEvent.objects.all().delete()
    as_alice.post(
        "/sources/directory/",
        {"kind": "domain", "value": "it.corp.example", "voice": "it_staff", "note": "IT"},
    )
    entry_pk = AuditEvent.objects.get(action="directory_changed").target_id
    as_alice.post(f"/sources/directory/{entry_pk}/delete/")
    vpn = Category.objects.get(slug="network")
    as_alice.post(
        f"/sources/categories/{vpn.pk}/",
        {
            "name": vpn.name,
            "slug": vpn.slug,
            "aliases": vpn.aliases,
            "keywords": "vpn\nanyconnect",
            "position": vpn.position,
        },
    )
    added = as_alice.post(
        "/admin/sentiment/lexiconentry/add/", {"token": "citrix", "valence": "-1.5", "note": ""}
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    bob = user_in(None, "bob")
    AuditEvent.objects.filter(target="bob").delete()
    analyst = Group.objects.get(name="Analyst")
    changed = as_alice.post(
        f"/admin/auth/user/{bob.pk}/change/",
        {
            "username": "bob",
            "first_name": "Bob",
            "last_name": "",
            "email": "bob@corp.example",
            "is_active": "on",
            "groups": [analyst.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-03-02",
            "date_joined_1": "09:00:00",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:3000]

    recorded = [
        (e.actor, e.action, e.target, e.detail) for e in AuditEvent.objects.order_by("at", "id")
    ]
    assert recorded[0][:2] == ("alice", "directory_changed")
    assert recorded[0][3].startswith("added: kind 'domain', value 'it.corp.example'")
    assert recorded[1][:2] == ("alice", "directory_changed") and recorded[1][3] == "deleted"
    assert recorded[2][:3] == ("alice", "category_changed", vpn.name)
    assert "keywords" in recorded[2][3] and "'vpn / anyconnect'" in recorded[2][3]
    assert recorded[3][:3] == ("alice", "scoring_changed", "citrix -1.5")
    bob_events = [r for r in recorded if r[2] == "bob"]
    assert ("alice", "user_changed", "bob", "roles: added Analyst") in bob_events
    assert any("first_name '—' → 'Bob'" in r[3] for r in bob_events)


def test_a_csv_export_is_recorded_with_its_filters_and_row_count(catalogue):
    from collectors.base import Batch
    from collectors.ingest import comments_ingest
    from tests.conftest import T0, record

    source = source_create(
        name="Survey", kind="csvfile", settings={"path": "/x.csv", "text_columns": ["a"]}
    )
    comments_ingest(
        source=source,
        batch=Batch(
            records=[
                record("1", "The VPN is down again.", at=T0),
                record("2", "VPN fine today.", thread="T2", at=T0),
                record("3", "Printer broken.", thread="T3", at=T0),
            ],
            cursor={},
        ),
    )
    ana = user_in("Analyst", "ana")
    response = client_for(ana).get("/explore/export.csv?voice=all&q=VPN")
    assert response.status_code == 200
    rows = b"".join(response.streaming_content).decode().strip().splitlines()
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.user_id, event.target) == ("ana", ana.pk, "explorer CSV")
    assert event.detail == f"{len(rows) - 1} rows; filters: voice=all, q=VPN"
    assert len(rows) - 1 == 2


def test_a_thread_view_is_logged_in_thread_view_logs_not_in_the_audit_log(catalogue):
    from collectors.base import Batch
    from collectors.ingest import comments_ingest
    from tests.conftest import record

    source = source_create(
        name="Survey", kind="csvfile", settings={"path": "/x.csv", "text_columns": ["a"]}
    )
    comments_ingest(source=source, batch=Batch(records=[record("1")], cursor={}))
    ana = user_in("Analyst", "ana")
    before = AuditEvent.objects.count()
    assert client_for(ana).get(f"/threads/{Thread.objects.get().pk}/").status_code == 200
    assert ThreadViewLog.objects.filter(username="ana").count() == 1
    assert AuditEvent.objects.count() == before


# --- the page -------------------------------------------------------------------------


def make_events(n: int, action: str = "export") -> None:
    for i in range(n):
        AuditEvent.objects.create(actor="system", action=action, target=f"event {i:03d}")


def test_the_audit_page_lists_newest_first_paginates_and_filters_by_action(as_alice):
    AuditEvent.objects.all().delete()
    make_events(55)
    make_events(3, "source_paused")
    html = as_alice.get("/sources/audit/").content.decode()
    assert html.count('data-testid="audit-row"') == 50
    assert html.index("event 002") < html.index("event 054")  # newest first
    assert "58 events" in html and "Page 1 of 2" in html
    second = as_alice.get("/sources/audit/?page=2").content.decode()
    assert second.count('data-testid="audit-row"') == 8
    paused = as_alice.get("/sources/audit/?action=source_paused").content.decode()
    assert paused.count('data-testid="audit-row"') == 3 and "Source paused" in paused
    assert "3 events of “Source paused”" in paused
    unknown = as_alice.get("/sources/audit/?action=nonsense").content.decode()
    assert "There is no action called “nonsense”" in unknown
    assert unknown.count('data-testid="audit-row"') == 50
    empty = as_alice.get("/sources/audit/?action=text_purged").content.decode()
    assert 'data-testid="audit-empty"' in empty


def test_only_admins_see_the_audit_page_and_it_is_linked_from_the_sources_pages(as_alice):
    assert as_alice.get("/sources/audit/").status_code == 200
    assert 'href="/sources/audit/"' in as_alice.get("/sources/").content.decode()
    for role in ("Analyst", "Executive", None):
        user = user_in(role, f"u-{role}")
        assert client_for(user).get("/sources/audit/").status_code == 403, role
    anonymous = Client().get("/sources/audit/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_audit_log_is_read_only_in_the_django_admin(as_alice):
    make_events(1)
    event = AuditEvent.objects.first()
    assert as_alice.get("/admin/dashboards/auditevent/").status_code == 200
    assert as_alice.get(f"/admin/dashboards/auditevent/{event.pk}/change/").status_code == 200
    assert as_alice.get("/admin/dashboards/auditevent/add/").status_code == 403
    edited = as_alice.post(
        f"/admin/dashboards/auditevent/{event.pk}/change/", {"actor": "someone else"}
    )
    assert edited.status_code == 403
    assert (
        as_alice.post(
            f"/admin/dashboards/auditevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    root = get_user_model().objects.create_superuser("root", "root@corp.example", PASSWORD)
    as_root = client_for(root)
    assert (
        as_root.post(
            f"/admin/dashboards/auditevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk, actor="system").exists()


# --- in a browser -------------------------------------------------------------------------

browser = pytest.mark.browser


@browser
@pytest.mark.django_db(transaction=True)
def test_the_audit_page_reads_on_a_desktop_and_a_phone(
    live_server,
    chromium,  # noqa: F811
    artifacts: Path,  # noqa: F811
):
    # Not staff: the audit page needs only the Admin role's permission (and a staff user's
    # extra "Admin" link makes the site header itself wider than a phone).
    give_role(get_user_model().objects.create_user("adm", password=PASSWORD), "Admin")
    AuditEvent.objects.all().delete()  # adding the user and its role was recorded
    AuditEvent.objects.create(
        actor="adm", action="source_credentials", target="Jira ITSD", target_type="source",
        target_id="3", detail="replaced: api_token (values not recorded)",
    )  # fmt: skip
    AuditEvent.objects.create(
        actor="ana", action="export", target="explorer CSV", target_type="comments",
        detail="1204 rows; filters: start=2026-03-01, source=Jira ITSD, voice=business, q=vpn",
    )  # fmt: skip
    AuditEvent.objects.create(
        actor="command line", action="source_deleted", target="Old survey with a long name "
        "that has to wrap on a phone", target_type="source", target_id="12",
        detail="csvfile source and the 5310 comments collected from it",
    )  # fmt: skip
    for width, height in ((1280, 900), (390, 844)):
        context = chromium.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            page.goto(f"{live_server.url}/sources/audit/")
            page.fill("input[name=username]", "adm")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/sources/audit/")
            page.screenshot(path=artifacts / f"audit-log-{width}.png", full_page=True)
            assert page.get_by_test_id("audit-row").count() == 3
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.select_option("select[name=action]", "export")
            page.click("button:has-text('Show')")
            page.wait_for_url("**action=export**")
            assert page.get_by_test_id("audit-row").count() == 1
            assert "1204 rows" in page.get_by_test_id("audit-table").inner_text()
            assert errors == []
        finally:
            context.close()
