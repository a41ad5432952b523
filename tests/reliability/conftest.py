"""What the fault tests start, stop and kill by pid, never by name: a private redis-server
on a free port, real `celery worker` processes, a private PostgreSQL cluster; and a paced
fake ServiceNow (a real HTTP server) the real connector collects from.

The shared PostgreSQL holds the test database (as in tests/test_worker.py); the shared
Redis is never stopped, wiped or even used here: every fault test talks to its own.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.fakes.servicenow import FakeServiceNow

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")
DB_URL = os.environ.get("DATABASE_URL", "")
HAVE_SERVICES = BROKER.startswith("redis://") and DB_URL.startswith(
    ("postgres://", "postgresql://")
)
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)

if not HAVE_SERVICES and os.environ.get("EARSHOT_REQUIRE_SERVICES"):
    raise RuntimeError(
        "EARSHOT_REQUIRE_SERVICES is set but DATABASE_URL/CELERY_BROKER_URL are not PostgreSQL/Redis"
    )

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake's access log

needs_services = pytest.mark.skipif(
    not HAVE_SERVICES, reason="needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)"
)

# The test workers' limits, far below production's so a killed worker's messages come
# back within the test: Redis re-delivers an unacknowledged message after VISIBILITY
# seconds; the hard time limit plus the longest retry wait stays below it (the settings
# refuse anything else).
VISIBILITY = 20
WORKER_ENV = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
    "CELERY_TASK_SOFT_TIME_LIMIT": "14",
    "CELERY_TASK_TIME_LIMIT": "16",
    "EARSHOT_TASK_RETRY_SECONDS": "0.2",
    "EARSHOT_THEMES_SETTLE_SECONDS": "0.5",
}


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 60.0,
    what: str = "condition",
    every: float = 0.05,
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_root_for_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


# --- Redis ------------------------------------------------------------------------------


class RedisServer:
    """A private redis-server with an append-only file, as production runs it
    (docker-compose.yml): stopping and starting it keeps what it held; wipe() empties it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.workdir),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self._answers, 20, "redis-server to answer")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def stop(self) -> None:
        """SIGTERM by pid: Redis finishes its append-only file and exits (a stop, not a crash)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)
        self.proc = None

    def wipe(self) -> None:
        self.client().flushall()

    def queue_empty(self) -> bool:
        r = self.client()
        return r.llen("celery") == 0 and r.hlen("unacked") == 0


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    workdir = Path(tempfile.mkdtemp(prefix="earshot-redis-"))
    server = RedisServer(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def app_on_broker(url: str) -> Iterator[Any]:
    """Point this process's Celery app (what .delay() publishes to, what app.control
    talks to) at `url`, then back."""
    from sentiment.celery import app

    before = (app.conf.get("broker_read_url"), app.conf.get("broker_write_url"))

    def drop_pools() -> None:
        from kombu import pools

        pools.reset()  # closes and forgets kombu's connection and producer pools
        app._after_fork()  # ... and so does the app

    drop_pools()
    app.conf.broker_read_url = app.conf.broker_write_url = url
    try:
        yield app
    finally:
        drop_pools()
        app.conf.broker_read_url, app.conf.broker_write_url = before


@pytest.fixture
def broker(redis_server: RedisServer) -> Iterator[RedisServer]:
    """The private Redis, emptied, with this process's Celery app publishing to it."""
    if redis_server.proc is None:
        redis_server.start()
    redis_server.wipe()
    with app_on_broker(redis_server.url):
        yield redis_server
    if redis_server.proc is None:  # a test stopped it and failed before starting it again
        redis_server.start()


# --- Celery workers -----------------------------------------------------------------------


class Worker:
    """A real `celery worker` (prefork) in its own process group, killed by pid."""

    def __init__(
        self,
        *,
        db_url: str,
        broker_url: str,
        concurrency: int,
        log: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.db_url, self.broker_url, self.concurrency, self.log = (
            db_url,
            broker_url,
            concurrency,
            log,
        )
        self.env = {**WORKER_ENV, **(env or {})}
        self.hostname = f"fault-{os.getpid()}-{free_port()}@127.0.0.1"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready: bool = True) -> Worker:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_BROKER_")}
        env.update(
            self.env,
            DATABASE_URL=self.db_url,
            CELERY_BROKER_URL=self.broker_url,
            DEBUG="on",
            PYTHONUNBUFFERED="1",
        )
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "sentiment",
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    str(self.concurrency),
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--hostname",
                    self.hostname,
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if ready:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        from sentiment.celery import app

        def answers() -> bool:
            assert self.proc is not None and self.proc.poll() is None, (
                f"the worker exited at start-up:\n{self.log_text()[-3000:]}"
            )
            return bool(app.control.ping(destination=[self.hostname], timeout=0.5))

        wait_for(answers, 60, "the worker to answer a ping")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def running(self, task: str) -> list[tuple[int, str]]:
        """(pool process pid, task id) of each `task` running now (asked through the broker)."""
        from sentiment.celery import app

        replies = app.control.inspect(destination=[self.hostname], timeout=1.0).active() or {}
        return [
            (t["worker_pid"], t["id"]) for ts in replies.values() for t in ts if t["name"] == task
        ]

    def kill(self) -> None:
        """SIGKILL the whole worker: the main process and its pool, no clean-up at all."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(20)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def in_scoring_transaction(self) -> int | None:
        """The pid of a pool process inside a scoring batch's transaction right now: its
        comments claimed FOR UPDATE, their scores being computed. Found by matching the
        client ports of PostgreSQL's sessions to the process's own sockets."""
        from django.db import connection

        from sentiment.models import Comment

        # The claim of sentiment.services._claim_for_scoring (its start: PostgreSQL keeps the
        # first 1 kB of a query, and the batch's ids follow).
        claim = f"SELECT id, source_id, clean_body, CASE %FROM {Comment._meta.db_table} WHERE id%"
        with connection.cursor() as cur:
            cur.execute(
                "SELECT client_port FROM pg_stat_activity WHERE datname = current_database()"
                " AND state = 'idle in transaction' AND query LIKE %s",
                [claim],
            )
            ports = {port for (port,) in cur.fetchall()}
        if not ports:
            return None
        for child in self.children():
            if _local_ports(child) & ports:
                return child
        return None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _local_ports(pid: int) -> set[int]:
    """The local TCP ports of a process's sockets (/proc/<pid>/fd and /proc/net/tcp*)."""
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return set()
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            next(fh)
            for line in fh:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.fixture
def test_db_url(transactional_db: None) -> str:
    """The URL of pytest-django's test database, for the processes the tests start."""
    from django.db import connection

    return DB_URL.rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]


@pytest.fixture
def workers(
    test_db_url: str, broker: RedisServer, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """start(concurrency=2, **env) -> a running Worker on the test database and the private
    Redis; every worker started is stopped at the end (SIGTERM, then SIGKILL, by pid)."""
    started: list[Worker] = []

    def start(
        concurrency: int = 2, db_url: str | None = None, ready: bool = True, **env: str
    ) -> Worker:
        w = Worker(
            db_url=db_url or test_db_url,
            broker_url=broker.url,
            concurrency=concurrency,
            log=tmp_path / f"worker-{len(started)}.log",
            env=env,
        )
        started.append(w)
        return w.start(ready=ready)

    yield start
    for w in started:
        w.stop()


# --- a private PostgreSQL -----------------------------------------------------------------


class PgCluster:
    """A PostgreSQL cluster of its own (initdb + pg_ctl) in a temporary directory, on a free
    port: the tests stop and start it; the shared server is never touched."""

    def __init__(self, workdir: Path) -> None:
        assert PG_BIN is not None, "PostgreSQL server binaries not found under /usr/lib/postgresql"
        self.workdir, self.port = workdir, free_port()
        self.data = workdir / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/earshot"

    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _as_root_for_postgres([str(PG_BIN / args[0]), *args[1:]]),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
        self._pg(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        self.sql("CREATE DATABASE earshot", db="postgres")

    def start(self) -> None:
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.workdir / "log"),
            "-w",
            "start",
            "-o",
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off",
        )

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def sql(self, query: str, params: Any = None, db: str = "earshot") -> list[tuple[Any, ...]]:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=db)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()


@pytest.fixture
def pg_cluster() -> Iterator[PgCluster]:
    workdir = Path(tempfile.mkdtemp(prefix="earshot-pg-"))
    cluster = PgCluster(workdir)
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(workdir, ignore_errors=True)


def manage(*args: str, db_url: str, **env: str) -> str:
    """Run `manage.py` in its own process against `db_url`; its output."""
    run_env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "on", **env}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


# --- the upstream: a paced fake ServiceNow -----------------------------------------------------


class PacedServiceNow(FakeServiceNow):
    """tests/fakes/servicenow.py with a delay on every request (a real instance answers in
    tens of milliseconds), so a collection lasts long enough to be interrupted mid-way."""

    delay = 0.0

    def _table(self, request: Request) -> Response:
        if self.delay:
            time.sleep(self.delay)
        return super()._table(request)

    def user(self, user_name: str) -> str:
        return next(k for k, u in self.tables["sys_user"].items() if u["user_name"] == user_name)

    def populate(self, incidents: int, comments_each: int) -> int:
        """`incidents` incidents by business callers, each with `comments_each` public
        comments, every third one by IT staff (itil). Returns the number of comments."""
        texts = [
            "The VPN keeps dropping, this is terrible.",
            "Thanks, the new laptop is great!",
            "Still waiting for access to the share.",
            "Outlook crashes every morning, awful.",
            "Quick fix, very happy with the service desk.",
        ]
        depts = [self.add_department(d) for d in ("Finance", "Sales", "Operations")]
        callers = [
            self.add_user(f"user{i}", f"User {i}", f"user{i}@corp.example", depts[i % 3])
            for i in range(120)
        ]
        staff = []
        for i in range(6):
            staff.append(self.add_user(f"agent{i}", f"Agent {i}", f"agent{i}@it.corp.example"))
            self.add_role(staff[-1], "itil")
        groups = [self.add_group(g) for g in ("Network", "Workplace", "Access")]
        n = 0
        for i in range(incidents):
            caller = callers[i % len(callers)]
            sid = self.add_incident(
                i + 1,
                f"Incident {i + 1}",
                caller=caller,
                comment=f"{texts[i % 5]} (#{i}-0)",
                group=groups[i % 3],
            )
            n += 1
            for j in range(1, comments_each):
                who = staff[(i + j) % 6] if j % 3 == 0 else caller
                self.add_comment(
                    sid,
                    self.tables["sys_user"][who]["user_name"],
                    f"{texts[(i + j) % 5]} (#{i}-{j})",
                )
                n += 1
        return n


@pytest.fixture
def upstream() -> Iterator[PacedServiceNow]:
    """A paced fake ServiceNow on its own threaded HTTP server (the workers reach it over TCP)."""
    server = HTTPServer(host="127.0.0.1", port=free_port(), threaded=True)
    server.start()
    try:
        yield PacedServiceNow(server)
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def servicenow_source(fake: FakeServiceNow, name: str = "ServiceNow", page_size: int = 100) -> Any:
    from collectors.services import source_create
    from sentiment.catalogue import ensure_catalogue
    from sentiment.models import Category

    ensure_catalogue(Category)
    return source_create(
        name=name,
        kind="servicenow",
        settings={
            "base_url": fake.base_url,
            "username": fake.username,
            "page_size": page_size,
            "allow_insecure_http": True,
            "allow_private_network": True,
            "retry_backoff": 0.05,
        },
        secrets={"password": fake.password},
    )


def webhook_source() -> Any:
    from collectors.services import source_create

    return source_create(
        name="Intranet feedback",
        kind="webhook",
        settings={
            "id_field": "id",
            "text_field": "text",
            "created_at_field": "at",
            "author_email_field": "email",
            "department_field": "dept",
        },
        secrets={"signing_secret": "hook-secret"},
    )


def post_webhooks(source: Any, first: int, n: int) -> None:
    """n signed deliveries to the source's webhook URL, through Django's request handling."""
    import hashlib
    import hmac
    import json

    from django.test import Client

    from collectors.webhooks import webhook_url

    client = Client()
    for i in range(first, first + n):
        body = json.dumps(
            {
                "id": f"fb-{i}",
                "text": "The new intranet search is slow and useless.",
                "at": f"2026-03-0{1 + i % 5}T10:00:00Z",
                "email": f"p{i}@corp.example",
                "dept": "Finance",
            }
        ).encode()
        ts = str(int(time.time()))
        sig = (
            "sha256="
            + hmac.new(b"hook-secret", ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        answer = client.post(
            webhook_url(source),
            body,
            content_type="application/json",
            HTTP_X_EARSHOT_TIMESTAMP=ts,
            HTTP_X_EARSHOT_SIGNATURE=sig,
        )
        assert answer.status_code == 200, answer.content


# --- the end state ---------------------------------------------------------------------------


def quiet(redis: RedisServer) -> bool:
    """Nothing queued, reserved or running, no rollup pending, no collection running."""
    from collectors.models import SyncRun
    from sentiment.models import RollupPending

    return (
        redis.queue_empty()
        and not RollupPending.objects.exists()
        and not SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exists()
    )


def settle(redis: RedisServer, timeout: float = 90.0) -> None:
    """Wait until the workers have nothing left to do (quiet twice, half a second apart:
    a refresh waiting for its countdown is reserved, so it counts as queued)."""

    def twice() -> bool:
        if not quiet(redis):
            return False
        time.sleep(0.5)
        return quiet(redis)

    wait_for(twice, timeout, "the workers to finish", every=0.2)


def as_if_minutes_passed(minutes: int) -> None:
    """Move the clocks of stored rows back, standing in for waiting: the sweeps leave
    comments unscored for less than 10 minutes and webhook events pending for less than 5
    alone (their messages may still be queued)."""
    from django.db.models import F

    from collectors.models import WebhookEvent
    from sentiment.models import Comment

    Comment.objects.update(updated_at=F("updated_at") - timedelta(minutes=minutes))
    WebhookEvent.objects.update(received_at=F("received_at") - timedelta(minutes=minutes))


def run_the_sweeps(redis: RedisServer) -> None:
    """What beat runs every 5 minutes (sentiment.sweep, collectors.sweep_webhooks), called
    here as beat's worker would, after the clock moved on; then wait for what it queued."""
    from collectors.tasks import sweep_webhooks
    from sentiment.tasks import sweep

    as_if_minutes_passed(11)
    sweep.apply()
    sweep_webhooks.apply()
    settle(redis)


def assert_complete(expected: int) -> None:
    """0 lost, 0 duplicated, every comment scored at the current version, rollups equal to
    a recomputation from the comment table."""
    from django.db.models import Count

    from sentiment import scoring
    from sentiment.models import Comment
    from tests.sentiment.test_pipeline import actual_rollup, expected_rollup

    assert Comment.objects.count() == expected, "comments lost or duplicated"
    dupes = (
        Comment.objects.values("source_id", "external_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    assert dupes == 0
    assert Comment.objects.values("source_id", "external_id").distinct().count() == expected
    version = scoring.current_version()
    unscored = Comment.objects.exclude(scorer_version=version).count()
    unscored += Comment.objects.filter(compound__isnull=True).count()
    assert unscored == 0, f"{unscored} comments not scored at version {version}"
    assert actual_rollup() == expected_rollup()
