"""freshservice: tickets and their public conversations, incrementally, against a fake
Freshservice over HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import collectors.freshservice  # noqa: F401  registers the kind until registry._load() lists it
from collectors.base import ConnectorConfigError
from collectors.models import SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread
from tests.fakes.freshservice import DEPARTMENTS, TICKETS, FakeFreshservice

pytestmark = pytest.mark.django_db

CONVERSATIONS_RE = r"/api/v2/tickets/\d+/conversations"


@pytest.fixture
def fs(httpserver: HTTPServer) -> FakeFreshservice:
    fake = FakeFreshservice(httpserver)
    fake.add_department(500, "Finance")
    fake.add_group(70, "Network")
    fake.add_requester(10, "Anna", "Accountant", "anna@corp.example", [500])
    fake.add_requester(11, "Bob", "Sales", "bob@corp.example")
    fake.add_agent(20, "Ivan", "IT", "ivan@it.corp.example")
    return fake


def make_source(fs: FakeFreshservice, name: str = "helpdesk", key: str | None = None, **settings):
    base = {
        "base_url": fs.base_url,
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="freshservice",
        settings={**base, **settings},
        secrets={"api_key": fs.api_key if key is None else key},
    )


def collect(source, capture, **kw: Any) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three_tickets(fs: FakeFreshservice) -> None:
    fs.add_ticket(
        1,
        "VPN drops every hour",
        requester_id=10,
        group_id=70,
        body="The VPN keeps dropping every hour, this is terrible.",
    )
    fs.add_ticket(
        2,
        "New laptop",
        requester_id=11,
        category="Hardware",
        sub_category="Laptop",
        body="My new laptop arrived quickly, great job!",
    )
    fs.add_ticket(
        3,
        "Printer",
        requester_id=10,
        department_id=500,
        body="The printer on floor 3 is jammed again.",
    )


def test_backfill_reads_every_ticket_across_pages(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    source = make_source(fs, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert fs.requests_to(TICKETS) == 2  # 2 tickets with a Link to page 2, then 1
    t1 = Thread.objects.get(external_id="1")
    assert t1.title == "VPN drops every hour"
    assert t1.url == f"{fs.base_url}/a/tickets/1"
    assert t1.department == "Finance"  # the requester's department
    assert t1.category.slug == "network"  # the ticket's group
    assert Thread.objects.get(external_id="2").category.slug == "devices"  # category field
    assert Thread.objects.get(external_id="3").department == "Finance"  # department_id
    c = Comment.objects.get(external_id="1:description")
    assert (c.voice, c.author.email, c.author.display_name) == (
        "business",
        "anna@corp.example",
        "Anna Accountant",
    )
    assert c.raw_body.startswith("<div>")  # HTML passed raw, cleaned for scoring
    assert c.created_at.isoformat() == "2026-03-02T09:01:00+00:00"
    assert Comment.objects.scored().count() == 3
    assert source.cursor["since"] == "2026-03-02T09:03:00Z"
    assert fs.requests_to(DEPARTMENTS) == 1  # read once per run


def test_domain_gives_the_freshservice_address():
    settings = connector_class("freshservice").parse_settings({"domain": "Acme.freshservice.com"})
    assert settings.root == "https://acme.freshservice.com"


def test_incremental_run_adds_only_the_new_comment_and_an_idle_run_makes_one_request(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    source = make_source(fs)
    collect(source, django_capture_on_commit_callbacks)
    fs.add_conversation(1, 10, "Still dropping today, I cannot work.", incoming=True)
    before = (fs.requests_to(TICKETS), fs.requests_to(CONVERSATIONS_RE))
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.unchanged) == ("ok", 1, 0, 1)
    assert fs.requests_to(TICKETS) - before[0] == 1
    assert fs.requests_to(CONVERSATIONS_RE) - before[1] == 1  # only the changed ticket
    assert Comment.objects.count() == 4

    before_log = len(fs.server.log)
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(fs.server.log) - before_log == 1  # one list request, nothing else
    query = fs.server.log[-1][0].args
    assert query["updated_since"] == "2026-03-02T09:02:00Z"  # watermark minus the overlap
    assert query["order_type"] == "asc"


def test_an_edited_conversation_is_updated_not_duplicated(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    cid = fs.add_conversation(1, 10, "The VPN is useless, it dropped again.")
    source = make_source(fs)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(external_id=str(cid))
    assert first.compound < 0
    fs.edit_conversation(cid, "The VPN works perfectly now, thank you so much!")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 1)
    edited = Comment.objects.get(external_id=str(cid))
    assert edited.pk == first.pk and "perfectly" in edited.raw_body
    assert edited.compound > 0.05  # re-scored
    assert Comment.objects.count() == 4


def test_agent_replies_are_it_staff_system_is_bot_and_private_notes_never_stored(
    fs, catalogue, django_capture_on_commit_callbacks
):
    fs.add_ticket(1, "VPN", requester_id=10, body="VPN is down again.")
    fs.add_conversation(1, 20, "Restarted the concentrator, please retry.")
    fs.add_conversation(1, 20, "SECRET internal: user is clueless", private=True, source=2)
    fs.add_conversation(1, None, "Your request was updated.")
    fs.add_conversation(1, 10, "Works now, thanks!", incoming=True)
    run = collect(make_source(fs), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 4, 0)
    voices = {c.clean_body: c.voice for c in Comment.objects.all()}
    assert voices == {
        "VPN is down again.": "business",
        "Restarted the concentrator, please retry.": "it_staff",
        "Your request was updated.": "bot",
        "Works now, thanks!": "business",
    }
    assert not Comment.objects.filter(raw_body__contains="SECRET").exists()
    assert Thread.objects.get().department == "Finance"  # the agent's reply did not override it
    assert fs.requests_to(r"/api/v2/requesters/10") == 1  # people looked up once per run


def test_a_429_with_retry_after_is_waited_out(
    fs, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    httpserver.expect_oneshot_request(TICKETS).respond_with_response(
        Response(
            '{"message":"You have exceeded the limit of requests per minute"}',
            status=429,
            headers={"Retry-After": "1"},
        )
    )
    started = time.monotonic()
    run = collect(make_source(fs), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_500_is_retried(fs, httpserver, catalogue, django_capture_on_commit_callbacks):
    three_tickets(fs)
    httpserver.expect_oneshot_request("/api/v2/tickets/2/conversations").respond_with_data(
        "boom", status=500
    )
    run = collect(make_source(fs), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    assert fs.requests_to("/api/v2/tickets/2/conversations") == 2


def test_malformed_items_are_skipped_with_a_reason_and_the_rest_lands(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    fs.add_raw_conversation(
        2, {"id": 777, "user_id": 11, "private": False, "body": "hi", "created_at": "yesterday"}
    )
    fs.add_raw_conversation(
        2, {"id": 778, "user_id": 11, "body": "no flag", "created_at": "2026-03-02T10:00:00Z"}
    )
    fs.tickets[99] = type(fs.tickets[1])(data={"subject": "no id"})
    run = collect(make_source(fs), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 3)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "not an ISO date-time" in reasons["ticket 2 conversation 777"]
    assert "private note" in reasons["ticket 2 conversation 778"]
    assert "ticket without a numeric id" in reasons.values()
    run.source.refresh_from_db()
    assert run.source.cursor.get("since")


def test_a_conversation_page_beyond_the_first_is_read(
    fs, catalogue, django_capture_on_commit_callbacks
):
    fs.add_ticket(1, "Long thread", requester_id=11, body="First.")
    for n in range(4):
        fs.add_conversation(1, 11, f"Follow-up number {n}.")
    run = collect(make_source(fs, page_size=2), django_capture_on_commit_callbacks)
    assert run.created == 5
    assert fs.requests_to("/api/v2/tickets/1/conversations") == 2


def test_bad_key_fails_the_run_with_a_readable_message(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    source = make_source(fs, key="wrong")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "API key" in run.error
    assert source.last_error == run.error
    assert Comment.objects.count() == 0


def test_check_says_what_is_wrong_or_who_we_are(fs, catalogue):
    three_tickets(fs)
    ok = source_check(source=make_source(fs))
    assert ok.ok, ok.message
    assert "Ada Admin <ada@it.corp.example>" in ok.message

    bad = source_check(source=make_source(fs, name="bad", key="nope"))
    assert not bad.ok
    assert "401" in bad.message and "API key" in bad.message

    denied = {"code": "access_denied", "message": "You are not authorized to perform this action."}
    fs.refuse[CONVERSATIONS_RE] = (403, denied)
    no_conv = source_check(source=make_source(fs, name="noconv"))
    assert not no_conv.ok
    assert "403" in no_conv.message and "conversations" in no_conv.message

    fs.refuse[TICKETS + "$"] = (403, denied)
    forbidden = source_check(source=make_source(fs, name="forbidden"))
    assert not forbidden.ok
    assert "403" in forbidden.message and "view tickets" in forbidden.message


def test_a_loopback_address_is_refused_unless_allowed(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    source = make_source(fs, allow_private_network=False)
    result = source_check(source=source)
    assert not result.ok
    assert "127.0.0.1" in result.message and "allow_private_network" in result.message
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed" and "allow_private_network" in run.error
    assert len(fs.server.log) == 0  # refused before any request


def test_dns_failure_is_reported(catalogue):
    source = source_create(
        name="nowhere",
        kind="freshservice",
        settings={"base_url": "https://no-such-host.invalid"},
        secrets={"api_key": "x"},
    )
    result = source_check(source=source)
    assert not result.ok and "DNS lookup for no-such-host.invalid failed" in result.message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"base_url": "http://acme.freshservice.com"}, "must use https"),
        ({}, "either domain or base_url"),
        ({"domain": "acme", "base_url": "https://acme.freshservice.com"}, "exactly one"),
        ({"domain": "ac me"}, "letters, digits"),
        ({"domain": "acme", "page_size": 500}, "page_size"),
        ({"domain": "acme", "extra": 1}, "extra"),
    ],
)
def test_settings_are_validated(settings, words):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("freshservice").parse_settings(settings)


def test_start_date_limits_the_first_backfill(fs, catalogue, django_capture_on_commit_callbacks):
    three_tickets(fs)  # all changed on 2026-03-02
    run = collect(make_source(fs, start_date="2026-03-03"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)
    assert fs.server.log[0][0].args["updated_since"] == "2026-03-03T00:00:00Z"


def test_a_failure_mid_run_keeps_the_finished_pages_and_resumes_after_them(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    source = make_source(fs, page_size=2)
    fs.refuse["/api/v2/tickets/3/"] = (503, {"message": "Service unavailable"})
    failed = collect(source, django_capture_on_commit_callbacks)
    assert failed.status == "failed" and "will retry" in failed.error
    assert failed.created == 2  # the first page landed with its cursor
    # The cursor after a page is complete: the newest updated_at read and the tickets there.
    assert source.cursor == {
        "since": "2026-03-02T09:02:00Z",
        "recent": {"1": "2026-03-02T09:01:00Z", "2": "2026-03-02T09:02:00Z"},
    }
    del fs.refuse["/api/v2/tickets/3/"]
    fs.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    assert fs.server.log[0][0].args["updated_since"] == "2026-03-02T09:00:00Z"  # minus overlap
    assert fs.requests_to(r"/api/v2/tickets/[12]/conversations") == 0  # known, not re-read
    assert source.cursor["since"] == "2026-03-02T09:03:00Z"


def test_a_ticket_updated_while_paging_does_not_hide_another(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    fs.add_ticket(4, "Monitor", requester_id=11, body="The second monitor flickers.")
    lists: list[dict[str, str]] = []

    def between_pages(request) -> None:
        lists.append(request.args.to_dict())
        if len(lists) == 2:  # after page 1 ([1, 2]) was read, before page 2 is asked
            fs.add_conversation(1, 20, "Pushed a new VPN profile, please retry.")

    fs.on_list = between_pages
    source = make_source(fs, page_size=2, overlap_seconds=30)
    run = collect(source, django_capture_on_commit_callbacks)
    # Ticket 1 moved to the end ([2, 3, 4, 1]): page 2 by number would be [4, 1], and
    # ticket 3 would never be read; by key the next request starts from ticket 2's time.
    assert run.status == "ok"
    assert set(Thread.objects.values_list("external_id", flat=True)) == {"1", "2", "3", "4"}
    assert Comment.objects.count() == 5  # 4 descriptions and the reply added mid-run
    assert lists[1]["updated_since"] == "2026-03-02T09:01:59Z" and lists[1]["page"] == "1"
    assert source.cursor["since"] == "2026-03-02T09:05:00Z"
    assert fs.requests_to("/api/v2/tickets/2/conversations") == 1  # re-listed, not re-read

    fs.on_list = None
    before = len(fs.server.log)
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.created) == ("ok", 0)
    assert len(fs.server.log) - before == 1  # nothing new: one list request, nothing else


def test_a_whole_page_at_one_instant_is_paged_by_number(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    for t in fs.tickets.values():
        t.data["updated_at"] = "2026-03-02T09:10:00Z"
    source = make_source(fs, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    pages = [r.args["page"] for r, _ in fs.server.log if r.path == TICKETS]
    assert pages == ["1", "2"]
    assert source.cursor["since"] == "2026-03-02T09:10:00Z"


def test_a_list_not_sorted_by_updated_at_falls_back_to_page_numbers(
    fs, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(fs)
    fs.tickets[1].data["updated_at"] = "2026-03-02T09:20:00Z"
    fs.tickets[2].data["updated_at"] = "2026-03-02T09:10:00Z"
    fs.sort_key = "id"  # an account whose list is not sorted by updated_at
    source = make_source(fs, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    pages = [
        (r.args["updated_since"], r.args["page"]) for r, _ in fs.server.log if r.path == TICKETS
    ]
    assert pages == [("2000-01-01T00:00:00Z", "1"), ("2000-01-01T00:00:00Z", "2")]
    assert source.cursor["since"] == "2026-03-02T09:20:00Z"
