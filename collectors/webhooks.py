"""Push: one webhook URL per source, `POST /hooks/<source id>/<hook token>/`.

Two flavours, by the source's kind:
- `slack`: the Slack Events API (docs.slack.dev/apis/events-api; authentication/
  verifying-requests-from-slack). Signature `X-Slack-Signature: v0=<hex HMAC-SHA256 of
  "v0:<X-Slack-Request-Timestamp>:<raw body>">` keyed with the app's signing secret;
  `url_verification` is answered with its `challenge` (after the signature checks out);
  `event_callback` envelopes of channel `message` events are stored, delivery id = the
  envelope's `event_id`, which Slack's retries (`X-Slack-Retry-Num`, up to 3 within
  about 5 minutes when no 2xx came within 3 seconds) repeat, so a retry is a duplicate.
  Other event types, and messages of channels the source does not collect, are answered
  200 and not stored.
- `webhook`: a generic signed JSON webhook (collectors/webhook): `X-Earshot-Signature:
  sha256=<hex HMAC-SHA256 of "<X-Earshot-Timestamp>.<raw body>">`; delivery id =
  `X-Earshot-Delivery`, else the SHA-256 of the body.

What the endpoint promises the sender, in order:
- anything but POST: 405; an unknown source, a source of another kind, a disabled one or
  a wrong hook token: 404, nothing stored;
- a body over 1 MB: 413; no signature, a wrong one, or a timestamp more than 5 minutes
  from now (a replay): 401, nothing stored; signatures are compared in constant time;
- a signed body that is not JSON: 400 saying so, nothing stored;
- otherwise the event is stored (WebhookEvent, its own transaction) before anything else
  happens, then a Celery task turns it into comments; a delivery already stored (same
  source and delivery id, a unique constraint) changes nothing and is answered 200 too;
- processing failures are recorded on the event (status failed, error), never answered
  as a 500: the sender has done its part once the event is stored.
Answers never echo a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets as pysecrets
import time
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import webhook as _generic_kind  # noqa: F401  registers the kind
from .base import Batch, ConnectorConfigError, ConnectorError
from .ingest import comments_ingest
from .models import Source, WebhookEvent
from .registry import connector_class, connector_for, kinds
from .secrets import SecretsError

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # bytes
MAX_SKEW = 5 * 60  # seconds a signed timestamp may be away from now
GIVE_UP_AFTER = timedelta(days=7)  # a pending event still failing then is marked failed
MAX_ERROR = 5000


# --- hook token and URL ---------------------------------------------------------------


def webhook_token_ensure(*, source: Source) -> str:
    """The source's hook token, generated and stored (as the secret `hook_token`) if it
    has none. Call when a push-capable source is created."""
    values = source.get_secrets()
    token = str(values.get("hook_token") or "")
    if not token:
        token = pysecrets.token_urlsafe(32)
        values["hook_token"] = token
        source.set_secrets(values)
        source.save(update_fields=["credentials"])
    return token


def webhook_url(source: Source, *, base_url: str = "") -> str:
    """The address to paste upstream: `{base_url}/hooks/<id>/<token>/`. Shown to admins
    only; it is a capability URL (the token is the part a guesser lacks)."""
    token = webhook_token_ensure(source=source)
    path = reverse("collectors:hook", args=[source.pk, token])
    return base_url.rstrip("/") + path


# --- receiving ------------------------------------------------------------------------


def _answer(status: int, message: str = "", **extra: Any) -> JsonResponse:
    body: dict[str, Any] = {"ok": status < 300, **extra}
    if message:
        body["error" if status >= 300 else "note"] = message
    return JsonResponse(body, status=status)


def _source_for(source_id: int, token: str) -> tuple[Source | None, dict[str, Any]]:
    """The enabled push source behind a URL and its secrets, or None (the caller says 404
    whatever the reason, so the answer tells a guesser nothing)."""
    push_kinds = [kind for kind, cls in kinds().items() if cls.push]
    source = Source.objects.filter(pk=source_id, kind__in=push_kinds, enabled=True).first()
    values: dict[str, Any] = source.get_secrets() if source is not None else {}
    expected = str(values.get("hook_token") or "")
    # Compared even when there is no source, so the timing does not tell either.
    matches = hmac.compare_digest((expected or "-" * 43).encode(), token.encode("utf-8", "replace"))
    if source is None or not expected or not matches:
        return None, {}
    return source, values


def _signed_timestamp(value: str | None, now: float) -> str | None:
    """Why a signature timestamp is refused, or None when it is fresh."""
    if not value or not value.strip().isdigit():
        return "missing or malformed signature timestamp"
    if abs(now - int(value)) > MAX_SKEW:
        return "signature timestamp more than 5 minutes from now (replayed or clock skew)"
    return None


def _verify_slack(request: HttpRequest, body: bytes, secret: str, now: float) -> str | None:
    timestamp = request.headers.get("X-Slack-Request-Timestamp")
    signature = request.headers.get("X-Slack-Signature") or ""
    if not signature:
        return "missing X-Slack-Signature"
    problem = _signed_timestamp(timestamp, now)
    if problem:
        return problem
    base = b"v0:" + str(timestamp).strip().encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "signature does not match"
    return None


def _verify_generic(request: HttpRequest, body: bytes, secret: str, now: float) -> str | None:
    timestamp = request.headers.get("X-Earshot-Timestamp")
    signature = request.headers.get("X-Earshot-Signature") or ""
    if not signature:
        return "missing X-Earshot-Signature"
    problem = _signed_timestamp(timestamp, now)
    if problem:
        return problem
    base = str(timestamp).strip().encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "signature does not match"
    return None


def _body_hash(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _accept_slack(
    source: Source, request: HttpRequest, body: bytes, payload: Any
) -> HttpResponse | str:
    """The response to give at once (nothing stored), or the delivery id to store under."""
    if not isinstance(payload, dict):
        return _answer(400, "expected a JSON object (a Slack Events API request)")
    kind = payload.get("type")
    if kind == "url_verification":
        challenge = payload.get("challenge")
        if not isinstance(challenge, str):
            return _answer(400, "url_verification without a challenge")
        return JsonResponse({"challenge": challenge})
    if kind != "event_callback":
        return _answer(200, f"{str(kind)[:40]} is not stored")
    event = payload.get("event")
    if not isinstance(event, dict) or event.get("type") != "message":
        return _answer(200, "only message events are stored")
    settings = connector_class(source.kind).parse_settings(source.settings)
    if str(event.get("channel") or "") not in getattr(settings, "channels", []):
        return _answer(200, "a channel this source does not collect: not stored")
    event_id = payload.get("event_id")
    if isinstance(event_id, str) and 0 < len(event_id) <= 200:
        return "slack:" + event_id
    return _body_hash(body)


def _accept_generic(
    source: Source, request: HttpRequest, body: bytes, payload: Any
) -> HttpResponse | str:
    connector = connector_class(source.kind)
    settings: Any = connector.parse_settings(source.settings)
    try:
        items = connector(settings, {}).items(payload)  # type: ignore[attr-defined]
    except ConnectorConfigError as exc:
        return _answer(400, str(exc))
    if len(items) > settings.max_items:
        return _answer(
            413,
            f"{len(items)} items in one delivery; this source takes at most {settings.max_items}",
        )
    delivery = (request.headers.get("X-Earshot-Delivery") or "").strip()
    if delivery and len(delivery) <= 200:
        return "delivery:" + delivery
    if delivery:
        return "delivery:" + hashlib.sha256(delivery.encode()).hexdigest()
    return _body_hash(body)


VERIFY = {"slack": _verify_slack, "webhook": _verify_generic}
ACCEPT = {"slack": _accept_slack, "webhook": _accept_generic}


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def receive(request: HttpRequest, source_id: int, token: str) -> HttpResponse:
    try:
        source, values = _source_for(source_id, token)
    except SecretsError:
        log.error("webhook for source #%s: stored credentials cannot be decrypted", source_id)
        return _answer(503, "this endpoint cannot verify requests right now")
    if source is None:
        return _answer(404, "no such webhook")
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY:
        return _answer(413, "body larger than 1 MB")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _answer(413, "body larger than 1 MB")
    secret = str(values.get("signing_secret") or "")
    if not secret:
        return _answer(401, "this source has no signing secret yet: requests cannot be verified")
    problem = VERIFY[source.kind](request, body, secret, time.time())
    if problem:
        return _answer(401, problem)
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        where = (
            f" (line {exc.lineno} column {exc.colno}: {exc.msg})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        return _answer(400, f"the body is not valid UTF-8 JSON{where}")
    try:
        outcome = ACCEPT[source.kind](source, request, body, payload)
    except ConnectorConfigError as exc:  # the source's own settings are invalid
        log.error("webhook for source %s: %s", source.name, exc)
        return _answer(503, "this source's settings are invalid; its admin has to fix them")
    if isinstance(outcome, HttpResponse):
        return outcome
    event = webhook_event_store(source=source, delivery_id=outcome, body=text)
    if event is None:
        return _answer(200, "duplicate delivery: already received", duplicate=True)
    return _answer(200, received=event.pk)


# --- storing and processing -----------------------------------------------------------


def webhook_event_store(*, source: Source, delivery_id: str, body: str) -> WebhookEvent | None:
    """Store a delivery in its own transaction and queue its processing once committed.
    None when this delivery id was stored before (the unique key decides)."""
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                source=source, delivery_id=delivery_id, received_at=timezone.now(), body=body
            )
            transaction.on_commit(lambda: _enqueue(event.pk))
    except IntegrityError:
        return None
    return event


def _enqueue(event_id: int) -> None:
    from .tasks import process_webhook_event

    try:
        process_webhook_event.delay(event_id)
    except Exception:  # a broker hiccup: the event stays pending, the sweep requeues it
        log.exception("could not queue webhook event #%s; the sweep will", event_id)


def webhook_events_requeue(older_than_seconds: int = 300) -> int:
    """Queue again the events still pending after `older_than_seconds` (a lost task, a
    broker outage, a transient upstream error); mark failed those still pending after
    7 days. Returns how many were queued. Safe to run often: processing is idempotent."""
    now = timezone.now()
    WebhookEvent.objects.filter(
        status=WebhookEvent.Status.PENDING, received_at__lt=now - GIVE_UP_AFTER
    ).update(status=WebhookEvent.Status.FAILED, processed_at=now)
    ids = list(
        WebhookEvent.objects.filter(
            status=WebhookEvent.Status.PENDING,
            received_at__lt=now - timedelta(seconds=older_than_seconds),
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def webhook_event_process(*, event_id: int) -> WebhookEvent | None:
    """Turn a stored event into comments (collectors.ingest.comments_ingest), once.

    Idempotent: only a pending event is processed, under a row lock, and the ingest is
    itself an upsert. The mapping (which may call upstream, e.g. Slack's users.info)
    happens before the transaction; the comments and the event's status commit together.
    A permanent error marks the event failed with the reason; a transient one leaves it
    pending with the reason, for webhook_events_requeue. Never raises.
    """
    event = WebhookEvent.objects.select_related("source").filter(pk=event_id).first()
    if event is None or event.status != WebhookEvent.Status.PENDING:
        return event
    source = event.source
    try:
        connector: Any = connector_for(source)
        payload = json.loads(event.body)
        records, skips, note = connector.push_records(
            payload, received_at=event.received_at, cursor=dict(source.cursor or {})
        )
        with transaction.atomic():
            locked = WebhookEvent.objects.select_for_update().get(pk=event.pk)
            if locked.status != WebhookEvent.Status.PENDING:
                return locked
            if records or skips:
                # The source row is locked too, so a collection run's cursor is not
                # overwritten with the one read here (comments_ingest saves the cursor).
                current = Source.objects.select_for_update().get(pk=source.pk)
                comments_ingest(
                    source=current,
                    batch=Batch(records=records, cursor=dict(current.cursor or {}), skips=skips),
                )
            reasons = "; ".join(f"{s.item}: {s.reason}" for s in skips)
            locked.status = WebhookEvent.Status.PROCESSED
            locked.error = (f"skipped {reasons}" if reasons else "")[:MAX_ERROR]
            locked.processed_at = timezone.now()
            locked.save(update_fields=["status", "error", "processed_at"])
            log.info("webhook event #%s of %s: %s", event.pk, source.name, note)
            return locked
    except (ConnectorConfigError, SecretsError, ValueError) as exc:
        return _mark(event, WebhookEvent.Status.FAILED, str(exc))
    except ConnectorError as exc:
        return _mark(event, WebhookEvent.Status.PENDING, f"{exc} (will be retried by the sweep)")
    except Exception as exc:  # recorded for the admin; the sender already got its 200
        log.exception("webhook event #%s of %s failed", event.pk, source.name)
        return _mark(
            event, WebhookEvent.Status.FAILED, f"Unexpected error: {type(exc).__name__}: {exc}"
        )


def _mark(event: WebhookEvent, status: str, error: str) -> WebhookEvent:
    fields: dict[str, Any] = {"status": status, "error": error[:MAX_ERROR]}
    if status != WebhookEvent.Status.PENDING:
        fields["processed_at"] = timezone.now()
    WebhookEvent.objects.filter(pk=event.pk, status=WebhookEvent.Status.PENDING).update(**fields)
    event.refresh_from_db()
    return event
