"""zammad: tickets and their non-internal articles, incrementally, against a fake Zammad."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import collectors.zammad  # noqa: F401  registers the kind until registry._load() lists it
from collectors.base import ConnectorConfigError
from collectors.models import SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread
from tests.fakes.zammad import ME, SEARCH, FakeZammad, _Ticket

pytestmark = pytest.mark.django_db

ARTICLES_RE = r"/api/v1/ticket_articles/by_ticket/\d+"


@pytest.fixture
def zm(httpserver: HTTPServer) -> FakeZammad:
    fake = FakeZammad(httpserver)
    fake.add_org(500, "Finance")
    fake.add_group(1, "Users")
    fake.add_group(70, "Network")
    fake.add_user(10, "Anna", "Accountant", "anna@corp.example", organization_id=500)
    fake.add_user(11, "Bob", "Sales", "bob@corp.example")
    fake.add_user(20, "Ivan", "IT", "ivan@it.corp.example", roles=["Agent"])
    return fake


def make_source(zm: FakeZammad, name: str = "helpdesk", token: str | None = None, **settings: Any):
    base = {
        "base_url": zm.base_url,
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="zammad",
        settings={**base, **settings},
        secrets={"api_token": zm.token if token is None else token},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three_tickets(zm: FakeZammad) -> None:
    zm.add_ticket(
        1,
        "VPN drops every hour",
        customer_id=10,
        group_id=70,
        body="<p>The VPN keeps dropping every hour, this is terrible.</p>",
    )
    zm.add_ticket(2, "New laptop", customer_id=11, body="My new laptop arrived quickly, great job!")
    zm.add_ticket(3, "Printer", customer_id=10, body="The printer on floor 3 is jammed again.")


def test_backfill_reads_every_ticket_across_search_pages(
    zm, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    source = make_source(zm, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert zm.requests_to(SEARCH) == 2  # 2 tickets, then 1 (a short page ends the search)
    first = zm.server.log[0][0]
    assert first.args["query"] == r"updated_at:>=2000-01-01T00\:00\:00.000Z"
    assert (first.args["sort_by"], first.args["order_by"], first.args["expand"]) == (
        "updated_at",
        "asc",
        "true",
    )
    assert first.headers["Authorization"] == "Token token=zm-token"
    t1 = Thread.objects.get(external_id="1")
    assert t1.title == "VPN drops every hour"
    assert t1.url == f"{zm.base_url}/#ticket/zoom/1"
    assert t1.department == "Finance"  # the customer's organization
    assert t1.category.slug == "network"  # the ticket's group
    c = Comment.objects.get(external_id="9001")
    assert (c.voice, c.author.display_name) == ("business", "Anna Accountant")
    assert c.raw_body == "<p>The VPN keeps dropping every hour, this is terrible.</p>"  # raw
    assert c.created_at.isoformat() == "2026-03-02T09:02:00.274000+00:00"
    assert Comment.objects.scored().count() == 3
    assert source.cursor["since"] == "2026-03-02T09:06:00.822Z"


def test_incremental_run_adds_only_the_new_article_and_an_idle_run_makes_one_request(
    zm, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    source = make_source(zm)
    collect(source, django_capture_on_commit_callbacks)
    zm.add_article(1, 10, "Still dropping today, I cannot work.", sender="Customer", type_="web")
    before = (zm.requests_to(SEARCH), zm.requests_to(ARTICLES_RE))
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.unchanged) == ("ok", 1, 0, 1)
    assert zm.requests_to(SEARCH) - before[0] == 1
    assert zm.requests_to(ARTICLES_RE) - before[1] == 1  # only the changed ticket
    assert Comment.objects.count() == 4

    before_log = len(zm.server.log)
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(zm.server.log) - before_log == 1  # one search, nothing else
    # The search re-asks the overlap window behind the watermark.
    assert zm.server.log[-1][0].args["query"] == r"updated_at:>=2026-03-02T09\:02\:00.959Z"


def test_an_edited_article_is_updated_not_duplicated(
    zm, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    source = make_source(zm)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(external_id="9001")
    assert first.compound < 0
    zm.edit_article(9001, "The VPN works perfectly now, thank you so much!")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 0)
    edited = Comment.objects.get(external_id="9001")
    assert edited.pk == first.pk and "perfectly" in edited.raw_body
    assert edited.compound > 0.05  # re-scored
    assert Comment.objects.count() == 3


def test_agent_articles_are_it_staff_system_is_bot_internal_notes_never_stored(
    zm, catalogue, django_capture_on_commit_callbacks
):
    zm.add_ticket(1, "VPN", customer_id=10, body="VPN is down again.")
    zm.add_article(1, 20, "Restarted the concentrator, please retry.", type_="email")
    zm.add_article(1, 20, "SECRET internal: user is clueless", internal=True)
    zm.add_article(1, 20, "Auto reply: we got your request.", sender="System")
    zm.add_article(1, 10, "Works now, thanks!", sender="Customer", type_="web")
    run = collect(make_source(zm), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 4, 0)
    voices = dict(Comment.objects.values_list("raw_body", "voice"))
    assert voices == {
        "VPN is down again.": "business",
        "Restarted the concentrator, please retry.": "it_staff",
        "Auto reply: we got your request.": "bot",
        "Works now, thanks!": "business",
    }
    assert not Comment.objects.filter(raw_body__contains="SECRET").exists()
    ivan = Comment.objects.get(raw_body__startswith="Restarted").author
    assert (ivan.email, ivan.display_name) == ("ivan@it.corp.example", "Ivan IT")
    assert Thread.objects.get().department == "Finance"  # the agent's reply did not override it


def test_a_429_with_retry_after_is_waited_out(
    zm, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    httpserver.expect_oneshot_request(SEARCH).respond_with_response(
        Response('{"error":"Too many requests"}', status=429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    run = collect(make_source(zm), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_500_is_retried(zm, httpserver, catalogue, django_capture_on_commit_callbacks):
    three_tickets(zm)
    path = "/api/v1/ticket_articles/by_ticket/2"
    httpserver.expect_oneshot_request(path).respond_with_data("boom", status=500)
    run = collect(make_source(zm), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    assert zm.requests_to(path) == 2


def test_a_malformed_article_is_skipped_with_a_reason_and_the_rest_lands(
    zm, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    zm.add_raw_article(
        2, {"id": 777, "internal": False, "sender": "Customer", "body": "hi", "created_at": "x"}
    )
    zm.add_raw_article(
        2,
        {"id": 778, "sender": "Customer", "body": "no flag", "created_at": "2026-03-02T10:00:00Z"},
    )
    zm.add_raw_article(2, "not an object")  # type: ignore[arg-type]
    run = collect(make_source(zm), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 3)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "not an ISO date-time" in reasons["ticket 2 article 777"]
    assert "internal note" in reasons["ticket 2 article 778"]
    assert reasons["ticket 2 article ?"] == "article is not an object"
    assert run.source.cursor.get("since")


def test_a_malformed_ticket_is_skipped_and_the_others_land(
    zm, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    zm.tickets[99] = _Ticket(data={"title": "no id", "updated_at": "2026-03-02T09:00:30.000Z"})
    run = collect(make_source(zm), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 1)
    assert run.skips[0]["reason"] == "ticket without a numeric id"


def test_the_unexpanded_search_shape_is_read_too(zm, catalogue):
    three_tickets(zm)
    cls = connector_class("zammad")
    conn = cls(cls.parse_settings(make_source(zm).settings), {"api_token": zm.token})
    client = conn._client()
    tickets = conn._get(client, SEARCH, {"query": "*", "sort_by": "updated_at"})
    assert set(tickets) == {"tickets", "tickets_count", "assets"}  # Zammad's documented shape
    # _search always asks expand=true; the fallback reads ids + assets in order.
    data = {"tickets": [2, 1], "assets": {"Ticket": {"1": {"id": 1}, "2": {"id": 2}}}}
    conn._get = lambda *a, **k: data  # type: ignore[method-assign]
    assert [t["id"] for t in conn._search(client, "*", page=1, per_page=5)] == [2, 1]


def test_bad_token_fails_the_run_with_a_readable_message(
    zm, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    source = make_source(zm, token="wrong")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "Token Access" in run.error
    assert source.last_error == run.error
    assert Comment.objects.count() == 0


def test_check_says_who_is_signed_in_or_what_is_wrong(zm, catalogue):
    three_tickets(zm)
    ok = source_check(source=make_source(zm))
    assert ok.ok, ok.message
    assert "Ada Admin <ada@it.corp.example> (Admin, Agent)" in ok.message

    bad = source_check(source=make_source(zm, name="bad", token="nope"))
    assert not bad.ok
    assert "401" in bad.message and "Token Access" in bad.message

    zm.refuse["/api/v1/ticket_articles/"] = (403, {"error": "Not authorized"})
    no_articles = source_check(source=make_source(zm, name="no-articles"))
    assert not no_articles.ok
    assert "403" in no_articles.message and "articles are not readable" in no_articles.message

    zm.refuse[SEARCH] = (403, {"error": "Not authorized"})
    forbidden = source_check(source=make_source(zm, name="forbidden"))
    assert not forbidden.ok
    assert "403" in forbidden.message and "ticket.agent" in forbidden.message


def test_check_refuses_a_customer_token(zm, catalogue):
    zm.me_id = 10
    result = source_check(source=make_source(zm))
    assert not result.ok and "a customer" in result.message
    assert zm.requests_to(ME) == 1 and zm.requests_to(SEARCH) == 0


def test_a_loopback_address_is_refused_unless_allowed(
    zm, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    source = make_source(zm, allow_private_network=False)
    result = source_check(source=source)
    assert not result.ok
    assert "127.0.0.1" in result.message and "allow_private_network" in result.message
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed" and "allow_private_network" in run.error
    assert len(zm.server.log) == 0  # refused before any request


def test_dns_failure_is_reported(catalogue):
    source = source_create(
        name="nowhere",
        kind="zammad",
        settings={"base_url": "https://no-such-host.invalid"},
        secrets={"api_token": "x"},
    )
    result = source_check(source=source)
    assert not result.ok and "DNS lookup for no-such-host.invalid failed" in result.message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"base_url": "http://helpdesk.corp.example"}, "must use https"),
        ({}, "base_url"),
        ({"base_url": "helpdesk.corp.example"}, "must look like"),
        ({"base_url": "https://helpdesk.corp.example", "page_size": 500}, "page_size"),
        ({"base_url": "https://helpdesk.corp.example", "extra": 1}, "extra"),
    ],
)
def test_settings_are_validated(settings, words):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("zammad").parse_settings(settings)


def test_start_date_limits_the_first_backfill(zm, catalogue, django_capture_on_commit_callbacks):
    three_tickets(zm)  # all changed on 2026-03-02
    run = collect(make_source(zm, start_date="2026-03-03"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)
    assert zm.server.log[0][0].args["query"] == r"updated_at:>=2026-03-03T00\:00\:00.000Z"


def test_a_failure_mid_run_keeps_the_finished_pages_and_resumes_after_them(
    zm, catalogue, django_capture_on_commit_callbacks
):
    three_tickets(zm)
    source = make_source(zm, page_size=2)
    zm.refuse["/api/v1/ticket_articles/by_ticket/3"] = (503, {"error": "unavailable"})
    failed = collect(source, django_capture_on_commit_callbacks)
    assert failed.status == "failed"
    assert failed.created == 2  # the first page landed with its cursor
    assert set(source.cursor["recent"]) == {"1", "2"}
    del zm.refuse["/api/v1/ticket_articles/by_ticket/3"]
    zm.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    assert zm.requests_to(r"/api/v1/ticket_articles/by_ticket/[12]") == 0
    assert zm.requests_to("/api/v1/ticket_articles/by_ticket/3") == 1


def test_tickets_sharing_one_instant_beyond_a_page_are_all_read(
    zm, catalogue, django_capture_on_commit_callbacks
):
    for n in range(1, 6):
        zm.add_ticket(n, f"Ticket {n}", customer_id=11, body=f"Printer {n} is broken again.")
    for t in zm.tickets.values():  # a bulk update: the same updated_at everywhere
        t.data["updated_at"] = "2026-03-02T10:00:00.000Z"
    run = collect(make_source(zm, page_size=2), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 5)
    pages = [req.args["page"] for req, _ in zm.server.log if req.path == SEARCH]
    assert pages == ["1", "1", "2"]  # by key, then by offset within one instant
