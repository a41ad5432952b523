"""Push: Slack Events API and the generic signed JSON webhook, through the real endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Response

import collectors.webhook  # noqa: F401  registers the kind until registry._load() lists it
from collectors import tasks
from collectors.models import Source, WebhookEvent
from collectors.services import source_check, source_collect, source_create
from collectors.webhooks import (
    MAX_BODY,
    webhook_events_requeue,
    webhook_token_ensure,
    webhook_url,
)
from sentiment.models import Comment, Thread
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.django_db

IT_HELP = "C0ITHELP1"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


# Where the generic webhook finds each field in an intranet form's JSON (shared with
# tests/properties/test_webhook_properties.py).
GENERIC_FIELDS = {
    "id_field": "id",
    "text_field": "comment.body",
    "thread_id_field": "ticket.id",
    "created_at_field": "comment.at",
    "author_id_field": "author.id",
    "author_name_field": "author.name",
    "author_email_field": "author.email",
    "department_field": "author.dept",
    "category_field": "service",
    "title_field": "ticket.title",
    "url_field": "ticket.url",
    "rating_field": "csat",
    "rating_scale": "1-5",
}

# --- helpers ----------------------------------------------------------------------------


@pytest.fixture
def slack(httpserver: HTTPServer) -> FakeSlack:
    fake = FakeSlack(httpserver)
    fake.add_channel(IT_HELP, "it-help")
    fake.add_user("U0ANNA", "Anna Accountant", "anna@corp.example")
    fake.add_user("U0IVAN", "Ivan IT", "ivan@it.corp.example")
    return fake


@pytest.fixture
def slack_source(slack: FakeSlack, catalogue: None) -> Source:
    source = source_create(
        name="slack push",
        kind="slack",
        settings={
            "channels": [IT_HELP],
            "base_url": slack.base_url,
            "allow_insecure_http": True,
            "allow_private_network": True,
            "retry_backoff": 0.01,
            "requests_per_minute": 0,
        },
        secrets={"bot_token": slack.token, "signing_secret": SECRET},
    )
    webhook_token_ensure(source=source)
    return source


@pytest.fixture
def generic_source(catalogue: None) -> Source:
    source = source_create(
        name="intranet feedback",
        kind="webhook",
        settings={**GENERIC_FIELDS, "max_items": 3},
        secrets={"signing_secret": SECRET},
    )
    webhook_token_ensure(source=source)
    return source


def slack_sign(body: bytes, ts: str, secret: str = SECRET) -> str:
    base = b"v0:" + ts.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def earshot_sign(body: bytes, ts: str, secret: str = SECRET) -> str:
    return (
        "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    )


def post_slack(
    client: Client,
    source: Source,
    payload: Any = None,
    *,
    raw: bytes | None = None,
    ts: int | None = None,
    secret: str = SECRET,
    headers: dict[str, str] | None = None,
    signed: bool = True,
):
    body = raw if raw is not None else json.dumps(payload).encode()
    stamp = str(int(time.time()) if ts is None else ts)
    sent = {"X-Slack-Request-Timestamp": stamp}
    if signed:
        sent["X-Slack-Signature"] = slack_sign(body, stamp, secret)
    sent.update(headers or {})
    return client.post(
        webhook_url(source), data=body, content_type="application/json", headers=sent
    )


def post_generic(
    client: Client,
    source: Source,
    payload: Any = None,
    *,
    raw: bytes | None = None,
    ts: int | None = None,
    secret: str = SECRET,
    headers: dict[str, str] | None = None,
):
    body = raw if raw is not None else json.dumps(payload).encode()
    stamp = str(int(time.time()) if ts is None else ts)
    sent = {"X-Earshot-Timestamp": stamp, "X-Earshot-Signature": earshot_sign(body, stamp, secret)}
    sent.update(headers or {})
    return client.post(
        webhook_url(source), data=body, content_type="application/json", headers=sent
    )


def envelope(event: dict[str, Any], event_id: str = "Ev0AAA0001") -> dict[str, Any]:
    """An Events API `event_callback` as Slack sends it (docs.slack.dev reference/events/message)."""
    return {
        "token": "XXYYZZ",
        "team_id": "T0ACME",
        "api_app_id": "A0EARSHOT",
        "event": event,
        "type": "event_callback",
        "authorizations": [
            {
                "team_id": "T0ACME",
                "user_id": "U0EARSHOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "event_id": event_id,
        "event_time": int(time.time()),
    }


def message(text: str, ts: str, user: str = "U0ANNA", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": IT_HELP,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        **extra,
    }


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True)  # the endpoint must not need a CSRF token


# --- Slack Events API -----------------------------------------------------------------


def test_url_verification_is_answered_only_with_a_valid_signature(client, slack_source):
    challenge = {
        "token": "XXYYZZ",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMm",
        "type": "url_verification",
    }
    ok = post_slack(client, slack_source, challenge)
    assert ok.status_code == 200
    assert ok.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMm"}

    forged = post_slack(client, slack_source, challenge, secret="not-the-secret")
    assert forged.status_code == 401
    assert b"3eZbrw1aBm" not in forged.content
    assert WebhookEvent.objects.count() == 0


def test_a_signed_message_event_is_stored_then_processed_into_comments(
    client, slack, slack_source, django_capture_on_commit_callbacks
):
    parent_ts = "1795000000.000100"
    with django_capture_on_commit_callbacks(execute=True):
        first = post_slack(
            client, slack_source, envelope(message("The VPN is down again :rage:", parent_ts))
        )
    assert first.status_code == 200 and first.json()["ok"] is True
    event = WebhookEvent.objects.get()
    assert (event.status, event.error, event.delivery_id) == ("processed", "", "slack:Ev0AAA0001")
    assert json.loads(event.body)["event"]["ts"] == parent_ts  # the raw body, as received
    comment = Comment.objects.get(external_id=f"{IT_HELP}:{parent_ts}")
    assert comment.raw_body == "The VPN is down again 😡"
    assert (comment.author.display_name, comment.author.email) == (
        "Anna Accountant",
        "anna@corp.example",
    )
    assert comment.voice == "business"
    thread = comment.thread
    assert thread.title == "#it-help: The VPN is down again 😡"
    assert thread.url == f"https://acme.slack.com/archives/{IT_HELP}/p1795000000000100"

    reply = message("Fixed, please retry", "1795000060.000200", user="U0IVAN", thread_ts=parent_ts)
    with django_capture_on_commit_callbacks(execute=True):
        second = post_slack(client, slack_source, envelope(reply, "Ev0AAA0002"))
    assert second.status_code == 200
    stored = Comment.objects.get(external_id=f"{IT_HELP}:1795000060.000200")
    assert stored.thread_id == thread.pk  # the reply lands in its thread
    assert Thread.objects.count() == 1
    assert Comment.objects.scored().count() == 2


def test_a_slack_retry_is_a_duplicate_and_changes_nothing(
    client, slack_source, django_capture_on_commit_callbacks
):
    payload = envelope(message("Teams keeps crashing", "1795000000.000100"))
    with django_capture_on_commit_callbacks(execute=True):
        post_slack(client, slack_source, payload)
    before = list(Comment.objects.values_list("pk", "updated_at"))
    with django_capture_on_commit_callbacks(execute=True):
        retry = post_slack(
            client,
            slack_source,
            payload,
            headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        )
    assert retry.status_code == 200 and retry.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    assert list(Comment.objects.values_list("pk", "updated_at")) == before


def test_message_changed_updates_in_place_and_message_deleted_deletes_nothing(
    client, slack_source, django_capture_on_commit_callbacks
):
    ts = "1795000000.000100"
    with django_capture_on_commit_callbacks(execute=True):
        post_slack(client, slack_source, envelope(message("The new laptop is great", ts)))
    original = Comment.objects.get()
    changed = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": IT_HELP,
        "ts": "1795000300.000001",
        "event_ts": "1795000300.000001",
        "message": {
            "type": "message",
            "user": "U0ANNA",
            "text": "The new laptop is terrible, it overheats",
            "ts": ts,
            "edited": {"user": "U0ANNA", "ts": "1795000300.000000"},
        },
        "previous_message": {
            "type": "message",
            "user": "U0ANNA",
            "text": "The new laptop is great",
            "ts": ts,
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        post_slack(client, slack_source, envelope(changed, "Ev0AAA0002"))
    edited = Comment.objects.get()
    assert edited.pk == original.pk and "terrible" in edited.raw_body
    assert edited.compound < -0.05  # re-scored

    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": IT_HELP,
        "ts": "1795000400.000001",
        "deleted_ts": ts,
        "event_ts": "1795000400.000001",
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_slack(client, slack_source, envelope(deleted, "Ev0AAA0003"))
    assert answer.status_code == 200
    event = WebhookEvent.objects.get(delivery_id="slack:Ev0AAA0003")
    assert event.status == "processed"
    assert Comment.objects.filter(pk=original.pk).exists()


def test_bot_messages_are_bot_voice_and_channel_joins_store_nothing(
    client, slack_source, django_capture_on_commit_callbacks
):
    bot = {
        "type": "message",
        "subtype": "bot_message",
        "channel": IT_HELP,
        "bot_id": "B0PAGER",
        "username": "pager",
        "text": "Incident INC42 resolved",
        "ts": "1795000000.000100",
    }
    join = message("<@U0ANNA> has joined the channel", "1795000001.000100", subtype="channel_join")
    with django_capture_on_commit_callbacks(execute=True):
        post_slack(client, slack_source, envelope(bot, "Ev1"))
        post_slack(client, slack_source, envelope(join, "Ev2"))
    assert list(Comment.objects.values_list("raw_body", "voice")) == [
        ("Incident INC42 resolved", "bot")
    ]
    assert not Comment.objects.business().exists()
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_events_of_other_channels_and_types_are_acknowledged_and_not_stored(client, slack_source):
    other = envelope({**message("Lunch?", "1795000000.000100"), "channel": "C0RANDOM1"})
    assert post_slack(client, slack_source, other).status_code == 200
    mention = envelope({"type": "app_mention", "channel": IT_HELP, "text": "hi", "ts": "1.2"})
    assert post_slack(client, slack_source, mention).status_code == 200
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize(
    "tamper",
    ["unsigned", "wrong secret", "other body", "stale", "future", "bad timestamp"],
)
def test_unsigned_badly_signed_stale_or_replayed_requests_get_401_and_store_nothing(
    client, slack_source, tamper
):
    body = json.dumps(envelope(message("hello", "1795000000.000100"))).encode()
    now = int(time.time())
    if tamper == "unsigned":
        answer = post_slack(client, slack_source, raw=body, signed=False)
    elif tamper == "wrong secret":
        answer = post_slack(client, slack_source, raw=body, secret="guess")
    elif tamper == "other body":
        stamp = str(now)
        answer = client.post(
            webhook_url(slack_source),
            data=body.replace(b"hello", b"HELLO"),
            content_type="application/json",
            headers={
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": slack_sign(body, stamp),
            },
        )
    elif tamper == "stale":  # a captured request replayed 6 minutes later
        answer = post_slack(client, slack_source, raw=body, ts=now - 360)
    elif tamper == "future":
        answer = post_slack(client, slack_source, raw=body, ts=now + 600)
    else:
        answer = client.post(
            webhook_url(slack_source),
            data=body,
            content_type="application/json",
            headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
        )
    assert answer.status_code == 401
    assert answer.json()["ok"] is False
    assert SECRET not in answer.content.decode()
    assert WebhookEvent.objects.count() == 0 and Comment.objects.count() == 0


def test_a_wrong_token_an_unknown_or_disabled_source_is_404_and_stores_nothing(
    client, slack_source, catalogue
):
    body = json.dumps(envelope(message("hello", "1795000000.000100"))).encode()
    stamp = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": slack_sign(body, stamp)}
    token = slack_source.get_secrets()["hook_token"]
    pull_only = Source.objects.create(name="csv", kind="csvfile", settings={})
    for url in (
        f"/hooks/{slack_source.pk}/{token[:-1]}x/",
        f"/hooks/{slack_source.pk + 1000}/{token}/",
        f"/hooks/{pull_only.pk}/{token}/",
    ):
        answer = client.post(url, data=body, content_type="application/json", headers=headers)
        assert answer.status_code == 404, url
    Source.objects.filter(pk=slack_source.pk).update(enabled=False)
    disabled = client.post(
        f"/hooks/{slack_source.pk}/{token}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    assert disabled.status_code == 404
    assert WebhookEvent.objects.count() == 0


def test_only_post_is_accepted(client, slack_source):
    assert client.get(webhook_url(slack_source)).status_code == 405
    assert client.put(webhook_url(slack_source), data=b"{}").status_code == 405


def test_an_oversized_body_is_413_and_invalid_json_is_400_and_nothing_is_stored(
    client, slack_source
):
    big = b'{"type": "event_callback", "pad": "' + b"x" * MAX_BODY + b'"}'
    assert post_slack(client, slack_source, raw=big).status_code == 413
    broken = post_slack(client, slack_source, raw=b'{"type": "event_callback", ')
    assert broken.status_code == 400
    assert "not valid UTF-8 JSON" in broken.json()["error"]
    assert WebhookEvent.objects.count() == 0


def test_a_processing_failure_is_recorded_on_the_event_and_the_sender_gets_200(
    client, slack, slack_source, django_capture_on_commit_callbacks
):
    slack.refuse["users.info"] = {"error": "token_revoked"}
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_slack(client, slack_source, envelope(message("hello", "1795000000.000100")))
    assert answer.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == "failed" and event.processed_at is not None
    assert "token_revoked" in event.error and "reinstall" in event.error
    assert slack.token not in event.error
    assert Comment.objects.count() == 0


def test_a_transient_failure_leaves_the_event_pending_until_the_sweep_requeues_it(
    client, slack, slack_source, django_capture_on_commit_callbacks
):
    slack.intercept = lambda method, args: (
        Response("maintenance", status=503) if method == "users.info" else None
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_slack(client, slack_source, envelope(message("hello there", "1795000000.000100")))
    event = WebhookEvent.objects.get()
    assert event.status == "pending" and "will be retried" in event.error
    assert webhook_events_requeue(older_than_seconds=300) == 0  # too recent to requeue

    slack.intercept = None
    WebhookEvent.objects.update(received_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_events_requeue(older_than_seconds=300) == 1
    event.refresh_from_db()
    assert (event.status, event.error) == ("processed", "")
    assert Comment.objects.count() == 1

    # A pending event that kept failing for a week is given up on.
    stuck = WebhookEvent.objects.create(
        source=slack_source,
        delivery_id="slack:Ev-stuck",
        received_at=timezone.now() - timedelta(days=8),
        body="{}",
    )
    assert webhook_events_requeue() == 0
    stuck.refresh_from_db()
    assert stuck.status == "failed"


def test_the_event_is_stored_before_processing_and_the_task_carries_only_its_id(
    client, slack_source, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.process_webhook_event, "delay", lambda *a, **k: queued.append((a, k)))
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_slack(client, slack_source, envelope(message("hi", "1795000000.000100")))
    assert answer.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == "pending"
    assert queued == [((event.pk,), {})]


def test_the_hook_token_is_generated_once_and_kept_secret(client, slack_source):
    token = slack_source.get_secrets()["hook_token"]
    assert len(token) >= 40
    assert webhook_token_ensure(source=slack_source) == token
    assert webhook_url(slack_source, base_url="https://earshot.corp.example/") == (
        f"https://earshot.corp.example/hooks/{slack_source.pk}/{token}/"
    )
    answer = post_slack(
        client, slack_source, envelope(message("hi", "1795000000.000100")), secret="x"
    )
    assert token not in answer.content.decode()


# --- generic JSON webhook -------------------------------------------------------------


ITEM = {
    "id": 17,
    "ticket": {"id": "T-9", "title": "VPN drops", "url": "https://intranet.corp.example/t/9"},
    "comment": {"body": "The VPN drops every hour, awful", "at": "2026-03-02T10:00:00Z"},
    "author": {
        "id": "u1",
        "name": "Anna Accountant",
        "email": "anna@corp.example",
        "dept": "Finance",
    },
    "service": "Network",
    "csat": 2,
}


def test_a_signed_delivery_maps_dotted_fields_onto_a_comment(
    client, generic_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_generic(client, generic_source, ITEM, headers={"X-Earshot-Delivery": "d-1"})
    assert answer.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.status, event.delivery_id) == ("processed", "delivery:d-1")
    comment = Comment.objects.get()
    assert comment.external_id == "17"
    assert comment.raw_body == "The VPN drops every hour, awful"
    assert comment.created_at.isoformat() == "2026-03-02T10:00:00+00:00"
    assert (comment.author.display_name, comment.author.email) == (
        "Anna Accountant",
        "anna@corp.example",
    )
    thread = comment.thread
    assert (thread.external_id, thread.title) == ("T-9", "VPN drops")
    assert thread.url == "https://intranet.corp.example/t/9"
    assert thread.department == "Finance"
    assert thread.category.slug == "network"


def test_the_record_carries_the_rating_and_defaults_to_the_time_of_receipt(generic_source):
    from collectors.registry import connector_for

    received = timezone.now()
    item = {k: v for k, v in ITEM.items() if k != "comment"} | {"comment": {"body": "ok"}}
    records, skips, _ = connector_for(generic_source).push_records(
        item, received_at=received, cursor={}
    )
    assert skips == []
    assert (records[0].rating, records[0].rating_scale) == (2.0, "1-5")
    assert records[0].created_at == received


def test_a_list_lands_item_by_item_and_a_bad_item_is_skipped_with_its_reason(
    client, generic_source, django_capture_on_commit_callbacks
):
    items = [
        ITEM,
        {**ITEM, "id": 18, "comment": {"body": "Thanks, fixed quickly!", "at": 1772445600}},
        {**ITEM, "id": 19, "comment": {"at": "2026-03-02T11:00:00Z"}},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_generic(client, generic_source, items)
    assert answer.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == "processed"
    assert event.error == "skipped item 19: no text at 'comment.body'"
    assert sorted(Comment.objects.values_list("external_id", flat=True)) == ["17", "18"]
    assert (
        Comment.objects.get(external_id="18").created_at.isoformat() == "2026-03-02T10:00:00+00:00"
    )

    too_many = post_generic(client, generic_source, [ITEM] * 4)
    assert too_many.status_code == 413 and "at most 3" in too_many.json()["error"]
    not_items = post_generic(client, generic_source, "just a string")
    assert not_items.status_code == 400
    assert WebhookEvent.objects.count() == 1


def test_a_redelivery_by_header_or_identical_body_is_a_duplicate(
    client, generic_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = post_generic(client, generic_source, ITEM)
        same_body = post_generic(client, generic_source, ITEM)
        header = post_generic(client, generic_source, ITEM, headers={"X-Earshot-Delivery": "abc"})
        header_again = post_generic(
            client, generic_source, {**ITEM, "csat": 5}, headers={"X-Earshot-Delivery": "abc"}
        )
    assert [r.json().get("duplicate", False) for r in (first, same_body, header, header_again)] == [
        False,
        True,
        False,
        True,
    ]
    assert WebhookEvent.objects.count() == 2
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("tamper", ["missing", "wrong", "stale"])
def test_generic_deliveries_need_a_fresh_valid_signature(client, generic_source, tamper):
    body = json.dumps(ITEM).encode()
    if tamper == "missing":
        answer = client.post(
            webhook_url(generic_source),
            data=body,
            content_type="application/json",
            headers={"X-Earshot-Timestamp": str(int(time.time()))},
        )
    elif tamper == "wrong":
        answer = post_generic(client, generic_source, raw=body, secret="guess")
    else:
        answer = post_generic(client, generic_source, raw=body, ts=int(time.time()) - 301)
    assert answer.status_code == 401
    assert WebhookEvent.objects.count() == 0


def test_the_webhook_kind_fetches_nothing_and_check_explains_the_scheme(
    generic_source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = source_collect(source=generic_source)
    assert (run.status, run.seen, run.created) == ("ok", 0, 0)
    result = source_check(source=generic_source)
    assert result.ok, result.message
    assert "X-Earshot-Signature: sha256=" in result.message
    assert "id <- id, text <- comment.body" in result.message
    assert SECRET not in result.message

    bare = source_create(
        name="no secret", kind="webhook", settings={"id_field": "id", "text_field": "text"}
    )
    result = source_check(source=bare)
    # the hook token is generated when the source is created; the shared secret is the admin's
    assert not result.ok and "no signing_secret stored" in result.message
    assert "hook_token" in bare.secret_names()
    assert bare.periodic_task is None  # push only: nothing to collect on a schedule


def test_webhook_settings_need_the_id_and_text_paths():
    from collectors.base import ConnectorConfigError
    from collectors.registry import connector_class

    with pytest.raises(ConnectorConfigError, match="text_field"):
        connector_class("webhook").parse_settings({"id_field": "id"})
    with pytest.raises(ConnectorConfigError, match="dotted path"):
        connector_class("webhook").parse_settings({"id_field": "a..b", "text_field": "t"})


# --- admin --------------------------------------------------------------------------


def test_the_admin_shows_events_read_only_and_never_secrets(
    admin_client, slack_source, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.process_webhook_event, "delay", lambda *a, **k: None)
    with django_capture_on_commit_callbacks(execute=True):
        post_slack(Client(), slack_source, envelope(message("hello", "1795000000.000100")))
    event = WebhookEvent.objects.get()
    WebhookEvent.objects.filter(pk=event.pk).update(status="failed", error="users.info refused")
    token = slack_source.get_secrets()["hook_token"]

    listing = admin_client.get("/admin/collectors/webhookevent/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "slack:Ev0AAA0001" in page and "users.info refused" in page
    detail = admin_client.get(f"/admin/collectors/webhookevent/{event.pk}/change/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "hello" in text  # the raw body, for diagnosis
    for secret in (SECRET, token, "xoxb-fake-token"):
        assert secret not in page and secret not in text
    assert 'name="_save"' not in text  # read-only
    assert admin_client.get("/admin/collectors/webhookevent/add/").status_code == 403
