"""servicenow: incidents and their public comments, incrementally, against a fake Table API."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import collectors.servicenow  # noqa: F401  registers the kind until registry._load() lists it
from collectors.base import ConnectorConfigError
from collectors.models import SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread
from tests.fakes.servicenow import INCIDENT, JOURNAL, FakeServiceNow

pytestmark = pytest.mark.django_db


@pytest.fixture
def sn(httpserver: HTTPServer) -> FakeServiceNow:
    fake = FakeServiceNow(httpserver)
    finance = fake.add_department("Finance")
    fake.anna = fake.add_user("anna", "Anna Accountant", "anna@corp.example", finance)
    fake.bob = fake.add_user("bob", "Bob Sales", "bob@corp.example")
    fake.ivan = fake.add_user("ivan", "Ivan IT", "ivan@it.corp.example")
    fake.add_role(fake.ivan, "itil")
    fake.network = fake.add_group("Network")
    return fake


def make_source(
    sn: FakeServiceNow, name: str = "itsm", password: str | None = None, **settings: Any
):
    base = {
        "base_url": sn.base_url,
        "username": sn.username,
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="servicenow",
        settings={**base, **settings},
        secrets={"password": sn.password if password is None else password},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three_incidents(sn: FakeServiceNow) -> list[str]:
    return [
        sn.add_incident(
            1,
            "VPN drops every hour",
            caller=sn.anna,
            group=sn.network,
            comment="The VPN keeps dropping every hour, this is terrible.",
        ),
        sn.add_incident(
            2,
            "New laptop",
            caller=sn.bob,
            category="hardware",
            comment="My new laptop arrived quickly, great job!",
        ),
        sn.add_incident(
            3, "Printer", caller=sn.anna, comment="The printer on floor 3 is jammed again."
        ),
    ]


def test_backfill_reads_every_incident_across_pages(
    sn, catalogue, django_capture_on_commit_callbacks
):
    ids = three_incidents(sn)
    source = make_source(sn, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert sn.requests_to(INCIDENT) == 2  # 2 incidents (Link rel=next), then 1
    t1 = Thread.objects.get(external_id=ids[0])
    assert t1.title == "VPN drops every hour"
    assert t1.url == f"{sn.base_url}/nav_to.do?uri=incident.do?sys_id={ids[0]}"
    assert t1.department == "Finance"  # the caller's department
    assert t1.category.slug == "network"  # the assignment group
    assert Thread.objects.get(external_id=ids[1]).category.slug == "devices"  # category
    c = Comment.objects.get(thread=t1)
    assert (c.voice, c.author.email, c.author.display_name) == (
        "business",
        "anna@corp.example",
        "Anna Accountant",
    )
    assert c.created_at.isoformat() == "2026-03-02T09:02:00+00:00"
    assert Comment.objects.scored().count() == 3
    assert source.cursor["watermark"] == "2026-03-02 09:06:00"


def test_instance_gives_the_service_now_address():
    settings = connector_class("servicenow").parse_settings({"instance": "acme", "username": "u"})
    assert settings.root == "https://acme.service-now.com"


def test_incremental_run_adds_only_the_new_comment_and_an_idle_run_makes_one_request(
    sn, catalogue, django_capture_on_commit_callbacks
):
    ids = three_incidents(sn)
    source = make_source(sn, page_size=2)
    collect(source, django_capture_on_commit_callbacks)
    sn.add_comment(ids[0], "anna", "Still dropping today, I cannot work.")
    before = (sn.requests_to(INCIDENT), sn.requests_to(JOURNAL))
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.unchanged) == ("ok", 1, 0, 1)
    assert sn.requests_to(INCIDENT) - before[0] == 1
    assert sn.requests_to(JOURNAL) - before[1] == 1  # only the changed incident's comments
    assert Comment.objects.count() == 4

    before_all = len(sn.server.log)
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(sn.server.log) - before_all == 1  # one incident query, nothing else
    query = sn.server.log[-1][0].args["sysparm_query"]
    assert query.startswith("sys_updated_on>=2026-03-02 09:06:00^ORDERBYsys_updated_on")


def test_an_edited_comment_is_updated_not_duplicated(
    sn, catalogue, django_capture_on_commit_callbacks
):
    ids = three_incidents(sn)
    source = make_source(sn)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(thread__external_id=ids[0])
    assert first.compound < 0
    sn.edit_comment(first.external_id, "The VPN works perfectly now, thank you so much!")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 0)
    edited = Comment.objects.get(external_id=first.external_id)
    assert edited.pk == first.pk and "perfectly" in edited.raw_body
    assert edited.compound > 0.05  # re-scored
    assert Comment.objects.count() == 3


def test_agent_replies_are_it_staff_automation_is_bot_and_work_notes_never_stored(
    sn, catalogue, django_capture_on_commit_callbacks
):
    inc = sn.add_incident(1, "VPN", caller=sn.anna, comment="VPN is down again.")
    sn.add_comment(inc, "ivan", "Restarted the concentrator, please retry.")
    sn.add_comment(inc, "ivan", "SECRET internal: user is clueless", element="work_notes")
    sn.add_comment(inc, "system", "Incident resolved automatically after 5 days.")
    sn.add_comment(inc, "anna", "<p>Works now, <b>thanks</b>!</p>")
    run = collect(make_source(sn), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 4, 0)
    voices = dict(Comment.objects.values_list("raw_body", "voice"))
    assert voices == {
        "VPN is down again.": "business",
        "Restarted the concentrator, please retry.": "it_staff",
        "Incident resolved automatically after 5 days.": "bot",
        "<p>Works now, <b>thanks</b>!</p>": "business",  # HTML passed raw
    }
    assert not Comment.objects.filter(raw_body__contains="SECRET").exists()
    journal_queries = [r.args["sysparm_query"] for r, _ in sn.server.log if r.path == JOURNAL]
    assert all("element=comments" in q for q in journal_queries)  # work notes never asked for
    assert Thread.objects.get().department == "Finance"  # the agent's reply did not override it


def test_a_429_with_retry_after_is_waited_out(
    sn, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three_incidents(sn)
    httpserver.expect_oneshot_request(INCIDENT).respond_with_response(
        Response(
            '{"error":{"message":"Rate limit exceeded","detail":null},"status":"failure"}',
            status=429,
            headers={"Retry-After": "1"},
        )
    )
    started = time.monotonic()
    run = collect(make_source(sn), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_500_is_retried(sn, httpserver, catalogue, django_capture_on_commit_callbacks):
    three_incidents(sn)
    httpserver.expect_oneshot_request(JOURNAL).respond_with_data("boom", status=500)
    run = collect(make_source(sn), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    assert sn.requests_to(JOURNAL) == 2


def test_a_malformed_comment_is_skipped_with_a_reason_and_the_rest_lands(
    sn, catalogue, django_capture_on_commit_callbacks
):
    ids = three_incidents(sn)
    sn.add_raw_journal(
        {
            "sys_id": "badjournal1",
            "name": "incident",
            "element": "comments",
            "element_id": ids[1],
            "value": "hi",
            "sys_created_on": "yesterday",
            "sys_created_by": "bob",
        }
    )
    run = collect(make_source(sn), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 1)
    skip = run.skips[0]
    assert skip["item"] == "incident INC0000002 comment badjournal1"
    assert "not a 'YYYY-MM-DD HH:MM:SS' date-time" in skip["reason"]
    run.source.refresh_from_db()
    assert run.source.cursor.get("watermark")


def test_bad_password_fails_the_run_with_a_readable_message(
    sn, catalogue, django_capture_on_commit_callbacks
):
    three_incidents(sn)
    source = make_source(sn, password="wrong")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "password" in run.error
    assert source.last_error == run.error
    assert Comment.objects.count() == 0


def test_an_oauth_token_is_sent_as_bearer(sn, catalogue, django_capture_on_commit_callbacks):
    three_incidents(sn)
    source = source_create(
        name="oauth",
        kind="servicenow",
        settings={
            "base_url": sn.base_url,
            "allow_insecure_http": True,
            "allow_private_network": True,
        },
        secrets={"oauth_token": sn.token},
    )
    assert collect(source, django_capture_on_commit_callbacks).created == 3


def test_check_says_what_is_wrong_or_who_we_are(sn, catalogue):
    ok = source_check(source=make_source(sn))
    assert ok.ok, ok.message
    assert "Earshot Integration (earshot.integration)" in ok.message

    bad = source_check(source=make_source(sn, name="bad", password="nope"))
    assert not bad.ok
    assert "401" in bad.message and "password" in bad.message

    sn.refuse["sys_journal_field"] = (403, "User Not Authorized", "Failed API level ACL Validation")
    no_comments = source_check(source=make_source(sn, name="no-comments"))
    assert not no_comments.ok
    assert "403" in no_comments.message and "cannot read comments" in no_comments.message

    sn.refuse["incident"] = (403, "User Not Authorized", "Failed API level ACL Validation")
    no_incidents = source_check(source=make_source(sn, name="no-incidents"))
    assert not no_incidents.ok
    assert "403" in no_incidents.message and "incident table" in no_incidents.message


def test_a_loopback_address_is_refused_unless_allowed(
    sn, catalogue, django_capture_on_commit_callbacks
):
    three_incidents(sn)
    source = make_source(sn, allow_private_network=False)
    result = source_check(source=source)
    assert not result.ok
    assert "127.0.0.1" in result.message and "allow_private_network" in result.message
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed" and "allow_private_network" in run.error
    assert len(sn.server.log) == 0  # refused before any request


def test_dns_failure_is_reported(catalogue):
    source = source_create(
        name="nowhere",
        kind="servicenow",
        settings={"base_url": "https://no-such-host.invalid", "username": "u"},
        secrets={"password": "x"},
    )
    result = source_check(source=source)
    assert not result.ok and "DNS lookup for no-such-host.invalid failed" in result.message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"base_url": "http://acme.service-now.com"}, "must use https"),
        ({"username": "u"}, "either instance or base_url"),
        ({"instance": "acme", "base_url": "https://acme.service-now.com"}, "exactly one"),
        ({"instance": "ac me"}, "letters, digits"),
        ({"instance": "acme", "staff_roles": ["itil^x"]}, "not a ServiceNow name"),
        ({"instance": "acme", "extra": 1}, "extra"),
    ],
)
def test_settings_are_validated(settings, words):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("servicenow").parse_settings(settings)


def test_start_date_limits_the_first_backfill(sn, catalogue, django_capture_on_commit_callbacks):
    three_incidents(sn)  # all changed on 2026-03-02
    run = collect(make_source(sn, start_date="2026-03-03"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)
    assert (
        sn.server.log[0][0].args["sysparm_query"].startswith("sys_updated_on>=2026-03-03 00:00:00^")
    )


def test_many_incidents_in_the_same_second_are_all_read(
    sn, catalogue, django_capture_on_commit_callbacks
):
    ids = three_incidents(sn)
    for sid in ids:
        sn.tables["incident"][sid]["sys_updated_on"] = "2026-03-02 10:00:00"
    run = collect(make_source(sn, page_size=1), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    assert sn.requests_to(INCIDENT) == 3


def test_a_failure_mid_run_keeps_the_finished_pages_and_resumes_after_them(
    sn, catalogue, django_capture_on_commit_callbacks
):
    ids = three_incidents(sn)
    source = make_source(sn, page_size=2)
    sn.fail_query = ids[2]  # the journal query of the second page fails
    failed = collect(source, django_capture_on_commit_callbacks)
    assert failed.status == "failed" and "will retry" in failed.error
    assert failed.created == 2  # the first page landed with its cursor
    assert source.cursor["watermark"] == "2026-03-02 09:04:00"
    sn.fail_query = ""
    sn.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    journal = [r.args["sysparm_query"] for r, _ in sn.server.log if r.path == JOURNAL]
    assert len(journal) == 1 and ids[2] in journal[0] and ids[0] not in journal[0]
