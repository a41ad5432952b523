"""Source credentials: encrypted at rest, and kept out of everything Earshot writes.

At rest: Fernet tokens under keys from the environment. EARSHOT_ENCRYPTION_KEYS lists
keys newest first. The first encrypts; all decrypt, so a key is rotated by prepending a
new one and running `rotate_secrets`.

Out of what is written: every credential value this process encrypts, decrypts or sends
(collectors/http.py registers its auth headers) is remembered, and `redact()` replaces
it, and the password of any URL, by a mask. It runs on every log record (installed by
collectors.apps), on the errors stored for admins (collectors/services.py) and on
Django's error reports (DEFAULT_EXCEPTION_REPORTER[_FILTER], set in sentiment/settings.py),
which also hide the database and broker URLs, the keys and the settings, environment
variables, POST fields and local variables whose names say they hold a secret.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

MASK = "[hidden]"
# Shorter values are not redacted: masking every "abc" would garble logs, not protect.
MIN_SECRET_LENGTH = 8
_MAX_REMEMBERED = 1024


class SecretsError(Exception):
    """Stored credentials cannot be decrypted with the configured keys."""


# --- at rest -------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt_json(values: dict[str, Any]) -> str:
    remember_secrets(*_leaves(values))
    return _current().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    try:
        values = json.loads(_current().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SecretsError(
            "Stored credentials cannot be decrypted: EARSHOT_ENCRYPTION_KEYS does not hold "
            "the key they were encrypted with."
        ) from exc
    remember_secrets(*_leaves(values))
    return values


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    return _current().rotate(token.encode()).decode()


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, str):
        yield value


# --- what must never be written ------------------------------------------------------

_remembered: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()
# Names of POST fields and local variables that hold a secret (narrower than Django's
# setting names: a local `author` or `key` is not one).
_SECRET_NAME = re.compile(
    r"token|secret|passw|credential|api_?key|private_?key|^auth$|authorization|cookie|"
    r"signature|dsn|database_url|broker",
    re.I,
)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@'\"]*:)([^\s@/'\"]+)(@)")


def remember_secrets(*values: Any) -> None:
    """Values (tokens, passwords) to be masked wherever Earshot writes text; also their
    URL-encoded form. Bounded: the oldest are forgotten first."""
    with _lock:
        for value in values:
            if not isinstance(value, str) or len(value.strip()) < MIN_SECRET_LENGTH:
                continue
            for form in {value.strip(), quote(value.strip(), safe="")}:
                _remembered[form] = None
                _remembered.move_to_end(form)
        while len(_remembered) > _MAX_REMEMBERED:
            _remembered.popitem(last=False)


def forget_secrets() -> None:
    """Forget the remembered values (between tests: one test's token is not another's)."""
    with _lock:
        _remembered.clear()


def _url_password(value: Any) -> str:
    if not isinstance(value, str) or "://" not in value:
        return ""
    try:
        return unquote(urlsplit(value).password or "")
    except ValueError:
        return ""


def _environment_secrets() -> tuple[str, ...]:
    return _secrets_of_environment(frozenset(os.environ.items()))


@lru_cache(maxsize=4)
def _secrets_of_environment(environment: frozenset[tuple[str, str]]) -> tuple[str, ...]:
    """Passwords of URLs in the environment, and values of variables named like a secret
    (DATABASE_URL's password, JIRA_TOKEN=...); worked out again only when it changes."""
    found = []
    for name, value in environment:
        found.append(_url_password(value))
        # Not paths (SSH_AUTH_SOCK, XAUTHORITY): they name a file, they are not the secret.
        if SecretsReporterFilter.hidden_settings.search(name) and len(value) >= 8:
            if not value.startswith(("/", "~", ".")):
                found.append(value)
    return tuple(v for v in found if v)


def _settings_secrets() -> tuple[str, ...]:
    values: list[Any] = [
        getattr(settings, "SECRET_KEY", ""),
        *getattr(settings, "ENCRYPTION_KEYS", ()),
        getattr(settings, "PSEUDONYM_KEY", ""),
        _url_password(getattr(settings, "CELERY_BROKER_URL", "")),
        _url_password(getattr(settings, "CELERY_RESULT_BACKEND", "")),
    ]
    for db in getattr(settings, "DATABASES", {}).values():
        values.append(db.get("PASSWORD"))
    return tuple(v for v in values if isinstance(v, str) and len(v) >= 4)


def _all_secrets() -> list[str]:
    with _lock:
        live = list(_remembered)
    found = set(live) | set(_settings_secrets()) | set(_environment_secrets())
    return sorted(found, key=len, reverse=True)  # longest first: no partial leftovers


def redact(text: str, *, escaped: bool = False) -> str:
    """`text` with every known secret and every URL password replaced by MASK. With
    `escaped`, also their HTML-escaped forms (for a rendered page)."""
    if not text or not isinstance(text, str):
        return text
    out = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    for secret in _all_secrets():
        if secret in out:
            out = out.replace(secret, MASK)
        if escaped:
            shown = html.escape(secret)
            if shown != secret and shown in out:
                out = out.replace(shown, MASK)
    return out


def holds_secret(text: str) -> bool:
    return redact(text) != text


# --- logs ----------------------------------------------------------------------------


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: logging reports it when it emits
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        clean = redact(text)
        if clean != text:
            # The formatted, masked traceback replaces the exception object itself.
            record.exc_text, record.exc_info = clean, None


def install_log_redaction() -> None:
    """Mask secrets in every log record this process creates, before any handler (a
    file, the console, an e-mail to admins, a test's capture) sees it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "earshot_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    factory.earshot_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


# --- error reports -------------------------------------------------------------------


class SecretsReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also on with DEBUG (the embedded mode runs with DEBUG on), for
    more names (DATABASE_URL, broker URLs, credentials, Earshot's keys), for URLs with a
    password under any name, for POST fields named like a secret (the source forms'
    secret_*) and for local variables named like one or holding a known secret."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|DATABASE_URL|"
        "BROKER|DSN|PRIVATE",
        flags=re.I,
    )

    def is_active(self, request: Any) -> bool:
        return True

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and holds_secret(cleansed):
            return self.cleansed_substitute
        return cleansed

    def get_post_parameters(self, request: Any) -> Any:
        params = super().get_post_parameters(request)
        if not params:
            return params
        params = params.copy()
        for name in list(params):
            if _SECRET_NAME.search(name) or any(
                holds_secret(v) for v in params.getlist(name) if isinstance(v, str)
            ):
                params[name] = self.cleansed_substitute
        return params

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        cleansed = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if isinstance(value, dict):
                value = self.cleanse_setting(name, value)  # {"secrets": {...}} inside
            masked = isinstance(value, str) and value == self.cleansed_substitute
            if not masked and (_SECRET_NAME.search(name) or _shows_secret(value)):
                value = self.cleansed_substitute
            cleansed.append((name, value))
        return cleansed


def _shows_secret(value: Any) -> bool:
    try:
        return holds_secret(value if isinstance(value, str) else repr(value))
    except Exception:  # a repr that fails shows nothing
        return False


class SecretsExceptionReporter(ExceptionReporter):
    """Django's report (the debug page, the admins' e-mail) with a last pass that masks
    any known secret left in it, e.g. one an upstream echoed into an exception message."""

    def get_traceback_html(self) -> str:
        return redact(super().get_traceback_html(), escaped=True)

    def get_traceback_text(self) -> str:
        return redact(super().get_traceback_text())
