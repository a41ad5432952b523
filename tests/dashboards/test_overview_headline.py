"""Headline of the selected week: n, people, 95 % interval, change vs the previous week
and vs the 12-week baseline with significance; the week and range selectors."""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from collectors.models import Source
from dashboards.selectors import (
    Counts,
    change_between,
    net_margin,
    parse_week,
    week_start_of,
)
from sentiment.models import Category
from tests.conftest import give_role
from tests.dashboards.test_overview import rollup

MINUS = "\u2212"
W46 = date(2026, 11, 9)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def source(db) -> Source:
    return Source.objects.create(name="Service desk", kind="csvfile")


@pytest.fixture
def network(db) -> Category:
    return Category.objects.get(slug="network")


@pytest.fixture
def cio(client, db):
    user = give_role(
        get_user_model().objects.create_user("cio", password="pw-long-enough-1"), "Executive"
    )
    client.force_login(user)
    return user


def test_margin_is_the_multinomial_interval_of_the_net_score():
    # 40 positive, 20 negative, 40 neutral of 100, smoothed by one of each (41/103, 21/103).
    p, q = 41 / 103, 21 / 103
    expected = 1.96 * math.sqrt((p + q - (p - q) ** 2) / 100) * 100

    assert net_margin(40, 20, 100) == pytest.approx(expected)
    assert 14.5 < net_margin(40, 20, 100) < 15
    # Four times the comments, half the width.
    assert net_margin(160, 80, 400) == pytest.approx(net_margin(40, 20, 100) / 2, rel=0.03)
    # All positive still has an interval.
    assert net_margin(5, 0, 5) > 10
    assert net_margin(0, 0, 0) is None


def test_a_change_within_the_combined_interval_is_not_significant():
    small_up = change_between(Counts(20, 10, 5), Counts(20, 8, 6))
    big_up = change_between(Counts(1000, 600, 100), Counts(1000, 300, 300))

    assert small_up.value == 15.0 and not small_up.significant
    assert big_up.value == 50.0 and big_up.significant
    assert big_up.margin < 10


def test_iso_weeks_are_parsed_strictly():
    assert parse_week("2026-W46") == W46
    assert parse_week("2026-W53") == date(2026, 12, 28)
    assert parse_week("2027-W53") is None  # 2027 has 52 weeks
    assert parse_week("2026-46") is None
    assert parse_week("W46") is None


@pytest.mark.django_db
def test_selected_week_shows_n_people_interval_and_both_changes(client, cio, source, network):
    # Baseline: 10 weeks of +20 (30 pos, 10 neg, 60 neutral a week) before W46.
    for k in range(1, 11):
        rollup(
            W46 - timedelta(weeks=k),
            source,
            network,
            pos=30,
            neg=10,
            neu=60,
            sum_compound=0,
            people=8,
        )
    # W46: 200 comments, 20 pos, 120 neg -> -50.
    rollup(W46, source, network, pos=20, neg=120, neu=60, sum_compound=0, people=12)

    body = client.get("/?week=2026-W46").content.decode()

    assert 'data-testid="headline-week">2026-W46<' in body
    assert f'data-testid="headline-net">{MINUS}50.0<' in body
    assert 'data-testid="headline-n">200<' in body
    assert 'data-testid="headline-people">from 12 people<' in body
    margin = net_margin(20, 120, 200)
    assert f'data-testid="headline-margin">±{margin:.1f}<' in body
    assert f"95 % interval {MINUS}{50 + margin:.1f} to {MINUS}{50 - margin:.1f}" in body
    # vs W45 (+20): -70 points, far beyond chance.
    assert f'data-testid="headline-change">{MINUS}70.0' in body
    assert "beyond chance" in re.search(r'change-previous-significance">(.*?)</dd>', body, re.S)[1]
    # vs the baseline of 10 weeks pooled at +20: -70 as well.
    assert f'data-testid="headline-baseline-change">{MINUS}70.0' in body
    assert "baseline +20.0 over 10 weeks" in body


@pytest.mark.django_db
def test_a_small_change_is_marked_not_significant(client, cio, source, network):
    rollup(W46 - timedelta(weeks=1), source, network, pos=4, neg=2, neu=2, sum_compound=0, people=6)
    rollup(W46, source, network, pos=5, neg=2, neu=1, sum_compound=0, people=6)

    body = client.get("/?week=2026-W46").content.decode()

    assert 'data-testid="headline-change">+12.5' in body
    sig = re.search(r'change-previous-significance">(.*?)</dd>', body, re.S)[1]
    assert "not significant" in sig


@pytest.mark.django_db
def test_a_suppressed_week_is_left_out_of_the_baseline(client, cio, source, network):
    rollup(
        W46 - timedelta(weeks=2), source, network, pos=10, neg=0, neu=0, sum_compound=0, people=6
    )
    # Three people: neither shown nor pooled into the baseline.
    rollup(
        W46 - timedelta(weeks=3), source, network, pos=0, neg=10, neu=0, sum_compound=0, people=3
    )
    rollup(W46, source, network, pos=5, neg=5, neu=0, sum_compound=0, people=6)

    body = client.get("/?week=2026-W46").content.decode()

    assert "baseline +100.0 over 1 week;" in body


@pytest.mark.django_db
@pytest.mark.parametrize("weeks", [12, 26, 52])
def test_range_selector_sets_the_weeks_on_the_chart(client, cio, source, network, weeks):
    rollup(W46, source, network, pos=5, neg=2, neu=1, sum_compound=0, people=6)

    body = client.get(f"/?week=2026-W46&range={weeks}").content.decode()

    chart = json.loads(
        re.search(r'id="weekly-chart-data" type="application/json">(.*?)</script>', body, re.S)[1]
    )
    net = next(t for t in chart["data"] if t["type"] == "scatter")
    assert len(net["x"]) == weeks and net["x"][-1] == "2026-W46"
    assert f"Last {weeks} weeks" in body
    assert f'<option value="{weeks}" selected>' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("week=2026-46", "is not an ISO week like"),
        ("week=2999-W01", "has not started yet"),
        ("range=13", "is not one of 12, 26, 52 weeks"),
    ],
)
def test_bad_week_or_range_is_explained_and_the_default_shown(
    client, cio, source, network, query, message
):
    rollup(
        timezone.localdate() - timedelta(days=7),
        source,
        network,
        pos=5,
        neg=2,
        neu=1,
        sum_compound=0,
        people=6,
    )

    response = client.get(f"/?{query}")

    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and 'role="alert"' in body
    assert "Last 12 weeks" in body


@pytest.mark.django_db
def test_previous_and_next_week_links_keep_the_range(client, cio, source, network):
    rollup(W46, source, network, pos=5, neg=2, neu=1, sum_compound=0, people=6)

    body = client.get("/?week=2026-W46&range=26").content.decode()

    assert 'href="?week=2026-W45&amp;range=26" rel="prev"' in body
    assert 'href="?week=2026-W47&amp;range=26" rel="next"' in body


@pytest.mark.django_db
def test_no_next_week_link_from_the_current_week(client, cio, source, network):
    rollup(timezone.localdate(), source, network, pos=5, neg=2, neu=1, sum_compound=0, people=6)
    this = week_start_of(timezone.localdate()).isocalendar()

    body = client.get(f"/?week={this[0]}-W{this[1]:02d}").content.decode()

    assert "Net sentiment this week so far" in body
    assert 'rel="next"' not in body


@pytest.mark.django_db
def test_page_has_print_button_and_print_stylesheet(client, cio, source, network):
    rollup(W46, source, network, pos=5, neg=2, neu=1, sum_compound=0, people=6)

    body = client.get("/?week=2026-W46").content.decode()

    assert "Print this week" in body and "data-print" in body
    assert '<link rel="stylesheet" href="/static/dashboards/overview.css">' in body
    from django.contrib.staticfiles import finders

    css = open(finders.find("dashboards/overview.css"), encoding="utf-8").read()
    assert "@media print" in css
    printed = css.split("@media print", 1)[1]
    assert ".site-header" in printed and "form" in printed and "break-inside: avoid" in printed
