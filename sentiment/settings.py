"""Earshot settings: read from environment variables only (see .env.example).

With nothing set, Earshot runs embedded: SQLite file, Celery tasks inline,
DEBUG on and a dev secret generated once into var/. Production sets DEBUG=off
and must then provide every secret explicitly: missing ones fail loudly.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("EARSHOT_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=True)


def _dev_secret() -> str:
    """A secret generated once per checkout for the embedded mode, never used in production."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "dev-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _derived(name: str, secret: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(f"{name}:{secret}".encode()).digest()).decode()


if DEBUG:
    _dev = _dev_secret()
    SECRET_KEY = env.str("SECRET_KEY", default=_dev)
    # Fernet keys (comma separated, newest first). Older keys still decrypt: rotation.
    ENCRYPTION_KEYS = env.list("EARSHOT_ENCRYPTION_KEYS", default=[_derived("fernet", _dev)])
    PSEUDONYM_KEY = env.str("EARSHOT_PSEUDONYM_KEY", default=_derived("pseudonym", _dev))
else:
    # No defaults in production: a missing secret stops the start-up with a clear message.
    SECRET_KEY = env.str("SECRET_KEY")
    ENCRYPTION_KEYS = env.list("EARSHOT_ENCRYPTION_KEYS")
    PSEUDONYM_KEY = env.str("EARSHOT_PSEUDONYM_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Earshot's public address (https://earshot.example.com): the prefix of the webhook URLs
# shown to admins to paste into Slack or another sender.
EARSHOT_BASE_URL = env.str("EARSHOT_BASE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "axes",
    "csp",
    "sentiment",
    "collectors",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who is acting, for the audit log of changes made through any page (dashboards/audit.py).
    "dashboards.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked out for AXES_COOLOFF_TIME; other users
# and other addresses are not. Attempts are recorded in the database (admin: Axes).
# Content-Security-Policy (django-csp): scripts only from Earshot's own static files (no
# inline script, no eval), so markup that slipped into a page could not run. Styles allow
# inline attributes: the charts and the bars of the breakdowns position with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("EARSHOT_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("EARSHOT_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy, how many proxies add to X-Forwarded-For (0: use REMOTE_ADDR).
AXES_IPWARE_PROXY_COUNT = env.int("EARSHOT_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

ROOT_URLCONF = "sentiment.urls"
WSGI_APPLICATION = "sentiment.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'earshot.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# The organization's time zone: days and ISO weeks in every metric are counted in it.
TIME_ZONE = env.str("EARSHOT_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
MEDIA_ROOT = Path(env.str("EARSHOT_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"


def _plotly_js_dir() -> Path:
    # plotly's Python package ships plotly.min.js: served from here, no CDN (intranet).
    import plotly

    return Path(plotly.__file__).parent / "package_data"


STATICFILES_DIRS = [("vendor/plotly", _plotly_js_dir())]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Celery --------------------------------------------------------------------------
# No broker configured: the embedded mode runs every task inline, in-process.
_BROKER = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not _BROKER)
CELERY_BROKER_URL = _BROKER or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# A task is acknowledged only once done, and re-queued if its worker dies mid-way:
# every task is idempotent, so a re-delivery changes nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=50 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=55 * 60)
# A task failing on a transient database error (a restart, a failover, a full disk) is
# retried up to 5 times, after about 5, 10, 20, 40 and 80 seconds (this base doubled),
# then recorded as failed where admins see it (collectors.TaskFailure).
EARSHOT_TASK_RETRY_SECONDS = env.float("EARSHOT_TASK_RETRY_SECONDS", default=5.0)
# Above the hard time limit plus the longest retry wait, so Redis never re-delivers a task
# that is still running or waiting for its retry. A worker killed outright (SIGKILL, a
# lost machine) gets its unfinished tasks back after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
}
_VISIBILITY = CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
if (
    CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT
    or CELERY_TASK_TIME_LIMIT + 16 * EARSHOT_TASK_RETRY_SECONDS >= _VISIBILITY
):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Celery limits would let Redis re-deliver a running task: need CELERY_TASK_SOFT_TIME_LIMIT"
        " < CELERY_TASK_TIME_LIMIT and CELERY_TASK_TIME_LIMIT + 16 x EARSHOT_TASK_RETRY_SECONDS"
        " < CELERY_VISIBILITY_TIMEOUT (seconds)."
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fix-up closes the database connection around every task unless this
# is set; reopening one per task cost more PostgreSQL CPU than the scoring writes.
# Connections are still recycled every N tasks and Django's CONN_MAX_AGE applies.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)

# --- Earshot -------------------------------------------------------------------------
# How many comments one scoring task carries (ids only, never text).
EARSHOT_SCORE_BATCH = env.int("EARSHOT_SCORE_BATCH", default=500)
# With real workers, a day's rollup is recomputed once it has had no new scores for this
# long (seconds), not after every score batch; dashboards lag by about this much.
EARSHOT_ROLLUP_SETTLE_SECONDS = env.float("EARSHOT_ROLLUP_SETTLE_SECONDS", default=0.5)
# A week is folded again (WeeklyRollup, WeeklyLift) once its days have not changed for
# this long (inline when tasks run inline).
EARSHOT_WEEKS_SETTLE_SECONDS = env.float("EARSHOT_WEEKS_SETTLE_SECONDS", default=2.0)
# A week's negative themes (they read comment text) are found again once its figures
# have not changed for this long (inline when tasks run inline).
EARSHOT_THEMES_SETTLE_SECONDS = env.float("EARSHOT_THEMES_SETTLE_SECONDS", default=20.0)
# How many records a connector hands over per committed batch.
EARSHOT_INGEST_BATCH = env.int("EARSHOT_INGEST_BATCH", default=5000)
# A collection that holds the per-source lock longer than this is presumed dead.
EARSHOT_COLLECT_LOCK_SECONDS = env.int("EARSHOT_COLLECT_LOCK_SECONDS", default=2 * 60 * 60)
# Retention: comment text, thread titles and authors' names older than this many days
# are removed by a daily task (sentiment/retention.py); scores, labels, dates and
# rollups stay. 0 keeps everything.
EARSHOT_RETENTION_DAYS = env.int("EARSHOT_RETENTION_DAYS", default=0)

# Error reports (the debug page, e-mails to ADMINS) mask credentials, keys, URL passwords
# and DATABASE_URL / broker URLs; log records are masked too (collectors/secrets.py).
DEFAULT_EXCEPTION_REPORTER = "collectors.secrets.SecretsExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "collectors.secrets.SecretsReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # An intranet host cannot be on the browsers' public preload list: opting out is right.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_HTTPONLY = True
