"""Every role on every page: who gets it, who gets 403, what is hidden."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from collectors.models import Source
from sentiment.models import Category, Comment, Thread
from tests.conftest import give_role

ROLES = ["Executive", "Analyst", "Admin"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def thread(db) -> Thread:
    from django.utils import timezone

    source = Source.objects.create(name="Service desk", kind="csvfile")
    now = timezone.now()
    t = Thread.objects.create(
        source=source,
        external_id="T1",
        title="VPN",
        category=Category.objects.get(slug="network"),
        opened_at=now,
        last_activity_at=now,
    )
    Comment.objects.create(
        source=source,
        thread=t,
        external_id="c1",
        raw_body="VPN down",
        clean_body="VPN down",
        created_at=now,
        content_hash="x",
        compound=-0.5,
    )
    return t


def login(client, role: str):
    user = give_role(
        get_user_model().objects.create_user(role.lower(), password="pw-long-enough-1"), role
    )
    client.force_login(user)
    return user


# page -> the roles that may open it
PAGES = {
    "/": {"Executive", "Analyst", "Admin"},
    "/explore/": {"Analyst", "Admin"},
    "/explore/export.csv": {"Analyst", "Admin"},
    "/threads/{thread}/": {"Analyst", "Admin"},
    "/scoring/": {"Admin"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_each_role_gets_its_pages_and_403_on_the_others(client, thread, role, page):
    login(client, role)

    response = client.get(page.format(thread=thread.pk))

    assert response.status_code == (200 if role in PAGES[page] else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_users_are_sent_to_log_in_everywhere(client, thread, page):
    response = client.get(page.format(thread=thread.pk))

    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "explore_link", "annotate_form"),
    [("Executive", False, False), ("Analyst", True, True), ("Admin", True, True)],
)
def test_overview_shows_each_role_only_what_it_may_use(
    client, thread, role, explore_link, annotate_form
):
    from django.utils import timezone

    from tests.dashboards.test_overview import rollup

    rollup(
        timezone.localdate(), thread.source, thread.category, pos=3, neg=2, neu=1, sum_compound=0
    )
    login(client, role)

    body = client.get("/").content.decode()

    assert ('href="/explore/"' in body) is explore_link
    assert ("Add an annotation" in body) is annotate_form


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_annotation_post_is_allowed_to_analysts_and_admins_only(client, role):
    login(client, role)

    response = client.post(
        "/annotations/", {"start": "2026-11-10", "kind": "other", "title": "Patch day"}
    )

    assert response.status_code == (403 if role == "Executive" else 302)


@pytest.mark.django_db
def test_a_user_without_a_role_gets_403_on_the_overview(client):
    client.force_login(get_user_model().objects.create_user("nobody", password="pw-long-enough-1"))

    assert client.get("/").status_code == 403
