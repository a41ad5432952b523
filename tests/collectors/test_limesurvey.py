"""limesurvey: responses exported over RemoteControl 2 (JSON-RPC), against a fake server."""

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
from tests.fakes.limesurvey import RPC, SID, FakeLimeSurvey

pytestmark = pytest.mark.django_db


@pytest.fixture
def ls(httpserver: HTTPServer) -> FakeLimeSurvey:
    return FakeLimeSurvey(httpserver)


def make_source(ls: FakeLimeSurvey, name: str = "pulse", password: str | None = None, **settings):
    base = {
        "base_url": ls.base_url,
        "username": "earshot",
        "survey_id": SID,
        "server_timezone": "Europe/Berlin",
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
        "department_question": "dept",
        "service_question": "service",
    }
    return source_create(
        name=name,
        kind="limesurvey",
        settings={**base, **settings},
        secrets={"password": ls.password if password is None else password},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def three(ls: FakeLimeSurvey) -> None:
    ls.add(
        better="The VPN drops every hour, this is terrible.",
        dept="Finance",
        service="VPN",
        csat="1",
        worked="Nothing.",
        not_worked="Remote access.",
        nps="2",
    )
    ls.add(
        better="My new laptop arrived quickly, great job!",
        dept="Sales",
        service="Laptops",
        csat="5",
        nps="10",
    )
    ls.add(dept="Legal", csat="4")  # no free text


def test_every_free_text_answer_becomes_a_comment_with_rating_department_and_service(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    source = make_source(ls)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    t = Thread.objects.get(external_id="1")
    assert t.title == "IT Pulse 2026"
    assert (t.department, t.category.slug) == ("Finance", "network")
    c = Comment.objects.get(external_id="1:better")
    assert (c.rating, c.rating_scale) == (1.0, "1-5")  # the survey's five-point question
    assert c.created_at.isoformat() == "2026-03-02T09:02:26+00:00"  # 10:02:26 in Berlin
    assert Comment.objects.get(external_id="1:more").raw_body == "Nothing.\nRemote access."
    assert Comment.objects.get(external_id="2:better").thread.category.slug == "devices"
    assert Thread.objects.count() == 2
    assert ls.methods() == [
        "get_session_key",
        "list_surveys",
        "list_questions",
        "export_responses",
        "release_session_key",
    ]
    export = ls.calls[3][1]
    assert export[1:] == [SID, "json", None, "all", "code", "long", 1]
    assert ls.released and not ls.sessions  # the session key is always given back
    assert source.cursor == {"next_id": 4, "open": {}}


def test_the_next_run_exports_from_the_next_response_id(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    source = make_source(ls)
    collect(source, django_capture_on_commit_callbacks)
    ls.add(better="Service desk never answers the phone.", csat="2")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.unchanged) == ("ok", 1, 0)
    assert ls.calls[-2][1][-1] == 4  # iFromResponseID
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert Comment.objects.count() == 4


def test_a_response_completed_after_a_later_one_is_not_missed(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    source = make_source(ls)
    slow = ls.start(better="Half way through")
    ls.add(better="E-mail is slow today.", csat="3")  # id 5, completed first
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.created == 4
    assert source.cursor["next_id"] == 6 and list(source.cursor["open"]) == [str(slow)]
    ls.complete(slow, better="Half way through the wifi died. Terrible.", csat="1")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.unchanged) == (1, 1)  # id 4 new; id 5 read again, unchanged
    assert ls.calls[-2][1][-1] == slow
    assert Comment.objects.get(external_id=f"{slow}:better").rating == 1.0
    assert source.cursor == {"next_id": 6, "open": {}}


def test_incomplete_responses_are_collected_only_when_asked_for(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    ls.start(better="I stopped here: printers are awful.")
    assert collect(make_source(ls), django_capture_on_commit_callbacks).created == 3
    run = collect(
        make_source(ls, name="all", include_partial=True), django_capture_on_commit_callbacks
    )
    assert run.created == 4


def test_an_abandoned_response_is_given_up_after_the_wait(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    ls.start(better="never finished")
    source = make_source(ls, incomplete_wait_days=0)
    collect(source, django_capture_on_commit_callbacks)
    assert source.cursor == {"next_id": 5, "open": {}}


def test_an_edited_response_is_updated_in_place_by_a_full_collection(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    source = make_source(ls)
    collect(source, django_capture_on_commit_callbacks)
    first = Comment.objects.get(external_id="1:better")
    ls.edit(1, better="The VPN works perfectly now, thank you!")
    run = collect(source, django_capture_on_commit_callbacks, full=True)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 2)
    edited = Comment.objects.get(external_id="1:better")
    assert edited.pk == first.pk and edited.compound > 0.05


def test_a_list_question_as_the_rating_takes_its_scale_from_the_answer_options(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    run = collect(make_source(ls, rating_question="nps"), django_capture_on_commit_callbacks)
    assert run.created == 3
    c = Comment.objects.get(external_id="2:better")
    assert (c.rating, c.rating_scale) == (10.0, "0-10")
    assert "get_question_properties" in ls.methods()


def test_an_unknown_question_lists_the_survey_questions(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    source = make_source(ls, comment_questions=["feedback"])
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "'feedback' is not a question of LimeSurvey survey 'IT Pulse 2026'" in run.error
    assert "better: What could IT do better?" in run.error and "csat: How satisfied" in run.error
    assert "intro" not in run.error and "SQ001" not in run.error
    assert not ls.sessions  # released after the error too
    assert not source_check(source=source).ok


def test_wrong_password_missing_permission_and_a_disabled_api_say_what_to_fix(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    run = collect(make_source(ls, password="guess"), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "LimeSurvey refused the user 'earshot'" in run.error and "guess" not in run.error
    ls.permission = False
    denied = collect(make_source(ls, name="denied"), django_capture_on_commit_callbacks)
    assert "lacks a permission for export_responses" in denied.error
    assert "Responses: export" in denied.error
    assert not ls.sessions
    ls.rpc_enabled = False
    off = source_check(source=make_source(ls, name="off"))
    assert not off.ok and "RPC interface enabled: JSON-RPC" in off.message


def test_a_survey_the_user_cannot_see_is_named_with_the_ones_it_can(ls, catalogue):
    result = source_check(source=make_source(ls, survey_id=999))
    assert not result.ok
    assert "Survey 999 is not among the surveys" in result.message
    assert "246810: IT Pulse 2026" in result.message


def test_check_says_who_is_signed_in_and_what_is_read(ls, catalogue):
    result = source_check(source=make_source(ls))
    assert result.ok, result.message
    assert "as earshot; survey 'IT Pulse 2026'" in result.message
    assert "rating from csat, scale 1-5" in result.message
    assert not ls.sessions


def test_an_empty_survey_is_not_an_error(ls, catalogue, django_capture_on_commit_callbacks):
    run = collect(make_source(ls), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.error) == ("ok", 0, "")


def test_the_older_export_shape_is_read_too(ls, catalogue, django_capture_on_commit_callbacks):
    three(ls)
    ls.legacy_format = True
    run = collect(make_source(ls), django_capture_on_commit_callbacks)
    assert run.created == 3
    assert Comment.objects.filter(external_id="1:better").exists()


def test_a_429_is_waited_out(ls, httpserver, catalogue, django_capture_on_commit_callbacks):
    three(ls)
    httpserver.expect_oneshot_request(RPC, method="POST").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    run = collect(make_source(ls), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 3)


def test_a_malformed_response_is_skipped_with_a_reason_and_the_rest_lands(
    ls, catalogue, django_capture_on_commit_callbacks
):
    three(ls)
    bad = ls.add(better="When?")
    ls.responses[bad]["submitdate"] = "tuesday"
    ls.responses[99] = {"id": None, "submitdate": "2026-03-02 10:00:00", "better": "x"}
    run = collect(make_source(ls), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 3, 2)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert reasons[f"response {bad}"] == "response submitdate 'tuesday' is not a date"
    assert reasons["response #5 of the export"] == "response without a numeric id"


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"username": "u", "survey_id": 1}, "base_url"),
        ({"base_url": "https://s.example", "survey_id": 1}, "username"),
        ({"base_url": "https://s.example", "username": "u", "survey_id": "x"}, "survey_id"),
        (
            {
                "base_url": "https://s.example",
                "username": "u",
                "survey_id": 1,
                "server_timezone": "Mars/Base",
            },
            "not a time zone",
        ),
        (
            {"base_url": "https://s.example", "username": "u", "survey_id": 1, "password": "p"},
            "password",
        ),
    ],
)
def test_settings_are_validated(settings: dict[str, Any], words: str):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("limesurvey").parse_settings(settings)
