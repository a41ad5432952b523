"""An analyst reads a complaint thread on a phone, sees why a comment scored as it did,
and records a wrong sentiment; hostile comment text never runs as script."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from collectors.base import Batch
from collectors.ingest import comments_ingest
from collectors.models import Source
from sentiment.catalogue import ensure_catalogue
from sentiment.models import Category, LabelCorrection, Thread
from tests.conftest import T0, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"


def seed() -> Thread:
    ensure_catalogue(Category)
    source = Source.objects.create(name="Service desk", kind="csvfile")
    comments_ingest(
        source=source,
        batch=Batch(
            [
                record(
                    "c1",
                    'Great, the VPN is down again. <img src=x onerror="alert(1)">',
                    thread_title="<script>alert(2)</script> VPN",
                    thread_url="https://desk.example/t/1",
                ),
                record(
                    "c2",
                    "We restarted the gateway, please try now.",
                    voice="it_staff",
                    author="agent",
                    at=T0 + timedelta(hours=1),
                ),
                record("c3", "Works again, thank you!", at=T0 + timedelta(hours=2)),
            ],
            {},
        ),
    )
    return Thread.objects.get()


def analyst():
    user = get_user_model().objects.create_user("ana", password=PASSWORD)
    for codename in ("view_thread", "add_labelcorrection"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_analyst_reads_why_and_marks_wrong_sentiment_on_a_phone(
    live_server, new_context, artifacts
):
    thread = seed()
    analyst()
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_server.url}/threads/{thread.pk}/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/threads/{thread.pk}/")

    assert page.locator("h1").inner_text() == "<script>alert(2)</script> VPN"
    assert '<img src=x onerror="alert(1)">' in page.locator(".comment__body").first.inner_text()
    assert page.locator(".comment").count() == 3
    assert "not counted" in page.locator(".comment").nth(1).inner_text()
    first = page.locator(".comment").first
    first.locator("summary", has_text="Why this score").click()
    why = first.locator(".why__list").inner_text()
    assert "X is down" in why
    page.screenshot(path=artifacts / "thread-why-390x844.png", full_page=True)

    first.locator("summary", has_text="Wrong sentiment?").click()
    first.locator("input[value=neu]").check()
    first.locator("input[name=note]").fill("checking the rule")
    first.locator("button", has_text="Record").click()
    page.wait_for_selector(".alert")
    assert "Marked neutral" in page.locator(".comment").first.inner_text()
    assert LabelCorrection.objects.get().label == "neu"
    assert dialogs == []
    # the page fits the phone: nothing wider than the viewport
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
