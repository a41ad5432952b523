"""Complaint explorer: filters, sorting, paging, and a CSV export of exactly what is filtered."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from collectors.base import Batch
from collectors.ingest import comments_ingest
from sentiment.models import Category, Comment
from tests.conftest import T0, give_role, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(make_source, django_capture_on_commit_callbacks):
    desk = make_source("Service desk")
    chat = make_source("Chat")
    with django_capture_on_commit_callbacks(execute=True):
        comments_ingest(source=desk, batch=Batch([
            record("d1", "The VPN is down again, useless.", thread="T-vpn", category_hint="Network",
                   department="Sales", author="anna", author_name="Anna Accountant"),
            record("d2", "We are on it.", thread="T-vpn", voice="it_staff", author="ivan", at=T0 + timedelta(hours=1)),
            record("d3", "Still down, awful.", thread="T-vpn", department="Sales", author="anna",
                   author_name="Anna Accountant", at=T0 + timedelta(hours=2)),
            record("d4", "Thanks, the new laptop is great!", thread="T-laptop", department="Finance",
                   author="bob", at=T0 + timedelta(days=3)),
            record("d5", "=HYPERLINK(\"http://evil\") printer broken", thread="T-print", author="eve",
                   at=T0 + timedelta(days=10)),
        ], {}))
        comments_ingest(source=chat, batch=Batch([
            record("c1", "Outlook keeps crashing, terrible.", thread="C-mail", author="zed", at=T0 + timedelta(days=1)),
        ], {}))
    return desk, chat


def client_as(role: str, name: str = "u") -> Client:
    c = Client()
    c.force_login(give_role(get_user_model().objects.create_user(name, password="x-long-pw-1"), role))
    return c


def titles(response) -> list[str]:
    return [t.external_id for t in response.context["page"].object_list]


def test_the_explorer_is_for_analysts_and_admins_only(data):
    assert client_as("Executive").get(reverse("explore")).status_code == 403
    assert client_as("Analyst", "a").get(reverse("explore")).status_code == 200
    assert Client().get(reverse("explore")).status_code == 302


def test_threads_sorted_most_negative_first_by_default(data):
    page = client_as("Analyst").get(reverse("explore"))
    order = titles(page)
    assert order[-1] == "T-laptop"
    assert set(order) == {"T-vpn", "T-laptop", "T-print", "C-mail"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "crashing"}, {"C-mail"}),
        ({"max_score": "-0.1"}, {"T-vpn", "C-mail", "T-print"}),
        ({"min_score": "0.3"}, {"T-laptop"}),
        ({"department": "sales"}, {"T-vpn"}),
        ({"start": "2026-03-04", "end": "2026-03-06"}, {"T-laptop"}),
        ({"voice": "it_staff"}, {"T-vpn"}),
    ],
)
def test_filters_select_the_threads_with_matching_comments(data, params, expected):
    page = client_as("Analyst").get(reverse("explore"), params)
    assert set(titles(page)) == expected


def test_filter_by_source_and_category(data):
    desk, chat = data
    network = Category.objects.get(slug="network")
    client = client_as("Analyst")
    assert set(titles(client.get(reverse("explore"), {"source": chat.pk}))) == {"C-mail"}
    assert set(titles(client.get(reverse("explore"), {"category": network.pk}))) == {"T-vpn"}


def test_recent_and_volume_sorts(data):
    client = client_as("Analyst")
    assert titles(client.get(reverse("explore"), {"sort": "recent"}))[0] == "T-print"
    assert titles(client.get(reverse("explore"), {"sort": "volume", "voice": "all"}))[0] == "T-vpn"


def test_bad_filters_are_explained_not_a_crash(data):
    page = client_as("Analyst").get(
        reverse("explore"), {"start": "2026-03-09", "end": "2026-03-01", "min_score": "5", "source": "999"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "The end date is before the start date." in html
    assert "less than or equal to 1" in html


def test_paging(data, monkeypatch):
    monkeypatch.setattr("dashboards.explorer.PAGE_SIZE", 2)
    client = client_as("Analyst")
    first = client.get(reverse("explore"))
    second = client.get(reverse("explore"), {"page": 2})
    assert len(titles(first)) == 2 and len(titles(second)) == 2
    assert not set(titles(first)) & set(titles(second))


def read_csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_export_has_exactly_the_filtered_comments_one_row_each(data):
    client = client_as("Analyst")
    rows = read_csv(client.get(reverse("explore-export"), {"department": "Sales"}))
    assert sorted(r["comment_id"] for r in rows) == sorted(
        str(pk) for pk in Comment.objects.filter(external_id__in=["d1", "d3"]).values_list("pk", flat=True)
    )
    everything = read_csv(client.get(reverse("explore-export"), {"voice": "all"}))
    assert len(everything) == Comment.objects.count()


def test_export_pseudonymizes_authors_unless_identities_are_granted(data):
    rows = read_csv(client_as("Analyst").get(reverse("explore-export"), {"q": "awful"}))
    assert rows[0]["author"].startswith("Person-")
    assert "Anna" not in rows[0]["author"]


def test_export_neutralises_spreadsheet_formulas(data):
    rows = read_csv(client_as("Analyst").get(reverse("explore-export"), {"q": "HYPERLINK"}))
    assert rows[0]["text"].startswith("'=HYPERLINK")


def test_export_refuses_invalid_filters_with_a_message(data):
    response = client_as("Analyst").get(reverse("explore-export"), {"min_score": "abc"})
    assert response.status_code == 400
    assert "min_score" in response.content.decode()


def test_export_needs_the_permission(data):
    assert client_as("Executive").get(reverse("explore-export")).status_code == 403
