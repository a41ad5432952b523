"""zendesk: tickets and their public comments, incrementally, against a fake Zendesk over HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import collectors.zendesk  # noqa: F401  registers the kind until registry._load() lists it
from collectors.base import ConnectorConfigError
from collectors.models import SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread
from tests.fakes.zendesk import EXPORT, SHOW_MANY, FakeZendesk, _Ticket

pytestmark = pytest.mark.django_db

COMMENTS_RE = r"/api/v2/tickets/\d+/comments\.json"


@pytest.fixture
def zd(httpserver: HTTPServer) -> FakeZendesk:
    fake = FakeZendesk(httpserver)
    fake.add_org(500, "Finance")
    fake.add_group(70, "Network")
    fake.add_user(10, "Anna Accountant", "anna@corp.example", "end-user", organization_id=500)
    fake.add_user(11, "Bob Sales", "bob@corp.example", "end-user")
    fake.add_user(20, "Ivan IT", "ivan@it.corp.example", "agent")
    return fake


def make_source(zd: FakeZendesk, name: str = "helpdesk", token: str | None = None, **settings: Any):
    base = {
        "base_url": zd.base_url,
        "email": zd.email,
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="zendesk",
        settings={**base, **settings},
        secrets={"api_token": zd.token if token is None else token},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three_tickets(zd: FakeZendesk) -> None:
    zd.add_ticket(
        1,
        "VPN drops every hour",
        requester_id=10,
        group_id=70,
        body="The VPN keeps dropping every hour, this is terrible.",
    )
    zd.add_ticket(
        2,
        "New laptop",
        requester_id=11,
        tags=["laptop", "hardware"],
        body="My new laptop arrived quickly, great job!",
    )
    zd.add_ticket(3, "Printer", requester_id=10, body="The printer on floor 3 is jammed again.")


def test_backfill_reads_every_ticket_across_export_pages(
    zd, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    source = make_source(zd, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert zd.requests_to(EXPORT) == 2  # 2 tickets, then 1 with end_of_stream
    t1 = Thread.objects.get(external_id="1")
    assert t1.title == "VPN drops every hour"
    assert t1.url == f"{zd.base_url}/agent/tickets/1"
    assert t1.department == "Finance"  # the requester's organization
    assert t1.category.slug == "network"  # the ticket's group
    assert Thread.objects.get(external_id="2").category.slug == "devices"
    c = Comment.objects.get(external_id="9001")
    assert (c.voice, c.author.email, c.author.display_name) == (
        "business",
        "anna@corp.example",
        "Anna Accountant",
    )
    assert c.created_at.isoformat() == "2026-03-02T09:02:00+00:00"
    assert Comment.objects.scored().count() == 3
    assert source.cursor.get("after_cursor")


def test_subdomain_gives_the_zendesk_agent_link():
    cls = connector_class("zendesk")
    settings = cls.parse_settings({"subdomain": "acme", "email": "a@corp.example"})
    assert settings.root == "https://acme.zendesk.com"


def test_incremental_run_adds_only_the_new_comment_and_an_idle_run_makes_one_request(
    zd, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    source = make_source(zd, page_size=2)
    collect(source, django_capture_on_commit_callbacks)
    zd.add_comment(1, 10, "Still dropping today, I cannot work.")
    before = (zd.requests_to(EXPORT), zd.requests_to(COMMENTS_RE))
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.unchanged) == ("ok", 1, 0, 1)
    assert zd.requests_to(EXPORT) - before[0] == 1
    assert zd.requests_to(COMMENTS_RE) - before[1] == 1  # only the changed ticket
    assert Comment.objects.count() == 4

    before = (zd.requests_to(EXPORT), zd.requests_to(COMMENTS_RE), len(zd.server.log))
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert zd.requests_to(EXPORT) - before[0] == 1
    assert len(zd.server.log) - before[2] == 1  # nothing else at all


def test_an_edited_comment_is_updated_not_duplicated(
    zd, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    source = make_source(zd)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(external_id="9001")
    assert first.compound < 0
    zd.edit_comment(9001, "The VPN works perfectly now, thank you so much!")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 0)
    edited = Comment.objects.get(external_id="9001")
    assert edited.pk == first.pk and "perfectly" in edited.raw_body
    assert edited.compound > 0.05  # re-scored
    assert Comment.objects.count() == 3


def test_agent_replies_are_it_staff_bots_are_bots_and_internal_notes_never_stored(
    zd, catalogue, django_capture_on_commit_callbacks
):
    zd.add_ticket(1, "VPN", requester_id=10, body="VPN is down again.")
    zd.add_comment(1, 20, "Restarted the concentrator, please retry.")
    zd.add_comment(1, 20, "SECRET internal: user is clueless", public=False)
    zd.add_comment(1, 20, "Your request was updated.", channel="rule")
    zd.add_comment(1, -1, "Ticket closed automatically.")
    zd.add_comment(1, 10, "Works now, thanks!")
    run = collect(make_source(zd), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 5, 0)
    voices = dict(Comment.objects.values_list("raw_body", "voice"))
    assert voices == {
        "VPN is down again.": "business",
        "Restarted the concentrator, please retry.": "it_staff",
        "Your request was updated.": "bot",
        "Ticket closed automatically.": "bot",
        "Works now, thanks!": "business",
    }
    assert not Comment.objects.filter(raw_body__contains="SECRET").exists()
    assert Thread.objects.get().department == "Finance"  # the agent's reply did not override it


def test_a_429_with_retry_after_is_waited_out(
    zd, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    httpserver.expect_oneshot_request(EXPORT).respond_with_response(
        Response('{"error":"TooManyRequests"}', status=429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    run = collect(make_source(zd), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_500_is_retried(zd, httpserver, catalogue, django_capture_on_commit_callbacks):
    three_tickets(zd)
    httpserver.expect_oneshot_request("/api/v2/tickets/2/comments.json").respond_with_data(
        "boom", status=500
    )
    run = collect(make_source(zd), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    assert zd.requests_to("/api/v2/tickets/2/comments.json") == 2


def test_a_malformed_comment_is_skipped_with_a_reason_and_the_rest_lands(
    zd, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    zd.add_raw_comment(
        2,
        {"id": 777, "author_id": 11, "public": True, "plain_body": "hi", "created_at": "yesterday"},
    )
    zd.add_raw_comment(
        2,
        {
            "id": 778,
            "author_id": 11,
            "plain_body": "no public flag",
            "created_at": "2026-03-02T10:00:00Z",
        },
    )
    run = collect(make_source(zd), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 2)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "not an ISO date-time" in reasons["ticket 2 comment 777"]
    assert "internal note" in reasons["ticket 2 comment 778"]
    assert source_cursor_moved(run)


def source_cursor_moved(run: SyncRun) -> bool:
    run.source.refresh_from_db()
    return bool(run.source.cursor.get("after_cursor"))


def test_an_author_not_sideloaded_is_looked_up_once(
    zd, catalogue, django_capture_on_commit_callbacks
):
    zd.add_user(12, "Cy Copied", "cy@corp.example", "end-user", organization_id=500)
    zd.add_ticket(1, "VPN", requester_id=10, body="VPN is down again.")
    zd.add_comment(1, 12, "Same for me, the VPN is useless.")
    run = collect(make_source(zd), django_capture_on_commit_callbacks)
    assert run.created == 2
    cy = Comment.objects.get(raw_body__startswith="Same for me")
    assert (cy.voice, cy.author.display_name, cy.author.department) == (
        "business",
        "Cy Copied",
        "Finance",
    )
    assert zd.requests_to(SHOW_MANY) == 1


def test_a_malformed_ticket_is_skipped_and_the_others_land(
    zd, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    zd.tickets[99] = _Ticket(data={"subject": "no id", "generated_timestamp": 1772442000}, seq=0)
    run = collect(make_source(zd), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 1)
    assert run.skips[0]["reason"] == "ticket without a numeric id"


def test_a_comment_page_beyond_the_first_is_read(zd, catalogue, django_capture_on_commit_callbacks):
    zd.add_ticket(1, "Long thread", requester_id=11, body="First.")
    for n in range(4):
        zd.add_comment(1, 11, f"Follow-up number {n}.")
    run = collect(make_source(zd, page_size=2), django_capture_on_commit_callbacks)
    assert run.created == 5
    assert zd.requests_to("/api/v2/tickets/1/comments.json") == 3


def test_bad_token_fails_the_run_with_a_readable_message(
    zd, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    source = make_source(zd, token="wrong")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "API token" in run.error
    assert source.last_error == run.error
    assert Comment.objects.count() == 0


def test_check_says_what_is_wrong_or_who_we_are(zd, catalogue):
    ok = source_check(source=make_source(zd))
    assert ok.ok, ok.message
    assert "Ada Admin" in ok.message and "(admin)" in ok.message

    bad = source_check(source=make_source(zd, name="bad", token="nope"))
    assert not bad.ok
    assert "401" in bad.message and "API token" in bad.message

    zd.refuse[EXPORT] = (
        403,
        {"error": "Forbidden", "description": "You do not have access to this page."},
    )
    forbidden = source_check(source=make_source(zd, name="forbidden"))
    assert not forbidden.ok
    assert "403" in forbidden.message and "admin" in forbidden.message


def test_check_refuses_an_agent_token(zd, catalogue):
    zd.users[1]["role"] = "agent"
    result = source_check(source=make_source(zd))
    assert not result.ok and "for admins" in result.message


def test_a_loopback_address_is_refused_unless_allowed(
    zd, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    source = make_source(zd, allow_private_network=False)
    result = source_check(source=source)
    assert not result.ok
    assert "127.0.0.1" in result.message and "allow_private_network" in result.message
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed" and "allow_private_network" in run.error
    assert len(zd.server.log) == 0  # refused before any request


def test_dns_failure_is_reported(catalogue):
    source = source_create(
        name="nowhere",
        kind="zendesk",
        settings={"base_url": "https://no-such-host.invalid", "email": "a@corp.example"},
        secrets={"api_token": "x"},
    )
    result = source_check(source=source)
    assert not result.ok and "DNS lookup for no-such-host.invalid failed" in result.message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"base_url": "http://acme.zendesk.com", "email": "a@b.c"}, "must use https"),
        ({"email": "a@b.c"}, "either subdomain or base_url"),
        (
            {"subdomain": "acme", "base_url": "https://acme.zendesk.com", "email": "a@b.c"},
            "exactly one",
        ),
        ({"subdomain": "ac me", "email": "a@b.c"}, "letters, digits"),
        ({"subdomain": "acme", "email": "a@b.c", "extra": 1}, "extra"),
    ],
)
def test_settings_are_validated(settings, words):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("zendesk").parse_settings(settings)


def test_start_date_limits_the_first_backfill(zd, catalogue, django_capture_on_commit_callbacks):
    three_tickets(zd)  # all changed on 2026-03-02
    run = collect(make_source(zd, start_date="2026-03-03"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)
    assert "start_time=1772496000" in zd.server.log[0][0].query_string.decode()


def test_a_failure_mid_run_keeps_the_finished_pages_and_resumes_after_them(
    zd, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zd)
    source = make_source(zd, page_size=2)
    zd.refuse["/api/v2/tickets/3/"] = (503, {"error": "ServiceUnavailable"})
    failed = collect(source, django_capture_on_commit_callbacks)
    assert failed.status == "failed" and "will retry" in failed.error
    assert failed.created == 2  # the first page landed with its cursor
    first_page_cursor = source.cursor["after_cursor"]
    del zd.refuse["/api/v2/tickets/3/"]
    zd.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    first = zd.server.log[0][0]
    assert first.path == EXPORT and first.args["cursor"] == first_page_cursor
    assert zd.requests_to(r"/api/v2/tickets/[12]/comments\.json") == 0
