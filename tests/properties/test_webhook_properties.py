"""The webhook endpoint (POST /hooks/<source id>/<token>/) under arbitrary bodies and
signatures, through Django's test client: invalid UTF-8, 10,000 levels of nesting, wrong
types, missing fields, bodies over 1 MB, valid and invalid signatures. The answer is
always one of 200, 202, 400, 401, 404 or 413, never a 500; what was stored before stays;
a stored event is processed or failed with a reason, and what it stores is clean text."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from django.test import Client
from hypothesis import event, example, given, note, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from collectors.models import Source, WebhookEvent
from collectors.services import source_create
from collectors.webhooks import MAX_BODY, webhook_token_ensure, webhook_url
from sentiment.models import Comment
from tests.collectors.test_webhooks import GENERIC_FIELDS, earshot_sign, slack_sign

from .strategies import deep_json, huge_text, json_values, mutate, nasty_text, not_utf8

pytestmark = pytest.mark.django_db

SECRET = "property-signing-secret-0123456789"
ALLOWED = {200, 202, 400, 401, 404, 413}
IT_HELP = "C0ITHELP1"

GOOD_ITEM = {
    "id": "fb-1",
    "comment": {"body": "The VPN keeps dropping every hour, this is terrible.", "at": 1772442000},
    "ticket": {"id": "T-1", "title": "VPN", "url": "https://intranet.example/t/1"},
    "author": {"id": "u-anna", "name": "Anna", "email": "anna@corp.example", "dept": "Finance"},
    "service": "VPN",
    "csat": 2,
}


def slack_message(text: str, ts: str) -> dict[str, Any]:
    return {
        "token": "XXYYZZ",
        "team_id": "T0ACME",
        "event": {
            "type": "message",
            "channel": IT_HELP,
            "user": "U0ANNA",
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
        },
        "type": "event_callback",
        "event_id": f"Ev{ts.replace('.', '')}",
        "event_time": int(float(ts)),
    }


def earshot_headers(body: bytes, how: str, delivery: str | None) -> dict[str, str]:
    stamp = str(int(time.time()) - (3600 if how == "stale" else 0))
    key = SECRET if how in ("valid", "stale") else "not-the-secret"
    headers = {"X-Earshot-Timestamp": stamp}
    if how != "missing":
        headers["X-Earshot-Signature"] = earshot_sign(body, stamp, key)
    if delivery is not None:
        headers["X-Earshot-Delivery"] = delivery
    return headers


def slack_headers(body: bytes, how: str) -> dict[str, str]:
    stamp = str(int(time.time()) - (3600 if how == "stale" else 0))
    key = SECRET if how in ("valid", "stale") else "not-the-secret"
    headers = {"X-Slack-Request-Timestamp": stamp}
    if how != "missing":
        headers["X-Slack-Signature"] = slack_sign(body, stamp, key)
    return headers


@pytest.fixture
def generic(catalogue: None) -> Source:
    source = source_create(
        name="intranet feedback",
        kind="webhook",
        settings=dict(GENERIC_FIELDS),
        secrets={"signing_secret": SECRET},
    )
    webhook_token_ensure(source=source)
    return source


def stored_state(source: Source) -> tuple[set[str], int]:
    return (
        set(Comment.objects.filter(source=source).values_list("external_id", flat=True)),
        WebhookEvent.objects.filter(source=source).count(),
    )


def assert_nothing_lost(source: Source, before: tuple[set[str], int]) -> None:
    comments, events = stored_state(source)
    assert before[0] <= comments, "a stored comment disappeared"
    assert events >= before[1], "a stored event disappeared"


def assert_events_settled(source: Source) -> None:
    for stored in WebhookEvent.objects.filter(source=source):
        assert stored.status in (WebhookEvent.Status.PROCESSED, WebhookEvent.Status.FAILED)
        if stored.status == WebhookEvent.Status.FAILED:
            assert stored.error.strip()
            # A crash of the mapping, caught and recorded, is still a crash.
            assert not stored.error.startswith("Unexpected error"), stored.error
    for raw, clean in Comment.objects.filter(source=source).values_list("raw_body", "clean_body"):
        assert "\x00" not in raw and "\x00" not in clean
        raw.encode("utf-8")
        clean.encode("utf-8")


# Bodies: JSON of any shape, well-formed deliveries mutated, hostile bytes.
def json_bodies() -> st.SearchStrategy[bytes]:
    as_json = json_values(max_depth=300, huge=300_000).map(lambda v: json.dumps(v).encode())
    items = st.builds(copy.deepcopy, st.just(GOOD_ITEM))
    mutated_item = items.flatmap(lambda item: mutate(item).map(lambda _: item))
    deliveries = st.one_of(
        mutated_item,
        st.lists(mutated_item | json_values(max_depth=50, huge=1000), min_size=1, max_size=5),
    ).map(lambda v: json.dumps(v).encode())
    return st.one_of(as_json, deliveries)


hostile_bodies = st.one_of(
    st.just(b""),
    st.binary(max_size=300),
    not_utf8(json.dumps(GOOD_ITEM).encode()),
    st.just(deep_json(10_000)),  # 10,000 levels: json refuses the recursion
    st.just(b"[" * 10_000 + b"]" * 10_000),
    st.just(b'{"id": "x", "comment": {"body": "' + b"a" * MAX_BODY + b'"}}'),  # over 1 MB
    huge_text(MAX_BODY - 100).map(
        lambda t: json.dumps({"id": "big", "comment": {"body": t}}).encode()
    ),
    nasty_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
)

signatures = st.sampled_from(["valid", "valid", "valid", "invalid", "stale", "missing"])
# What a WSGI server hands Django: header values are Latin-1 text.
deliveries = st.none() | st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=300,
)


@settings(max_examples=settings.default.max_examples * 2)
@given(body=json_bodies() | hostile_bodies, how=signatures, delivery=deliveries)
@example(body=deep_json(10_000), how="valid", delivery=None)
@example(body=b"\xff\xfe{}", how="valid", delivery=None)
@example(body=json.dumps([GOOD_ITEM, "x", None, {"id": []}]).encode(), how="valid", delivery="d1")
def test_any_body_to_the_generic_webhook_never_gets_a_500_and_loses_nothing(
    generic: Source,
    body: bytes,
    how: str,
    delivery: str | None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = Client(raise_request_exception=False)
    # One good delivery stored first: whatever comes next must not lose it.
    good = json.dumps(GOOD_ITEM).encode()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            webhook_url(generic),
            data=good,
            content_type="application/json",
            headers=earshot_headers(good, "valid", None),
        )
    assert first.status_code == 200
    before = stored_state(generic)
    assert "fb-1" in before[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            webhook_url(generic),
            data=body,
            content_type="application/json",
            headers=earshot_headers(body, how, delivery),
        )

    note(f"{response.status_code} {response.content[:300]!r}")
    event(f"answered {response.status_code}")
    assert response.status_code in ALLOWED
    assert response["Content-Type"].startswith("application/json")
    answer = response.json()
    assert answer["ok"] is (response.status_code < 300)
    if response.status_code >= 300:
        assert answer["error"].strip()
        assert stored_state(generic) == before  # refused: nothing stored
    if how != "valid":  # the size is checked first, then the signature
        assert response.status_code in (401, 413)
    assert_nothing_lost(generic, before)
    assert_events_settled(generic)


@pytest.fixture
def slack_source(httpserver: HTTPServer, catalogue: None) -> Source:
    from tests.fakes.slack import FakeSlack

    fake = FakeSlack(httpserver)
    fake.add_channel(IT_HELP, "it-help")
    fake.add_user("U0ANNA", "Anna Accountant", "anna@corp.example")
    source = source_create(
        name="slack push",
        kind="slack",
        settings={
            "channels": [IT_HELP],
            "base_url": fake.base_url,
            "allow_insecure_http": True,
            "allow_private_network": True,
            "retry_backoff": 0.01,
            "requests_per_minute": 0,
        },
        secrets={"bot_token": fake.token, "signing_secret": SECRET},
    )
    webhook_token_ensure(source=source)
    return source


def slack_bodies() -> st.SearchStrategy[bytes]:
    envelopes = st.builds(lambda: slack_message("Still dropping today.", f"{time.time():.6f}"))
    mutated = envelopes.flatmap(lambda env: mutate(env).map(lambda _: env))
    return st.one_of(
        mutated.map(lambda v: json.dumps(v).encode()),
        json_values(max_depth=300, huge=300_000).map(lambda v: json.dumps(v).encode()),
        hostile_bodies,
    )


@given(body=slack_bodies(), how=signatures)
@example(body=json.dumps({"type": "url_verification", "challenge": ["x"]}).encode(), how="valid")
@example(
    body=json.dumps(
        {"type": "event_callback", "event": {"type": "message", "channel": IT_HELP, "ts": [1]}}
    ).encode(),
    how="valid",
)
def test_any_body_to_the_slack_webhook_never_gets_a_500_and_loses_nothing(
    slack_source: Source, body: bytes, how: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(raise_request_exception=False)
    good = json.dumps(
        slack_message("The VPN keeps dropping, this is terrible.", "1772442000.000100")
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            webhook_url(slack_source),
            data=good.encode(),
            content_type="application/json",
            headers=slack_headers(good.encode(), "valid"),
        )
    assert first.status_code == 200
    before = stored_state(slack_source)
    assert before[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            webhook_url(slack_source),
            data=body,
            content_type="application/json",
            headers=slack_headers(body, how),
        )

    note(f"{response.status_code} {response.content[:300]!r}")
    event(f"answered {response.status_code}")
    assert response.status_code in ALLOWED
    if response.status_code >= 300:
        assert response.json()["error"].strip()
        assert stored_state(slack_source) == before
    if how != "valid":  # the size is checked first, then the signature
        assert response.status_code in (401, 413)
    assert_nothing_lost(slack_source, before)
    assert_events_settled(slack_source)


@given(
    source_id=st.integers(min_value=0, max_value=2**63 - 1), token=st.text(min_size=1, max_size=60)
)
def test_an_unknown_source_or_token_is_404_whatever_the_body(
    generic: Source, source_id: int, token: str
) -> None:
    from urllib.parse import quote

    token = token.replace("/", "")
    if not token or (source_id == generic.pk):
        return
    body = json.dumps(GOOD_ITEM).encode()
    response = Client(raise_request_exception=False).post(
        f"/hooks/{source_id}/{quote(token, safe='')}/",
        data=body,
        content_type="application/json",
        headers=earshot_headers(body, "valid", None),
    )
    assert response.status_code == 404
    assert WebhookEvent.objects.count() == 0
