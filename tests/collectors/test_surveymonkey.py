"""surveymonkey: responses and their free-text answers, incrementally, against a fake API."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from collectors.base import ConnectorConfigError
from collectors.models import SyncRun
from collectors.registry import connector_class, connector_for
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread
from tests.fakes.surveymonkey import BULK, DETAILS, FakeSurveyMonkey

pytestmark = pytest.mark.django_db

MAPPED = {
    "department_question": "103",
    "service_question": "104",
}


@pytest.fixture
def sm(httpserver: HTTPServer) -> FakeSurveyMonkey:
    return FakeSurveyMonkey(httpserver)


def make_source(sm: FakeSurveyMonkey, name: str = "pulse", token: str | None = None, **settings):
    base = {
        "base_url": sm.base_url,
        "survey_id": "405123",
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
        **MAPPED,
    }
    return source_create(
        name=name,
        kind="surveymonkey",
        settings={**base, **settings},
        secrets={"access_token": sm.token if token is None else token},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three(sm: FakeSurveyMonkey) -> None:
    sm.add_response(
        "9001",
        better="The VPN drops every hour, this is terrible.",
        other="Please fix it.",
        department="Finance",
        service="VPN",
        nps=3,
        email="anna@corp.example",
    )
    sm.add_response(
        "9002",
        better="My new laptop arrived quickly, great job!",
        department="Sales",
        service="Laptops",
        nps=10,
    )
    sm.add_response("9003", department="Sales", nps=8)  # no free text: no comment


def test_every_free_text_answer_becomes_a_comment_with_rating_department_and_service(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    source = make_source(sm)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert Thread.objects.count() == 2  # response 9003 answered no free text
    t = Thread.objects.get(external_id="9001")
    assert t.title == "IT Pulse Q1"  # the survey's title, HTML stripped
    assert t.url.startswith("https://www.surveymonkey.com/analyze/")
    assert (t.department, t.category.slug) == ("Finance", "network")
    c = Comment.objects.get(external_id="9001:101")
    assert c.raw_body == "The VPN drops every hour, this is terrible."
    assert (c.rating, c.rating_scale) == (3.0, "0-10")  # the NPS beside the comment
    assert c.author.email == "anna@corp.example"
    assert c.voice == "business"
    assert c.created_at.isoformat() == "2026-03-02T09:00:07+00:00"  # date_created
    assert Comment.objects.get(external_id="9001:102").rating == 3.0  # every comment of it
    laptop = Comment.objects.get(external_id="9002:101")
    assert (laptop.rating, laptop.thread.category.slug) == (10.0, "devices")
    assert Comment.objects.scored().count() == 3
    first = sm.server.log[1][0]
    assert first.path == BULK
    assert first.headers["Authorization"] == "Bearer sm-token"
    assert (first.args["sort_by"], first.args["sort_order"], first.args["status"]) == (
        "date_modified",
        "ASC",
        "completed",
    )
    assert "start_modified_at" not in first.args  # the first run reads everything
    assert source.cursor["since"] == "2026-03-02T09:03:21+00:00"


def test_pages_are_read_by_key_and_every_response_lands(
    sm, catalogue, django_capture_on_commit_callbacks
):
    for n in range(5):
        sm.add_response(f"70{n}", better=f"Printer {n} is broken again.", nps=n)
    run = collect(make_source(sm, page_size=2), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 5)
    asks = [
        (r.args.get("start_modified_at"), r.args["page"])
        for r, _ in sm.server.log
        if r.path == BULK
    ]
    # Each next page asks again from the newest change read (one second before it).
    assert asks == [
        (None, "1"),
        ("2026-03-02T09:02:13", "1"),
        ("2026-03-02T09:04:27", "1"),
    ]


def test_second_run_reads_only_what_is_new_and_an_idle_run_writes_nothing(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    source = make_source(sm)
    collect(source, django_capture_on_commit_callbacks)
    sm.add_response("9004", better="Service desk never answers the phone.", nps=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.unchanged) == ("ok", 1, 0, 0)
    assert sm.server.log[-1][0].args["start_modified_at"] == "2026-03-02T09:03:20"
    before = len(sm.server.log)
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(sm.server.log) - before == 2  # the definition and one page
    assert Comment.objects.count() == 4


def test_an_edited_response_updates_its_comments_in_place(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    source = make_source(sm)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(external_id="9001:101")
    assert first.compound < 0
    sm.edit("9001", better="The VPN works perfectly now, thank you so much!", nps=9)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.unchanged) == (0, 2, 0)  # both comments: new rating
    edited = Comment.objects.get(external_id="9001:101")
    assert edited.pk == first.pk and "perfectly" in edited.raw_body
    assert edited.compound > 0.05 and edited.rating == 9.0
    assert Comment.objects.count() == 3


def test_partial_responses_wait_until_completed_unless_asked_for(
    sm, catalogue, django_capture_on_commit_callbacks
):
    sm.add_response("9101", better="Half way through: the wifi is slow.", status="partial")
    source = make_source(sm)
    assert collect(source, django_capture_on_commit_callbacks).created == 0
    sm.edit("9101", status="completed")
    assert collect(source, django_capture_on_commit_callbacks).created == 1

    sm.add_response("9102", better="Unfinished: laptops are old.", status="partial")
    partial = make_source(sm, name="with-partial", include_partial=True)
    run = collect(partial, django_capture_on_commit_callbacks)
    assert run.created == 2
    assert "status" not in sm.server.log[-1][0].args


def test_the_survey_rating_question_is_found_without_being_named(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    cls = connector_class("surveymonkey")
    conn = cls(cls.parse_settings({**make_source(sm).settings}), {"access_token": sm.token})
    batches = list(conn.fetch({}))
    recs = {r.external_id: r for b in batches for r in b.records}
    assert (recs["9002:101"].rating, recs["9002:101"].rating_scale) == (10.0, "0-10")
    assert recs["9002:101"].voice is None  # Earshot's directory decides
    assert recs["9001:101"].department == "Finance" and recs["9001:101"].category_hint == "VPN"


def test_an_unknown_question_id_lists_the_survey_questions(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    source = make_source(sm, rating_question="999")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "rating_question '999' is not a question of SurveyMonkey survey 'IT Pulse Q1'" in (
        run.error
    )
    assert "101: What could IT do better?" in run.error
    assert "105: How likely are you to recommend IT to a colleague?" in run.error
    assert "100:" not in run.error  # presentation text is not a question
    result = source_check(source=source)
    assert not result.ok and "999" in result.message


def test_bad_token_and_missing_scope_fail_with_readable_messages(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    bad = make_source(sm, token="wrong")
    run = collect(bad, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "access_token" in run.error
    assert "wrong" not in run.error  # the secret is never echoed
    sm.refuse[BULK] = (403, {"error": {"id": "1014", "message": "Permission has not been granted"}})
    forbidden = source_check(source=make_source(sm, name="no-scope"))
    assert not forbidden.ok and "403" in forbidden.message
    assert "View Response Details" in forbidden.message


def test_check_names_the_survey_and_the_mapping(sm, catalogue):
    three(sm)
    result = source_check(source=make_source(sm))
    assert result.ok, result.message
    assert "survey 'IT Pulse Q1'" in result.message and "3 responses" in result.message
    assert "rating from 105, scale 0-10" in result.message
    assert "department from 103" in result.message


def test_a_429_with_retry_after_is_waited_out(
    sm, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    httpserver.expect_oneshot_request(BULK).respond_with_response(
        Response(
            '{"error": {"message": "Too many requests"}}', status=429, headers={"Retry-After": "1"}
        )
    )
    started = time.monotonic()
    run = collect(make_source(sm), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_used_up_minute_allowance_waits_for_its_reset(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    sm.limits = {
        "X-Ratelimit-App-Global-Minute-Remaining": "0",
        "X-Ratelimit-App-Global-Minute-Reset": "1",
    }
    started = time.monotonic()
    run = collect(make_source(sm), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9  # the list waited for the definition's reset
    assert run.created == 3


def test_a_used_up_day_allowance_stops_the_run_keeping_what_was_read(
    sm, catalogue, django_capture_on_commit_callbacks
):
    for n in range(3):
        sm.add_response(f"80{n}", better=f"Email {n} is slow today.")
    source = make_source(sm, page_size=2)
    sm.limits = {
        "X-Ratelimit-App-Global-Day-Remaining": "0",
        "X-Ratelimit-App-Global-Day-Reset": "5000",
    }
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "daily request allowance" in run.error and "5000 s" in run.error
    assert Comment.objects.count() == 0  # the definition used the last request
    sm.limits = {}
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)


def test_a_malformed_response_is_skipped_with_a_reason_and_the_rest_lands(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    sm.responses["bad"] = {
        "id": "bad",
        "date_modified": "2026-03-02T09:10:00+00:00",
        "date_created": "yesterday",
        "response_status": "completed",
        "pages": [],
    }
    sm.responses["noid"] = {
        "date_modified": "2026-03-02T09:11:00+00:00",
        "response_status": "completed",
    }
    run = collect(make_source(sm), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 2)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "date_created 'yesterday' is not an ISO date-time" in reasons["response bad"]
    assert reasons["response #5 of a page"] == "response without an id"


def test_only_the_named_comment_questions_are_collected(
    sm, catalogue, django_capture_on_commit_callbacks
):
    three(sm)
    run = collect(make_source(sm, comment_questions="102"), django_capture_on_commit_callbacks)
    assert run.created == 1
    assert list(Comment.objects.values_list("external_id", flat=True)) == ["9001:102"]


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({}, "survey_id"),
        ({"survey_id": "1", "base_url": "http://api.surveymonkey.com"}, "must use https"),
        ({"survey_id": "1", "page_size": 500}, "page_size"),
        ({"survey_id": "1", "rating_scale": "five"}, "low-high"),
        ({"survey_id": "1", "token": "x"}, "token"),
    ],
)
def test_settings_are_validated(settings: dict[str, Any], words: str):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("surveymonkey").parse_settings(settings)


def test_the_eu_host_is_accepted(sm):
    parsed = connector_class("surveymonkey").parse_settings(
        {"survey_id": "1", "base_url": "https://api.eu.surveymonkey.com/"}
    )
    assert parsed.base_url == "https://api.eu.surveymonkey.com"


def test_fetch_touches_no_database_and_resumes_from_any_batch_cursor(sm, catalogue, settings):
    three(sm)
    settings.EARSHOT_INGEST_BATCH = 1
    source = make_source(sm)
    batches = list(connector_for(source).fetch({}))
    assert [len(b.records) for b in batches] == [1, 1, 1]
    assert batches[0].cursor == {}  # only a whole page moves the cursor
    assert batches[-1].cursor["since"] == "2026-03-02T09:03:21+00:00"
    assert DETAILS in {r.path for r, _ in sm.server.log}
