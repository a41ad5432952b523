"""teams: channel posts (delta) and their replies (active threads), against a fake Graph."""

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
from collectors.teams import clear_token_cache
from collectors.teams.html import teams_html_to_text
from sentiment.models import Comment, StaffDirectoryEntry, Thread
from tests.fakes.teams import CLIENT, TEAM, TENANT, FakeGraph

pytestmark = pytest.mark.django_db

HELP = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
ASK = "19:0b1c2d3e4f5061728394a5b6c7d8e9f0@thread.tacv2"
ANNA = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
IVAN = "33333333-3333-4333-8333-333333333333"
BOT_APP = "44444444-4444-4444-8444-444444444444"
TOKEN_PATH = f"/{TENANT}/oauth2/v2.0/token"
DELTA_RE = r"/v1\.0/teams/[^/]+/channels/[^/]+/messages/delta"
REPLIES_RE = r"/v1\.0/teams/[^/]+/channels/[^/]+/messages/[^/]+/replies"


@pytest.fixture
def graph(httpserver: HTTPServer) -> FakeGraph:
    clear_token_cache()
    fake = FakeGraph(httpserver)
    fake.add_channel(HELP, "IT help")
    fake.add_channel(ASK, "Ask IT")
    fake.add_user(ANNA, "Anna Accountant", "anna@corp.example")
    fake.add_user(BOB, "Bob Sales", "", upn="bob@corp.example")
    fake.add_user(IVAN, "Ivan IT", "ivan@it.corp.example")
    yield fake
    clear_token_cache()


def make_source(graph: FakeGraph, name: str = "teams", secret: str | None = None, **settings: Any):
    base = {
        "tenant_id": TENANT,
        "client_id": CLIENT,
        "team_id": TEAM,
        "channel_ids": [HELP, ASK],
        "graph_base_url": graph.graph_base_url,
        "login_base_url": graph.login_base_url,
        "allow_insecure_http": True,
        "allow_private_network": True,
        "retry_backoff": 0.01,
    }
    return source_create(
        name=name,
        kind="teams",
        settings={**base, **settings},
        secrets={"client_secret": graph.secret if secret is None else secret},
    )


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


def conversation(graph: FakeGraph) -> dict[str, str]:
    root = graph.post(
        HELP,
        ANNA,
        "<p>The <b>VPN</b> keeps dropping every hour "
        '<emoji id="angry" alt="😠" title="Angry"></emoji> this is terrible.</p>',
    )
    reply = graph.reply(
        HELP, root, IVAN, '<p><at id="0">Anna Accountant</at> we restarted the concentrator.</p>'
    )
    thanks = graph.reply(HELP, root, ANNA, "<p>Works now, thanks!</p>")
    graph.post(HELP, ANNA, "<systemEventMessage/>", message_type="systemEventMessage")
    card = graph.post(HELP, BOT_APP, "<p>Ticket INC0042 was resolved.</p>", app=True)
    other = graph.post(
        ASK,
        BOB,
        "<div>How do I get a new laptop? The old one is painfully slow.</div>",
        subject="New laptop",
    )
    return {
        "root": root,
        "reply": reply,
        "thanks": thanks,
        "card": card,
        "other": other,
    }


def ext(cid: str, mid: str) -> str:
    return f"{cid}/{mid}"


def test_first_run_pages_the_delta_reads_every_thread_and_maps_people_and_html(
    graph, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(graph)
    source = make_source(graph, page_size=2)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 5, 0, "")
    token_request = graph.server.log[0][0]
    assert token_request.path == TOKEN_PATH
    assert dict(token_request.form) == {
        "client_id": CLIENT,
        "client_secret": graph.secret,
        "scope": "https://graph.microsoft.com/.default",
        "grant_type": "client_credentials",
    }
    deltas = [r for r, _ in graph.server.log if r.path.endswith(f"{HELP}/messages/delta")]
    assert deltas[0].args["$top"] == "2" and "$skiptoken" in deltas[1].args
    assert deltas[0].headers["Authorization"] == "Bearer eyJ0eXAi.fake-1"
    assert graph.requests_to(TOKEN_PATH, "POST") == 1

    thread = Thread.objects.get(external_id=ext(HELP, ids["root"]))
    assert thread.url.startswith("https://teams.microsoft.com/l/message/")
    assert thread.title.startswith("The VPN keeps dropping every hour")
    assert thread.category.slug == "network"
    assert set(thread.comments.values_list("external_id", flat=True)) == {
        ext(HELP, ids["root"]),
        ext(HELP, ids["reply"]),
        ext(HELP, ids["thanks"]),
    }
    root = Comment.objects.get(external_id=ext(HELP, ids["root"]))
    assert root.raw_body == "The VPN keeps dropping every hour 😠 this is terrible."
    assert root.author.display_name == "Anna Accountant"
    reply = Comment.objects.get(external_id=ext(HELP, ids["reply"]))
    assert reply.raw_body == "@Anna Accountant we restarted the concentrator."
    assert Thread.objects.get(external_id=ext(ASK, ids["other"])).title == "New laptop"
    cursor = source.cursor["channels"][HELP]
    assert "$deltatoken=" in cursor["delta"]
    assert set(cursor["threads"]) == {ids["root"], ids["card"]}


def test_the_next_run_uses_the_delta_link_and_stores_only_what_is_new(
    graph, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    source = make_source(graph)
    collect(source, django_capture_on_commit_callbacks)
    link = source.cursor["channels"][HELP]["delta"]
    new = graph.post(HELP, BOB, "<p>Printer on floor 3 is jammed again.</p>")
    graph.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated) == ("ok", 1, 0)
    delta = [r for r, _ in graph.server.log if r.path.endswith(f"{HELP}/messages/delta")][0]
    assert delta.url == link
    assert Comment.objects.filter(external_id=ext(HELP, new)).exists()
    assert graph.requests_to(TOKEN_PATH, "POST") == 0  # the token is cached across runs

    graph.server.clear_log()
    idle = collect(source, django_capture_on_commit_callbacks)
    assert (idle.status, idle.created, idle.updated, idle.seen) == ("ok", 0, 0, 0)
    # One delta per channel, and one replies read per thread still active.
    assert graph.requests_to(DELTA_RE) == 2
    assert graph.requests_to(REPLIES_RE) == 4  # root, card, new (it-help) + other (ask-it)


def test_a_reply_days_later_to_an_old_post_is_collected_into_its_thread(
    graph, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(graph)
    source = make_source(graph)
    collect(source, django_capture_on_commit_callbacks)
    late = graph.reply(
        HELP, ids["root"], ANNA, "<p>It dropped again today, still bad.</p>", after=3 * 1440
    )
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    comment = Comment.objects.get(external_id=ext(HELP, late))
    assert comment.thread.external_id == ext(HELP, ids["root"])
    assert comment.thread.title.startswith("The VPN")  # the stored title stays


def test_a_thread_quiet_for_longer_than_active_thread_days_is_no_longer_re_read(
    graph, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    source = make_source(graph, active_thread_days=1)  # the conversation is 3 days old
    collect(source, django_capture_on_commit_callbacks)
    graph.server.clear_log()
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "ok"
    assert graph.requests_to(REPLIES_RE) == 0
    assert source.cursor["channels"].get(HELP, {}).get("threads", {}) == {}


def test_edits_update_comments_in_place(graph, catalogue, django_capture_on_commit_callbacks):
    ids = conversation(graph)
    source = make_source(graph)
    collect(source, django_capture_on_commit_callbacks)
    before = Comment.objects.get(external_id=ext(ASK, ids["other"]))
    assert before.compound < 0
    graph.edit(ASK, ids["other"], "<p>Got my new laptop, it is great, thank you!</p>")
    graph.edit(HELP, ids["thanks"], "<p>Works now, thanks so much, great job!</p>")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated) == (0, 2)
    after = Comment.objects.get(external_id=ext(ASK, ids["other"]))
    assert after.pk == before.pk and after.compound > 0.05
    assert "great job" in Comment.objects.get(external_id=ext(HELP, ids["thanks"])).raw_body


def test_deleted_messages_are_skipped_and_nothing_stored_is_removed(
    graph, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(graph)
    source = make_source(graph)
    collect(source, django_capture_on_commit_callbacks)
    graph.delete(HELP, ids["reply"])
    gone = graph.post(HELP, BOB, "<p>oops</p>")
    graph.delete(HELP, gone)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated, run.skipped) == ("ok", 0, 0, 0)
    assert Comment.objects.filter(external_id=ext(HELP, ids["reply"])).exists()
    assert not Comment.objects.filter(external_id=ext(HELP, gone)).exists()
    assert gone not in source.cursor["channels"][HELP]["threads"]


def test_app_messages_are_bot_voice_and_resolved_emails_feed_the_directory(
    graph, catalogue, django_capture_on_commit_callbacks
):
    StaffDirectoryEntry.objects.create(kind="domain", value="it.corp.example", voice="it_staff")
    ids = conversation(graph)
    graph.reply(HELP, ids["root"], IVAN, "<p>Also patched the client.</p>")
    run = collect(make_source(graph, resolve_emails=True), django_capture_on_commit_callbacks)
    assert run.status == "ok"
    voices = {
        ext_id.split("/")[1]: voice
        for ext_id, voice in Comment.objects.values_list("external_id", "voice")
    }
    assert voices[ids["root"]] == "business"
    assert voices[ids["reply"]] == "it_staff"  # Ivan's e-mail domain
    assert voices[ids["card"]] == "bot"
    assert voices[ids["other"]] == "business"
    assert (
        Comment.objects.get(external_id=ext(ASK, ids["other"])).author.email == "bob@corp.example"
    )
    # One look-up per person, however many messages they wrote.
    assert graph.requests_to(rf"/v1\.0/users/{IVAN}") == 1
    assert graph.server.log[-1][0].path != "/v1.0/users"


def test_a_malformed_reply_is_skipped_with_a_reason_and_the_rest_lands(
    graph, catalogue, django_capture_on_commit_callbacks
):
    ids = conversation(graph)
    graph.add_raw_reply(HELP, ids["root"], {"id": "999", "messageType": "message", "body": {}})
    graph.add_raw_reply(HELP, ids["root"], "not an object")
    run = collect(make_source(graph), django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 5, 2)
    reasons = {s["item"]: s["reason"] for s in run.skips}
    assert reasons[f"channel {HELP} reply 999 to {ids['root']}"] == "without createdDateTime"
    assert reasons[f"channel {HELP} reply #1 to {ids['root']}"] == "message is not an object"


def test_an_expired_token_is_replaced_once_and_the_run_goes_on(
    graph, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    source = make_source(graph)
    collect(source, django_capture_on_commit_callbacks)
    graph.revoke_tokens()
    graph.post(HELP, BOB, "<p>Printer on floor 3 is jammed again.</p>")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 1)
    assert graph.requests_to(TOKEN_PATH, "POST") == 2


def test_a_wrong_client_secret_fails_with_a_readable_message_that_hides_the_secret(
    graph, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    run = collect(
        make_source(graph, secret="wrong-secret-value"), django_capture_on_commit_callbacks
    )
    assert run.status == "failed"
    assert "AADSTS7000215" in run.error and "client secret" in run.error
    assert "wrong-secret-value" not in run.error and graph.secret not in run.error


def test_a_missing_permission_names_it(graph, catalogue, django_capture_on_commit_callbacks):
    conversation(graph)
    graph.refuse["/v1.0/teams/"] = (
        403,
        "Forbidden",
        "Missing role permissions on the request. API requires one of "
        "'ChannelMessage.Read.All, ChannelMessage.Read.Group'. Roles on the request ''.",
    )
    run = collect(make_source(graph), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "403" in run.error and "ChannelMessage.Read.All with admin consent" in run.error
    assert "Missing role permissions" in run.error


def test_protected_api_refusal_points_to_microsofts_request_form(
    graph, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    graph.refuse["/v1.0/teams/"] = (
        403,
        "Forbidden",
        "Invoked API requires Protected API access in application-only context when not "
        "using Resource Specific Consent.",
    )
    run = collect(make_source(graph), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "protected APIs" in run.error and "aka.ms/teamsgraph/requestaccess" in run.error


def test_a_429_with_retry_after_is_waited_out(
    graph, httpserver, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    path = f"/v1.0/teams/{TEAM}/channels/{HELP}/messages/delta"
    httpserver.expect_oneshot_request(path).respond_with_response(
        Response(
            '{"error":{"code":"TooManyRequests","message":"Too many requests"}}',
            status=429,
            headers={"Retry-After": "1"},
            content_type="application/json",
        )
    )
    started = time.monotonic()
    run = collect(make_source(graph), django_capture_on_commit_callbacks)
    assert time.monotonic() - started >= 0.9
    assert (run.status, run.created) == ("ok", 5)


def test_a_delta_link_graph_no_longer_knows_starts_a_new_round(
    graph, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    source = make_source(graph, channel_ids=[HELP])
    collect(source, django_capture_on_commit_callbacks)
    cursor = dict(source.cursor)
    cursor["channels"][HELP]["delta"] = cursor["channels"][HELP]["delta"].split("=")[0] + "=expired"
    source.cursor = cursor
    source.save(update_fields=["cursor"])
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.updated) == ("ok", 0, 0)
    assert "$deltatoken=" in source.cursor["channels"][HELP]["delta"]
    assert source.cursor["channels"][HELP]["delta"].split("=")[-1].isdigit()


def test_next_links_outside_graph_base_url_are_refused(
    graph, httpserver, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    path = f"/v1.0/teams/{TEAM}/channels/{HELP}/messages/delta"
    httpserver.expect_oneshot_request(path).respond_with_response(
        Response(
            '{"value": [], "@odata.nextLink": "https://evil.example/steal"}',
            content_type="application/json",
        )
    )
    run = collect(make_source(graph), django_capture_on_commit_callbacks)
    assert run.status == "failed" and "outside graph_base_url" in run.error


def test_check_reports_what_works_and_what_is_missing(graph, catalogue):
    ok = source_check(source=make_source(graph))
    assert ok.ok, ok.message
    assert "Messages readable in: IT help, Ask IT." in ok.message

    graph.refuse[f"/v1.0/teams/{TEAM}/channels/{ASK}/messages"] = (
        403,
        "Forbidden",
        "Missing role permissions on the request.",
    )
    partly = source_check(source=make_source(graph, name="partly"))
    assert not partly.ok
    assert "IT help" in partly.message and "ChannelMessage.Read.All" in partly.message

    bad = source_check(source=make_source(graph, name="bad", secret="nope"))
    assert not bad.ok and "AADSTS7000215" in bad.message


def test_start_date_becomes_the_first_rounds_filter(
    graph, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)  # three days ago
    run = collect(make_source(graph, start_date="2099-01-01"), django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 0)
    first = [r for r, _ in graph.server.log if r.path.endswith("/messages/delta")][0]
    assert first.args["$filter"] == "lastModifiedDateTime gt 2099-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"channel_ids": ["general"]}, "not a Teams channel id"),
        ({"client_id": "my-app"}, "GUID"),
        ({"team_id": "IT"}, "GUID"),
        ({"tenant_id": "contoso tenant"}, "tenant"),
        ({"graph_base_url": "http://graph.microsoft.com/v1.0"}, "https"),
        ({"page_size": 100}, "page_size"),
    ],
)
def test_settings_are_validated(settings, words):
    base = {"tenant_id": TENANT, "client_id": CLIENT, "team_id": TEAM, "channel_ids": [HELP]}
    with pytest.raises(ConnectorConfigError, match=words):
        connector_class("teams").parse_settings({**base, **settings})


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<div><at id="0">Anna</at>&nbsp;VPN is <b>down</b></div>', "@Anna VPN is down"),
        ('<p>ok <emoji id="1f44d" alt="👍" title="Like"></emoji></p>', "ok 👍"),
        ('<img itemtype="http://schema.skype.com/Emoji" alt="😄" src="x">', "😄"),
        ("<p>see</p><blockquote><p>old</p></blockquote><p>new</p>", "see\n\n> old\n\nnew"),
        ('<p>hi</p><attachment id="abc"></attachment>', "hi"),
        ('<p><a href="https://wiki">the wiki</a> &amp; more</p>', "the wiki & more"),
    ],
)
def test_teams_html_becomes_plain_text(html, text):
    assert teams_html_to_text(html) == text


def test_a_cached_token_is_replaced_shortly_before_it_expires(
    graph, catalogue, django_capture_on_commit_callbacks
):
    from collectors import teams

    conversation(graph)
    source = make_source(graph)
    collect(source, django_capture_on_commit_callbacks)
    collect(source, django_capture_on_commit_callbacks)
    assert graph.requests_to(TOKEN_PATH, "POST") == 1  # reused while valid
    for key, (token, _expiry) in list(teams._TOKENS.items()):
        teams._TOKENS[key] = (token, time.time() - 1)  # five minutes before its expiry
    collect(source, django_capture_on_commit_callbacks)
    assert graph.requests_to(TOKEN_PATH, "POST") == 2


def test_a_short_lived_token_is_still_reused_within_a_run(
    graph, catalogue, django_capture_on_commit_callbacks
):
    graph.expires_in = 120  # shorter than the five-minute margin
    conversation(graph)
    collect(make_source(graph), django_capture_on_commit_callbacks)
    assert graph.requests_to(TOKEN_PATH, "POST") == 1


def test_an_unknown_channel_says_which_ids_to_check(
    graph, catalogue, django_capture_on_commit_callbacks
):
    conversation(graph)
    missing = "19:ffffffffffffffffffffffffffffffff@thread.tacv2"
    run = collect(make_source(graph, channel_ids=[missing]), django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert f"found nothing for the messages of channel {missing} (404" in run.error
    assert "check team_id and channel_ids" in run.error
