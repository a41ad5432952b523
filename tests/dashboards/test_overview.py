from __future__ import annotations

import itertools
import json
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from collectors.models import Source
from dashboards.selectors import week_start_of, weekly_sentiment
from sentiment.models import Category, DailyAuthor, DailySentiment
from sentiment.weekly import weekly_refresh, weeks_mark
from tests.conftest import give_role

MINUS = "\u2212"
_KEYS = itertools.count(1)


@pytest.fixture
def source() -> Source:
    return Source.objects.create(name="Helpdesk CSV", kind="csvfile")


@pytest.fixture
def network() -> Category:
    return Category.objects.get(slug="network")


@pytest.fixture
def email() -> Category:
    return Category.objects.get(slug="email")


@pytest.fixture
def user(db):
    return give_role(
        get_user_model().objects.create_user(
            "cio", password="a-long-test-password", first_name="Casey", last_name="Io"
        ),
        "Executive",
    )


def rollup(
    day: date,
    source: Source,
    category: Category,
    *,
    pos: int,
    neg: int,
    neu: int,
    sum_compound: float,
    department: str = "",
    people: int = 5,
) -> DailySentiment:
    """A rollup row, and `people` distinct people behind it (the fewer-than-5 rule hides a
    week with fewer; tests of the arithmetic keep the default)."""
    DailyAuthor.objects.bulk_create(
        DailyAuthor(
            day=day, source=source, category=category, department=department, person_key=next(_KEYS)
        )
        for _ in range(people)
    )
    row = DailySentiment.objects.create(
        day=day,
        source=source,
        category=category,
        department=department,
        n=pos + neg + neu,
        n_positive=pos,
        n_negative=neg,
        n_neutral=neu,
        sum_compound=sum_compound,
    )
    # What the worker does after a day is recomputed: its week is folded again.
    weeks_mark([week_start_of(day)])
    weekly_refresh()
    return row


# --- selector ------------------------------------------------------------------------


@pytest.mark.django_db
def test_sunday_and_monday_fall_into_different_iso_weeks(source, network, email):
    sunday, monday = date(2026, 11, 15), date(2026, 11, 16)
    rollup(sunday, source, network, pos=1, neg=3, neu=0, sum_compound=-1.2)
    rollup(monday, source, network, pos=3, neg=1, neu=1, sum_compound=1.0, department="Sales")
    # Same day, other category and department: summed into the same week.
    rollup(monday, source, email, pos=1, neg=0, neu=0, sum_compound=0.5, department="Finance")

    weeks = weekly_sentiment(weeks=3, today=date(2026, 11, 18))

    assert [w.label for w in weeks] == ["2026-W45", "2026-W46", "2026-W47"]
    assert [w.week_start for w in weeks] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    w45, w46, w47 = weeks
    assert (w46.iso_year, w46.iso_week) == (2026, 46)
    assert (w46.n, w46.n_positive, w46.n_negative, w46.n_neutral) == (4, 1, 3, 0)
    assert w46.net == -50.0
    assert w46.mean_compound == pytest.approx(-0.3)
    assert (w47.n, w47.n_positive, w47.n_negative, w47.n_neutral) == (6, 4, 1, 1)
    assert w47.net == 50.0
    assert w47.mean_compound == pytest.approx(0.25)


@pytest.mark.django_db
def test_week_without_comments_is_present_with_zero_volume_and_no_net(source, network):
    rollup(date(2026, 11, 3), source, network, pos=2, neg=0, neu=1, sum_compound=0.9)

    w45, w46, w47 = weekly_sentiment(weeks=3, today=date(2026, 11, 18))

    assert w45.n == 3 and w45.net == pytest.approx(66.7)
    assert (w46.n, w46.n_positive, w46.n_negative, w46.n_neutral) == (0, 0, 0, 0)
    assert w46.net is None and w46.mean_compound is None
    assert w47.n == 0 and w47.net is None


@pytest.mark.django_db
def test_rows_outside_the_window_are_ignored(source, network):
    w44_sunday, w47_sunday, next_monday = date(2026, 11, 1), date(2026, 11, 22), date(2026, 11, 23)
    rollup(w44_sunday, source, network, pos=5, neg=0, neu=0, sum_compound=4.0)
    rollup(w47_sunday, source, network, pos=0, neg=1, neu=0, sum_compound=-0.5)
    rollup(next_monday, source, network, pos=0, neg=5, neu=0, sum_compound=-4.0)

    weeks = weekly_sentiment(weeks=3, today=date(2026, 11, 16))

    assert [w.n for w in weeks] == [0, 0, 1]
    assert weeks[-1].net == -100.0


@pytest.mark.django_db
def test_net_is_rounded_to_one_decimal_and_stays_within_bounds(source, network):
    rollup(date(2026, 11, 16), source, network, pos=1, neg=2, neu=0, sum_compound=-0.4)
    rollup(date(2026, 11, 9), source, network, pos=7, neg=0, neu=0, sum_compound=3.5)

    w46, w47 = weekly_sentiment(weeks=2, today=date(2026, 11, 22))

    assert w47.net == -33.3
    assert w46.net == 100.0


@pytest.mark.django_db
def test_iso_week_53_spans_the_new_year(source, network):
    rollup(date(2027, 1, 3), source, network, pos=1, neg=0, neu=0, sum_compound=0.6)  # Sunday
    rollup(date(2027, 1, 4), source, network, pos=0, neg=1, neu=0, sum_compound=-0.6)  # Monday

    w53, w01 = weekly_sentiment(weeks=2, today=date(2027, 1, 6))

    assert (w53.label, w53.week_start, w53.n, w53.net) == ("2026-W53", date(2026, 12, 28), 1, 100.0)
    assert (w01.label, w01.week_start, w01.n, w01.net) == ("2027-W01", date(2027, 1, 4), 1, -100.0)


@pytest.mark.django_db
def test_selector_reads_the_weeks_and_their_people_in_one_query(
    source, network, django_assert_num_queries
):
    for offset in range(0, 80, 3):
        rollup(
            date(2026, 9, 1) + timedelta(days=offset),
            source,
            network,
            pos=1,
            neg=1,
            neu=1,
            sum_compound=0.1,
        )

    with django_assert_num_queries(1):  # weekly rows, distinct people included
        weeks = weekly_sentiment(today=date(2026, 11, 18))

    assert len(weeks) == 12
    assert weeks[-1].label == "2026-W47"


# --- page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


@pytest.mark.django_db
def test_login_page_renders_the_form(client):
    response = client.get("/login/?next=/")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'name="password"' in body
    assert 'name="next" value="/"' in body


@pytest.mark.django_db
def test_overview_headlines_last_complete_week_with_this_week_so_far(client, user, source, network):
    this_monday = week_start_of(timezone.localdate())
    # Two weeks ago: 1 positive, 1 negative, 2 neutral -> 0.0
    rollup(this_monday - timedelta(days=8), source, network, pos=1, neg=1, neu=2, sum_compound=0.0)
    # Last week: 1 positive, 2 negative -> -33.3, change -33.3 points
    rollup(this_monday - timedelta(days=1), source, network, pos=1, neg=2, neu=0, sum_compound=-0.5)
    # This week so far: 2 positive, 1 negative, 1 neutral -> +25.0
    rollup(this_monday, source, network, pos=2, neg=1, neu=1, sum_compound=0.4)
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Net sentiment last week" in body
    assert f'data-testid="headline-net">{MINUS}33.3<' in body
    assert 'data-testid="headline-n">3<' in body
    assert f'data-testid="headline-change">{MINUS}33.3' in body
    assert "This week so far" in body and "net +25.0 from 4 comments" in body
    assert "% positive − % negative" in body
    assert "IT staff and bot messages are not counted" in body
    # The chart data is embedded for plotly.js, twelve weeks of it.
    chart = json.loads(
        re.search(
            r'<script id="weekly-chart-data" type="application/json">(.*?)</script>', body, re.S
        )[1]
    )
    net_trace = next(t for t in chart["data"] if t["type"] == "scatter")
    assert len(net_trace["x"]) == 12
    assert net_trace["y"][-3:] == [0.0, -33.3, 25.0]
    assert chart["config"]["responsive"] is True


@pytest.mark.django_db
def test_overview_change_compares_with_the_week_before_the_oldest_shown(
    client, user, source, network
):
    # Only data: 12 weeks ago (just outside the chart) and 11 weeks ago (its first week).
    this_monday = week_start_of(timezone.localdate())
    rollup(
        this_monday - timedelta(weeks=12), source, network, pos=1, neg=0, neu=0, sum_compound=0.5
    )
    rollup(
        this_monday - timedelta(weeks=11), source, network, pos=0, neg=0, neu=2, sum_compound=0.0
    )
    client.force_login(user)

    body = client.get("/").content.decode()

    assert "No comments last week; showing the latest week with comments" in body
    assert 'data-testid="headline-net">0.0<' in body
    assert f'data-testid="headline-change">{MINUS}100.0' in body


@pytest.mark.django_db
def test_overview_serves_plotly_from_static_never_from_a_url(client, user, source, network):
    rollup(timezone.localdate(), source, network, pos=1, neg=0, neu=0, sum_compound=0.5)
    client.force_login(user)

    body = client.get("/").content.decode()

    assert '<script src="/static/vendor/plotly/plotly.min.js"' in body
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?(https?:)?//""", body)


@pytest.mark.django_db
def test_overview_without_data_explains_how_to_get_some(client, user):
    client.force_login(user)

    body = client.get("/").content.decode()

    assert "python manage.py loaddemo" in body
    assert "ask an admin to add a source" in body  # the admin link is for staff only
    assert "plotly.min.js" not in body


@pytest.mark.django_db
def test_header_has_logout_form_and_admin_link_for_staff_only(client, user):
    client.force_login(user)
    body = client.get("/").content.decode()
    assert re.search(
        r'<form method="post" action="/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken"',
        body,
    )
    assert "Casey Io" in body
    assert 'href="/admin/"' not in body

    user.is_staff = True
    user.save()
    body = client.get("/").content.decode()
    assert 'href="/admin/"' in body


@pytest.mark.django_db
def test_user_name_is_escaped(client, source):
    user = give_role(
        get_user_model().objects.create_user(
            "x", password="pw-long-enough-1", first_name="<b>Eve</b>"
        ),
        "Executive",
    )
    client.force_login(user)

    body = client.get("/").content.decode()

    assert "<b>Eve</b>" not in body
    assert "&lt;b&gt;Eve&lt;/b&gt;" in body


@pytest.mark.django_db
def test_logout_is_a_post_and_lands_on_login(client, user):
    client.force_login(user)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_with_only_this_weeks_comments_the_headline_says_so_far(client, user, source, network):
    rollup(timezone.localdate(), source, network, pos=3, neg=1, neu=0, sum_compound=0.9)
    client.force_login(user)

    body = client.get("/").content.decode()

    assert "Net sentiment this week so far" in body
    assert 'data-testid="headline-net">+50.0<' in body
    assert 'data-testid="so-far"' not in body


@pytest.mark.django_db
def test_a_week_from_fewer_than_five_people_shows_no_figure(client, user, source, network):
    today = timezone.localdate()
    last_week = week_start_of(today) - timedelta(weeks=1)
    two_weeks_ago = last_week - timedelta(weeks=1)
    rollup(two_weeks_ago, source, network, pos=6, neg=2, neu=2, sum_compound=2.0, people=7)
    rollup(last_week, source, network, pos=3, neg=5, neu=1, sum_compound=-1.0, people=4)
    client.force_login(user)

    body = client.get("/").content.decode()

    assert "too few responses (fewer than 5 people)" in body
    # neither the week's net (3-5 of 9 = -22.2) nor its count (9) is on the page
    assert "22.2" not in body
    assert 'data-testid="headline-n">—' in body
    points = weekly_sentiment(weeks=3)
    assert points[1].suppressed and points[1].n == 0 and points[1].net is None
    assert points[0].people == 7 and points[0].net == 40.0
