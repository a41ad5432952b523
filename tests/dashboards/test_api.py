"""The read-only JSON API (/api/v1/): who may read it, the overview's figures, the
fewer-than-5 rule (subtraction included), no identities, and bad parameters."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from collectors.base import Batch
from collectors.ingest import comments_ingest
from collectors.models import Source
from dashboards.selectors import week_breakdown, week_label, week_start_of, weekly_sentiment
from sentiment.models import Category, Comment, Person
from tests.conftest import give_role, record
from tests.dashboards.test_overview import rollup
from tests.dashboards.test_overview_breakdowns import rollup_subtraction_case

WEEK = date(2026, 11, 9)  # Monday of 2026-W46
OVERVIEW = "/api/v1/overview"


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


def login(client, role: str | None):
    user = get_user_model().objects.create_user(
        (role or "nobody").lower(), password="pw-long-enough-1"
    )
    if role:
        give_role(user, role)
    client.force_login(user)
    return user


def get(client, url: str = OVERVIEW, **params):
    response = client.get(url, params)
    assert response["Content-Type"] == "application/json"
    return response, response.json()


# --- access ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Executive", "Analyst", "Admin"])
@pytest.mark.parametrize("url", [OVERVIEW, "/api/v1/openapi.json"])
def test_every_overview_role_reads_the_api(client, role, url):
    login(client, role)

    response, _ = get(client, url)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", [OVERVIEW, "/api/v1/openapi.json"])
def test_a_user_without_a_role_gets_403_and_an_anonymous_caller_401_as_json(client, url):
    response, body = get(client, url)
    assert response.status_code == 401
    assert "Log in" in body["error"]

    login(client, None)
    response, body = get(client, url)
    assert response.status_code == 403
    assert "Executive, Analyst or Admin" in body["error"]


@pytest.mark.django_db
def test_the_api_only_reads(client):
    login(client, "Admin")

    response = client.post(OVERVIEW, {})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "use GET" in response.json()["error"]


# --- figures --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_headline_breakdowns_and_trend_are_the_overviews_figures(client, source, cats):
    before = WEEK - timedelta(weeks=1)
    rollup(before, source, cats["network"], pos=6, neg=2, neu=2, sum_compound=0.8, people=6)
    rollup(
        WEEK,
        source,
        cats["network"],
        pos=3,
        neg=9,
        neu=3,
        sum_compound=-2.1,
        department="Sales",
        people=7,
    )
    rollup(
        WEEK,
        source,
        cats["email"],
        pos=8,
        neg=1,
        neu=1,
        sum_compound=3.0,
        department="Finance",
        people=6,
    )
    login(client, "Executive")

    response, body = get(client, week="2026-W46", range="26")

    assert response.status_code == 200
    point = weekly_sentiment(weeks=1, today=WEEK)[0]
    head = body["headline"]
    assert (body["week"], body["week_start"], body["week_end"]) == (
        "2026-W46",
        "2026-11-09",
        "2026-11-15",
    )
    assert (head["n"], head["people"], head["net"]) == (point.n, point.people, point.net)
    assert (head["n"], head["n_positive"], head["n_negative"]) == (25, 11, 10)
    assert head["net"] == 4.0 and head["suppressed"] is None
    assert head["ci"]["low"] < 4.0 < head["ci"]["high"]
    # vs the week before: +40 then, +4 now.
    assert head["change_vs_previous"]["value"] == -36.0
    assert head["change_vs_baseline"]["weeks"] == 1
    by_key = {g["key"]: g for g in body["breakdowns"]["category"]}
    rows = {str(r.key): r for r in week_breakdown("category", WEEK)}
    assert set(by_key) == set(rows)
    network = by_key[str(cats["network"].pk)]
    assert (network["n"], network["net"], network["people"]) == (15, -40.0, 7)
    assert network["target"] == 40.0 and network["impact"] == rows[network["key"]].impact
    assert network["change_vs_target"]["value"] == -80.0
    assert {g["key"] for g in body["breakdowns"]["department"]} == {"Sales", "Finance"}
    assert len(body["trend"]) == 26 and body["range"] == 26
    assert body["trend"][-1]["week"] == "2026-W46" and body["trend"][-1]["n"] == 25
    assert body["trend"][-2]["net"] == 40.0


@pytest.mark.django_db
def test_without_a_week_the_api_shows_the_latest_complete_week_as_the_page_does(
    client, source, cats
):
    last_week = week_start_of(timezone.localdate()) - timedelta(weeks=1)
    rollup(last_week, source, cats["network"], pos=4, neg=1, neu=0, sum_compound=1.0)
    login(client, "Executive")

    _, body = get(client)

    assert body["week"] == week_label(last_week)
    assert body["headline"]["n"] == 5
    assert len(body["trend"]) == 12


# --- fewer than 5 people ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_week_of_fewer_than_five_people_has_no_figure_at_all(client, source, cats):
    rollup(WEEK, source, cats["network"], pos=3, neg=5, neu=1, sum_compound=-1.0, people=4)
    login(client, "Admin")

    _, body = get(client, week="2026-W46")

    head = body["headline"]
    assert head["suppressed"] == "too few responses"
    for figure in ("net", "n", "people", "n_positive", "n_negative", "ci"):
        assert head[figure] is None, figure
    assert body["breakdowns"] == {"source": [], "category": [], "department": []}
    assert body["trend"][-1] == {
        "week": "2026-W46",
        "week_start": "2026-11-09",
        "net": None,
        "n": None,
        "people": None,
        "mean_compound": None,
        "suppressed": "too few responses",
    }
    assert '"n": 9' not in json.dumps(body)


@pytest.mark.django_db
def test_a_small_group_and_the_next_smallest_are_null_so_neither_can_be_subtracted(
    client, source, cats
):
    # The overview's subtraction case: total 69 - Sales 50 - Finance 16 = Legal's 3.
    rollup_subtraction_case(source, cats)
    login(client, "Executive")

    _, body = get(client, week="2026-W46")

    assert body["headline"]["n"] == 69  # the week total is still given
    groups = {g["name"]: g for g in body["breakdowns"]["department"]}
    assert groups["Sales"]["n"] == 50 and groups["Sales"]["suppressed"] is None
    for name, reason in (("Legal", "fewer people"), ("Finance", "hidden with a smaller group")):
        group = groups[name]
        assert group["suppressed"] == "too few responses"
        assert group["reason"] == reason
        for figure in (
            "net",
            "n",
            "people",
            "n_positive",
            "n_negative",
            "ci",
            "target",
            "change_vs_target",
            "impact",
        ):
            assert group[figure] is None, (name, figure)
    shown = sum(g["n"] for g in body["breakdowns"]["department"] if g["n"] is not None)
    assert 69 - shown == 19  # only the two hidden groups together can be worked out
    for dimension in ("category", "department"):
        counts = [g["n"] for g in body["breakdowns"][dimension]]
        assert 3 not in counts and 16 not in counts


@pytest.mark.django_db
def test_no_author_name_address_pseudonym_or_comment_text_leaves_through_the_api(
    client, make_source, django_capture_on_commit_callbacks
):
    source = make_source()
    at = datetime.now(UTC) - timedelta(days=7)
    records = [
        record(
            f"c{i}",
            f"Secretphrase{i}: the VPN keeps dropping, this is terrible.",
            thread=f"T{i}",
            at=at,
            author=f"emp-{i}",
            author_name=f"Zelda Quux{i}",
            author_email=f"zelda{i}@corp.example",
            department="Finance",
        )
        for i in range(6)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        comments_ingest(source=source, batch=Batch(records=records, cursor={}))
    assert Comment.objects.scored().count() == 6
    login(client, "Admin")

    _, body = get(client, week=week_label(week_start_of(timezone.localtime(at).date())))

    assert body["headline"]["n"] == 6 and body["headline"]["people"] == 6
    text = json.dumps(body)
    for person in Person.objects.all():
        for value in (person.display_name, person.email, person.pseudonym, person.external_id):
            assert value and value not in text
    assert "Secretphrase" not in text and "corp.example" not in text


# --- bad parameters -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"week": "2026-46"}, "is not an ISO week like"),
        ({"week": "2026-W54"}, "is not an ISO week like"),
        ({"week": "2025-W53"}, "is not an ISO week like"),  # 2025 has 52 weeks
        ({"week": "1066-W42"}, "is before 1990"),
        ({"week": "2999-W01"}, "has not started yet"),
        ({"range": "13"}, "is not one of 12, 26, 52"),
        ({"range": "twelve"}, "is not one of 12, 26, 52"),
        ({"weeks": "12"}, "unknown parameter 'weeks'; this endpoint takes week and range"),
    ],
)
def test_a_bad_parameter_is_a_400_that_says_what_is_wrong(client, params, says):
    login(client, "Executive")

    response, body = get(client, **params)

    assert response.status_code == 400
    assert says in body["error"]


@pytest.mark.django_db
def test_a_parameter_given_twice_is_refused(client):
    login(client, "Executive")

    response = client.get(OVERVIEW + "?week=2026-W46&week=2026-W45")

    assert response.status_code == 400
    assert response.json() == {"error": "give week once."}


@pytest.mark.django_db
def test_the_openapi_document_describes_every_api_endpoint_and_the_webhook(client):
    from django.urls import get_resolver

    login(client, "Executive")

    _, doc = get(client, "/api/v1/openapi.json")

    assert doc["openapi"].startswith("3.")
    api_paths = {
        "/api/v1/" + str(p.pattern)
        for p in get_resolver().url_patterns
        if str(p.pattern) == "api/v1/"
        for p in p.url_patterns
    }
    assert api_paths == {"/api/v1/overview", "/api/v1/openapi.json"}
    assert api_paths | {"/hooks/{source_id}/{token}/"} == set(doc["paths"])
    params = {p["name"] for p in doc["paths"]["/api/v1/overview"]["get"]["parameters"]}
    assert params == {"week", "range"}
