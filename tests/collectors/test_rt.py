"""rt: Request Tracker tickets and their public messages, incrementally, against a fake
RT REST2 over HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import collectors.rt  # noqa: F401  registers the kind until registry._load() lists it
from collectors.base import ConnectorConfigError
from collectors.models import SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread
from tests.fakes.rt import TICKETS, FakeRT

pytestmark = pytest.mark.django_db

HISTORY_RE = r"/REST/2.0/ticket/\d+/history"
ATTACHMENT_RE = r"/REST/2.0/attachment/\d+"


@pytest.fixture
def rt(httpserver: HTTPServer) -> FakeRT:
    fake = FakeRT(httpserver)
    fake.add_queue(2, "Network")
    fake.add_user(
        "anna@corp.example",
        privileged=False,
        real_name="Anna Accountant",
        email="anna@corp.example",
        organization="Finance",
    )
    fake.add_user("bob@corp.example", privileged=False, email="bob@corp.example")
    fake.add_user("ivan", privileged=True, real_name="Ivan IT", email="ivan@it.corp.example")
    fake.add_user("root", privileged=True, real_name="Enoch Root", email="root@it.corp.example")
    return fake


def make_source(rt: FakeRT, name: str = "helpdesk", token: str | None = None, **settings):
    base = {
        "base_url": rt.base_url,
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="rt",
        settings={**base, **settings},
        secrets={"api_token": rt.token if token is None else token},
    )


def collect(source, capture, **kw: Any) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three_tickets(rt: FakeRT) -> None:
    rt.add_ticket(
        1,
        "VPN drops every hour",
        requestor="anna@corp.example",
        queue=2,
        body="The VPN keeps dropping every hour, this is terrible.",
    )
    rt.add_ticket(2, "New laptop", requestor="bob@corp.example", body="My new laptop is great!")
    rt.add_ticket(3, "Printer", requestor="anna@corp.example", body="The printer is jammed again.")


def test_backfill_reads_every_ticket_across_pages(
    rt, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(rt)
    source = make_source(rt, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert rt.requests_to(TICKETS) == 2  # 2 tickets with a next_page, then 1
    first = rt.server.log[0][0].args
    assert first["query"] == "LastUpdated > '2000-01-01 00:00:00'"
    assert (first["orderby"], first["order"], first["fields[Queue]"]) == (
        "LastUpdated",
        "ASC",
        "Name",
    )
    t1 = Thread.objects.get(external_id="1")
    assert t1.title == "VPN drops every hour"
    assert t1.url == f"{rt.base_url}/Ticket/Display.html?id=1"
    assert t1.category.slug == "network"  # the queue name
    assert t1.department == "Finance"  # the requestor's Organization
    c = Comment.objects.get(external_id="100")
    assert (c.voice, c.author.email, c.author.display_name) == (
        "business",
        "anna@corp.example",
        "Anna Accountant",
    )
    assert c.created_at.isoformat() == "2026-03-02T09:01:00+00:00"
    assert Comment.objects.scored().count() == 3
    assert source.cursor["since"] == "2026-03-02T09:03:00Z"
    assert rt.requests_to(r"/REST/2.0/user/anna@corp.example") == 1  # once per run


def test_incremental_run_adds_only_the_new_message_and_an_idle_run_makes_one_request(
    rt, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(rt)
    source = make_source(rt)
    collect(source, django_capture_on_commit_callbacks)
    rt.add_transaction(1, "Correspond", "anna@corp.example", "Still dropping, I cannot work.")
    before = (rt.requests_to(TICKETS), rt.requests_to(HISTORY_RE))
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.unchanged) == ("ok", 1, 0, 1)
    assert rt.requests_to(TICKETS) - before[0] == 1
    assert rt.requests_to(HISTORY_RE) - before[1] == 1  # only the changed ticket
    assert Comment.objects.count() == 4

    before_log = len(rt.server.log)
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(rt.server.log) - before_log == 1  # one search, nothing else
    query = rt.server.log[-1][0].args["query"]
    assert query == "LastUpdated > '2026-03-02 08:59:00'"  # watermark minus the overlap


def test_recollection_creates_no_duplicates(rt, catalogue, django_capture_on_commit_callbacks):
    three_tickets(rt)
    source = make_source(rt)
    collect(source, django_capture_on_commit_callbacks)
    again = collect(source, django_capture_on_commit_callbacks, full=True)
    assert (again.status, again.created, again.unchanged) == ("ok", 0, 3)
    assert Comment.objects.count() == 3 and Thread.objects.count() == 3


def test_staff_replies_are_it_staff_system_is_bot_and_comments_never_stored(
    rt, catalogue, django_capture_on_commit_callbacks
):
    rt.add_ticket(1, "VPN", requestor="anna@corp.example", body="VPN is down again.", owner="ivan")
    rt.add_transaction(1, "Correspond", "ivan", "Restarted the concentrator, please retry.")
    rt.add_transaction(1, "Comment", "ivan", "SECRET internal: user is clueless")
    rt.add_transaction(1, "Status", "ivan")
    rt.add_transaction(1, "Correspond", "RT_System", "Your ticket has been resolved.")
    rt.add_transaction(1, "Correspond", "anna@corp.example", "Works now, <b>thanks</b>!", html=True)
    run = collect(make_source(rt), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 4, 0)
    voices = {c.raw_body: c.voice for c in Comment.objects.all()}
    assert voices == {
        "VPN is down again.": "business",
        "Restarted the concentrator, please retry.": "it_staff",
        "Your ticket has been resolved.": "bot",
        "<p>Works now, <b>thanks</b>!</p>": "business",  # HTML passed raw
    }
    assert not Comment.objects.filter(raw_body__contains="SECRET").exists()
    assert rt.requests_to(r"/REST/2.0/user/RT_System") == 0


def test_roles_decide_when_user_records_are_hidden(
    rt, catalogue, django_capture_on_commit_callbacks
):
    rt.add_ticket(1, "VPN", requestor="bob@corp.example", body="VPN is down.", admin_cc=("root",))
    rt.add_transaction(1, "Correspond", "root", "Looking into it.")
    rt.hidden_users |= {"bob@corp.example", "root"}
    rt.hyperlinks_in_history = False  # an older RT: attachments via the transaction
    run = collect(make_source(rt), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 2)
    voices = {c.raw_body: c.voice for c in Comment.objects.all()}
    assert voices == {"VPN is down.": "business", "Looking into it.": "it_staff"}
    assert rt.requests_to(r"/REST/2.0/transaction/\d+") == 2


def test_a_429_with_retry_after_is_waited_out(
    rt, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(rt)
    httpserver.expect_oneshot_request(TICKETS).respond_with_response(
        Response('{"message":"Too Many Requests"}', status=429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    run = collect(make_source(rt), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_500_is_retried(rt, httpserver, catalogue, django_capture_on_commit_callbacks):
    three_tickets(rt)
    httpserver.expect_oneshot_request("/REST/2.0/ticket/2/history").respond_with_data(
        "boom", status=500
    )
    run = collect(make_source(rt), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    assert rt.requests_to("/REST/2.0/ticket/2/history") == 2


def test_malformed_items_are_skipped_with_a_reason_and_the_rest_lands(
    rt, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(rt)
    creator = {"type": "user", "id": "bob@corp.example"}
    rt.add_raw_transaction(
        2, {"id": "777", "Type": "Correspond", "Creator": creator, "Created": "yesterday"}
    )
    rt.add_raw_transaction(2, {"id": "778", "Creator": creator, "Created": "2026-03-02T10:00:00Z"})
    rt.add_raw_transaction(2, "not a transaction")
    run = collect(make_source(rt), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 3)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "not an ISO date-time" in reasons["ticket 2 transaction 777"]
    assert "in case it is a comment" in reasons["ticket 2 transaction 778"]
    assert "not an object" in reasons["ticket 2 transaction ?"]
    run.source.refresh_from_db()
    assert run.source.cursor.get("since")


def test_a_history_page_beyond_the_first_is_read(rt, catalogue, django_capture_on_commit_callbacks):
    rt.add_ticket(1, "Long thread", requestor="bob@corp.example", body="First.")
    for n in range(4):
        rt.add_transaction(1, "Correspond", "bob@corp.example", f"Follow-up number {n}.")
    run = collect(make_source(rt, page_size=2), django_capture_on_commit_callbacks)
    assert run.created == 5
    assert rt.requests_to("/REST/2.0/ticket/1/history") == 3


def test_queues_limit_the_search(rt, catalogue, django_capture_on_commit_callbacks):
    three_tickets(rt)
    run = collect(make_source(rt, queues=["Network"]), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    assert rt.server.log[0][0].args["query"].endswith("AND (Queue = 'Network')")


def test_bad_token_fails_the_run_with_a_readable_message(
    rt, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(rt)
    source = make_source(rt, token="wrong")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "auth token" in run.error
    assert source.last_error == run.error
    assert Comment.objects.count() == 0


def test_check_says_what_is_wrong_or_who_we_are(rt, catalogue):
    three_tickets(rt)
    ok = source_check(source=make_source(rt, username="ivan"))
    assert ok.ok, ok.message
    assert "RT 5.0.5" in ok.message and "Ivan IT (ivan)" in ok.message

    anon = source_check(source=make_source(rt, name="anon"))
    assert anon.ok and "the stored token" in anon.message

    bad = source_check(source=make_source(rt, name="bad", token="nope"))
    assert not bad.ok
    assert "401" in bad.message and "auth token" in bad.message

    unpriv = source_check(source=make_source(rt, name="unpriv", username="bob@corp.example"))
    assert not unpriv.ok and "unprivileged" in unpriv.message

    rt.refuse[HISTORY_RE] = (403, {"message": "Forbidden"})
    no_history = source_check(source=make_source(rt, name="nohist"))
    assert not no_history.ok
    assert "403" in no_history.message and "history" in no_history.message

    rt.refuse[TICKETS + "$"] = (403, {"message": "Forbidden"})
    forbidden = source_check(source=make_source(rt, name="forbidden"))
    assert not forbidden.ok
    assert "403" in forbidden.message and "ShowTicket" in forbidden.message


def test_a_loopback_address_is_refused_unless_allowed(
    rt, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(rt)
    source = make_source(rt, allow_private_network=False)
    result = source_check(source=source)
    assert not result.ok
    assert "127.0.0.1" in result.message and "allow_private_network" in result.message
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed" and "allow_private_network" in run.error
    assert len(rt.server.log) == 0  # refused before any request


def test_dns_failure_is_reported(catalogue):
    source = source_create(
        name="nowhere",
        kind="rt",
        settings={"base_url": "https://no-such-host.invalid"},
        secrets={"api_token": "x"},
    )
    result = source_check(source=source)
    assert not result.ok and "DNS lookup for no-such-host.invalid failed" in result.message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"base_url": "http://rt.corp.example"}, "must use https"),
        ({}, "base_url"),
        ({"base_url": "rt.corp.example"}, "must look like"),
        ({"base_url": "https://rt.corp.example", "queues": ["it'"]}, "quotes"),
        ({"base_url": "https://rt.corp.example", "page_size": 500}, "page_size"),
        ({"base_url": "https://rt.corp.example", "extra": 1}, "extra"),
    ],
)
def test_settings_are_validated(settings, words):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("rt").parse_settings(settings)


def test_base_url_keeps_the_web_path():
    settings = connector_class("rt").parse_settings(
        {"base_url": "https://intranet.corp.example/rt/REST/2.0/"}
    )
    assert settings.root == "https://intranet.corp.example/rt"


def test_start_date_limits_the_first_backfill(rt, catalogue, django_capture_on_commit_callbacks):
    three_tickets(rt)  # all changed on 2026-03-02
    run = collect(make_source(rt, start_date="2026-03-03"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)
    assert rt.server.log[0][0].args["query"] == "LastUpdated > '2026-03-03 00:00:00'"


def test_a_failure_mid_run_keeps_the_finished_pages_and_resumes_after_them(
    rt, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(rt)
    source = make_source(rt, page_size=2)
    rt.refuse["/REST/2.0/ticket/3/"] = (503, {"message": "Service unavailable"})
    failed = collect(source, django_capture_on_commit_callbacks)
    assert failed.status == "failed"
    assert failed.created == 2  # the first page landed with its cursor
    # Complete after every page: the newest change read and the tickets at its edge.
    assert source.cursor == {
        "since": "2026-03-02T09:02:00Z",
        "recent": {"1": "2026-03-02T09:01:00Z", "2": "2026-03-02T09:02:00Z"},
    }
    del rt.refuse["/REST/2.0/ticket/3/"]
    rt.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    assert rt.server.log[0][0].args["query"] == "LastUpdated > '2026-03-02 08:57:00'"
    assert rt.requests_to(r"/REST/2.0/ticket/[12]/history") == 0
    assert source.cursor["since"] == "2026-03-02T09:03:00Z" and "partial" not in source.cursor


def test_a_ticket_updated_between_pages_does_not_hide_another(
    rt, catalogue, django_capture_on_commit_callbacks
):
    for n in range(1, 6):
        rt.add_ticket(n, f"Ticket {n}", requestor="bob@corp.example", body=f"Problem {n}.")

    def reply_on_ticket_1(search: int) -> None:
        if search == 2:  # after page 1 was read: ticket 1 moves to the end of the order
            rt.add_transaction(1, "Correspond", "bob@corp.example", "Any news on this?")

    rt.before_search = reply_on_ticket_1
    source = make_source(rt, page_size=2, overlap_seconds=60)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 6, 0)
    # With page numbers, page 2 would have been tickets 4 and 5 and ticket 3 never read.
    assert set(Thread.objects.values_list("external_id", flat=True)) == {"1", "2", "3", "4", "5"}
    assert Comment.objects.filter(raw_body="Any news on this?").exists()
    for n in range(2, 6):
        assert rt.requests_to(f"/REST/2.0/ticket/{n}/history") == 1  # each read once
    queries = [req.args["query"] for req, _ in rt.server.log if req.path == TICKETS]
    assert queries[0] == "LastUpdated > '2000-01-01 00:00:00'"
    assert queries[1] == "LastUpdated >= '2026-03-02 09:02:00'"  # from the newest read
    assert source.cursor["since"] == "2026-03-02T09:06:00Z"  # the reply on ticket 1

    before = len(rt.server.log)
    rt.before_search = None
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(rt.server.log) - before == 1  # one search, nothing else
    assert rt.server.log[-1][0].args["query"] == "LastUpdated > '2026-03-02 09:05:00'"


def test_tickets_of_one_second_filling_a_page_are_paged_by_number(
    rt, catalogue, django_capture_on_commit_callbacks
):
    for n in range(1, 6):
        rt.add_ticket(n, f"Ticket {n}", requestor="bob@corp.example", body=f"Problem {n}.")
    same = rt.tickets[3].last_updated
    for n in (1, 2):  # tickets 1-3 changed in the same second, 4 and 5 later
        rt.tickets[n].last_updated = same
    source = make_source(rt, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 5, 0)
    assert rt.requests_to(HISTORY_RE) == 5  # every ticket read, none twice
    pages = [
        (req.args["query"], req.args["page"]) for req, _ in rt.server.log if req.path == TICKETS
    ]
    assert pages == [
        ("LastUpdated > '2000-01-01 00:00:00'", "1"),  # tickets 1, 2 (09:03)
        ("LastUpdated >= '2026-03-02 09:03:00'", "1"),  # 1, 2 again: the page is one second
        ("LastUpdated >= '2026-03-02 09:03:00'", "2"),  # 3 (09:03) and 4
        ("LastUpdated >= '2026-03-02 09:04:00'", "1"),  # 4 again, then 5: the end
    ]
    assert source.cursor["since"] == "2026-03-02T09:05:00Z"
