"""Each role logs in and uses the overview: analysts and admins click from a bar to the
filtered explorer to a thread and mark it reviewed; an executive sees the figures and no
way into the comments. Hostile comment text stays text all the way."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from collectors.base import Batch
from collectors.ingest import comments_ingest
from collectors.models import Source
from dashboards.models import Annotation
from dashboards.selectors import week_start_of
from sentiment.catalogue import ensure_catalogue
from sentiment.models import Category, ThreadReview
from sentiment.services import rollups_refresh
from tests.conftest import give_role, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
HOSTILE = 'The VPN keeps dropping <script>alert("x")</script> <img src=x onerror="alert(1)">'


def seed() -> datetime:
    """Last week: ten Sales users complain about the VPN (one with hostile markup), an
    agent answers each; six Finance users thank IT for e-mail fixes."""
    ensure_catalogue(Category)
    source = Source.objects.create(name="Service desk", kind="csvfile")
    monday = week_start_of(timezone.localdate()) - timedelta(weeks=1)
    t0 = datetime.combine(
        monday + timedelta(days=1), time(9), tzinfo=timezone.get_current_timezone()
    )
    recs = []
    for i in range(10):
        body = HOSTILE if i == 0 else f"The VPN keeps dropping again, I lost my work {i} times."
        recs += [
            record(
                f"v{i}",
                body,
                thread=f"V{i}",
                thread_title=HOSTILE if i == 0 else f"VPN drops #{i}",
                author=f"sales{i}",
                department="Sales",
                category_hint="VPN",
                at=t0 + timedelta(hours=i),
            ),
            record(
                f"a{i}",
                "We are looking into it.",
                thread=f"V{i}",
                author="agent",
                voice="it_staff",
                department="Sales",
                category_hint="VPN",
                at=t0 + timedelta(hours=i, minutes=30),
            ),
        ]
    for i in range(6):
        recs.append(
            record(
                f"e{i}",
                "Thanks, e-mail works perfectly now, great help!",
                thread=f"E{i}",
                thread_title=f"Mailbox {i}",
                author=f"fin{i}",
                department="Finance",
                category_hint="E-mail",
                at=t0 + timedelta(hours=i),
            )
        )
    comments_ingest(source=source, batch=Batch(records=recs, cursor={}))
    rollups_refresh()
    Annotation.objects.create(
        start=monday + timedelta(days=1), kind="outage", title="VPN gateway outage"
    )
    return t0


def make_user(role: str):
    return give_role(get_user_model().objects.create_user(role.lower(), password=PASSWORD), role)


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def phone(new_context, desktop):
    return new_context(
        storage_state=desktop.storage_state(),
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    ).new_page()


@pytest.mark.parametrize("role", ["Analyst", "Admin"])
def test_from_a_bar_to_the_filtered_explorer_to_a_thread_marked_reviewed(
    live_server, new_context, artifacts, role
):
    seed()
    make_user(role)
    dialogs: list[str] = []
    desktop = new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, live_server, role.lower())
    page.wait_for_selector(".js-plotly-plot svg.main-svg", state="attached", timeout=15_000)
    name = role.lower()
    page.screenshot(path=artifacts / f"overview-{name}-1280x900.png", full_page=True)

    # The Network / VPN bar of the service breakdown.
    services = page.get_by_test_id("breakdown-category")
    row = services.locator("tr", has_text="VPN")
    row.locator("a.bar").click()
    page.wait_for_url("**/explore/?**")
    explorer_url = page.url
    query = parse_qs(urlsplit(page.url).query)
    assert query["category"] == [str(Category.objects.get(slug="network").pk)]
    assert query["voice"] == ["business"] and "start" in query and "end" in query
    results = page.locator("table.results tbody tr")
    assert results.count() == 10
    page.screenshot(path=artifacts / f"explorer-{name}-1280x900.png", full_page=True)

    # The hostile title is text in the explorer and on the thread; the markup in the
    # comment body never becomes an element (the thread view shows it without tags).
    page.locator("table.results a", has_text='<script>alert("x")</script>').click()
    page.wait_for_url("**/threads/*/")
    assert page.locator("h1").inner_text() == HOSTILE
    assert "The VPN keeps dropping" in page.locator(".comment__body").first.inner_text()
    assert page.locator("main img, main script").count() == 0
    page.get_by_text("Mark reviewed / actioned").click()
    page.get_by_label("Reviewed").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert f"Reviewed by {name}" in page.get_by_test_id("review").inner_text()
    assert ThreadReview.objects.filter(status="reviewed", created_by__username=name).count() == 1
    page.screenshot(path=artifacts / f"thread-{name}-1280x900.png", full_page=True)

    mobile = phone(new_context, desktop)
    mobile.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path, shot in (("/", "overview"), (page.url.replace(live_server.url, ""), "thread")):
        mobile.goto(f"{live_server.url}{path}")
        mobile.wait_for_load_state("networkidle")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390, shot
        mobile.screenshot(path=artifacts / f"{shot}-{name}-390x844.png", full_page=True)
    mobile.goto(f"{live_server.url}/")
    mobile.locator("section", has=mobile.locator("#breakdowns-title")).screenshot(
        path=artifacts / f"overview-breakdowns-{name}-390x844.png"
    )
    mobile.goto(explorer_url)
    assert mobile.locator("table.results tbody tr").count() == 10
    mobile.screenshot(path=artifacts / f"explorer-{name}-390x844.png", full_page=True)
    assert dialogs == []


def test_executive_sees_the_week_but_no_way_into_comments(live_server, new_context, artifacts):
    seed()
    make_user("Executive")
    desktop = new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    log_in(page, live_server, "executive")
    page.wait_for_selector(".js-plotly-plot svg.main-svg", state="attached", timeout=15_000)

    services = page.get_by_test_id("breakdown-category")
    assert services.locator("tr", has_text="VPN").count() == 1
    assert page.locator("a[href*='/explore/']").count() == 0
    assert page.get_by_role("link", name="Explore").count() == 0
    assert page.get_by_text("Add an annotation").count() == 0
    assert "VPN gateway outage" in page.get_by_test_id("annotations").inner_text()
    page.screenshot(path=artifacts / "overview-executive-1280x900.png", full_page=True)

    response = page.goto(f"{live_server.url}/explore/")
    assert response.status == 403

    mobile = phone(new_context, desktop)
    mobile.goto(f"{live_server.url}/")
    mobile.wait_for_selector(".js-plotly-plot svg.main-svg", state="attached", timeout=15_000)
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    mobile.screenshot(path=artifacts / "overview-executive-390x844.png", full_page=True)


def test_print_view_hides_navigation_and_forms_and_keeps_the_chart(
    live_server, new_context, artifacts
):
    seed()
    make_user("Admin")
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    log_in(page, live_server, "admin")
    page.wait_for_selector(".js-plotly-plot svg.main-svg", state="attached", timeout=15_000)
    assert page.get_by_role("button", name="Print this week").is_visible()

    page.emulate_media(media="print")

    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Print this week").is_visible()
    assert not page.get_by_text("Add an annotation").is_visible()
    assert page.locator(".js-plotly-plot").is_visible()
    assert page.locator(".print-title").is_visible()
    page.screenshot(path=artifacts / "overview-print-1000.png", full_page=True)
    page.pdf(path=str(artifacts / "overview-print.pdf"))
