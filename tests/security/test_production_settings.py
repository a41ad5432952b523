"""Production settings (DEBUG=off) protect the session: HTTPS enforced (or the proxy's
X-Forwarded-Proto honoured), HSTS, cookies Secure and HttpOnly, and `check --deploy`
reports nothing. Checked on real requests to the app started with those settings, in a
process of its own (settings are read once per process)."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.fernet import Fernet

from tests.test_settings import django


def production_env() -> dict[str, str]:
    return {
        "DEBUG": "off",
        "SECRET_KEY": Fernet.generate_key().decode() * 2,
        "EARSHOT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "EARSHOT_PSEUDONYM_KEY": "k" * 40,
        "ALLOWED_HOSTS": "earshot.example.internal,testserver",
    }


# Runs in the production-settings process: a database, a user, then requests over plain
# HTTP, over HTTPS and through a TLS-terminating proxy. Prints what came back as JSON.
REQUESTS = """
import json
from django.core.management import call_command
from django.test import Client, override_settings
from django.contrib.auth import get_user_model
call_command("migrate", verbosity=0)
get_user_model().objects.create_user("cio", password="a-long-enough-password")
out = {"settings": {k: getattr(s, k, None) for k in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS")}}
# Static files are not collected here: the plain storage renders the pages' links.
plain = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    c = Client()
    r = c.get("/login/")
    out["http"] = {"status": r.status_code, "location": r.get("Location", "")}
    r = c.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    out["proxy"] = {"status": r.status_code, "hsts": r.get("Strict-Transport-Security", "")}
    r = c.get("/login/", secure=True)
    out["https"] = {"status": r.status_code, "hsts": r.get("Strict-Transport-Security", ""),
                    "csrf": r.cookies["csrftoken"].output() if "csrftoken" in r.cookies else ""}
    r = c.post("/login/", {"username": "cio", "password": "a-long-enough-password"}, secure=True)
    out["login"] = {"status": r.status_code,
                    "session": r.cookies["sessionid"].output() if "sessionid" in r.cookies else ""}
print("RESULT" + json.dumps(out))
"""


def run_requests(tmp_path: Path) -> dict:
    out = django(REQUESTS, tmp_path, **production_env())
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


def test_production_serves_only_https_with_hsts_and_secure_http_only_cookies(tmp_path):
    result = run_requests(tmp_path)
    s = result["settings"]
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"]
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_PROXY_SSL_HEADER"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]
    assert s["SECURE_HSTS_SECONDS"] >= 30 * 24 * 3600 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] and s["X_FRAME_OPTIONS"] == "DENY"

    # Plain HTTP is sent to HTTPS; the proxy's X-Forwarded-Proto: https counts as HTTPS.
    assert result["http"] == {"status": 301, "location": "https://testserver/login/"}
    assert result["proxy"]["status"] == 200
    assert result["proxy"]["hsts"].startswith("max-age=")
    https = result["https"]
    assert https["status"] == 200
    assert "includeSubDomains" in https["hsts"]
    assert "; Secure" in https["csrf"]
    # Logged in: the session cookie is Secure, HttpOnly and SameSite.
    assert result["login"]["status"] == 302
    session = result["login"]["session"]
    assert "; Secure" in session and "; HttpOnly" in session and "SameSite=Lax" in session


def test_the_deploy_check_reports_nothing_with_production_settings(tmp_path):
    code = (
        "from io import StringIO; from django.core.management import call_command; "
        "o, e = StringIO(), StringIO(); "
        "call_command('check', '--deploy', stdout=o, stderr=e); "
        "print('OUT' + o.getvalue().replace(chr(10), ' ')); "
        "print('ERR' + e.getvalue().replace(chr(10), ' '))"
    )
    out = django(code, tmp_path, **production_env())
    assert out.returncode == 0, out.stderr[-3000:]
    report = next(x for x in out.stdout.splitlines() if x.startswith("OUT"))
    assert report.startswith("OUTSystem check identified no issues"), report
    assert next(x for x in out.stdout.splitlines() if x.startswith("ERR")) == "ERR"
