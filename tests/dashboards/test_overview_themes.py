"""Top negative themes of the week and sentiment lift per service, from real comments
ingested, scored and rolled up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from collectors.base import Batch
from collectors.ingest import comments_ingest
from dashboards.selectors import lift_per_category, negative_themes
from sentiment.models import Category
from sentiment.services import rollups_refresh
from tests.conftest import give_role, record

MONDAY = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)  # 2026-W46
W46 = MONDAY.date()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def load(source, records, capture) -> None:
    with capture(execute=True):
        comments_ingest(source=source, batch=Batch(records=records, cursor={}))
    rollups_refresh()


def vpn_week(people: int) -> list:
    """`people` users each complaining that the VPN keeps dropping, plus noise."""
    recs = []
    for i in range(people):
        recs.append(
            record(
                f"v{i}",
                "The VPN keeps dropping again, this is terrible.",
                thread=f"T{i}",
                author=f"u{i}",
                at=MONDAY + timedelta(hours=i),
            )
        )
        recs.append(
            record(
                f"p{i}",
                f"Thanks, the printer {i} works now, great help!",
                thread=f"P{i}",
                author=f"u{i}",
                at=MONDAY + timedelta(hours=i, minutes=5),
            )
        )
    return recs


@pytest.mark.django_db
def test_a_phrase_from_five_people_is_a_theme_with_its_count(
    make_source, django_capture_on_commit_callbacks
):
    load(make_source(), vpn_week(6), django_capture_on_commit_callbacks)

    themes = negative_themes(W46)

    assert themes, "expected a theme"
    top = themes[0]
    assert top.phrase == "vpn keeps dropping"
    assert (top.comments, top.people) == (6, 6)
    # The shorter phrases inside it are the same comments: not listed again.
    assert "keeps dropping" not in [t.phrase for t in themes]
    # Positive comments are not read.
    assert not any("printer" in t.phrase for t in themes)


@pytest.mark.django_db
def test_a_phrase_from_four_people_is_not_a_theme(make_source, django_capture_on_commit_callbacks):
    recs = vpn_week(4)
    # One of them says it three more times: counted once per comment, but still 4 people.
    recs += [
        record(
            f"x{k}",
            "The VPN keeps dropping again.",
            thread="T0",
            author="u0",
            at=MONDAY + timedelta(days=1, hours=k),
        )
        for k in range(3)
    ]
    load(make_source(), recs, django_capture_on_commit_callbacks)

    assert negative_themes(W46) == []


@pytest.mark.django_db
def test_comments_of_other_weeks_and_it_staff_are_not_read(
    make_source, django_capture_on_commit_callbacks
):
    recs = [
        record(
            f"o{i}",
            "The VPN keeps dropping again, terrible.",
            thread=f"O{i}",
            author=f"u{i}",
            at=MONDAY - timedelta(days=1),
        )
        for i in range(6)
    ] + [
        record(
            f"s{i}",
            "The VPN keeps dropping again, terrible.",
            thread=f"S{i}",
            author=f"agent{i}",
            voice="it_staff",
            at=MONDAY,
        )
        for i in range(6)
    ]
    load(make_source(), recs, django_capture_on_commit_callbacks)

    assert negative_themes(W46) == []


@pytest.mark.django_db
def test_themes_on_the_page_link_to_negative_comments_of_the_week(
    make_source, django_capture_on_commit_callbacks, client
):
    load(make_source(), vpn_week(6), django_capture_on_commit_callbacks)
    client.force_login(
        give_role(
            get_user_model().objects.create_user("ana", password="pw-long-enough-1"), "Analyst"
        )
    )

    body = client.get("/?week=2026-W46").content.decode()

    start = body.index('data-testid="themes"')
    link = unescape(
        body[body.index('href="', start) + 6 : body.index('"', body.index('href="', start) + 6)]
    )
    query = parse_qs(urlsplit(link).query)
    assert query["q"] == ["vpn keeps dropping"]
    assert query["start"] == ["2026-11-09"] and query["end"] == ["2026-11-15"]
    assert float(query["max_score"][0]) < 0
    explorer = client.get(link).content.decode()
    assert explorer.count('href="/threads/') >= 6


@pytest.mark.django_db
def test_lift_is_last_minus_first_business_comment_per_service(
    make_source, django_capture_on_commit_callbacks
):
    recs = []
    for i in range(6):
        recs += [
            record(
                f"a{i}",
                "The VPN is down, I cannot work.",
                thread=f"T{i}",
                author=f"u{i}",
                thread_title="VPN",
                category_hint="VPN",
                at=MONDAY,
            ),
            record(
                f"b{i}",
                "We restarted the gateway.",
                thread=f"T{i}",
                author="agent",
                voice="it_staff",
                category_hint="VPN",
                at=MONDAY + timedelta(hours=1),
            ),
            record(
                f"c{i}",
                "Works again, thank you so much!",
                thread=f"T{i}",
                author=f"u{i}",
                category_hint="VPN",
                at=MONDAY + timedelta(hours=2),
            ),
        ]
    # One thread with a single business comment: not counted.
    recs.append(
        record(
            "solo", "The VPN is down.", thread="SOLO", author="u9", category_hint="VPN", at=MONDAY
        )
    )
    load(make_source(), recs, django_capture_on_commit_callbacks)

    rows = lift_per_category(W46, W46 + timedelta(weeks=1))

    network = Category.objects.get(slug="network")
    (row,) = [r for r in rows if r.category_id == network.pk]
    assert row.threads == 6
    assert row.mean > 0.5  # from clearly negative to clearly positive
    assert lift_per_category(W46 + timedelta(weeks=1), W46 + timedelta(weeks=2)) == []


@pytest.mark.django_db
def test_lift_of_fewer_than_five_people_shows_no_figure(
    make_source, django_capture_on_commit_callbacks
):
    recs = []
    for i in range(4):
        recs += [
            record(
                f"a{i}",
                "The VPN is down.",
                thread=f"T{i}",
                author=f"u{i}",
                category_hint="VPN",
                at=MONDAY,
            ),
            record(
                f"c{i}",
                "Works again, thanks!",
                thread=f"T{i}",
                author=f"u{i}",
                category_hint="VPN",
                at=MONDAY + timedelta(hours=2),
            ),
        ]
    load(make_source(), recs, django_capture_on_commit_callbacks)

    (row,) = lift_per_category(W46, W46 + timedelta(weeks=1))

    assert row.suppressed and row.mean is None and row.threads == 0
