"""Annotations (outages, rollouts) added by admins and analysts, drawn on the chart."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from collectors.models import Source
from dashboards.models import Annotation
from sentiment.models import Category
from tests.conftest import give_role
from tests.dashboards.test_overview import rollup

W46 = date(2026, 11, 9)


@pytest.fixture(autouse=True)
def _data(db):
    cache.clear()
    source = Source.objects.create(name="Service desk", kind="csvfile")
    rollup(
        W46,
        source,
        Category.objects.get(slug="network"),
        pos=5,
        neg=2,
        neu=1,
        sum_compound=0,
        people=6,
    )
    yield
    cache.clear()


def user_in(role: str):
    return give_role(
        get_user_model().objects.create_user(role.lower(), password="pw-long-enough-1"), role
    )


def chart_of(body: str) -> dict:
    return json.loads(
        re.search(r'id="weekly-chart-data" type="application/json">(.*?)</script>', body, re.S)[1]
    )


@pytest.mark.parametrize("role", ["Analyst", "Admin"])
def test_analyst_and_admin_add_an_annotation_that_is_drawn_on_the_chart(client, role):
    user = user_in(role)
    client.force_login(user)
    page = client.get("/?week=2026-W46").content.decode()
    assert 'action="/annotations/?week=2026-W46&amp;range=12"' in page

    response = client.post(
        "/annotations/?week=2026-W46&range=12",
        {
            "start": "2026-11-03",
            "end": "2026-11-05",
            "kind": "outage",
            "title": "VPN outage",
            "note": "Gateway",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/?week=2026-W46&range=12#annotations"
    a = Annotation.objects.get()
    assert (a.start, a.end, a.kind, a.created_by) == (
        date(2026, 11, 3),
        date(2026, 11, 5),
        "outage",
        user,
    )
    body = client.get(response["Location"]).content.decode()
    chart = chart_of(body)
    band = [s for s in chart["layout"]["shapes"] if s.get("fillcolor", "").startswith("rgba(185")]
    assert len(band) == 1
    # W45 is the 11th of 12 weeks (index 10): Tuesday to the end of Thursday.
    assert band[0]["x0"] == pytest.approx(10 - 0.5 + 1 / 7)
    assert band[0]["x1"] == pytest.approx(10 - 0.5 + 4 / 7)
    assert [a["text"] for a in chart["layout"]["annotations"]] == ["1 VPN outage"]
    assert 'data-testid="annotations"' in body and "VPN outage" in body


def test_a_single_day_annotation_is_a_line(client):
    Annotation.objects.create(start=W46 + timedelta(days=2), kind="rollout", title="Windows 11")
    client.force_login(user_in("Executive"))

    chart = chart_of(client.get("/?week=2026-W46").content.decode())

    lines = [s for s in chart["layout"]["shapes"] if s["type"] == "line" and s.get("xref") == "x"]
    assert len(lines) == 1 and lines[0]["x0"] == pytest.approx(11 - 0.5 + 2.5 / 7)


def test_annotations_outside_the_range_are_not_drawn(client):
    Annotation.objects.create(
        start=date(2025, 1, 6), end=date(2025, 1, 8), kind="outage", title="Old"
    )
    client.force_login(user_in("Executive"))

    body = client.get("/?week=2026-W46").content.decode()

    assert "Old" not in body
    assert chart_of(body)["layout"].get("annotations", []) == []


def test_executive_sees_annotations_but_no_form_and_may_not_post(client):
    Annotation.objects.create(start=W46, kind="change", title="New portal")
    client.force_login(user_in("Executive"))

    body = client.get("/?week=2026-W46").content.decode()
    response = client.post("/annotations/", {"start": "2026-11-10", "kind": "other", "title": "x"})

    assert "New portal" in body
    assert "Add an annotation" not in body
    assert response.status_code == 403
    assert Annotation.objects.count() == 1


def test_bad_annotation_is_explained_and_nothing_is_stored(client):
    client.force_login(user_in("Analyst"))

    response = client.post(
        "/annotations/?week=2026-W46",
        {"start": "2026-11-10", "end": "2026-11-01", "kind": "outage", "title": ""},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "The end date is before the start date." in body
    assert "This field is required." in body
    assert Annotation.objects.count() == 0


def test_annotation_post_needs_the_csrf_token():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_in("Admin"))

    response = client.post("/annotations/", {"start": "2026-11-10", "kind": "other", "title": "x"})

    assert response.status_code == 403
    assert Annotation.objects.count() == 0


def test_annotation_get_is_not_allowed(client):
    client.force_login(user_in("Admin"))

    assert client.get("/annotations/").status_code == 405


def test_annotation_titles_and_notes_are_escaped_on_the_page_and_in_the_chart(client):
    Annotation.objects.create(
        start=W46,
        kind="outage",
        title="<script>alert(1)</script>",
        note='<img src=x onerror="alert(2)">',
    )
    client.force_login(user_in("Executive"))

    body = client.get("/?week=2026-W46").content.decode()

    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    label = chart_of(body)["layout"]["annotations"][0]["text"]
    assert "<" not in label and "&lt;script&gt;" in label


def test_admin_edits_annotations_in_the_django_admin(client):
    admin = user_in("Admin")
    admin.is_staff = True
    admin.save()
    client.force_login(admin)

    assert client.get("/admin/dashboards/annotation/add/").status_code == 200
    assert client.get("/admin/dashboards/annotation/").status_code == 200
