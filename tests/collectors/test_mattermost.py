"""mattermost: channel posts and thread replies, incrementally, against a fake Mattermost."""

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
from sentiment.models import Comment, StaffDirectoryEntry, Thread
from tests.fakes.mattermost import USERS_IDS, FakeMattermost, mm_id

pytestmark = pytest.mark.django_db

HELP = mm_id("c", 1)
ASK = mm_id("c", 2)
ANNA = mm_id("u", 1)
BOB = mm_id("u", 2)
IVAN = mm_id("u", 3)
JIRA_BOT = mm_id("u", 4)
POSTS_RE = r"/api/v4/channels/[a-z0-9]{26}/posts"


@pytest.fixture
def mm(httpserver: HTTPServer) -> FakeMattermost:
    fake = FakeMattermost(httpserver)
    fake.add_channel(HELP, "it-help")
    fake.add_channel(ASK, "ask-it")
    fake.add_user(ANNA, "anna", "Anna", "Accountant", "anna@corp.example")
    fake.add_user(BOB, "bob", "Bob", "Sales", "")  # e-mail hidden by privacy settings
    fake.add_user(IVAN, "ivan", "Ivan", "IT", "ivan@it.corp.example")
    fake.add_user(JIRA_BOT, "jira", "", "", "", is_bot=True)
    return fake


def make_source(mm: FakeMattermost, name: str = "chat", token: str | None = None, **settings: Any):
    base = {
        "base_url": mm.base_url,
        "team_name": "it-support",
        "channel_ids": [HELP, ASK],
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="mattermost",
        settings={**base, **settings},
        secrets={"token": mm.token if token is None else token},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def conversation(mm: FakeMattermost) -> dict[str, str]:
    root = mm.post(HELP, ANNA, "The **VPN** keeps dropping every hour :rage: this is terrible.")
    reply = mm.post(HELP, IVAN, "@anna we restarted the concentrator, please retry", root_id=root)
    thanks = mm.post(HELP, ANNA, "Works now, thanks ~it-help :+1:", root_id=root)
    mm.post(HELP, ANNA, "", type_="system_join_channel")  # "anna joined the channel"
    other = mm.post(ASK, BOB, "How do I get a new laptop? The old one is painfully slow.")
    return {"root": root, "reply": reply, "thanks": thanks, "other": other}


def test_first_run_reads_every_page_and_maps_threads_people_and_markup(
    mm, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(mm)
    source = make_source(mm, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 4, 0, "")
    # it-help has 4 posts (one a join message): pages of 2, 2, then an empty one.
    assert [r.args.get("page") for r, _ in mm.server.log if r.path.endswith(f"{HELP}/posts")] == [
        "0",
        "1",
        "2",
    ]
    first = mm.server.log[0][0]
    assert first.headers["Authorization"] == "Bearer mm-token"
    thread = Thread.objects.get(external_id=ids["root"])
    assert thread.url == f"{mm.base_url}/it-support/pl/{ids['root']}"
    assert thread.title.startswith("The VPN keeps dropping every hour")
    assert thread.category.slug == "network"
    assert set(thread.comments.values_list("external_id", flat=True)) == {
        ids["root"],
        ids["reply"],
        ids["thanks"],
    }
    root = Comment.objects.get(external_id=ids["root"])
    assert root.raw_body == "The VPN keeps dropping every hour \U0001f621 this is terrible."
    assert (root.author.display_name, root.author.email) == ("Anna Accountant", "anna@corp.example")
    assert (
        Comment.objects.get(external_id=ids["thanks"]).raw_body == "Works now, thanks #it-help 👍"
    )
    assert Comment.objects.get(external_id=ids["other"]).author.email == ""
    assert not Comment.objects.filter(raw_body="").exists()  # the join message
    assert set(source.cursor["channels"]) == {HELP, ASK}
    assert Comment.objects.scored().count() == 4


def test_the_next_run_asks_since_the_watermark_and_stores_only_the_new_post(
    mm, catalogue, django_capture_on_commit_callbacks
):
    conversation(mm)
    source = make_source(mm)
    collect(source, django_capture_on_commit_callbacks)
    watermark = source.cursor["channels"][HELP]["since"]
    new = mm.post(HELP, BOB, "Printer on floor 3 is jammed again.", after=600)
    mm.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated) == ("ok", 1, 0)
    asks = [r for r, _ in mm.server.log if r.path.endswith(f"{HELP}/posts")]
    assert len(asks) == 1
    assert asks[0].args["since"] == str(watermark - 120_000)  # the overlap window
    assert "page" not in asks[0].args
    assert Comment.objects.filter(external_id=new).exists()

    mm.server.clear_log()
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.seen, idle.created) == ("ok", 0, 0)
    assert len(mm.server.log) == 2  # one `since` per channel, no user look-up
    assert mm.requests_to(USERS_IDS, "POST") == 0


def test_a_reply_days_later_to_an_old_thread_lands_in_that_thread(
    mm, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(mm)
    source = make_source(mm)
    collect(source, django_capture_on_commit_callbacks)
    late = mm.post(
        HELP,
        ANNA,
        "It dropped again this morning, still terrible.",
        root_id=ids["root"],
        after=3 * 86400,
    )
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    comment = Comment.objects.get(external_id=late)
    assert comment.thread.external_id == ids["root"]
    assert Thread.objects.filter(external_id=ids["root"]).count() == 1
    assert comment.thread.last_activity_at == comment.created_at


def test_an_edited_post_is_updated_in_place_and_rescored(
    mm, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(mm)
    source = make_source(mm)
    collect(source, django_capture_on_commit_callbacks)
    before = Comment.objects.get(external_id=ids["other"])
    assert before.compound < 0
    mm.edit(ids["other"], "Got my new laptop today, it is great, thank you!")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated) == (0, 1)
    after = Comment.objects.get(external_id=ids["other"])
    assert after.pk == before.pk and after.compound > 0.05
    assert Comment.objects.count() == 4


def test_a_deleted_post_is_not_collected_and_nothing_stored_is_removed(
    mm, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(mm)
    source = make_source(mm)
    collect(source, django_capture_on_commit_callbacks)
    mm.delete(ids["reply"])
    gone = mm.post(ASK, BOB, "oops wrong channel")
    mm.delete(gone)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.skipped) == ("ok", 0, 0, 0)
    assert Comment.objects.filter(external_id=ids["reply"]).exists()
    assert not Comment.objects.filter(external_id=gone).exists()


def test_bots_webhooks_and_integration_posts_are_bot_voice_people_are_left_to_the_directory(
    mm, catalogue, django_capture_on_commit_callbacks
):
    StaffDirectoryEntry.objects.create(kind="domain", value="it.corp.example", voice="it_staff")
    ids = conversation(mm)
    bot = mm.post(HELP, JIRA_BOT, "Ticket INC-42 was resolved :tada:")
    hook = mm.post(
        HELP, ANNA, "Build failed :x:", props={"from_webhook": "true", "override_username": "CI"}
    )
    card = mm.post(HELP, ANNA, "Alert: disk full", type_="slack_attachment")
    run = collect(make_source(mm), django_capture_on_commit_callbacks)
    assert run.status == "ok"
    voices = dict(Comment.objects.values_list("external_id", "voice"))
    assert voices == {
        ids["root"]: "business",
        ids["reply"]: "it_staff",  # the directory: Ivan's e-mail domain
        ids["thanks"]: "business",
        ids["other"]: "business",
        bot: "bot",
        hook: "bot",
        card: "bot",
    }
    assert Comment.objects.get(external_id=hook).author.display_name == "CI"
    assert set(Comment.objects.business().values_list("external_id", flat=True)) == {
        ids["root"],
        ids["thanks"],
        ids["other"],
    }


def test_a_malformed_post_is_skipped_with_a_reason_and_the_rest_lands(
    mm, catalogue, django_capture_on_commit_callbacks
):
    conversation(mm)
    mm.add_raw(mm_id("x", 1), {"id": mm_id("x", 1), "message": "no date"}, channel_id=HELP)
    mm.add_raw(mm_id("x", 2), "not an object", channel_id=HELP)
    run = collect(make_source(mm), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 4, 2)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert reasons[f"post {mm_id('x', 1)}"] == "post without a numeric create_at"
    assert reasons[f"post {mm_id('x', 2)}"] == "post is not an object"
    assert run.source.cursor["channels"][HELP]["since"] > 0


def test_a_bad_token_fails_the_run_with_a_readable_message(
    mm, catalogue, django_capture_on_commit_callbacks
):
    conversation(mm)
    run = collect(make_source(mm, token="wrong"), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "401" in run.error and "Invalid or expired session" in run.error
    assert "personal access token" in run.error
    assert "wrong" not in run.error  # the token is never echoed
    assert Comment.objects.count() == 0


def test_a_channel_the_bot_may_not_read_is_a_readable_permanent_error(
    mm, catalogue, django_capture_on_commit_callbacks
):
    conversation(mm)
    mm.refuse[f"/api/v4/channels/{ASK}"] = (403, "You do not have the appropriate permissions.")
    run = collect(make_source(mm), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert f"channel {ASK} (403)" in run.error and "Add the bot" in run.error
    assert "appropriate permissions" in run.error
    assert Comment.objects.count() == 3  # it-help landed before


def test_a_429_with_retry_after_is_waited_out(
    mm, httpserver, catalogue, django_capture_on_commit_callbacks
):
    conversation(mm)
    httpserver.expect_oneshot_request(f"/api/v4/channels/{HELP}/posts").respond_with_response(
        Response("limit exceeded\n", status=429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    run = collect(make_source(mm), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 4)


def test_an_answer_at_the_since_cap_is_completed_by_pages(
    mm, catalogue, django_capture_on_commit_callbacks
):
    conversation(mm)
    source = make_source(mm, channel_ids=[HELP])
    collect(source, django_capture_on_commit_callbacks)
    new = [mm.post(HELP, BOB, f"Printer {n} is broken again.", after=300) for n in range(5)]
    mm.since_cap = 3  # the server's cap is 1000; the rule is the same
    mm.server.clear_log()
    from collectors import mattermost

    cap, mattermost.SINCE_CAP = mattermost.SINCE_CAP, 3
    try:
        run = collect(source, django_capture_on_commit_callbacks)
    finally:
        mattermost.SINCE_CAP = cap
    assert (run.status, run.created) == ("ok", 5)
    assert set(new) <= set(Comment.objects.values_list("external_id", flat=True))
    assert [("since" in r.args, "page" in r.args) for r, _ in mm.server.log if "posts" in r.path][
        :2
    ] == [(True, False), (False, True)]


def test_check_says_who_is_signed_in_and_which_channels_are_readable(mm, catalogue):
    ok = source_check(source=make_source(mm))
    assert ok.ok, ok.message
    assert "as @earshot-bot (bot)" in ok.message and "~it-help, ~ask-it" in ok.message

    mm.refuse[f"/api/v4/channels/{ASK}"] = (403, "You do not have the appropriate permissions.")
    partly = source_check(source=make_source(mm, name="partly"))
    assert not partly.ok
    assert "~it-help" in partly.message and f"channel {ASK} (403)" in partly.message

    wrong_team = source_check(source=make_source(mm, name="team", team_name="nope"))
    assert not wrong_team.ok and "Team 'nope' was not found" in wrong_team.message

    bad = source_check(source=make_source(mm, name="bad", token="nope"))
    assert not bad.ok and "401" in bad.message


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"channel_ids": ["town-square"]}, "not a Mattermost channel id"),
        ({"channel_ids": []}, "channel_ids"),
        ({"team_name": "IT Support"}, "team's URL name"),
        ({"base_url": "http://chat.corp.example", "allow_insecure_http": False}, "https"),
        ({"page_size": 500}, "page_size"),
    ],
)
def test_settings_are_validated(settings, words):
    base = {"base_url": "https://chat.corp.example", "team_name": "it", "channel_ids": [HELP]}
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("mattermost").parse_settings({**base, **settings})


def test_channel_ids_may_be_given_as_one_comma_separated_string():
    parsed = connector_class("mattermost").parse_settings(
        {
            "base_url": "https://chat.corp.example",
            "team_name": "it",
            "channel_ids": f"{HELP}, {ASK}",
        }
    )
    assert parsed.channel_ids == [HELP, ASK]


def test_start_date_limits_the_first_backfill(mm, catalogue, django_capture_on_commit_callbacks):
    conversation(mm)  # three days ago
    run = collect(make_source(mm, start_date="2099-01-01"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)


def test_an_unknown_channel_says_which_id_to_check(
    mm, catalogue, django_capture_on_commit_callbacks
):
    missing = mm_id("c", 9)
    run = collect(make_source(mm, channel_ids=[missing]), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert f"found nothing for the posts of channel {missing} (404)" in run.error
    assert "Unable to find the existing channel" in run.error
