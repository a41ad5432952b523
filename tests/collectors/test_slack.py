"""slack: channel history, thread replies and authors, incrementally, against a fake Slack."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from collectors.base import ConnectorConfigError
from collectors.models import Source, SyncRun
from collectors.registry import connector_class
from collectors.services import source_check, source_collect, source_create
from collectors.slack import _ts_time
from collectors.slack.markup import slack_to_text
from sentiment.models import Comment, Thread
from tests.fakes.slack import DAY, FakeSlack

pytestmark = pytest.mark.django_db

IT_HELP = "C0ITHELP1"
ASK_IT = "C0ASKIT22"


@pytest.fixture
def slack(httpserver: HTTPServer) -> FakeSlack:
    fake = FakeSlack(httpserver)
    fake.add_channel(IT_HELP, "it-help")
    fake.add_channel(ASK_IT, "ask-it")
    fake.add_user("U0ANNA", "Anna Accountant", "anna@corp.example", display_name="anna")
    fake.add_user("U0BOB", "Bob Sales", "bob@corp.example")
    fake.add_user("U0IVAN", "Ivan IT", "ivan@it.corp.example")
    fake.add_user("U0STATUS", "Status Bot", is_bot=True)
    fake.add_user("U0WORKFLOW", "Workflow App", is_app_user=True)
    return fake


def make_source(
    fake: FakeSlack, name: str = "chat", token: str | None = None, **settings: Any
) -> Source:
    base = {
        "channels": [IT_HELP],
        "base_url": fake.base_url,
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
        "requests_per_minute": 0,
    }
    return source_create(
        name=name,
        kind="slack",
        settings={**base, **settings},
        secrets={"bot_token": fake.token if token is None else token},
    )


def collect(source: Source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def link(channel: str, ts: str) -> str:
    return f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"


def test_backfill_reads_history_pages_threads_and_authors(
    slack, catalogue, django_capture_on_commit_callbacks
):
    p1 = slack.post(IT_HELP, "U0ANNA", "The VPN keeps dropping every hour, this is terrible")
    r1 = slack.post(IT_HELP, "U0IVAN", "Restarted the concentrator <@U0ANNA>, retry?", thread=p1)
    r2 = slack.post(IT_HELP, "U0ANNA", "Works now, thanks! :tada:", thread=p1)
    p2 = slack.post(
        IT_HELP,
        "U0BOB",
        "Printer on floor 3 is jammed &amp; blinking <https://wiki.corp.example/p|see wiki>",
    )
    slack.post(IT_HELP, "U0BOB", "<@U0BOB> has joined the channel", subtype="channel_join")
    last = slack.post(IT_HELP, None, "Nightly backup", subtype="bot_message", bot_id="B0CI")

    run = collect(make_source(slack, page_size=2), django_capture_on_commit_callbacks)

    assert (run.status, run.created, run.skipped, run.error) == ("ok", 5, 0, "")
    history = slack.calls("conversations.history")
    assert len(history) == 2  # 4 parents (the join included) in pages of 2
    assert "cursor" not in history[0].args and history[1].args["cursor"]
    assert history[0].headers["Authorization"] == f"Bearer {slack.token}"
    # The one thread, in pages of 2 (parent first).
    assert {c.args["ts"] for c in slack.calls("conversations.replies")} == {p1}
    assert slack.requests_to("users.info") == 3  # Anna, Ivan, Bob: once each per run

    thread = Thread.objects.get(external_id=f"{IT_HELP}:{p1}")
    assert thread.title == "#it-help: The VPN keeps dropping every hour, this is terrible"
    assert thread.url == link(IT_HELP, p1)
    assert thread.comments.count() == 3
    reply = Comment.objects.get(external_id=f"{IT_HELP}:{r1}")
    assert reply.thread_id == thread.pk
    assert reply.raw_body == "Restarted the concentrator @anna, retry?"
    assert Comment.objects.get(external_id=f"{IT_HELP}:{r2}").raw_body == "Works now, thanks! 🎉"
    printer = Comment.objects.get(external_id=f"{IT_HELP}:{p2}")
    assert printer.raw_body == "Printer on floor 3 is jammed & blinking see wiki"
    assert printer.thread.external_id == f"{IT_HELP}:{p2}"  # a thread of one
    anna = Comment.objects.get(external_id=f"{IT_HELP}:{p1}").author
    assert (anna.display_name, anna.email) == ("Anna Accountant", "anna@corp.example")
    assert printer.created_at == _ts_time(p2)
    assert not Comment.objects.filter(raw_body__contains="joined").exists()
    cursor = run.source.cursor
    assert cursor["workspace_url"] == "https://acme.slack.com"
    assert cursor["channels"][IT_HELP]["top"] == last
    assert cursor["channels"][IT_HELP]["threads"] == {p1: {"seen": r2, "latest": r2}}


def test_a_late_reply_and_a_first_reply_days_later_are_collected_on_the_next_run(
    slack, catalogue, django_capture_on_commit_callbacks
):
    p1 = slack.post(IT_HELP, "U0ANNA", "Outlook crashes when I open attachments")
    slack.post(IT_HELP, "U0IVAN", "Which version are you on?", thread=p1)
    p2 = slack.post(IT_HELP, "U0BOB", "Anyone else unable to reach the intranet?")
    source = make_source(slack)
    first = collect(source, django_capture_on_commit_callbacks)
    assert (first.status, first.created) == ("ok", 3)

    # Days later: a reply to the known thread, and the first reply to the lone message.
    # Slack does not bump either parent in history.
    late = slack.post(IT_HELP, "U0ANNA", "Still crashing, I lose hours every day", thread=p1)
    answer = slack.post(IT_HELP, "U0IVAN", "The proxy was down, fixed now", thread=p2)
    slack.server.clear_log()
    second = collect(source, django_capture_on_commit_callbacks)
    assert (second.status, second.created, second.updated) == ("ok", 2, 0)
    assert {c.args["ts"] for c in slack.calls("conversations.replies")} == {p1, p2}
    assert Comment.objects.get(external_id=f"{IT_HELP}:{late}").thread.external_id == (
        f"{IT_HELP}:{p1}"
    )
    assert Comment.objects.get(external_id=f"{IT_HELP}:{answer}").thread.external_id == (
        f"{IT_HELP}:{p2}"
    )
    assert source.cursor["channels"][IT_HELP]["threads"][p2]["seen"] == answer

    slack.server.clear_log()
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert slack.requests_to("conversations.replies") == 0  # history shows nothing newer
    assert slack.requests_to("conversations.history") == 1


def test_a_thread_older_than_the_window_is_polled_until_quiet(
    slack, catalogue, django_capture_on_commit_callbacks
):
    now = time.time()
    quiet = slack.post(IT_HELP, "U0ANNA", "Old question", at=now - 30 * DAY)
    slack.post(IT_HELP, "U0IVAN", "Old answer", thread=quiet, at=now - 30 * DAY + 60)
    alive = slack.post(IT_HELP, "U0BOB", "My badge does not open door 4", at=now - 20 * DAY)
    slack.post(IT_HELP, "U0IVAN", "Reprogrammed it", thread=alive, at=now - 3 * DAY)
    source = make_source(slack)
    first = collect(source, django_capture_on_commit_callbacks)
    assert (first.status, first.created) == ("ok", 4)  # the backfill reads both threads
    threads = source.cursor["channels"][IT_HELP]["threads"]
    assert set(threads) == {alive}  # the quiet one is dropped once read

    # The parent is beyond the history window now: only a replies call can see this.
    reply = slack.post(IT_HELP, "U0BOB", "Works again, thanks!", thread=alive, at=now - 2 * DAY)
    slack.server.clear_log()
    second = collect(source, django_capture_on_commit_callbacks)
    assert (second.status, second.created) == ("ok", 1)
    assert [c.args["ts"] for c in slack.calls("conversations.replies")] == [alive]
    assert Comment.objects.get(external_id=f"{IT_HELP}:{reply}").thread.external_id == (
        f"{IT_HELP}:{alive}"
    )

    # Quiet for longer than active_thread_days: no longer polled, forgotten.
    source.settings = {**source.settings, "active_thread_days": 1}
    source.save()
    slack.server.clear_log()
    third = collect(source, django_capture_on_commit_callbacks)
    assert (third.status, third.created) == ("ok", 0)
    assert slack.requests_to("conversations.replies") == 0
    assert source.cursor["channels"][IT_HELP]["threads"] == {}


def test_bot_and_app_messages_are_bot_voice_and_channel_events_are_skipped_silently(
    slack, catalogue, django_capture_on_commit_callbacks
):
    slack.post(IT_HELP, "U0ANNA", "The Wi-Fi on floor 2 is awful again")
    slack.post(IT_HELP, None, "Incident INC123 opened", subtype="bot_message", bot_id="B0PD")
    slack.post(IT_HELP, "U0STATUS", "All systems operational")
    slack.post(IT_HELP, "U0WORKFLOW", "Please fill in the access request form")
    slack.post(IT_HELP, "U0IVAN", "Rolling out a fix", bot_id="B0INTEGRATION")
    slack.post(IT_HELP, "U0BOB", "<@U0BOB> has joined the channel", subtype="channel_join")
    slack.post(IT_HELP, "U0IVAN", "set the topic: VPN", subtype="channel_topic")
    slack.post(IT_HELP, "U0BOB", "", files=[{"id": "F1", "name": "screenshot.png"}])

    run = collect(make_source(slack), django_capture_on_commit_callbacks)

    assert (run.status, run.created, run.skipped) == ("ok", 5, 0)
    voices = dict(Comment.objects.values_list("raw_body", "voice"))
    assert voices == {
        "The Wi-Fi on floor 2 is awful again": "business",
        "Incident INC123 opened": "bot",
        "All systems operational": "bot",
        "Please fill in the access request form": "bot",
        "Rolling out a fix": "bot",
    }
    assert list(Comment.objects.business().values_list("raw_body", flat=True)) == [
        "The Wi-Fi on floor 2 is awful again"
    ]


def test_collecting_again_creates_nothing_and_a_full_run_changes_nothing(
    slack, catalogue, django_capture_on_commit_callbacks
):
    p1 = slack.post(IT_HELP, "U0ANNA", "SAP is slow")
    slack.post(IT_HELP, "U0IVAN", "Looking into it", thread=p1)
    slack.post(IT_HELP, "U0BOB", "Teams calls keep freezing")
    source = make_source(slack)
    collect(source, django_capture_on_commit_callbacks)
    counts = (Comment.objects.count(), Thread.objects.count())
    again = collect(source, django_capture_on_commit_callbacks)
    full = collect(source, django_capture_on_commit_callbacks, full=True)
    assert (again.created, again.updated) == (0, 0)
    assert (full.status, full.created, full.updated, full.unchanged) == ("ok", 0, 0, 3)
    assert (Comment.objects.count(), Thread.objects.count()) == counts == (3, 2)


def test_an_edited_message_updates_in_place(slack, catalogue, django_capture_on_commit_callbacks):
    p1 = slack.post(IT_HELP, "U0ANNA", "The new laptop is great")
    r1 = slack.post(IT_HELP, "U0IVAN", "Glad to hear", thread=p1)
    source = make_source(slack)
    collect(source, django_capture_on_commit_callbacks)
    before = Comment.objects.get(external_id=f"{IT_HELP}:{p1}")
    assert before.compound > 0.05

    slack.edit(IT_HELP, p1, "The new laptop is terrible, the battery dies in an hour")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated) == (0, 1)
    after = Comment.objects.get(external_id=f"{IT_HELP}:{p1}")
    assert after.pk == before.pk and "terrible" in after.raw_body
    assert after.compound < -0.05  # re-scored

    # An edited reply is picked up when its thread is read again.
    slack.edit(IT_HELP, r1, "Glad to hear (edited)")
    slack.post(IT_HELP, "U0ANNA", "Any news?", thread=p1)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated) == (1, 1)
    assert Comment.objects.get(external_id=f"{IT_HELP}:{r1}").raw_body.endswith("(edited)")
    assert Comment.objects.count() == 3


def test_a_reply_also_sent_to_the_channel_is_stored_once_in_its_thread(
    slack, catalogue, django_capture_on_commit_callbacks
):
    p1 = slack.post(IT_HELP, "U0ANNA", "Is e-mail down?")
    b1 = slack.post(
        IT_HELP, "U0IVAN", "Yes, restoring it now", thread=p1, subtype="thread_broadcast"
    )
    run = collect(make_source(slack), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 2)
    broadcast = Comment.objects.get(external_id=f"{IT_HELP}:{b1}")
    assert broadcast.thread.external_id == f"{IT_HELP}:{p1}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi <@U0ANNA>, see <#C0ASKIT22|ask-it>", "hi @anna, see #ask-it"),
        ("<!here> VPN is down <!channel>", "VPN is down"),
        (
            "<https://status.corp.example|status page> and <https://x.example>",
            "status page and https://x.example",
        ),
        ("a &lt;b&gt; &amp;amp; c", "a <b> &amp; c"),
        ("mail <mailto:it@corp.example|it@corp.example>", "mail it@corp.example"),
        ("<!subteam^S0IT|@it-team> help", "@it-team help"),
        ("<!date^1392734382^{date}|Feb 18th> outage", "Feb 18th outage"),
        ("*thanks* :+1: `code`", "thanks 👍 code"),
        ("ping <@U0UNKNOWN>", "ping @U0UNKNOWN"),
    ],
)
def test_slack_markup_becomes_plain_text(text, expected):
    names = {"U0ANNA": "anna"}
    assert slack_to_text(text, user_name=lambda uid: names.get(uid, "")) == expected


def test_a_429_with_retry_after_is_waited_out(
    slack, httpserver, catalogue, django_capture_on_commit_callbacks
):
    slack.post(IT_HELP, "U0ANNA", "Printer broken")
    httpserver.expect_oneshot_request("/api/conversations.history").respond_with_response(
        Response(
            '{"ok": false, "error": "ratelimited"}',
            status=429,
            headers={"Retry-After": "1"},
            content_type="application/json",
        )
    )
    started = time.monotonic()
    run = collect(make_source(slack), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 1)


def test_history_and_replies_calls_are_paced(slack, catalogue, django_capture_on_commit_callbacks):
    p1 = slack.post(IT_HELP, "U0ANNA", "Laptop slow")
    slack.post(IT_HELP, "U0IVAN", "Reimaging it", thread=p1)
    started = time.monotonic()
    run = collect(make_source(slack, requests_per_minute=120), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 2)
    assert time.monotonic() - started >= 0.45  # history then replies, 0.5 s apart


def test_a_malformed_message_is_skipped_with_a_reason_and_the_rest_lands(
    slack, catalogue, django_capture_on_commit_callbacks
):
    slack.post(IT_HELP, "U0ANNA", "Okay message")
    slack.messages[IT_HELP].append({"type": "message", "user": "U0BOB", "text": "x", "ts": "soon"})
    bad_text = slack.post(IT_HELP, "U0BOB", "placeholder")
    slack.find(IT_HELP, bad_text)["text"] = {"not": "a string"}
    run = collect(make_source(slack), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 1, 2)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert "Slack timestamp" in reasons[f"{IT_HELP} message #3 of a page"]
    assert reasons[f"{IT_HELP}:{bad_text}"] == "message text is not a string"


def test_a_failure_mid_history_keeps_the_pages_stored_and_resumes_below_them(
    slack, catalogue, django_capture_on_commit_callbacks
):
    posted = [slack.post(IT_HELP, "U0ANNA", f"Message {n} about the VPN") for n in range(5)]
    slack.intercept = lambda method, args: (
        Response("upstream trouble", status=503)
        if method == "conversations.history" and args.get("cursor")
        else None
    )
    source = make_source(slack, page_size=2)
    failed = collect(source, django_capture_on_commit_callbacks)
    assert failed.status == "failed" and "will retry" in failed.error
    assert failed.created == 2  # the newest page landed with its cursor
    assert source.cursor["channels"][IT_HELP]["pass"]["latest"] == posted[3]

    slack.intercept = None
    slack.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    first = slack.calls("conversations.history")[0]
    assert first.args["latest"] == posted[3] and "cursor" not in first.args
    assert "pass" not in source.cursor["channels"][IT_HELP]
    assert source.cursor["channels"][IT_HELP]["top"] == posted[4]


def test_a_bad_token_fails_the_run_with_a_readable_message(
    slack, catalogue, django_capture_on_commit_callbacks
):
    slack.post(IT_HELP, "U0ANNA", "hello")
    run = collect(make_source(slack, token="xoxb-wrong"), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "invalid_auth" in run.error and "bot_token" in run.error
    assert "xoxb-wrong" not in run.error
    assert Comment.objects.count() == 0


def test_a_missing_scope_is_named(slack, catalogue, django_capture_on_commit_callbacks):
    slack.post(IT_HELP, "U0ANNA", "hello")
    slack.scopes.remove("channels:history")
    run = collect(make_source(slack), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "lacks the scope channels:history" in run.error
    assert "Bot Token Scopes" in run.error


def test_an_unknown_or_uninvited_channel_is_named_and_the_others_are_collected(
    slack, catalogue, django_capture_on_commit_callbacks
):
    slack.post(IT_HELP, "U0ANNA", "The VPN is fine today, thanks")
    slack.channels[ASK_IT]["is_member"] = False
    source = make_source(slack, channels=[IT_HELP, ASK_IT, "C0NOSUCH1"])
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert run.created == 1  # #it-help was collected
    assert f"not a member of channel {ASK_IT}" in run.error and "/invite" in run.error
    assert "C0NOSUCH1 was not found" in run.error


def test_check_says_which_channels_are_reachable_and_why_not(slack, catalogue):
    ok = source_check(source=make_source(slack, channels=[IT_HELP, ASK_IT]))
    assert ok.ok, ok.message
    assert "earshot in Acme (https://acme.slack.com)" in ok.message
    assert f"#it-help ({IT_HELP}), #ask-it ({ASK_IT})" in ok.message

    slack.channels[ASK_IT]["is_member"] = False
    partly = source_check(
        source=make_source(slack, "partly", channels=[IT_HELP, "C0NOSUCH1", ASK_IT])
    )
    assert not partly.ok
    assert f"Reachable: #it-help ({IT_HELP})." in partly.message
    assert "C0NOSUCH1 was not found" in partly.message
    assert f"#ask-it ({ASK_IT}): the app is not a member" in partly.message
    assert "/invite @earshot" in partly.message

    slack.scopes.remove("users:read.email")
    no_email = source_check(source=make_source(slack, "no-email"))
    assert not no_email.ok and "lacks the scope(s) users:read.email" in no_email.message

    bad = source_check(source=make_source(slack, "bad", token="xoxb-nope"))
    assert not bad.ok and "invalid_auth" in bad.message and "xoxb-nope" not in bad.message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"channels": ["#it-help"]}, "give channel ids"),
        ({"channels": []}, "channels"),
        ({}, "channels"),
        ({"channels": [IT_HELP], "page_size": 1000}, "page_size"),
        ({"channels": [IT_HELP], "base_url": "http://slack.example/api"}, "must use https"),
        ({"channels": [IT_HELP], "workspace_url": "http://acme.slack.com"}, "must use https"),
        ({"channels": [IT_HELP], "token": "xoxb-1"}, "token"),
    ],
)
def test_settings_are_validated(settings, words):
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("slack").parse_settings(settings)


def test_channels_may_be_given_comma_separated():
    parsed = connector_class("slack").parse_settings({"channels": f"{IT_HELP}, {ASK_IT}"})
    assert parsed.channels == [IT_HELP, ASK_IT]
