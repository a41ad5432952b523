"""Secrets: source credentials never come back out, whatever goes wrong.

(a) A collection fails against an upstream that echoes the credentials it was sent (401,
500, 400): the token appears in no log record (DEBUG, requests and urllib3 included), no
stored error, no page of /sources/, no edit form, no Django admin page. (b) Every task
message carries ids and flags only. (c) Error reports (Django's technical 500 page, the
admins' e-mail, log records) mask DATABASE_URL, broker URLs, URLs with a password,
EARSHOT_ENCRYPTION_KEYS and EARSHOT_PSEUDONYM_KEY.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery.signals import before_task_publish, task_prerun
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, technical_500_response
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from collectors.models import Source, SyncRun
from collectors.secrets import MASK, redact, remember_secrets
from collectors.services import source_create
from dashboards.models import AuditEvent
from tests.collectors.test_webhooks import ITEM, post_generic
from tests.collectors.test_webhooks import SECRET as SIGNING_SECRET
from tests.conftest import give_role
from tests.fakes.jira import FakeJira

pytestmark = pytest.mark.django_db

# Made up at run time, so no page or report can show them by quoting this file.
TOKEN, NEW_TOKEN, ADMIN_TOKEN = (f"tok-{what}-{uuid.uuid4().hex[:16]}" for what in "ANA")
EMAIL = "earshot@corp.example"
BASIC = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
PASSWORD = "a-long-test-password"


def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("boss", "boss@corp.example", PASSWORD)
    give_role(user, "Admin")
    client = Client()
    client.force_login(user)
    return client


def echo_credentials(status: int) -> Any:
    """An upstream that puts what it was sent into its error body, as broken or hostile
    servers do: the password of the Basic auth and the whole Authorization header."""

    def handler(request: Request) -> Response:
        sent = request.authorization.password if request.authorization else ""
        body = {
            "errorMessages": [f"The token {sent} is not valid for this site"],
            "errors": {"header": request.headers.get("Authorization", "")},
        }
        return Response(json.dumps(body), status=status, content_type="application/json")

    return handler


def page(client: Client, url: str, **kw: Any) -> str:
    response = client.get(url, follow=True, **kw)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_failing_collection_leaks_the_token_nowhere(
    httpserver: HTTPServer, catalogue, caplog, django_capture_on_commit_callbacks
):
    for name in ("", "urllib3", "requests", "collectors", "celery", "django"):
        caplog.set_level(logging.DEBUG, logger=name)
    client = admin_client()
    added = client.post(
        "/sources/add/jira/",
        {
            "name": "Jira ITSD",
            "setting_base_url": httpserver.url_for("/").rstrip("/"),
            "setting_email": EMAIL,
            "setting_project_key": "ITSD",
            "setting_allow_insecure_http": "on",
            "setting_allow_private_network": "on",
            "setting_retry_backoff": "0.01",
            "secret_api_token": TOKEN,
            "schedule": "1h",
        },
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    source = Source.objects.get(name="Jira ITSD")
    assert source.get_secrets() == {"api_token": TOKEN}
    assert TOKEN not in source.credentials  # encrypted at rest

    texts: list[str] = []
    for status in (401, 500, 400):
        httpserver.clear()
        httpserver.expect_request(re.compile(".*")).respond_with_handler(echo_credentials(status))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/sources/{source.pk}/run/")
        texts.append(page(client, f"/sources/{source.pk}/"))
        texts.append(client.post(f"/sources/{source.pk}/test/", follow=True).content.decode())
    # The upstream really had the token and echoed it back.
    assert any(
        req.authorization and req.authorization.password == TOKEN for req, _ in httpserver.log
    )
    runs = list(SyncRun.objects.filter(source=source))
    assert [r.status for r in runs] == ["failed"] * 3
    source.refresh_from_db()
    # The 400's error quotes the upstream's body: the echoed token is masked in it.
    assert any(MASK in r.error for r in runs), [r.error for r in runs]
    assert "refused the credentials (401" in runs[-1].error

    texts += [r.error for r in runs] + [json.dumps(r.skips) for r in runs]
    texts += [source.last_error, json.dumps(source.settings)]
    texts += [page(client, "/sources/"), page(client, f"/sources/{source.pk}/edit/")]
    # An edit that fails validation: the new secret typed is not sent back.
    retry = client.post(
        f"/sources/{source.pk}/edit/",
        {"name": "", "setting_base_url": "not a url", "secret_api_token": NEW_TOKEN},
    )
    assert retry.status_code == 200 and "Not saved" in retry.content.decode()
    texts.append(retry.content.decode())
    # The Django admin: the change page, and a change that fails with a new secret typed.
    texts.append(page(client, f"/admin/collectors/source/{source.pk}/change/"))
    texts.append(page(client, f"/admin/collectors/syncrun/{runs[0].pk}/change/"))
    admin_retry = client.post(
        f"/admin/collectors/source/{source.pk}/change/",
        {
            "name": source.name,
            "kind": "jira",
            "settings": "{not json",
            "enabled": "on",
            "new_secrets": f"api_token={ADMIN_TOKEN}",
        },
    )
    assert admin_retry.status_code == 200
    texts.append(admin_retry.content.decode())
    texts += [f"{e.actor} {e.target} {e.detail}" for e in AuditEvent.objects.all()]
    texts += [r.getMessage() for r in caplog.records]
    texts += [r.exc_text or "" for r in caplog.records]
    texts.append(caplog.text)
    assert caplog.records  # urllib3's DEBUG lines at least were captured

    everything = "\n".join(texts)
    for secret in (TOKEN, BASIC, NEW_TOKEN, ADMIN_TOKEN):
        assert secret not in everything
    assert "api_token" in everything  # secrets are named (which is set), never shown


def test_a_log_record_never_carries_a_known_secret(caplog):
    remember_secrets(TOKEN)
    log = logging.getLogger("collectors.test")
    with caplog.at_level(logging.DEBUG):
        log.warning("upstream answered: %s", {"token": TOKEN})
        log.info(f"inline {TOKEN} in the message")
        try:
            raise RuntimeError(f"Bearer {TOKEN} refused")
        except RuntimeError:
            log.exception("request failed")
        log.error("connecting to %s", "redis://:brokerpass42@redis.internal:6379/0")
    assert TOKEN not in caplog.text and "brokerpass42" not in caplog.text
    assert caplog.text.count(MASK) >= 4
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert record.exc_info is None or TOKEN not in str(record.exc_info[1])
    assert "RuntimeError" in caplog.text  # the traceback is kept, masked


# --- (b) task messages carry ids only -------------------------------------------------

ALLOWED_WORDS = {"manual", "schedule", "admin", "command"}


def ids_and_flags_only(value: Any) -> bool:
    if isinstance(value, bool | int) or value is None:
        return True
    if isinstance(value, str):
        return value in ALLOWED_WORDS
    if isinstance(value, list | tuple):
        return all(ids_and_flags_only(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and ids_and_flags_only(v) for k, v in value.items())
    return False


@pytest.fixture
def task_calls() -> Iterator[list[tuple[str, Any, Any]]]:
    """Every task run (inline) or published (to a broker): name, args, kwargs."""
    calls: list[tuple[str, Any, Any]] = []

    def ran(sender: Any = None, task: Any = None, args: Any = None, kwargs: Any = None, **_: Any):
        calls.append((task.name, args, kwargs))

    def published(sender: Any = None, body: Any = None, **_: Any) -> None:
        args, kwargs, _embed = body
        calls.append((sender, args, kwargs))

    task_prerun.connect(ran, weak=False)
    before_task_publish.connect(published, weak=False)
    yield calls
    task_prerun.disconnect(ran)
    before_task_publish.disconnect(published)


@pytest.fixture
def jira(httpserver: HTTPServer) -> FakeJira:
    fake = FakeJira(httpserver, email=EMAIL, token=TOKEN)
    fake.add_user("u-anna", "Anna Accountant", "anna@corp.example", "customer")
    key = fake.add_issue(
        10001, "VPN keeps dropping", reporter="u-anna", description="The VPN is awful."
    )
    fake.add_comment(key, "u-anna", "Still broken, terrible.")
    return fake


def test_every_task_message_carries_ids_and_flags_only(
    jira, catalogue, settings, task_calls, django_capture_on_commit_callbacks
):
    from sentiment.tasks import purge_old_text, sweep

    client = admin_client()
    source = source_create(
        name="Jira",
        kind="jira",
        settings={
            "base_url": jira.base_url,
            "email": EMAIL,
            "project_key": "ITSD",
            "allow_insecure_http": True,
            "allow_private_network": True,
            "retry_backoff": 0.01,
        },
        secrets={"api_token": TOKEN},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sources/{source.pk}/run/")  # collect, then score and roll up
    assert source.comments.count() >= 2
    hook = source_create(
        name="Intranet form",
        kind="webhook",
        settings={"id_field": "id", "text_field": "comment.body", "thread_id_field": "ticket.id"},
        secrets={"signing_secret": SIGNING_SECRET},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post_generic(Client(), hook, ITEM).status_code == 200
        call_command("rescore", "--all", stdout=open(os.devnull, "w"))
        settings.EARSHOT_RETENTION_DAYS = 30
        purge_old_text.delay()
        sweep.delay()

    names = {name for name, _, _ in task_calls}
    assert {
        "collectors.collect_source",
        "collectors.process_webhook_event",
        "sentiment.score_comments",
        "sentiment.purge_old_text",
        "sentiment.sweep",
    } <= names, names
    secrets = [TOKEN, SIGNING_SECRET, hook.get_secrets()["hook_token"]]
    for name, args, kwargs in task_calls:
        message = json.dumps([args, kwargs])  # JSON, as the broker carries it
        assert ids_and_flags_only(list(args or [])), (name, args)
        assert ids_and_flags_only(dict(kwargs or {})), (name, kwargs)
        assert not any(s in message for s in secrets), name
        assert "VPN" not in message and "broken" not in message  # no comment text either


BROKER = os.environ.get("CELERY_BROKER_URL", "")
DB_URL = os.environ.get("DATABASE_URL", "")
HAVE_SERVICES = BROKER.startswith("redis://") and DB_URL.startswith(
    ("postgres://", "postgresql://")
)


@pytest.mark.worker
def test_messages_queued_in_redis_carry_ids_only(catalogue, task_calls):
    """The raw messages a real broker holds: ids and flags, no secret anywhere in them."""
    if not HAVE_SERVICES:
        if os.environ.get("EARSHOT_REQUIRE_SERVICES"):
            pytest.fail("EARSHOT_REQUIRE_SERVICES is set but there is no PostgreSQL + Redis")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)")
    import redis

    from collectors.tasks import collect_source
    from sentiment.services import comments_enqueue_scoring

    r = redis.Redis.from_url(BROKER)
    r.delete("celery")
    source = source_create(
        name="Jira",
        kind="jira",
        settings={"base_url": "https://acme.atlassian.net", "email": EMAIL, "project_key": "IT"},
        secrets={"api_token": TOKEN},
    )
    try:
        collect_source.delay(source.pk, trigger="manual")
        comments_enqueue_scoring([3, 1, 2])
        raw = r.lrange("celery", 0, -1)
    finally:
        r.delete("celery")
    assert len(raw) == 2
    for message in raw:
        assert TOKEN.encode() not in message
        envelope = json.loads(message)
        args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
        assert ids_and_flags_only(args) and ids_and_flags_only(kwargs), (args, kwargs)
    assert [list(a) for _, a, _ in task_calls] == [[source.pk], [[1, 2, 3]]]


# --- (c) error reports ----------------------------------------------------------------

_DB_PASSWORD, _BROKER_PASSWORD, _OTHER_PASSWORD, _FORM_PASSWORD = (
    f"{what}-{uuid.uuid4().hex[:10]}" for what in ("dbpass", "brokerpass", "otherpass", "formpass")
)
DATABASE_URL = f"postgres://earshot:{_DB_PASSWORD}@db.internal:5432/earshot"
BROKER_URL = f"redis://:{_BROKER_PASSWORD}@redis.internal:6379/0"
OTHER_URL = f"https://svc:{_OTHER_PASSWORD}@api.internal/v1"
FERNET = Fernet.generate_key().decode()
PSEUDONYM = f"pseudonym-key-{uuid.uuid4().hex}"


@pytest.fixture
def secret_settings(settings, monkeypatch) -> None:
    settings.CELERY_BROKER_URL = BROKER_URL
    settings.ANALYTICS_URL = OTHER_URL  # any setting that holds a URL with a password
    settings.ENCRYPTION_KEYS = [FERNET]
    settings.PSEUDONYM_KEY = PSEUDONYM
    monkeypatch.setenv("DATABASE_URL_FOR_REPORT_TEST", DATABASE_URL)


def request_with_secrets() -> Any:
    return RequestFactory().post(
        "/sources/1/edit/",
        {"name": "Jira", "secret_api_token": TOKEN, "password": _FORM_PASSWORD},
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        EARSHOT_ENCRYPTION_KEYS=FERNET,
        EARSHOT_PSEUDONYM_KEY=PSEUDONYM,
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
    )


def failing_collection(message: str = "upstream failed") -> Any:
    """Raise from a frame whose locals hold what a connector holds."""
    token = TOKEN  # noqa: F841
    secrets = {"api_token": TOKEN}  # noqa: F841
    headers = {"Authorization": f"Bearer {TOKEN}"}  # noqa: F841
    database = DATABASE_URL  # noqa: F841
    raise RuntimeError(message)


SECRETS_IN_REPORTS = [
    TOKEN,
    _DB_PASSWORD,
    _BROKER_PASSWORD,
    _OTHER_PASSWORD,
    FERNET,
    PSEUDONYM,
    _FORM_PASSWORD,
]


def exc_info_of(message: str = "upstream failed") -> Any:
    try:
        failing_collection(message)
    except RuntimeError:
        return sys.exc_info()
    raise AssertionError("did not raise")


def test_the_technical_500_report_masks_urls_keys_and_credentials(secret_settings):
    request = request_with_secrets()
    reporter = ExceptionReporter(request, *exc_info_of())  # Django's own class, our filter
    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()
    for report in (html, text):
        for secret in SECRETS_IN_REPORTS:
            assert secret not in report, secret
        # The rows are there, their values masked: the report itself still helps.
        assert "DATABASE_URL" in report and "CELERY_BROKER_URL" in report
        assert "ANALYTICS_URL" in report and "failing_collection" in report
    assert "********************" in html


def test_the_configured_reporter_also_masks_a_secret_an_exception_message_carries(
    secret_settings,
):
    remember_secrets(TOKEN)  # as decrypting the source's credentials does
    request = request_with_secrets()
    response = technical_500_response(request, *exc_info_of(f"401: token {TOKEN} refused"))
    html = response.content.decode()
    for secret in SECRETS_IN_REPORTS:
        assert secret not in html, secret
    assert f"token {MASK} refused" in html


def test_the_admins_error_email_masks_them_too(secret_settings, settings):
    settings.ADMINS = [("Ops", "ops@corp.example")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    remember_secrets(TOKEN)
    logger = logging.getLogger("earshot.test.admin_mail")
    handler = AdminEmailHandler(include_html=True)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for message in ("upstream failed", f"token {TOKEN} refused"):
            exc = exc_info_of(message)
            logger.error(
                "Internal Server Error: /sources/1/edit/",
                exc_info=exc,
                extra={"status_code": 500, "request": request_with_secrets()},
            )
    finally:
        logger.removeHandler(handler)
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        parts = [email.subject, email.body] + [alt[0] for alt in email.alternatives]
        for part in parts:
            for secret in SECRETS_IN_REPORTS:
                assert secret not in part, secret
    assert "failing_collection" in mail.outbox[0].body


def test_redact_masks_url_passwords_and_leaves_other_text_alone():
    assert (
        redact("see postgres://u:pw123@h:5432/db now") == f"see postgres://u:{MASK}@h:5432/db now"
    )
    assert redact("redis://:s3cret@r:6379/0") == f"redis://:{MASK}@r:6379/0"
    assert redact("https://example.com/path?q=1") == "https://example.com/path?q=1"
    assert redact("The VPN is down again.") == "The VPN is down again."
