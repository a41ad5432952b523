"""Breakdowns of the selected week by source, service and department: impact order,
click-through to the explorer, and the fewer-than-5 rule with complementary suppression."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from collectors.models import Source
from dashboards.selectors import week_breakdown
from sentiment.models import Category
from tests.conftest import give_role
from tests.dashboards.test_overview import rollup

WEEK = date(2026, 11, 9)  # Monday of 2026-W46
BEFORE = WEEK - timedelta(weeks=3)  # inside the 12-week baseline


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def source(db) -> Source:
    return Source.objects.create(name="Service desk", kind="csvfile")


@pytest.fixture
def cats(db) -> dict[str, Category]:
    return {c.slug: c for c in Category.objects.all()}


def analyst():
    return give_role(
        get_user_model().objects.create_user("ana", password="pw-long-enough-1"), "Analyst"
    )


def executive():
    return give_role(
        get_user_model().objects.create_user("cio", password="pw-long-enough-1"), "Executive"
    )


@pytest.mark.django_db
def test_groups_are_sorted_by_volume_times_distance_below_their_baseline(source, cats):
    # Baselines: network +40, email +40, devices 0.
    rollup(BEFORE, source, cats["network"], pos=50, neg=10, neu=40, sum_compound=0, people=9)
    rollup(BEFORE, source, cats["email"], pos=50, neg=10, neu=40, sum_compound=0, people=9)
    rollup(BEFORE, source, cats["devices"], pos=10, neg=10, neu=20, sum_compound=0, people=9)
    # This week: network 40 comments at -10 (50 points below: impact 20),
    # email 100 comments at +30 (10 below: impact 10), devices 50 at +20 (above: 0).
    rollup(WEEK, source, cats["network"], pos=10, neg=14, neu=16, sum_compound=0, people=6)
    rollup(
        WEEK + timedelta(days=2),
        source,
        cats["email"],
        pos=50,
        neg=20,
        neu=30,
        sum_compound=0,
        people=6,
    )
    rollup(WEEK, source, cats["devices"], pos=20, neg=10, neu=20, sum_compound=0, people=6)

    rows = week_breakdown("category", WEEK)

    assert [r.key for r in rows] == [cats["network"].pk, cats["email"].pk, cats["devices"].pk]
    assert [r.impact for r in rows] == [20.0, 10.0, 0.0]
    assert rows[0].target == 40.0 and rows[0].week.net == -10.0
    assert rows[0].change.value == -50.0 and rows[0].change.significant


def rollup_subtraction_case(source, cats) -> None:
    """Week 2026-W46 by department: Sales 50 (20 people), Finance 16 (6), Legal 3 (2).
    Hiding Legal alone would not do: total 69 - Sales 50 - Finance 16 = 3."""
    rollup(
        WEEK,
        source,
        cats["network"],
        pos=30,
        neg=10,
        neu=10,
        sum_compound=0,
        department="Sales",
        people=20,
    )
    rollup(
        WEEK,
        source,
        cats["email"],
        pos=10,
        neg=2,
        neu=4,
        sum_compound=0,
        department="Finance",
        people=6,
    )
    rollup(
        WEEK,
        source,
        cats["devices"],
        pos=1,
        neg=2,
        neu=0,
        sum_compound=0,
        department="Legal",
        people=2,
    )


@pytest.mark.django_db
def test_one_small_group_is_hidden_with_the_next_smallest_so_it_cannot_be_subtracted(
    source, cats, client
):
    rollup_subtraction_case(source, cats)

    rows = {r.name: r for r in week_breakdown("department", WEEK)}

    assert rows["Legal"].suppressed and rows["Legal"].reason == "few"
    # Finance alone would give Legal away: total 69 - Sales 50 - Finance 16 = 3.
    assert rows["Finance"].suppressed and rows["Finance"].reason == "complement"
    assert not rows["Sales"].suppressed

    client.force_login(executive())
    body = client.get("/?week=2026-W46").content.decode()
    table = re.search(r'data-testid="breakdown-department">(.*?)</table>', body, re.S)[1]
    assert table.count('data-testid="group-hidden"') == 2
    assert ">16<" not in table and ">3<" not in table  # neither hidden count is shown
    assert 'data-testid="headline-n">69<' in body  # the week total still is


@pytest.mark.django_db
def test_hidden_groups_together_must_hold_five_people(source, cats):
    # Two tiny groups (2 + 2 people) are not enough together: a third is hidden too.
    rollup(WEEK, source, cats["network"], pos=30, neg=10, neu=10, sum_compound=0, people=20)
    rollup(WEEK, source, cats["email"], pos=10, neg=2, neu=4, sum_compound=0, people=7)
    rollup(WEEK, source, cats["devices"], pos=1, neg=2, neu=0, sum_compound=0, people=2)
    rollup(WEEK, source, cats["access"], pos=1, neg=0, neu=1, sum_compound=0, people=2)

    rows = {r.key: r for r in week_breakdown("category", WEEK)}

    hidden = {k for k, r in rows.items() if r.suppressed}
    assert hidden == {cats["devices"].pk, cats["access"].pk, cats["email"].pk}
    assert not rows[cats["network"].pk].suppressed


@pytest.mark.django_db
def test_the_same_person_in_two_hidden_groups_counts_once(source, cats):
    # Devices and access have 3 people each, but the same 3: together still 3.
    from sentiment.models import DailyAuthor

    rollup(WEEK, source, cats["network"], pos=30, neg=10, neu=10, sum_compound=0, people=20)
    rollup(WEEK, source, cats["email"], pos=10, neg=2, neu=4, sum_compound=0, people=8)
    for cat in ("devices", "access"):
        rollup(WEEK, source, cats[cat], pos=1, neg=2, neu=0, sum_compound=0, people=0)
        DailyAuthor.objects.bulk_create(
            DailyAuthor(day=WEEK, source=source, category=cats[cat], department="", person_key=k)
            for k in (900001, 900002, 900003)
        )

    rows = {r.key: r for r in week_breakdown("category", WEEK)}

    assert rows[cats["email"].pk].suppressed  # hidden with the two that share people
    assert not rows[cats["network"].pk].suppressed


@pytest.mark.django_db
def test_no_group_is_hidden_when_every_group_has_five_people(source, cats):
    rollup(WEEK, source, cats["network"], pos=3, neg=1, neu=1, sum_compound=0, people=5)
    rollup(WEEK, source, cats["email"], pos=3, neg=1, neu=1, sum_compound=0, people=5)

    assert not any(r.suppressed for r in week_breakdown("category", WEEK))


@pytest.mark.django_db
def test_each_bar_links_to_the_explorer_with_that_week_and_group(source, cats, client):
    rollup(
        WEEK,
        source,
        cats["network"],
        pos=3,
        neg=5,
        neu=1,
        sum_compound=0,
        department="Sales",
        people=6,
    )
    client.force_login(analyst())

    body = client.get("/?week=2026-W46").content.decode()

    links = {
        dim: unescape(
            re.search(
                rf'data-testid="breakdown-{dim}">.*?<a href="([^"]+)" class="group-link"',
                body,
                re.S,
            )[1]
        )
        for dim in ("source", "category", "department")
    }
    for url in links.values():
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert parts.path == "/explore/"
        assert query["start"] == ["2026-11-09"] and query["end"] == ["2026-11-15"]
        assert query["voice"] == ["business"]
    assert parse_qs(urlsplit(links["source"]).query)["source"] == [str(source.pk)]
    assert parse_qs(urlsplit(links["category"]).query)["category"] == [str(cats["network"].pk)]
    assert parse_qs(urlsplit(links["department"]).query)["department"] == ["Sales"]
    # The bar itself is a link to the same place.
    assert body.count(f'href="{links["category"].replace("&", "&amp;")}"') == 2
    # The explorer accepts those filters.
    assert client.get(links["category"]).status_code == 200


@pytest.mark.django_db
def test_an_executive_sees_breakdowns_without_links_to_the_explorer(source, cats, client):
    rollup(WEEK, source, cats["network"], pos=3, neg=5, neu=1, sum_compound=0, people=6)
    client.force_login(executive())

    body = client.get("/?week=2026-W46").content.decode()

    assert 'data-testid="breakdown-category"' in body
    assert "/explore/" not in body
    assert client.get("/explore/").status_code == 403


@pytest.mark.django_db
def test_breakdowns_are_not_shown_for_a_week_of_fewer_than_five_people(source, cats, client):
    rollup(WEEK, source, cats["network"], pos=3, neg=5, neu=1, sum_compound=0, people=4)
    client.force_login(analyst())

    body = client.get("/?week=2026-W46").content.decode()

    assert "too few responses" in body
    assert 'data-testid="breakdown-' not in body
