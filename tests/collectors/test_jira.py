"""jira: service-project issues and their public comments, incrementally, against a fake Jira over HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import collectors.jira  # noqa: F401  registers the kind until registry._load() lists it
from collectors.base import ConnectorConfigError
from collectors.jira.adf import adf_to_text
from collectors.models import SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread
from tests.fakes.jira import MYSELF, ORGANIZATIONS, PARTICIPANTS, REQUEST_TYPE, SEARCH, FakeJira

pytestmark = pytest.mark.django_db

COMMENTS_RE = r"/rest/api/3/issue/\d+/comment"


@pytest.fixture
def jira(httpserver: HTTPServer) -> FakeJira:
    fake = FakeJira(httpserver)
    fake.add_user("u-anna", "Anna Accountant", "anna@corp.example", "customer")
    fake.add_user("u-bob", "Bob Sales", "bob@corp.example", "atlassian")
    fake.add_user("u-cy", "Cy Copied", "cy@corp.example", "atlassian")
    fake.add_user("u-ivan", "Ivan IT", "ivan@it.corp.example", "atlassian")
    fake.add_user("u-auto", "Automation for Jira", "", "app")
    return fake


def make_source(jira: FakeJira, name: str = "jsm", token: str | None = None, **settings: Any):
    base = {
        "base_url": jira.base_url,
        "email": jira.email,
        "project_key": jira.project,
        "request_type_field": REQUEST_TYPE,
        "organizations_field": ORGANIZATIONS,
        "participants_field": PARTICIPANTS,
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="jira",
        settings={**base, **settings},
        secrets={"api_token": jira.token if token is None else token},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three_issues(jira: FakeJira) -> None:
    jira.add_issue(
        10001,
        "VPN drops every hour",
        reporter="u-anna",
        request_type="VPN access",
        organization="Finance",
        description="The VPN keeps dropping every hour, this is terrible.",
    )
    jira.add_issue(
        10002,
        "New laptop",
        reporter="u-bob",
        components=["Laptop"],
        description="My new laptop arrived quickly, great job!",
    )
    jira.add_issue(
        10003, "Printer", reporter="u-anna", description="The printer on floor 3 is jammed again."
    )


def test_backfill_reads_every_issue_across_search_pages(
    jira, catalogue, django_capture_on_commit_callbacks
):
    three_issues(jira)
    source = make_source(jira, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert jira.requests_to(SEARCH) == 2  # 2 issues, then 1 with isLast
    assert jira.requests_to(MYSELF) == 1  # the JQL time zone, learnt once
    t1 = Thread.objects.get(external_id="10001")
    assert t1.title == "VPN drops every hour"
    assert t1.url == f"{jira.base_url}/browse/ITSD-1"
    assert t1.department == "Finance"  # the JSM organization
    assert t1.category.slug == "network"  # the request type "VPN access"
    assert Thread.objects.get(external_id="10002").category.slug == "devices"  # component
    c = Comment.objects.get(external_id="10001-description")
    assert (c.voice, c.author.email, c.author.display_name) == (
        "business",
        "anna@corp.example",
        "Anna Accountant",
    )
    assert c.created_at.isoformat() == "2026-03-02T09:01:07+00:00"
    assert Comment.objects.scored().count() == 3
    assert source.cursor["tz"] == "Europe/Berlin" and source.cursor["since"]


def test_incremental_run_adds_only_the_new_comment_and_an_idle_run_makes_one_request(
    jira, catalogue, django_capture_on_commit_callbacks
):
    three_issues(jira)
    source = make_source(jira)
    collect(source, django_capture_on_commit_callbacks)
    jira.add_comment("ITSD-1", "u-anna", "Still dropping today, I cannot work.")
    jira.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated) == ("ok", 1, 0)
    assert jira.requests_to(SEARCH) == 1
    assert jira.requests_to(COMMENTS_RE) == 1  # only the changed issue
    # The JQL watermark is in the API user's zone (Berlin, UTC+1), with the overlap.
    jql = jira.server.log[0][0].args["jql"]
    assert 'updated >= "2026-03-02 10:' in jql and jql.endswith("ORDER BY updated ASC")
    assert Comment.objects.count() == 4

    jira.server.clear_log()
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(jira.server.log) == 1  # one search, nothing else at all
    assert jira.server.log[0][0].path == SEARCH


def test_an_edited_comment_is_updated_not_duplicated(
    jira, catalogue, django_capture_on_commit_callbacks
):
    three_issues(jira)
    cid = jira.add_comment("ITSD-1", "u-anna", "The VPN is still broken, awful.")
    source = make_source(jira)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(external_id=cid)
    assert first.compound < 0
    jira.edit_comment(cid, "The VPN works perfectly now, thank you so much!")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated) == (0, 1)
    edited = Comment.objects.get(external_id=cid)
    assert edited.pk == first.pk and "perfectly" in edited.raw_body
    assert edited.compound > 0.05  # re-scored
    assert Comment.objects.count() == 4  # 3 descriptions + the comment


def test_agents_are_it_staff_automation_is_bot_and_internal_comments_never_stored(
    jira, catalogue, django_capture_on_commit_callbacks
):
    jira.add_issue(
        10001,
        "VPN",
        reporter="u-anna",
        organization="Finance",
        participants=["u-cy"],
        description="VPN is down again.",
    )
    jira.add_comment("ITSD-1", "u-ivan", "Restarted the concentrator, please retry.")
    jira.add_comment("ITSD-1", "u-ivan", "SECRET internal: user is clueless", public=False)
    jira.add_comment("ITSD-1", "u-auto", "Your request status changed to Waiting for customer.")
    jira.add_comment("ITSD-1", "u-cy", "Same for me, the VPN is useless.")
    jira.add_comment("ITSD-1", "u-anna", "Works now, thanks!")
    restricted = jira.add_comment("ITSD-1", "u-ivan", "SECRET role-only note")
    jira.issues["ITSD-1"].comments[-1]["visibility"] = {
        "type": "role",
        "value": "Service Desk Team",
        "identifier": "Service Desk Team",
    }
    run = collect(make_source(jira), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 5, 0)
    voices = dict(Comment.objects.values_list("raw_body", "voice"))
    assert voices == {
        "VPN is down again.": "business",
        "Restarted the concentrator, please retry.": "it_staff",
        "Your request status changed to Waiting for customer.": "bot",
        "Same for me, the VPN is useless.": "business",  # a request participant
        "Works now, thanks!": "business",
    }
    assert not Comment.objects.filter(raw_body__contains="SECRET").exists()
    assert not Comment.objects.filter(external_id=restricted).exists()
    assert Thread.objects.get().department == "Finance"


def test_adf_bodies_become_plain_text(jira, catalogue, django_capture_on_commit_callbacks):
    body = {
        "version": 1,
        "type": "doc",
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "mention", "attrs": {"id": "u-ivan", "text": "@Ivan IT"}},
                    {"type": "text", "text": " thanks, "},
                    {"type": "text", "text": "much better", "marks": [{"type": "strong"}]},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "now."},
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "mail ok"}]}
                        ],
                    },
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "VPN ok"}]}
                        ],
                    },
                ],
            },
            {
                "type": "codeBlock",
                "attrs": {"language": "text"},
                "content": [{"type": "text", "text": "ERROR 0x80070005 stack trace"}],
            },
            {
                "type": "paragraph",
                "content": [{"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}}],
            },
        ],
    }
    assert adf_to_text(body) == "thanks, much better\nnow.\n\n- mail ok\n\n- VPN ok\n\n😄"
    jira.add_issue(10001, "VPN", reporter="u-anna", description=body)
    run = collect(make_source(jira), django_capture_on_commit_callbacks)
    assert run.created == 1
    text = Comment.objects.get().raw_body
    assert "much better" in text and "Ivan" not in text and "0x80070005" not in text


def test_a_429_with_retry_after_is_waited_out(
    jira, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three_issues(jira)
    httpserver.expect_oneshot_request(SEARCH).respond_with_response(
        Response(
            '{"errorMessages":["Rate limit exceeded."]}',
            status=429,
            headers={"Retry-After": "1", "RateLimit-Reason": "jira-burst-based"},
        )
    )
    started = time.monotonic()
    run = collect(make_source(jira), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_500_is_retried(jira, httpserver, catalogue, django_capture_on_commit_callbacks):
    three_issues(jira)
    httpserver.expect_oneshot_request("/rest/api/3/issue/10002/comment").respond_with_data(
        "boom", status=500
    )
    run = collect(make_source(jira), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    assert jira.requests_to("/rest/api/3/issue/10002/comment") == 2


def test_a_malformed_item_is_skipped_with_a_reason_and_the_rest_lands(
    jira, catalogue, django_capture_on_commit_callbacks
):
    three_issues(jira)
    jira.add_raw_comment(
        "ITSD-2",
        {
            "id": "777",
            "author": jira.users["u-bob"],
            "jsdPublic": True,
            "body": None,
            "created": "yesterday",
        },
    )
    jira.add_raw_comment(
        "ITSD-2",
        {
            "id": "778",
            "author": jira.users["u-bob"],
            "body": "x",
            "created": "2026-03-02T10:00:00.000+0000",
        },
    )
    source = make_source(jira)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 2)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "not an ISO date-time" in reasons["issue ITSD-2 comment 777"]
    assert "jsdPublic" in reasons["issue ITSD-2 comment 778"]
    assert source.cursor.get("since")


def test_a_comment_page_beyond_the_first_is_read(
    jira, catalogue, django_capture_on_commit_callbacks
):
    jira.add_issue(10001, "Long thread", reporter="u-bob", description="First.")
    for n in range(4):
        jira.add_comment("ITSD-1", "u-bob", f"Follow-up number {n}.")
    run = collect(make_source(jira, page_size=2), django_capture_on_commit_callbacks)
    assert run.created == 5
    assert jira.requests_to("/rest/api/3/issue/10001/comment") == 2


def test_bad_token_fails_the_run_with_a_readable_message(
    jira, catalogue, django_capture_on_commit_callbacks
):
    three_issues(jira)
    source = make_source(jira, token="wrong")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "API token" in run.error
    assert source.last_error == run.error
    assert Comment.objects.count() == 0


def test_check_says_what_is_wrong_or_who_we_are(jira, catalogue):
    three_issues(jira)
    ok = source_check(source=make_source(jira))
    assert ok.ok, ok.message
    assert "Earl Shot" in ok.message and "ITSD" in ok.message and "comments readable" in ok.message

    bad = source_check(source=make_source(jira, name="bad", token="nope"))
    assert not bad.ok
    assert "401" in bad.message and "API token" in bad.message

    missing = source_check(source=make_source(jira, name="missing", project_key="NOPE"))
    assert not missing.ok and "project NOPE does not exist" in missing.message

    jira.refuse["/rest/api/3/issue/"] = (
        403,
        {"errorMessages": ["You do not have the permission to see the specified issue."]},
    )
    forbidden = source_check(source=make_source(jira, name="forbidden"))
    assert not forbidden.ok
    assert "403" in forbidden.message and "comments" in forbidden.message


def test_a_loopback_address_is_refused_unless_allowed(
    jira, catalogue, django_capture_on_commit_callbacks
):
    three_issues(jira)
    source = make_source(jira, allow_private_network=False)
    result = source_check(source=source)
    assert not result.ok
    assert "127.0.0.1" in result.message and "allow_private_network" in result.message
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed" and "allow_private_network" in run.error
    assert len(jira.server.log) == 0  # refused before any request


def test_dns_failure_is_reported(catalogue):
    source = source_create(
        name="nowhere",
        kind="jira",
        settings={
            "base_url": "https://no-such-host.invalid",
            "email": "a@corp.example",
            "project_key": "ITSD",
        },
        secrets={"api_token": "x"},
    )
    result = source_check(source=source)
    assert not result.ok and "DNS lookup for no-such-host.invalid failed" in result.message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"base_url": "http://acme.atlassian.net"}, "must use https"),
        ({"project_key": "it sd"}, "project key"),
        ({"request_type_field": "Request Type"}, "customfield_10010"),
        ({"email": "nobody"}, "email address"),
        ({"extra": 1}, "extra"),
    ],
)
def test_settings_are_validated(settings, words):
    base = {"base_url": "https://acme.atlassian.net", "email": "a@b.c", "project_key": "ITSD"}
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("jira").parse_settings({**base, **settings})


def test_start_date_limits_the_first_backfill(jira, catalogue, django_capture_on_commit_callbacks):
    three_issues(jira)  # all updated on 2026-03-02
    run = collect(make_source(jira, start_date="2026-03-03"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)
    search = next(r for r, _ in jira.server.log if r.path == SEARCH)
    assert search.args["jql"] == 'project = "ITSD" AND updated >= "2026-03-03" ORDER BY updated ASC'


def test_a_failure_mid_run_keeps_the_finished_pages_and_resumes_after_them(
    jira, catalogue, django_capture_on_commit_callbacks
):
    three_issues(jira)
    source = make_source(jira, page_size=2)
    jira.refuse["/rest/api/3/issue/10003/"] = (503, {"errorMessages": ["Service unavailable"]})
    failed = collect(source, django_capture_on_commit_callbacks)
    assert failed.status == "failed" and "will retry" in failed.error
    assert failed.created == 2  # the first page landed with its cursor
    del jira.refuse["/rest/api/3/issue/10003/"]
    jira.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    assert jira.requests_to(r"/rest/api/3/issue/1000[12]/comment") == 0  # passed over
