"""Settings come from the environment: safe embedded defaults, loud failures in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def django(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    base.update(EARSHOT_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="sentiment.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings as s; {code}"],
        cwd=ROOT, env=base, capture_output=True, text=True, timeout=60,
    )


def test_with_nothing_set_it_runs_embedded(tmp_path):
    out = django("print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, len(s.SECRET_KEY) > 40)", tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "django.db.backends.sqlite3", "True", "True"]
    assert (tmp_path / "var" / "dev-secret").exists()


def test_database_and_broker_urls_switch_to_postgres_and_real_workers(tmp_path):
    out = django("print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)", tmp_path,
                 DATABASE_URL="postgres://u:p@db.example:5432/earshot", CELERY_BROKER_URL="redis://r:6379/0")
    assert out.stdout.split() == ["django.db.backends.postgresql", "False", "redis://r:6379/0"]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "EARSHOT_ENCRYPTION_KEYS", "EARSHOT_PSEUDONYM_KEY"])
def test_production_without_a_secret_fails_loudly_naming_it(tmp_path, missing):
    env = {"DEBUG": "off", "SECRET_KEY": "x" * 60, "EARSHOT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "EARSHOT_PSEUDONYM_KEY": "k" * 40}
    env.pop(missing)
    out = django("print('started')", tmp_path, **env)
    assert out.returncode != 0
    assert f"Set the {missing} environment variable" in out.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {"DEBUG": "off", "SECRET_KEY": Fernet.generate_key().decode() * 2,
           "EARSHOT_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "EARSHOT_PSEUDONYM_KEY": "k" * 40,
           "ALLOWED_HOSTS": "earshot.example.internal"}
    out = django("from django.core.management import call_command; call_command('check', '--deploy', '--fail-level', 'WARNING')",
                 tmp_path, **env)
    assert out.returncode == 0, out.stderr


def test_credentials_survive_a_key_rotation(db, settings):
    from django.core.management import call_command

    from collectors.models import Source

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    s = Source(name="s", kind="csvfile")
    s.set_secrets({"token": "abc"})
    s.save()
    settings.ENCRYPTION_KEYS = [new, old]
    call_command("rotate_secrets", stdout=open(os.devnull, "w"))
    settings.ENCRYPTION_KEYS = [new]
    assert Source.objects.get().get_secrets() == {"token": "abc"}


@pytest.mark.django_db
def test_every_page_sends_a_content_security_policy_that_forbids_inline_script(client):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
