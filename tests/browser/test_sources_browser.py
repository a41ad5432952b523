"""An admin connects a source, tests it, runs it and follows the run's progress, on a
desktop and on a phone; the directory and category pages read on both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from collectors.models import Source, SyncRun
from collectors.services import source_create
from sentiment.catalogue import ensure_catalogue
from sentiment.models import Category, StaffDirectoryEntry
from tests.conftest import give_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def admin_user():
    ensure_catalogue(Category)
    return give_role(get_user_model().objects.create_user("adm", password=PASSWORD), "Admin")


def log_in(page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=username]", "adm")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{path}")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_admin_adds_tests_and_runs_a_source_then_reads_its_health(
    live_server, new_context, artifacts
):
    admin_user()
    page = new_context(viewport=DESKTOP).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "/sources/")
    assert page.get_by_test_id("sources-empty").is_visible()
    page.screenshot(path=artifacts / "sources-empty-1280.png", full_page=True)

    page.get_by_role("link", name="Add a source").click()
    page.get_by_role("link", name="Demo: service desk tickets (synthetic)").click()
    page.fill("input[name=name]", "Service desk (demo)")
    page.fill("input[name=setting_weeks]", "0")  # below the minimum: explained
    page.click("button:has-text('Add the source')")
    assert "greater than or equal to 1" in page.locator(".src-field--invalid").inner_text()
    page.screenshot(path=artifacts / "sources-form-error-1280.png", full_page=True)
    page.fill("input[name=setting_weeks]", "2")
    page.fill("input[name=setting_end]", "2026-03-06")
    page.fill("input[name=schedule]", "0 7 * * 1-5")
    page.click("button:has-text('Add the source')")
    page.wait_for_selector("#source-title")
    assert page.locator("h1").inner_text() == "Service desk (demo)"
    assert page.get_by_test_id("schedule").inner_text() == "cron 0 7 * * 1-5"

    page.click("button:has-text('Test connection')")
    assert "Connection works." in page.locator(".alert").first.inner_text()
    page.click("button:has-text('Run now')")
    progress = page.get_by_test_id("progress")
    progress.wait_for()
    assert "Succeeded" in progress.inner_text()
    assert int(progress.locator("[data-field=created]").inner_text()) > 0
    assert page.get_by_test_id("history").locator("tbody th").count() == 1
    page.screenshot(path=artifacts / "sources-detail-1280.png", full_page=True)

    page.goto(f"{live_server.url}/sources/")
    row = page.get_by_test_id("source-row")
    assert "Healthy" in row.inner_text() and "Service desk (demo)" in row.inner_text()
    page.screenshot(path=artifacts / "sources-list-1280.png", full_page=True)

    phone = new_context(viewport=PHONE).new_page()
    log_in(phone, live_server, "/sources/")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "sources-list-390.png", full_page=True)
    source = Source.objects.get()
    phone.goto(f"{live_server.url}/sources/{source.pk}/")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "sources-detail-390.png", full_page=True)
    phone.goto(f"{live_server.url}/sources/add/jira/")
    phone.click("button:has-text('Add the source')")
    assert phone.locator(".field__error").count() >= 3
    assert no_sideways_scroll(phone)
    phone.screenshot(path=artifacts / "sources-form-error-390.png", full_page=True)
    assert errors == []


def test_the_progress_box_follows_a_running_collection_until_it_ends(
    live_server, new_context, artifacts
):
    admin_user()
    source = source_create(name="Chat (demo)", kind="demo_chat", settings={"weeks": 1})
    SyncRun.objects.create(
        source=source,
        started_at=timezone.now() - timedelta(hours=3),
        finished_at=timezone.now() - timedelta(hours=3),
        status="partial",
        seen=3,
        created=1,
        skipped=2,
        skips=[
            {"item": "message 17", "reason": "no text after cleaning"},
            {"item": "<b>message 18</b>", "reason": "author unknown <script>x()</script>"},
        ],
    )
    run = SyncRun.objects.create(
        source=source, started_at=timezone.now(), seen=120, created=80, trigger="manual"
    )
    page = new_context(viewport=PHONE).new_page()
    log_in(page, live_server, f"/sources/{source.pk}/")
    progress = page.get_by_test_id("progress")
    assert "Running" in progress.locator("[data-field=label]").inner_text()
    assert page.get_by_test_id("schedule").inner_text() == "every hour"
    page.screenshot(path=artifacts / "sources-progress-running-390.png", full_page=True)

    SyncRun.objects.filter(pk=run.pk).update(
        status="failed",
        finished_at=timezone.now(),
        seen=150,
        created=100,
        error="HTTP 401 from the upstream: the token was revoked.",
    )
    # a selector, not a JS predicate: the page's Content-Security-Policy forbids eval
    page.wait_for_selector("[data-testid=progress][data-state=failed]", timeout=10_000)
    assert progress.locator("[data-field=created]").inner_text() == "100"
    # the history is brought up to date without a reload
    newest = page.get_by_test_id("history").locator("tbody tr").first
    newest.get_by_text("Failed").wait_for(timeout=5_000)
    assert "token was revoked" in progress.locator("[data-field=error]").inner_text()
    page.locator("summary", has_text="Why 2 items were skipped").click()
    skips = page.locator(".src-skips").inner_text()
    assert "<b>message 18</b>" in skips and "author unknown <script>x()</script>" in skips
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts / "sources-progress-done-390.png", full_page=True)


def test_directory_and_categories_read_on_desktop_and_phone(live_server, new_context, artifacts):
    admin_user()
    StaffDirectoryEntry.objects.create(kind="domain", value="it.example.com", note="IT department")
    StaffDirectoryEntry.objects.create(kind="person", value="it status bot", voice="bot")
    for viewport, suffix in ((DESKTOP, "1280"), (PHONE, "390")):
        page = new_context(viewport=viewport).new_page()
        log_in(page, live_server, "/sources/directory/")
        if suffix == "1280":
            page.select_option("select[name=kind]", "email")
            page.fill("input[name=value]", "Servicedesk@Example.com")
            page.click("button:has-text('Add')")
            assert "servicedesk@example.com" in page.get_by_test_id("directory").inner_text()
        assert no_sideways_scroll(page)
        page.screenshot(path=artifacts / f"sources-directory-{suffix}.png", full_page=True)
        page.goto(f"{live_server.url}/sources/categories/")
        assert no_sideways_scroll(page)
        page.screenshot(path=artifacts / f"sources-categories-{suffix}.png", full_page=True)
