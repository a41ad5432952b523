"""typeform: form responses and their free-text answers, by token, against a fake API."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from collectors.base import ConnectorConfigError
from collectors.models import SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread
from tests.fakes.typeform import FORM_PATH, RESPONSES, FakeTypeform

pytestmark = pytest.mark.django_db


@pytest.fixture
def tf(httpserver: HTTPServer) -> FakeTypeform:
    return FakeTypeform(httpserver)


def make_source(tf: FakeTypeform, name: str = "pulse", token: str | None = None, **settings):
    base = {
        "base_url": tf.base_url,
        "form_id": "u6nXL7",
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
        "request_interval": 0,
        "department_question": "department",  # by ref
        "service_question": "fService",  # by id
    }
    return source_create(
        name=name,
        kind="typeform",
        settings={**base, **settings},
        secrets={"token": tf.token if token is None else token},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three(tf: FakeTypeform) -> None:
    tf.add_response(
        "r1",
        better="The VPN drops every hour, this is terrible.",
        other="Please fix it.",
        department="Finance",
        service="VPN",
        csat=1,
        email="anna@corp.example",
    )
    tf.add_response(
        "r2",
        better="My new laptop arrived quickly, great job!",
        department="Sales",
        service="Laptops",
        csat=5,
    )
    tf.add_response("r3", department="Legal", csat=4)  # no free text


def responses_asked(tf: FakeTypeform) -> list[dict[str, str]]:
    return [dict(r.args) for r, _ in tf.server.log if r.path == RESPONSES]


def test_every_free_text_answer_becomes_a_comment_with_rating_department_and_service(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    source = make_source(tf)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert Thread.objects.count() == 2
    t = Thread.objects.get(external_id="r1")
    assert t.title == "IT satisfaction survey"
    assert (t.department, t.category.slug) == ("Finance", "network")
    c = Comment.objects.get(external_id="r1:fBetter")
    assert (c.rating, c.rating_scale) == (1.0, "1-5")  # the form's only rating field
    assert c.author.email == "anna@corp.example"  # the hidden field
    assert c.created_at.isoformat() == "2026-03-02T09:01:03+00:00"
    assert Comment.objects.get(external_id="r1:fOther").raw_body == "Please fix it."  # in a group
    assert Comment.objects.get(external_id="r2:fBetter").rating == 5.0
    first = tf.server.log[1][0]
    assert first.headers["Authorization"] == "Bearer tfp_token"
    assert first.args["response_type"] == "completed"
    assert source.cursor == {"after": "r3"}  # the newest token


def test_the_backfill_pages_back_before_the_last_token(
    tf, catalogue, django_capture_on_commit_callbacks
):
    for n in range(5):
        tf.add_response(f"p{n}", better=f"Printer {n} is broken again.")
    source = make_source(tf, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 5)
    assert [a.get("before") for a in responses_asked(tf)] == [None, "p3", "p1"]
    assert source.cursor == {"after": "p4"}


def test_later_runs_read_only_what_came_after_the_token(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    source = make_source(tf, page_size=2)
    collect(source, django_capture_on_commit_callbacks)
    tf.add_response("r4", better="Service desk never answers the phone.")
    tf.add_response("r5", better="E-mail is slow.")
    tf.add_response("r6", better="Teams crashes daily.")
    tf.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.unchanged) == ("ok", 3, 0)
    assert [a.get("after") for a in responses_asked(tf)] == ["r3", "r5"]
    assert source.cursor == {"after": "r6"}
    tf.server.clear_log()
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(tf.server.log) == 2  # the form and one page
    assert Comment.objects.count() == 6


def test_a_changed_response_is_updated_in_place_by_a_full_collection(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    source = make_source(tf)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(external_id="r1:fBetter")
    assert first.compound < 0
    item = tf.items[0]
    next(a for a in item["answers"] if a["type"] == "text")["text"] = "VPN works perfectly now!"
    run = collect(source, django_capture_on_commit_callbacks, full=True)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 2)
    edited = Comment.objects.get(external_id="r1:fBetter")
    assert edited.pk == first.pk and edited.compound > 0.05
    assert Comment.objects.count() == 3


def test_partial_responses_are_collected_only_when_asked_for(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    tf.add_response("r9", better="Half way: the wifi is slow.", completed=False)
    assert collect(make_source(tf), django_capture_on_commit_callbacks).created == 3
    run = collect(
        make_source(tf, name="all", include_partial=True), django_capture_on_commit_callbacks
    )
    assert run.created == 4
    assert responses_asked(tf)[-1]["response_type"] == "completed,partial"


def test_an_unknown_field_lists_the_form_questions(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    source = make_source(tf, comment_questions="feedback, better")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "comment_questions names 'feedback' is not a question of Typeform form" in run.error
    assert "fBetter: What could IT do better?" in run.error
    assert "fOther: Anything else?" in run.error  # fields inside groups are listed
    assert "fWelcome" not in run.error  # a statement is not a question
    assert not source_check(source=source).ok


def test_bad_token_or_missing_scope_fails_with_a_readable_message(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    run = collect(make_source(tf, token="nope"), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "responses:read" in run.error and "nope" not in run.error
    tf.refuse[RESPONSES] = (403, {"code": "FORBIDDEN", "description": "Missing scope"})
    result = source_check(source=make_source(tf, name="no-scope"))
    assert not result.ok and "403" in result.message and "responses:read" in result.message


def test_check_names_the_form_and_the_mapping(tf, catalogue):
    three(tf)
    result = source_check(source=make_source(tf))
    assert result.ok, result.message
    assert "form 'IT satisfaction survey'" in result.message and "3 responses" in result.message
    assert "rating from fCsat, scale 1-5" in result.message


def test_a_429_with_retry_after_is_waited_out(
    tf, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    httpserver.expect_oneshot_request(RESPONSES).respond_with_response(
        Response('{"code": "RATE_LIMITED"}', status=429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    run = collect(make_source(tf), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_requests_are_spaced_to_stay_under_two_a_second(
    tf, catalogue, django_capture_on_commit_callbacks
):
    for n in range(3):
        tf.add_response(f"s{n}", better=f"Laptop {n} is slow.")
    started = time.monotonic()
    run = collect(
        make_source(tf, page_size=1, request_interval=0.2), django_capture_on_commit_callbacks
    )
    assert run.created == 3
    assert len(tf.server.log) == 5  # the form and four pages
    assert time.monotonic() - started >= 0.8


def test_a_malformed_response_is_skipped_with_a_reason_and_the_rest_lands(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    bad = tf.add_response("bad", better="This one has a broken date.")
    bad["submitted_at"] = "soon"
    tf.items.append(
        {"token": "", "response_type": "completed", "submitted_at": "2026-03-02", "answers": []}
    )
    run = collect(make_source(tf), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 2)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "submitted_at 'soon' is not an ISO date-time" in reasons["response bad"]
    assert reasons["response #5 of a page"] == "without an id"  # oldest: last of the page


def test_a_token_typeform_no_longer_knows_starts_over_without_duplicates(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    source = make_source(tf)
    collect(source, django_capture_on_commit_callbacks)
    source.cursor = {"after": "deleted-response"}
    source.save()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.unchanged) == ("ok", 0, 3)
    assert source.cursor == {"after": "r3"}


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({}, "form_id"),
        ({"form_id": "x", "base_url": "http://api.typeform.com"}, "must use https"),
        ({"form_id": "x", "page_size": 5000}, "page_size"),
        ({"form_id": "x", "request_interval": -1}, "request_interval"),
    ],
)
def test_settings_are_validated(settings: dict[str, Any], words: str):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("typeform").parse_settings(settings)


def test_the_form_definition_is_read_once_per_run(
    tf, catalogue, django_capture_on_commit_callbacks
):
    three(tf)
    collect(make_source(tf), django_capture_on_commit_callbacks)
    assert tf.requests_to(FORM_PATH) == 1
