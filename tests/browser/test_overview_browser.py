from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from collectors.models import Source
from dashboards.models import Annotation
from dashboards.selectors import week_start_of
from sentiment.models import Category, DailyAuthor, DailySentiment
from sentiment.weekly import weekly_rebuild
from tests.conftest import give_role

pytestmark = [
    pytest.mark.browser,
    # live_server serves from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-long-browser-test-password"
# Twelve weeks, oldest first: (comments, net).
WEEKS = [
    (182, 18),
    (196, 22),
    (210, 20),
    (188, 25),
    (204, 24),
    (221, 27),
    (412, -31),  # the VPN outage: volume up, net below zero
    (263, 4),
    (218, 15),
    (203, 21),
    (209, 26),
    (97, 29),
]
SPLIT = [  # (category slug, department, share of the week)
    ("network", "Sales", 0.3),
    ("network", "Finance", 0.15),
    ("email", "Sales", 0.2),
    ("service-desk", "Operations", 0.2),
    ("devices", "Finance", 0.15),
]


def split(total: int) -> list[int]:
    """total shared out by SPLIT's shares, in whole comments that add up to total."""
    parts = [round(total * share) for _, _, share in SPLIT[:-1]]
    return [*parts, total - sum(parts)]


def seed_twelve_weeks() -> None:
    source = Source.objects.create(name="Service desk", kind="csvfile")
    # get_or_create: a transactional test that ran before may have flushed the seeded catalogue.
    categories = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
        for slug, _, _ in SPLIT
    }
    this_monday = week_start_of(timezone.localdate())
    rows = []
    for age, (n, net) in zip(range(len(WEEKS) - 1, -1, -1), WEEKS, strict=True):
        monday = this_monday - timedelta(weeks=age)
        # 20% neutral; the rest split so that % positive - % negative = net.
        positive = round(n * (0.4 + net / 200))
        negative = round(n * (0.4 - net / 200))
        parts = zip(SPLIT, split(n), split(positive), split(negative), strict=True)
        for offset, ((slug, department, _), part_n, part_pos, part_neg) in enumerate(parts):
            rows.append(
                DailySentiment(
                    # Spread over the week; the current week only up to today (Monday).
                    day=monday + timedelta(days=offset if age else 0),
                    source=source,
                    category=categories[slug],
                    department=department,
                    n=part_n,
                    n_positive=part_pos,
                    n_negative=part_neg,
                    n_neutral=part_n - part_pos - part_neg,
                    sum_compound=0.55 * part_pos - 0.6 * part_neg,
                )
            )
    DailySentiment.objects.bulk_create(rows)
    outage_monday = this_monday - timedelta(weeks=5)
    Annotation.objects.create(
        start=outage_monday + timedelta(days=1),
        end=outage_monday + timedelta(days=3),
        kind="outage",
        title="VPN gateway outage",
        note="Gateway firmware; fixed Thursday.",
    )
    Annotation.objects.create(
        start=this_monday - timedelta(weeks=9), kind="rollout", title="Windows 11 rollout"
    )
    # Ten people behind each rollup row: every week is above the fewer-than-5 rule.
    DailyAuthor.objects.bulk_create(
        DailyAuthor(
            day=r.day,
            source=r.source,
            category=r.category,
            department=r.department,
            person_key=i * 10 + k,
        )
        for i, r in enumerate(rows)
        for k in range(10)
    )
    weekly_rebuild()


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.get_by_label("Username").fill("cio")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def wait_for_chart(page) -> None:
    page.wait_for_selector(".js-plotly-plot svg.main-svg", state="attached", timeout=15_000)
    # Both traces drawn: the volume bars and the net line.
    page.wait_for_selector(".js-plotly-plot .barlayer .trace", state="attached")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace path.js-line", state="attached")


def test_cio_logs_in_and_sees_the_weekly_chart(live_server, new_context, artifacts):
    seed_twelve_weeks()
    give_role(
        get_user_model().objects.create_user(
            "cio", password=PASSWORD, first_name="Casey", last_name="Io", is_staff=True
        ),
        "Executive",
    )
    foreign: list[str] = []

    desktop = new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.on(
        "request",
        lambda r: None if r.url.startswith((live_server.url, "data:")) else foreign.append(r.url),
    )
    log_in(page, live_server)
    wait_for_chart(page)

    assert page.get_by_role("heading", name="Net sentiment last week").is_visible()
    assert page.get_by_test_id("headline-net").inner_text() == "+26.3"
    assert page.get_by_test_id("headline-n").inner_text() == "209"
    assert page.get_by_test_id("headline-change").inner_text().startswith("+5.1")
    assert "This week so far" in page.get_by_test_id("so-far").inner_text()
    assert page.get_by_test_id("weekly-numbers").locator("tbody tr").count() == 12
    # The outage annotation is drawn on the chart and listed under it.
    assert (
        page.locator(".js-plotly-plot .annotation-text", has_text="VPN gateway outage").count() == 1
    )
    assert "VPN gateway outage" in page.get_by_test_id("annotations").inner_text()
    # Breakdowns of the week, sorted by impact; the week's net has an interval.
    assert page.get_by_test_id("breakdown-category").locator("tbody tr").count() == 4
    assert page.get_by_test_id("headline-margin").inner_text().startswith("±")
    page.screenshot(path=artifacts / "overview-1280x900.png", full_page=True)

    # Interactive: hovering the outage week shows its numbers.
    # (Plotly's drag layer sits above the bars, so move the mouse rather than hover().)
    bar = page.locator(".js-plotly-plot .barlayer .point").nth(6).bounding_box()
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    hover = page.locator(".js-plotly-plot .hoverlayer")
    hover.get_by_text(re.compile(r"^\d{4}-W\d{2}$")).first.wait_for()
    assert "412 comments" in hover.text_content()
    assert "Net sentiment \u221231.1" in hover.text_content()
    page.screenshot(path=artifacts / "overview-hover-1280x900.png")

    phone = new_context(
        storage_state=desktop.storage_state(),
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    wait_for_chart(page)
    page.screenshot(path=artifacts / "overview-390x844.png", full_page=True)
    # Nothing wider than the phone: the table scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    assert foreign == []  # no CDN: the intranet page loads only from its own server


def test_wrong_password_is_explained_on_a_phone(live_server, new_context, artifacts):
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_role("alert").is_visible()
    assert "/login/" in page.url
    page.screenshot(path=artifacts / "login-390x844.png", full_page=True)


def test_empty_overview_says_how_to_get_data(live_server, new_context, artifacts):
    give_role(get_user_model().objects.create_user("cio", password=PASSWORD), "Executive")
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    log_in(page, live_server)

    assert page.get_by_text("python manage.py loaddemo").is_visible()
    assert page.locator(".js-plotly-plot").count() == 0
    page.screenshot(path=artifacts / "overview-empty-390x844.png", full_page=True)
