"""matrix: room messages, threads, replies and edits, paged forward, against a fake homeserver."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from collectors.base import ConnectorConfigError
from collectors.matrix import matrix_to_text
from collectors.models import SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, StaffDirectoryEntry, Thread
from tests.fakes.matrix import API, FakeMatrix

pytestmark = pytest.mark.django_db

HELP = "!help:corp.example"
ASK = "!ask:corp.example"
ANNA = "@anna:corp.example"
BOB = "@bob:corp.example"
IVAN = "@ivan:corp.example"
ALERTS = "@alertmanager:corp.example"
MESSAGES_RE = rf"{API}/rooms/![^/]+/messages"


@pytest.fixture
def mx(httpserver: HTTPServer) -> FakeMatrix:
    fake = FakeMatrix(httpserver)
    for room in (HELP, ASK):
        fake.add_room(room)
    fake.join(HELP, ANNA, "Anna Accountant")
    fake.join(HELP, IVAN, "Ivan (IT)")
    fake.profiles[BOB] = "Bob Sales"  # no member event in the rooms: the profile names him
    return fake


def make_source(mx: FakeMatrix, name: str = "matrix", token: str | None = None, **settings: Any):
    base = {
        "base_url": mx.base_url,
        "room_ids": [HELP, ASK],
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="matrix",
        settings={**base, **settings},
        secrets={"access_token": mx.token if token is None else token},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def conversation(mx: FakeMatrix) -> dict[str, str]:
    root = mx.send(HELP, ANNA, "The VPN keeps dropping every hour :rage: this is terrible.")
    in_thread = mx.thread_reply(HELP, IVAN, root, "We restarted the concentrator, please retry.")
    quoted = mx.reply(HELP, ANNA, in_thread, "Works now, thanks :+1:")
    mx.send(HELP, ANNA, "screenshot.png", msgtype="m.image")
    other = mx.send(ASK, BOB, "How do I get a new laptop? The old one is painfully slow.")
    return {"root": root, "in_thread": in_thread, "quoted": quoted, "other": other}


def test_first_run_pages_forward_from_the_start_and_maps_threads_names_and_links(
    mx, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(mx)
    source = make_source(mx, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 4, 0, "")
    asks = [r for r, _ in mx.server.log if r.path == f"{API}/rooms/{HELP}/messages"]
    assert "from" not in asks[0].args  # the room's first visible event
    assert asks[0].args["dir"] == "f" and asks[0].args["limit"] == "2"
    assert json.loads(asks[0].args["filter"]) == {
        "types": ["m.room.message"],
        "lazy_load_members": True,
    }
    assert [r.args.get("from") for r in asks[1:]] == ["t2", "t4", "t6"]
    assert asks[0].headers["Authorization"] == "Bearer mx-token"
    assert source.cursor["rooms"][HELP] == {"from": "t6"}  # 2 joins + 4 messages

    thread = Thread.objects.get(external_id=ids["root"])
    assert thread.url == f"https://matrix.to/#/{HELP}/{ids['root']}"
    assert thread.title.startswith("The VPN keeps dropping every hour")
    assert thread.category.slug == "network"
    assert set(thread.comments.values_list("external_id", flat=True)) == {
        ids["root"],
        ids["in_thread"],
        ids["quoted"],  # a rich reply to a thread message joins that thread
    }
    quoted = Comment.objects.get(external_id=ids["quoted"])
    assert quoted.raw_body == "Works now, thanks 👍"  # fallback quote gone, shortcode mapped
    assert quoted.author.display_name == "Anna Accountant"
    assert Comment.objects.get(external_id=ids["in_thread"]).author.display_name == "Ivan (IT)"
    assert Comment.objects.get(external_id=ids["other"]).author.display_name == "Bob Sales"
    assert "\U0001f621" in Comment.objects.get(external_id=ids["root"]).raw_body
    assert not Comment.objects.filter(raw_body__contains="png").exists()


def test_the_next_run_continues_from_the_saved_token_and_reads_only_new_events(
    mx, catalogue, django_capture_on_commit_callbacks
):
    conversation(mx)
    source = make_source(mx)
    collect(source, django_capture_on_commit_callbacks)
    token = source.cursor["rooms"][HELP]["from"]
    new = mx.send(HELP, BOB, "Printer on floor 3 is jammed again.", after=600)
    mx.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.seen) == ("ok", 1, 1)
    asks = [r for r, _ in mx.server.log if r.path == f"{API}/rooms/{HELP}/messages"]
    assert asks[0].args["from"] == token
    assert Comment.objects.filter(external_id=new).exists()

    mx.server.clear_log()
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert mx.requests_to(MESSAGES_RE) == 2 and len(mx.server.log) == 2  # one ask per room


def test_replies_days_later_to_old_messages_land_in_their_threads(
    mx, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(mx)
    source = make_source(mx)
    collect(source, django_capture_on_commit_callbacks)
    late = mx.thread_reply(
        HELP, ANNA, ids["root"], "Dropped again today, still bad.", after=4 * 86400
    )
    answer = mx.reply(ASK, IVAN, ids["other"], "Order one in the IT shop.")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 2)
    assert Comment.objects.get(external_id=late).thread.external_id == ids["root"]
    # The replied-to message was read in the earlier run: looked up for its thread.
    assert Comment.objects.get(external_id=answer).thread.external_id == ids["other"]
    assert mx.requests_to(rf"{API}/rooms/!ask:corp.example/event/\{ids['other']}") == 1
    assert Thread.objects.get(external_id=ids["root"]).title.startswith("The VPN")


def test_an_edit_updates_the_original_comment_in_place(
    mx, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(mx)
    same_run = mx.send(HELP, BOB, "The wifi is awful")
    mx.edit(HELP, BOB, same_run, "The wifi is fine now, great work")
    source = make_source(mx)
    first = collect(source, django_capture_on_commit_callbacks)
    assert first.created == 5
    assert Comment.objects.get(external_id=same_run).raw_body == "The wifi is fine now, great work"

    before = Comment.objects.get(external_id=ids["other"])
    assert before.compound < 0
    mx.edit(ASK, BOB, ids["other"], "Got my new laptop, it is great, thank you!")
    mx.edit(ASK, ANNA, ids["other"], "hijacked")  # someone else's edit is ignored
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.skipped) == (0, 1, 1)
    after = Comment.objects.get(external_id=ids["other"])
    assert after.pk == before.pk and after.compound > 0.05
    assert after.created_at == before.created_at and after.thread_id == before.thread_id
    assert "ignored, as the spec requires" in run.skips[0]["reason"]
    assert Comment.objects.count() == 5


def test_a_redacted_message_is_skipped_and_nothing_stored_is_deleted(
    mx, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(mx)
    source = make_source(mx)
    collect(source, django_capture_on_commit_callbacks)
    mx.redact(HELP, ids["root"], by=ANNA)
    secret = mx.send(HELP, ANNA, "my password is hunter2")
    mx.redact(HELP, secret, by=ANNA)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.skipped) == ("ok", 0, 0, 0)
    assert Comment.objects.filter(external_id=ids["root"]).exists()
    assert not Comment.objects.filter(external_id=secret).exists()


def test_notices_and_listed_bots_are_bot_voice_people_are_left_to_the_directory(
    mx, catalogue, django_capture_on_commit_callbacks
):
    StaffDirectoryEntry.objects.create(kind="person", value=IVAN, voice="it_staff")
    ids = conversation(mx)
    notice = mx.send(HELP, "@helpbot:corp.example", "Ticket opened :tada:", msgtype="m.notice")
    alert = mx.send(HELP, ALERTS, "FIRING: disk full on fs01")
    run = collect(make_source(mx, bot_user_ids=[ALERTS]), django_capture_on_commit_callbacks)
    assert run.status == "ok"
    voices = dict(Comment.objects.values_list("external_id", "voice"))
    assert voices == {
        ids["root"]: "business",
        ids["in_thread"]: "it_staff",
        ids["quoted"]: "business",
        ids["other"]: "business",
        notice: "bot",
        alert: "bot",
    }


def test_a_malformed_event_is_skipped_with_a_reason_and_the_rest_lands(
    mx, catalogue, django_capture_on_commit_callbacks
):
    conversation(mx)
    mx.add_raw(
        HELP,
        {
            "type": "m.room.message",
            "event_id": "$bad1",
            "sender": ANNA,
            "origin_server_ts": mx.clock,
            "content": {"msgtype": "m.text"},
        },
    )
    mx.add_raw(
        HELP,
        {
            "type": "m.room.message",
            "event_id": "$bad2",
            "sender": ANNA,
            "origin_server_ts": "yesterday",
            "content": {"msgtype": "m.text", "body": "hi"},
        },
    )
    mx.add_raw(HELP, "not an object")
    run = collect(make_source(mx), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 4, 3)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert reasons[f"{HELP} event $bad1"] == "message without a text body"
    assert reasons[f"{HELP} event $bad2"] == "event without a numeric origin_server_ts"
    assert reasons[f"{HELP} event #7"] == "event is not an object"
    assert run.source.cursor["rooms"][HELP]["from"] == "t9"


def test_an_unknown_token_fails_the_run_in_plain_words(
    mx, catalogue, django_capture_on_commit_callbacks
):
    conversation(mx)
    run = collect(make_source(mx, token="expired"), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "M_UNKNOWN_TOKEN" in run.error and "store its new access token" in run.error
    assert "expired" not in run.error.replace("M_UNKNOWN_TOKEN", "")  # the token never shows


def test_a_room_the_bot_has_not_joined_is_a_readable_permanent_error(
    mx, catalogue, django_capture_on_commit_callbacks
):
    conversation(mx)
    mx.joined.discard(ASK)
    run = collect(make_source(mx), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert f"the messages of room {ASK} (M_FORBIDDEN" in run.error
    assert "invite the bot user" in run.error
    assert Comment.objects.count() == 3  # the first room landed


def test_a_429_with_retry_after_is_waited_out(
    mx, httpserver, catalogue, django_capture_on_commit_callbacks
):
    conversation(mx)
    httpserver.expect_oneshot_request(f"{API}/rooms/{HELP}/messages").respond_with_response(
        Response(
            json.dumps({"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests"}),
            status=429,
            headers={"Retry-After": "1"},
            content_type="application/json",
        )
    )
    started = time.monotonic()
    run = collect(make_source(mx), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 4)


def test_a_429_with_only_retry_after_ms_in_the_body_is_waited_out(
    mx, httpserver, catalogue, django_capture_on_commit_callbacks
):
    conversation(mx)
    body = {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 1200}
    httpserver.expect_oneshot_request(f"{API}/rooms/{HELP}/messages").respond_with_response(
        Response(json.dumps(body), status=429, content_type="application/json")
    )
    started = time.monotonic()
    run = collect(make_source(mx), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 1.1  # the backoff alone would be ~0 s here
    assert (run.status, run.created) == ("ok", 4)


def test_an_old_homeserver_that_repeats_end_at_the_end_of_the_room_stops_paging(
    mx, catalogue, django_capture_on_commit_callbacks
):
    conversation(mx)
    mx.legacy_end = True
    source = make_source(mx)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 4)
    assert mx.requests_to(rf"{API}/rooms/{HELP}/messages") == 2
    assert source.cursor["rooms"][HELP] == {"from": "t6"}


def test_check_says_who_is_signed_in_and_which_rooms_are_readable(mx, catalogue):
    ok = source_check(source=make_source(mx))
    assert ok.ok, ok.message
    assert "as @earshot:corp.example" in ok.message and f"{HELP}, {ASK}" in ok.message

    mx.joined.discard(ASK)
    mx.add_room("!secret:corp.example", encrypted=True)
    rooms = [HELP, ASK, "!secret:corp.example"]
    bad = source_check(source=make_source(mx, name="bad", room_ids=rooms))
    assert not bad.ok
    assert f"has not joined {ASK}" in bad.message
    assert "!secret:corp.example is end-to-end encrypted" in bad.message

    wrong = source_check(source=make_source(mx, name="wrong", token="nope"))
    assert not wrong.ok and "M_UNKNOWN_TOKEN" in wrong.message


def test_start_date_keeps_only_later_messages(mx, catalogue, django_capture_on_commit_callbacks):
    conversation(mx)  # three days ago
    run = collect(make_source(mx, start_date="2099-01-01"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"room_ids": ["#it-help:corp.example"]}, "not a room id"),
        ({"room_ids": []}, "room_ids"),
        ({"bot_user_ids": ["alertmanager"]}, "not a Matrix user id"),
        ({"base_url": "http://matrix.corp.example"}, "https"),
        ({"page_size": 5000}, "page_size"),
    ],
)
def test_settings_are_validated(settings, words):
    base = {"base_url": "https://matrix.corp.example", "room_ids": [HELP]}
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("matrix").parse_settings({**base, **settings})


@pytest.mark.parametrize(
    ("body", "is_reply", "text"),
    [
        ("> <@anna:corp.example> VPN down?\n> again\n\nYes, sorry", True, "Yes, sorry"),
        ("> not a fallback, a quote", False, "> not a fallback, a quote"),
        ("thanks @ivan:corp.example :+1:", False, "thanks @ivan 👍"),
        ("see ```\nstack trace\n``` ugh", False, "see   ugh"),
    ],
)
def test_message_bodies_become_plain_text(body, is_reply, text):
    assert matrix_to_text(body, is_reply=is_reply) == text
