"""qualtrics: response exports with continuation tokens, against a fake Qualtrics."""

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
from tests.fakes.qualtrics import EXPORT, PROGRESS, FakeQualtrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def qx(httpserver: HTTPServer) -> FakeQualtrics:
    return FakeQualtrics(httpserver)


def make_source(qx: FakeQualtrics, name: str = "pulse", token: str | None = None, **settings):
    base = {
        "base_url": qx.base_url,
        "survey_id": "SV_6mudEEycYo5zehT",
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
        "poll_interval": 0,
        "department_question": "dept",  # by export tag
        "service_question": "QID5",  # by QID
    }
    return source_create(
        name=name,
        kind="qualtrics",
        settings={**base, **settings},
        secrets={"api_token": qx.token if token is None else token},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three(qx: FakeQualtrics) -> None:
    qx.add_response(
        "R_1",
        better="The VPN drops every hour, this is terrible.",
        other="Please fix it.",
        department="Finance",
        service="VPN",
        nps=2,
        email="anna@corp.example",
    )
    qx.add_response(
        "R_2",
        better="My new laptop arrived quickly, great job!",
        department="Sales",
        service="Laptops",
        nps=10,
    )
    qx.add_response("R_3", department="Legal", nps=7)  # no free text


def test_the_first_export_collects_every_text_answer_with_rating_department_and_service(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    source = make_source(qx)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    assert qx.bodies == [{"format": "json", "allowContinuation": True}]
    assert qx.requests_to(PROGRESS.pattern.strip("^$")) == 2  # polled until complete
    t = Thread.objects.get(external_id="R_1")
    assert t.title == "IT Pulse"
    assert (t.department, t.category.slug) == ("Finance", "network")
    c = Comment.objects.get(external_id="R_1:QID4")
    assert c.raw_body == "The VPN drops every hour, this is terrible."
    assert (c.rating, c.rating_scale) == (2.0, "0-10")  # the survey's NPS question
    assert (c.author.email, c.author.display_name) == ("anna@corp.example", "Anna Accountant")
    assert c.created_at.isoformat() == "2026-03-02T09:01:11+00:00"  # recordedDate
    assert Comment.objects.get(external_id="R_1:QID6").rating == 2.0
    assert Comment.objects.get(external_id="R_2:QID4").thread.category.slug == "devices"
    assert Thread.objects.count() == 2
    assert source.cursor["continuation"] == "ct-1"
    assert qx.server.log[0][0].headers["X-API-TOKEN"] == "qx-token"


def test_the_next_run_exports_only_what_was_recorded_since(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    source = make_source(qx)
    collect(source, django_capture_on_commit_callbacks)
    qx.add_response("R_4", better="Service desk never answers the phone.", nps=3)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.unchanged) == ("ok", 1, 0)
    assert qx.bodies[-1] == {"format": "json", "continuationToken": "ct-1"}
    assert source.cursor["continuation"] == "ct-2"
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert qx.bodies[-1] == {"format": "json", "continuationToken": "ct-2"}
    assert Comment.objects.count() == 4


def test_an_edited_response_is_updated_in_place_by_a_full_collection(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    source = make_source(qx)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(external_id="R_1:QID4")
    qx.edit("R_1", QID4_TEXT="The VPN works perfectly now, thank you!")
    assert collect(source, django_capture_on_commit_callbacks).seen == 0  # not newly recorded
    run = collect(source, django_capture_on_commit_callbacks, full=True)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 2)
    edited = Comment.objects.get(external_id="R_1:QID4")
    assert edited.pk == first.pk and edited.compound > 0.05
    assert qx.bodies[-1] == {"format": "json", "allowContinuation": True}


def test_unfinished_responses_are_collected_only_when_asked_for(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    qx.add_response("R_9", better="I gave up half way: wifi is too slow.", finished=False)
    assert collect(make_source(qx), django_capture_on_commit_callbacks).created == 3
    run = collect(
        make_source(qx, name="all", include_partial=True), django_capture_on_commit_callbacks
    )
    assert run.created == 4


def test_start_date_limits_the_first_export(qx, catalogue, django_capture_on_commit_callbacks):
    three(qx)
    run = collect(make_source(qx, start_date="2026-03-03"), django_capture_on_commit_callbacks)
    assert run.created == 0
    assert qx.bodies[-1]["startDate"] == "2026-03-03T00:00:00Z"


def test_an_unknown_question_lists_the_survey_questions(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    source = make_source(qx, rating_question="QID99")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "rating_question 'QID99' is not a question of Qualtrics survey 'IT Pulse'" in run.error
    assert "QID4: What could IT do better?" in run.error
    assert "QID3: How likely are you to recommend IT? 0 = not at all" in run.error
    assert "QID1" not in run.error  # descriptive text is not a question
    assert qx.bodies == []  # nothing exported


def test_a_bad_token_fails_with_a_readable_message(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    source = make_source(qx, token="wrong-token")
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "api_token" in run.error and "datacenter" in run.error
    assert "wrong-token" not in run.error
    result = source_check(source=source)
    assert not result.ok and "401" in result.message
    qx.refuse[EXPORT] = (403, {"meta": {"error": {"errorMessage": "Not authorized"}}})
    forbidden = collect(make_source(qx, name="no-api"), django_capture_on_commit_callbacks)
    assert "403" in forbidden.error and "Access API" in forbidden.error


def test_check_says_who_is_signed_in_and_what_is_read(qx, catalogue):
    result = source_check(source=make_source(qx))
    assert result.ok, result.message
    assert "it-survey@corp.example#corp" in result.message
    assert (
        "survey 'IT Pulse'" in result.message and "rating from QID3, scale 0-10" in result.message
    )


def test_a_429_on_the_export_is_waited_out(
    qx, httpserver, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    httpserver.expect_oneshot_request(EXPORT, method="POST").respond_with_response(
        Response(
            '{"meta": {"httpStatus": "429 - Too Many Requests"}}',
            status=429,
            headers={"Retry-After": "1"},
        )
    )
    started = time.monotonic()
    run = collect(make_source(qx), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_failed_export_fails_the_run_with_qualtrics_reason(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    qx.fail_export = "Export size limit exceeded"
    run = collect(make_source(qx), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "Qualtrics failed to export the responses: Export size limit exceeded" in run.error


def test_an_export_that_never_finishes_gives_up_after_the_timeout(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    qx.polls_needed = 10_000
    started = time.monotonic()
    run = collect(
        make_source(qx, export_timeout=1, poll_interval=0.2), django_capture_on_commit_callbacks
    )
    assert run.status == "failed" and "not ready after 1 s (50.0% done)" in run.error
    assert time.monotonic() - started < 5


def test_a_rejected_continuation_token_starts_again_from_the_last_recorded_day(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    source = make_source(qx)
    collect(source, django_capture_on_commit_callbacks)
    source.cursor = {**source.cursor, "continuation": "expired"}
    source.save()
    qx.add_response("R_4", better="Printer jammed again.")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.unchanged) == ("ok", 1, 3)
    assert qx.bodies[-1] == {
        "format": "json",
        "allowContinuation": True,
        "startDate": "2026-03-01T09:03:33Z",
    }


def test_a_malformed_response_is_skipped_with_a_reason_and_the_rest_lands(
    qx, catalogue, django_capture_on_commit_callbacks
):
    three(qx)
    bad = qx.add_response("R_bad", better="When was this?")
    bad["values"]["recordedDate"] = "last week"
    qx.responses.append({"responseId": "R_novalues"})
    qx.responses.append({"values": "?"})
    run = collect(make_source(qx), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 3)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "recordedDate 'last week' is not an ISO date-time" in reasons["response R_bad"]
    assert reasons["response R_novalues"] == "response without values"
    assert reasons["response #6 of the export"] == "response without an id"


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"survey_id": "SV_1"}, "base_url"),
        ({"base_url": "https://fra1.qualtrics.com"}, "survey_id"),
        ({"base_url": "https://fra1.qualtrics.com", "survey_id": "42"}, "survey_id"),
        ({"base_url": "http://fra1.qualtrics.com", "survey_id": "SV_1"}, "must use https"),
        (
            {"base_url": "https://fra1.qualtrics.com", "survey_id": "SV_1", "api_token": "x"},
            "api_token",
        ),
    ],
)
def test_settings_are_validated(settings: dict[str, Any], words: str):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("qualtrics").parse_settings(settings)
