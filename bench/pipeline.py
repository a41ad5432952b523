"""End-to-end pipeline benchmark: Earshot ingest and scoring against their raw anchors.

    python bench/pipeline.py [--n 100000] [--workers 2] [--only all|ingest|scoring] [--repeat 3]
        [--database-url postgres://postgres@127.0.0.1:5432/earshot_bench]
        [--broker-url redis://127.0.0.1:6379/15]

Creates its own database (dropped at the end), generates a deterministic corpus of
business-user comments about IT, and measures in one run:

(a) scoring: raw VADER polarity_scores over the cleaned texts in 1 process and in a
    2-process multiprocessing Pool, then Earshot end to end: every comment stored
    unscored, a real Celery worker (prefork, --concurrency 2), time from
    comments_enqueue_scoring(all ids) until every comment is scored and no rollup is
    pending -> comments/s and the ratios to both raw anchors;
(b) ingest: comments_ingest_stream over the whole corpus in batches of 1,000 (fresh
    source, enqueue=False) versus one raw COPY of the same comment rows and columns into
    the same table; --repeat interleaved rounds, best of each side (--only ingest runs
    this part alone).

See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import io
import multiprocessing
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CELERY_BIN = Path(sys.executable).parent / "celery"

# --- corpus ---------------------------------------------------------------------------

SYSTEMS = [
    # (phrase, thread title stem, category hint the helpdesk would set or "")
    ("the VPN", "VPN keeps disconnecting", "VPN"),
    ("the VPN client", "VPN client will not connect", "Remote access"),
    ("Outlook", "Outlook is slow", "E-mail"),
    ("the shared mailbox", "Shared mailbox missing", "Exchange"),
    ("my calendar", "Calendar invites not arriving", ""),
    ("the Wi-Fi in building B", "Wi-Fi drops in building B", "Wi-Fi"),
    ("the guest network", "Guest network access", "Network"),
    ("my new laptop", "New laptop problems", "Hardware"),
    ("my docking station", "Docking station not detected", "Hardware"),
    ("the second monitor", "Second monitor flickers", ""),
    ("my laptop battery", "Laptop battery drains fast", "Laptop"),
    ("the password reset portal", "Password reset does not work", "Password"),
    ("MFA", "MFA prompts every hour", "MFA"),
    ("single sign-on", "SSO login loop", "Access"),
    ("my account", "Account locked again", ""),
    ("the printer on the third floor", "Printer on 3rd floor jams", "Printing"),
    ("the scanner", "Scanner sends blank pages", "Printer"),
    ("SAP", "SAP transaction times out", "SAP"),
    ("the CRM", "CRM is very slow", "CRM"),
    ("Salesforce", "Salesforce sync errors", ""),
    ("Teams", "Teams calls drop", "Software"),
    ("SharePoint", "SharePoint permissions", ""),
    ("OneDrive", "OneDrive sync stuck", "Application"),
    ("Excel", "Excel crashes on large files", ""),
    ("the expense app", "Expense app rejects receipts", "Application"),
    ("my phone", "Phone cannot get e-mail", "Mobile"),
    ("voicemail", "Voicemail not working", "Telephony"),
    ("the service desk", "Waiting for the service desk", "Service desk"),
    ("the ticket portal", "Ticket portal confusing", "Helpdesk"),
    ("the intranet", "Intranet search finds nothing", ""),
    ("the meeting room screen", "Meeting room screen", "Facilities"),
    ("the new HR system", "HR system rollout", ""),
]
BAD_STATE = [
    "down", "painfully slow", "broken", "unusable", "unreliable", "freezing constantly",
    "crashing", "acting up", "really flaky", "completely dead",
]
WHEN = [
    "Monday", "this morning", "the last update", "the migration", "last week",
    "yesterday afternoon", "the weekend", "two days ago", "the new release", "the office move",
]
IMPACT = [
    "I cannot do my job", "our whole team is blocked", "I missed an important client call",
    "we lost half a day of work", "the month-end closing is at risk", "customers are waiting on us",
    "I had to work from my private phone", "nobody in sales can send quotes",
    "I keep losing my changes", "it is costing us real money",
]
COMPLAINT = [
    "this is frustrating", "nobody has called me back", "the ticket was closed without a fix",
    "I was told to just restart again", "honestly this is not acceptable",
    "it feels like nobody cares", "I have explained the problem three times now",
    "the workaround does not work", "this is the third time this month",
]
DURATION = ["two days", "a week", "since Tuesday", "over three hours", "ten days", "all morning"]
ACTION = [
    "open a large file", "join a meeting", "log in from home", "print a contract",
    "share my screen", "book a room", "submit my expenses", "connect to the office",
    "send an attachment", "reset my password",
]
NEG_ADJ = ["terrible", "awful", "so slow", "a nightmare", "really annoying", "worse than before", "useless"]
INTENSIFIER = ["these days", "lately", "again", "every single day", "right now", "as usual"]
AGENT = [
    "the service desk", "Maria from IT", "the network team", "the desk-side support",
    "the IT team", "whoever fixed it", "the colleague on the hotline",
]
PRAISE = [
    "great job", "really appreciated", "thank you so much", "that made my day",
    "excellent support as always", "much better than before", "very helpful and friendly",
]
POS_ADV = ["perfectly", "great", "smoothly", "much faster", "fine", "really well"]
POS_ADJ = ["great", "a big improvement", "fast and easy", "really nice", "excellent", "so much better"]
QUESTION = [
    "Is there a plan to upgrade {s} this year?",
    "Can someone tell me how to {a} with {s}?",
    "Does anyone know if {s} will be replaced?",
    "Who do I contact about {s} for a new joiner?",
    "Is {s} supposed to ask me to {a} every time?",
]
NEG_T = [
    "{S} has been {b} since {w} and {i}.",
    "I have been waiting {d} for someone to look at {s}, {c}.",
    "Why does {s} fail every time I {a}?",
    "{S} is {n} {x}, {i}.",
    "Again {s} is {b}. {C}.",
    "We reported {s} being {b} {w} but {c}.",
    "Not happy with {s}, it is {n} and {i}.",
]
POS_T = [
    "Thanks to {g} for fixing {s} so quickly, {p}.",
    "{S} works {v} now, {p}.",
    "The new {s2} is {j}, {p}!",
    "Quick fix from {g} today, {s} is back and {p}.",
    "I am impressed, {s} has been {j} since {w}.",
    "Good news, {s} finally works {v}. {P}.",
]
IT_T = [
    "We have deployed a fix for {s}, please restart your laptop and tell us if it persists.",
    "Could you send us a screenshot of the error you see in {s}?",
    "The {s2} outage is resolved, the root cause was an expired certificate.",
    "Thanks for reporting, we are investigating {s} with the vendor.",
    "Please try again now, we changed the configuration of {s}.",
    "This is a known issue with {s}, a patch is planned for next week.",
    "I have escalated your ticket about {s} to the second level team.",
]
FOLLOW_UP = [
    "Please advise.", "Any update on this?", "Thanks in advance for any help.",
    "It worked fine before.", "This affects at least five people here.",
    "I already restarted twice.", "Still the same today.", "Let me know if you need more details.",
]
FIRST = [
    "Anna", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Karin", "Luca", "Mei", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara",
]
LAST = [
    "Meyer", "Schmidt", "Rossi", "Dubois", "Novak", "Jensen", "Garcia", "Kowalski", "Smith",
    "Berg", "Costa", "Weber", "Larsen", "Moreau", "Fischer", "Keller", "Silva", "Horvat",
]
DEPARTMENTS = [
    "Sales", "Finance", "HR", "Marketing", "Operations", "Legal", "Procurement",
    "Customer Service", "Logistics", "R&D", "Production", "Management",
]
START = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday
WEEKS = 26


def _sentence(rng: random.Random, kind: str, system: str) -> str:
    sub = {
        "s": system, "S": system[0].upper() + system[1:],
        "s2": system.removeprefix("the ").removeprefix("my "),
        "b": rng.choice(BAD_STATE), "w": rng.choice(WHEN), "i": rng.choice(IMPACT),
        "c": rng.choice(COMPLAINT), "d": rng.choice(DURATION), "a": rng.choice(ACTION),
        "n": rng.choice(NEG_ADJ), "x": rng.choice(INTENSIFIER), "g": rng.choice(AGENT),
        "p": rng.choice(PRAISE), "v": rng.choice(POS_ADV), "j": rng.choice(POS_ADJ),
    }
    sub["C"] = sub["c"][0].upper() + sub["c"][1:]
    sub["P"] = sub["p"][0].upper() + sub["p"][1:]
    templates = {"neg": NEG_T, "pos": POS_T, "q": QUESTION, "it": IT_T}[kind]
    return rng.choice(templates).format(**sub)


def _body(rng: random.Random, voice: str, system: str, author_name: str, ticket: int) -> str:
    if voice == "it_staff":
        kinds = ["it"]
    else:
        kinds = rng.choices(["neg", "pos", "q"], weights=[55, 25, 20])
    target = rng.randint(8, 40)
    sentences: list[str] = []
    words = 0
    while words < target:
        if sentences and rng.random() < 0.35:
            s = rng.choice(FOLLOW_UP)
        else:
            kind = kinds[0] if not sentences or rng.random() < 0.7 else rng.choice(["neg", "pos", "q"])
            if voice == "it_staff":
                kind = "it"
            s = _sentence(rng, kind, system if not sentences or rng.random() < 0.8 else rng.choice(SYSTEMS)[0])
        w = len(s.split())
        if sentences and words + w > 40:
            break
        sentences.append(s)
        words += w
    text = " ".join(sentences)
    if len(text.split()) > 40:  # a single over-long sentence: cut it, keep it a sentence
        text = " ".join(text.split()[:40]).rstrip(",.") + "."
    r = rng.random()
    if r < 0.06:
        text += f" See https://intranet.example.com/kb/article-{rng.randint(1000, 99999)}?ref=portal"
    elif r < 0.10:
        text = f"Regarding INC{ticket:07d}: {text}"
    if rng.random() < 0.08:
        text = f"<p>{text.replace('. ', '.</p><p>', 1)}</p><br>"
        if rng.random() < 0.5:
            text = text.replace(" and ", " &amp; ", 1)
    elif rng.random() < 0.05:
        text += f"\n\nKind regards,\n{author_name}"
    elif rng.random() < 0.03:
        text += f"\n\nOn Monday, {author_name} wrote:\n> Any news on this?"
    return text


def build_corpus(n: int, *, seed: int = 20250106, authors: int = 2000, prefix: str = ""):
    """n CommentRecords, chronological as a connector delivers them. Deterministic."""
    from collectors.base import CommentRecord

    rng = random.Random(seed)
    people = []
    for i in range(authors):
        it_staff = i % 10 == 0  # 10% of the directory is IT staff
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append((
            f"{prefix}U{i:05d}", f"{first} {last}", f"{first}.{last}{i}@example.com".lower(),
            "IT" if it_staff else rng.choice(DEPARTMENTS), it_staff,
        ))
    business = [p for p in people if not p[4]]
    staff = [p for p in people if p[4]]
    weights = [1.0 / (k + 1) ** 0.4 for k in range(len(business))]  # a few talk a lot
    span = WEEKS * 7 * 86400
    rows = []
    t = 0
    count = 0
    while count < n:
        t += 1
        size = min(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6]), n - count)
        system, title, hint = rng.choice(SYSTEMS)
        if rng.random() < 0.4:
            hint = ""
        opened = START + timedelta(seconds=rng.randrange(span - 3 * 86400))
        opener = rng.choices(business, weights=weights)[0]
        when = opened
        thread_ext = f"{prefix}T{t:06d}"
        for k in range(size):
            if k == 0:
                author = opener
            elif rng.random() < 0.4:
                author = rng.choice(staff)
            else:
                author = opener if rng.random() < 0.6 else rng.choices(business, weights=weights)[0]
            voice = "it_staff" if author[4] else "business"
            rows.append((when, count, CommentRecord(
                external_id=f"{prefix}C{count:07d}",
                thread_external_id=thread_ext,
                body=_body(rng, voice, system, author[1], 100000 + t),
                created_at=when,
                thread_title=title,
                thread_url=f"https://helpdesk.example.com/ticket/{t}",
                author_external_id=author[0],
                author_name=author[1],
                author_email=author[2],
                department=author[3],
                category_hint=hint,
                voice=voice,
            )))
            count += 1
            when = min(when + timedelta(seconds=int(rng.expovariate(1 / 18000)) + 60),
                       START + timedelta(seconds=span - 1))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]


def batches(records, size: int = 1000):
    from collectors.base import Batch

    for i in range(0, len(records), size):
        chunk = records[i : i + size]
        yield Batch(records=chunk, cursor={"since": chunk[-1].created_at.isoformat(),
                                           "last_id": chunk[-1].external_id})


# --- raw scoring anchors --------------------------------------------------------------

_ANALYZER = None


def _pool_init() -> None:
    global _ANALYZER
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    _ANALYZER = SentimentIntensityAnalyzer()


def _pool_score(texts: list[str]) -> list[tuple[float, float, float, float]]:
    out = []
    for text in texts:
        s = _ANALYZER.polarity_scores(text)
        out.append((s["compound"], s["pos"], s["neu"], s["neg"]))
    return out


def raw_scoring_1p(texts: list[str]) -> float:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    t0 = time.perf_counter()
    out = []
    for text in texts:
        s = analyzer.polarity_scores(text)
        out.append((s["compound"], s["pos"], s["neu"], s["neg"]))
    return time.perf_counter() - t0


def raw_scoring_pool(texts: list[str], procs: int, chunk: int) -> tuple[float, CpuMeter]:
    chunks = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs, initializer=_pool_init) as pool:
        # Warm: every process has built its analyzer before the clock starts.
        pool.map(_pool_score, [texts[:20]] * (procs * 4), chunksize=1)
        time.sleep(0.5)
        with CpuMeter() as cpu:
            t0 = time.perf_counter()
            pool.map(_pool_score, chunks, chunksize=1)
            elapsed = time.perf_counter() - t0
        return elapsed, cpu


# --- where the CPU went ---------------------------------------------------------------


class CpuMeter:
    """CPU seconds spent during a timed phase, by who spent them (Linux /proc): this
    process, the Celery worker's process group, PostgreSQL (its backends, and backends
    that exited, through the postmaster's children times), everything else; and idle."""

    def __init__(self, worker_pgid: int | None = None) -> None:
        self.worker_pgid = worker_pgid
        self.tick = os.sysconf("SC_CLK_TCK")

    def _snapshot(self) -> tuple[dict[str, float], float, float]:
        by: dict[str, float] = {}
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            f = stat[stat.rindex(")") + 2 :].split()
            pid, pgrp = int(d.name), int(f[2])
            own = (int(f[11]) + int(f[12])) / self.tick
            if pid == os.getpid():
                who = "bench process"
            elif self.worker_pgid and pgrp == self.worker_pgid:
                who = "celery worker"
            elif int(f[1]) == os.getpid():
                who = "raw pool"
            elif comm in ("postgres", "postmaster"):
                who = "postgresql"
                try:
                    postmaster = not (d / "cmdline").read_bytes().startswith(b"postgres:")
                except OSError:
                    postmaster = False
                if postmaster:  # backends that exited are counted in its children's times
                    own += (int(f[13]) + int(f[14])) / self.tick
            else:
                who = f"other:{comm.split('/')[0]}"
            by[who] = by.get(who, 0.0) + own
        cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = (cpu[3] + cpu[4]) / self.tick
        return by, sum(cpu[:8]) / self.tick - idle, idle

    def __enter__(self) -> CpuMeter:
        try:
            self.start = self._snapshot()
        except (OSError, ValueError):
            self.start = None
        return self

    def __exit__(self, *exc) -> None:
        if self.start is None:
            self.result = None
            return
        end = self._snapshot()
        by = {k: max(0.0, v - self.start[0].get(k, 0.0)) for k, v in end[0].items()}
        self.result = (by, end[1] - self.start[1], end[2] - self.start[2])

    def line(self) -> str:
        if not self.result:
            return "(no /proc: CPU split not measured)"
        by, busy, idle = self.result
        others = {k[6:]: v for k, v in by.items() if k.startswith("other:")}
        named = {k: v for k, v in by.items() if not k.startswith("other:")}
        # Busy time no live process accounts for: processes that came and went, the kernel.
        unattributed = max(0.0, busy - sum(by.values()))
        parts = [f"{k} {v:.1f}" for k, v in sorted(named.items(), key=lambda kv: -kv[1]) if v >= 0.05]
        total_other = sum(others.values()) + unattributed
        if total_other >= 0.05:
            top = sorted(others.items(), key=lambda kv: -kv[1])[:3]
            detail = ", ".join(f"{k} {v:.1f}" for k, v in top if v >= 0.05)
            if unattributed >= 0.05:
                detail = f"{detail}, unattributed {unattributed:.1f}" if detail else f"unattributed {unattributed:.1f}"
            parts.append(f"other {total_other:.1f}" + (f" ({detail})" if detail else ""))
        return f"CPU-s: {', '.join(parts)}; idle {idle:.1f}"


# --- database -------------------------------------------------------------------------


def _admin_dsn(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def create_database(url: str) -> None:
    import psycopg2

    admin, name = _admin_dsn(url)
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone():
            if "bench" not in name:
                sys.exit(f"database {name!r} exists and is not a benchmark database: refusing to drop it")
            cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(url: str) -> None:
    import psycopg2

    admin, name = _admin_dsn(url)
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def _sql(query: str, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(query, params)
        try:
            return cur.fetchall()
        except Exception:
            return None


def _vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("sentiment_comment", "sentiment_thread", "sentiment_person"):
            cur.execute(f"VACUUM ANALYZE {table}")


def _settle() -> None:
    """Start each timed phase from the same state: statistics current, no dead rows, and
    a fresh checkpoint (so no phase pays for an earlier phase's dirty pages and WAL)."""
    _vacuum_analyze()
    _sql("CHECKPOINT")


def _make_source(name: str):
    from collectors.models import Source

    return Source.objects.create(name=name, kind="csvfile", settings={})


# --- (b) ingest -----------------------------------------------------------------------


def _copy_field(value) -> str:
    if value is None:
        return r"\N"
    text = value if isinstance(value, str) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def raw_copy(records, cleaned: list[str], hashes: list[str], batch: int | None = None) -> float:
    """One COPY of the same comment rows into sentiment_comment of a fresh source whose
    people and threads exist. Formatting happens before the clock; the clock covers the
    COPY and its commit. With `batch`: one COPY and one commit per `batch` rows instead."""
    from django.db import connection, transaction

    from sentiment.categories import CategoryMatcher
    from sentiment.models import Person, Thread

    source = _make_source("bench raw copy")
    other = CategoryMatcher.load().other_id
    persons, threads = {}, {}
    for rec in records:
        persons.setdefault(rec.author_external_id, rec)
        th = threads.setdefault(rec.thread_external_id, [rec.created_at, rec.created_at, rec])
        th[1] = max(th[1], rec.created_at)
    Person.objects.bulk_create(
        [Person(source=source, external_id=ext, display_name=r.author_name, email=r.author_email,
                department=r.department, voice=r.voice or "business", pseudonym=ext[:32])
         for ext, r in persons.items()], batch_size=2000)
    Thread.objects.bulk_create(
        [Thread(source=source, external_id=ext, title=r.thread_title, url=r.thread_url,
                category_id=other, department=r.department, opened_at=o, last_activity_at=last)
         for ext, (o, last, r) in threads.items()], batch_size=2000)
    pid = dict(Person.objects.filter(source=source).values_list("external_id", "id"))
    tid = dict(Thread.objects.filter(source=source).values_list("external_id", "id"))
    now = datetime.now(UTC).isoformat()
    sid = str(source.pk)
    lines = [
        "\t".join((
            sid, str(tid[rec.thread_external_id]), str(pid[rec.author_external_id]),
            _copy_field(rec.external_id), _copy_field(rec.body), _copy_field(clean),
            rec.voice or "business", rec.created_at.isoformat(), h, r"\N", "", "", now, now,
        )) + "\n"
        for rec, clean, h in zip(records, cleaned, hashes, strict=True)
    ]
    step = batch or len(lines)
    buffers = [io.StringIO("".join(lines[i : i + step])) for i in range(0, len(lines), step)]
    _settle()
    with CpuMeter() as cpu:
        t0 = time.perf_counter()
        for buf in buffers:
            with transaction.atomic(), connection.cursor() as cur:
                cur.cursor.copy_expert(
                    "COPY sentiment_comment (source_id, thread_id, author_id, external_id,"
                    " raw_body, clean_body, voice, created_at, content_hash, rating,"
                    " rating_scale, scorer_version, ingested_at, updated_at) FROM STDIN",
                    buf,
                    size=1 << 16,
                )
        elapsed = time.perf_counter() - t0
    (stored,), = _sql("SELECT count(*) FROM sentiment_comment WHERE source_id = %s", [source.pk])
    assert stored == len(records), (stored, len(records))
    # Leave the tables as empty as the Earshot run will find them.
    _sql("TRUNCATE sentiment_comment, sentiment_thread, sentiment_person CASCADE")
    source.delete()
    return elapsed, cpu


def _drop_source(source) -> None:
    """Empty the tables again after a round whose rows are not needed any more."""
    _sql("TRUNCATE sentiment_comment, sentiment_thread, sentiment_person CASCADE")
    source.delete()


def earshot_ingest(records, batch_size: int):
    # The path a collection takes: batches prepared in a thread while the previous is stored.
    from collectors.ingest import comments_ingest_stream

    source = _make_source("bench earshot")
    todo = list(batches(records, batch_size))
    created = updated = unchanged = skipped = 0
    _settle()
    with CpuMeter() as cpu:
        t0 = time.perf_counter()
        for r in comments_ingest_stream(source=source, batches=iter(todo), enqueue=False):
            created += r.created
            updated += r.updated
            unchanged += r.unchanged
            skipped += len(r.skips)
        elapsed = time.perf_counter() - t0
    assert (created, updated, unchanged, skipped) == (len(records), 0, 0, 0), (
        created, updated, unchanged, skipped)
    source.refresh_from_db()
    assert source.cursor == todo[-1].cursor
    return source, elapsed, cpu


# --- (a) Earshot scoring through a real Celery worker ---------------------------------


class Worker:
    def __init__(self, env: dict[str, str], concurrency: int) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="earshot-bench-worker-", suffix=".log")
        self.proc = subprocess.Popen(
            [str(CELERY_BIN), "-A", "sentiment", "worker", "--concurrency", str(concurrency),
             "--pool", "prefork", "-Q", "celery", "-l", "WARNING",
             "--hostname", f"bench{os.getpid()}@%h"],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=self.log, stderr=subprocess.STDOUT,
        )

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def wait_ready(self, app, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"celery worker exited with {self.proc.returncode}:\n{self.log_tail()}")
            if app.control.ping(timeout=0.5):
                return
        raise RuntimeError("celery worker did not answer a ping in time")

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the worker leads its own process group
        try:
            # Warm shutdown: the main process lets its children finish their task and exit.
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass
        # Children still in the group after the parent went (should be none).
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()


def _wait_scored(source_ids: list[int], poll: float, timeout: float, worker=None) -> None:
    """Until no comment of these sources lacks a score and no rollup is pending."""
    deadline = time.monotonic() + timeout
    # Cheap enough not to steal CPU from the worker: EXISTS walks the partial index
    # comment_unscored with a plain index scan, which marks the entries of already scored
    # rows dead as it passes them (a count(*) would use a bitmap scan and visit every heap
    # page on every poll).
    q = ("SELECT EXISTS (SELECT 1 FROM sentiment_comment WHERE compound IS NULL"
         " AND source_id = ANY(%s)), EXISTS (SELECT 1 FROM sentiment_rolluppending)")
    while True:
        (unscored, pending), = _sql(q, [source_ids])
        if not unscored and not pending:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out: {unscored} unscored, {pending} rollups pending")
        if worker is not None and worker.proc.poll() is not None:
            raise RuntimeError(f"celery worker died:\n{worker.log_tail()}")
        time.sleep(poll)


def _warm_worker(app, worker, n_tasks: int) -> None:
    """Every worker child loads VADER and opens its DB connection before the clock starts:
    the raw anchors build their analyzers outside the clock too."""
    from collectors.ingest import comments_ingest
    from collectors.models import Source
    from sentiment.models import Comment
    from sentiment.tasks import score_comments

    records = build_corpus(n_tasks * 10, seed=7, authors=50, prefix="warm-")
    source = _make_source("bench warm-up")
    for batch in batches(records):
        comments_ingest(source=source, batch=batch, enqueue=False)
    ids = sorted(Comment.objects.filter(source=source).values_list("id", flat=True))
    for i in range(0, len(ids), 10):
        score_comments.delay(ids[i : i + 10])
    _wait_scored([source.pk], 0.05, 120, worker)
    time.sleep(1.0)  # let the trailing refresh tasks run
    Source.objects.filter(pk=source.pk).delete()
    app.control.purge()


def earshot_scoring(source, env: dict[str, str], workers: int, poll: float):
    from sentiment.celery import app
    from sentiment.models import Comment, DailySentiment, RollupPending, Voice
    from sentiment.scoring import SCORER_VERSION
    from sentiment.services import comments_enqueue_scoring

    worker = Worker(env, workers)
    try:
        worker.wait_ready(app)
        app.control.purge()
        _warm_worker(app, worker, workers * 10)
        _settle()
        ids = list(Comment.objects.filter(source=source).values_list("id", flat=True))
        assert not RollupPending.objects.exists()
        assert Comment.objects.filter(source=source, compound__isnull=True).count() == len(ids)
        with CpuMeter(worker.proc.pid) as cpu:
            t0 = time.perf_counter()
            tasks = comments_enqueue_scoring(ids)
            t_enqueued = time.perf_counter() - t0
            _wait_scored([source.pk], poll, 3600, worker)
            elapsed = time.perf_counter() - t0
        # Not part of "rolled up": the weekly layer the overview reads is folded once the
        # days stop changing (EARSHOT_WEEKS_SETTLE_SECONDS); when that was, from enqueue.
        while _sql("SELECT EXISTS (SELECT 1 FROM sentiment_weeklypending)")[0][0]:
            if time.perf_counter() - t0 > elapsed + 300:
                raise RuntimeError("the weekly layer was not folded within 5 minutes")
            time.sleep(poll)
        weekly_s = time.perf_counter() - t0
    finally:
        worker.stop()
        app.control.purge()
    # Checks, outside the clock: all scored at the current version, rollups equal a recount.
    left = Comment.objects.filter(source=source).exclude(scorer_version=SCORER_VERSION).count()
    assert left == 0, f"{left} comments without a current score"
    business = Comment.objects.filter(source=source, voice=Voice.BUSINESS).count()
    rolled = sum(DailySentiment.objects.filter(source=source).values_list("n", flat=True))
    assert rolled == business, (rolled, business)
    return elapsed, tasks, t_enqueued, len(ids), cpu, weekly_s


# --- main -----------------------------------------------------------------------------


def _environment() -> list[tuple[str, str]]:
    import celery
    import psycopg2
    import redis as redis_lib
    from django.conf import settings
    from django.db import connection

    (pg,), = _sql("SELECT version()")
    (cfg,) = _sql("SELECT string_agg(name || '=' || setting, ' ') FROM pg_settings WHERE name IN"
                  " ('shared_buffers', 'synchronous_commit', 'fsync', 'max_wal_size')")
    r = redis_lib.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        redis_v = r.info("server")["redis_version"]
    finally:
        r.close()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("cores", f"{os.cpu_count()} (usable by this process: {affinity})"),
        ("cpu", platform.processor() or platform.machine()),
        ("python", platform.python_version()),
        ("postgresql", pg.split(" on ")[0] + f"  [{cfg[0]}]"),
        ("redis", redis_v),
        ("celery / psycopg2", f"{celery.__version__} / {psycopg2.__version__.split()[0]}"),
        ("database", connection.settings_dict["NAME"]),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="comments in the corpus")
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/earshot_bench")
    ap.add_argument("--broker-url", default="redis://127.0.0.1:6379/15")
    ap.add_argument("--workers", type=int, default=2, help="Celery worker processes and raw pool size")
    ap.add_argument("--batch", type=int, default=None,
                    help="records per batch, as a connector delivers them"
                         " (default: the EARSHOT_INGEST_BATCH setting, 1,000 unless set)")
    ap.add_argument("--poll", type=float, default=0.05, help="seconds between completion polls")
    ap.add_argument("--only", choices=["all", "ingest", "scoring"], default="all",
                    help="run both parts, or only (b) ingest, or only (a) scoring")
    ap.add_argument("--repeat", type=int, default=3,
                    help="interleaved rounds of (b), raw COPY and Earshot; best of them each side")
    ap.add_argument("--keep-db", action="store_true", help="do not drop the benchmark database")
    args = ap.parse_args()

    # Production-like settings for this process and the worker: DEBUG off (no query log),
    # throw-away secrets, the benchmark database, a real broker.
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "sentiment.settings",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "DEBUG": "off",
        "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(40)).decode(),
        "EARSHOT_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "EARSHOT_PSEUDONYM_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    })
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    os.environ.update(env)
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    sys.path.insert(0, str(ROOT))

    create_database(args.database_url)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        if args.batch is None:
            from django.conf import settings

            args.batch = max(1, int(settings.EARSHOT_INGEST_BATCH))
        return run(args, env)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(args.database_url)


def run(args, env) -> int:
    from sentiment.cleaning import clean_text, content_hash

    print("Earshot pipeline benchmark", flush=True)
    for k, v in _environment():
        print(f"  {k:<18} {v}")

    t0 = time.perf_counter()
    records = build_corpus(args.n)
    cleaned = [clean_text(r.body) for r in records]
    hashes = [content_hash(r.body) for r in records]
    words = sum(len(c.split()) for c in cleaned)
    n_threads = len({r.thread_external_id for r in records})
    n_authors = len({r.author_external_id for r in records})
    n_staff = sum(r.voice == "it_staff" for r in records)
    n_html = sum("<" in r.body for r in records)
    n_url = sum("http" in r.body for r in records)
    print(f"  corpus             {len(records):,} comments, {n_threads:,} threads, {n_authors:,} authors,"
          f" {n_staff / len(records):.0%} it_staff, {n_html:,} with HTML, {n_url:,} with URLs,"
          f" {words / len(records):.1f} words/comment after cleaning"
          f" ({time.perf_counter() - t0:.1f} s to build, not timed)", flush=True)

    def step(msg):
        print(f"  .. {msg}", flush=True)

    n = len(records)
    w = args.workers
    do_scoring = args.only in ("all", "scoring")
    do_ingest = args.only in ("all", "ingest")

    # (b) first: its last Earshot run is the stored corpus (a) scores. Rounds interleave the
    # two sides (COPY first, then Earshot first, ...; the last round ends with Earshot so its
    # rows stay for scoring); best of the rounds on each side.
    rounds = max(1, args.repeat) if do_ingest else 1
    copy_runs, copy_b_runs, ingest_runs = [], [], []
    source = None
    for k in range(rounds):
        last = k == rounds - 1
        earshot_first = not last and k % 2 == 1
        tag = f"round {k + 1}/{rounds}: " if rounds > 1 else ""
        if earshot_first:
            step(f"{tag}Earshot comments_ingest_stream, batches of {args.batch:,}")
            src, secs, meter = earshot_ingest(records, args.batch)
            ingest_runs.append((secs, meter))
            _drop_source(src)
        if do_ingest:
            step(f"{tag}raw COPY, one statement")
            copy_runs.append(raw_copy(records, cleaned, hashes))
            step(f"{tag}raw COPY, one transaction per {args.batch:,} rows (for reference)")
            copy_b_runs.append(raw_copy(records, cleaned, hashes, batch=args.batch))
        if not earshot_first:
            step(f"{tag}Earshot comments_ingest_stream, batches of {args.batch:,}")
            src, secs, meter = earshot_ingest(records, args.batch)
            ingest_runs.append((secs, meter))
            if last:
                source = src
            else:
                _drop_source(src)

    if do_scoring:
        step(f"raw VADER, 1 process, {len(cleaned):,} texts")
        raw1 = raw_scoring_1p(cleaned)
        step(f"raw VADER, {w} processes")
        raw2, raw2_cpu = raw_scoring_pool(cleaned, w, 500)
        step(f"Earshot scoring through a Celery worker (--concurrency {w})")
        score_s, n_tasks, enqueue_s, n_scored, score_cpu, weekly_s = earshot_scoring(
            source, env, w, args.poll)

    def row(label: str, seconds: float, rate: float, ratio: float | None = None) -> None:
        tail = f"{ratio:10.2f}" if ratio is not None else ""
        print(f"    {label:<56}{seconds:9.2f}{rate:13,.0f}{tail}")

    def cpu(meter) -> None:
        print(f"    {'':<4}{meter.line()}")

    head = f"    {'':<56}{'seconds':>9}{'{:>13}'}{'Earshot/x':>10}"
    verdicts = []
    if do_scoring:
        raw1_r, raw2_r, earshot_r = n / raw1, n / raw2, n_scored / score_s
        score_ratio2, score_ratio1 = earshot_r / raw2_r, earshot_r / raw1_r
        print()
        print("(a) scoring: VADER over the cleaned texts")
        print(head.format("texts/s"))
        row("raw polarity_scores, 1 process", raw1, raw1_r, score_ratio1)
        row(f"raw polarity_scores, {w}-process Pool", raw2, raw2_r, score_ratio2)
        cpu(raw2_cpu)
        row(f"Earshot, enqueue -> all scored + rollups, {w} workers", score_s, earshot_r)
        cpu(score_cpu)
        print(f"      {n_tasks} score tasks of <= 500 ids, enqueued in {enqueue_s:.2f} s;"
              f" done when no comment lacks a score and no rollup is pending (polled every {args.poll} s)")
        print(f"      the weekly layer (overview) was folded {weekly_s:.1f} s after enqueue"
              " (each week once its days stopped changing for EARSHOT_WEEKS_SETTLE_SECONDS)")
        verdicts.append(
            f"scoring ratio (vs raw polarity_scores, 1 process): {score_ratio1:.2f}  target >= 0.8: "
            f"{'PASS' if score_ratio1 >= 0.8 else 'FAIL'}")
        verdicts.append(
            f"scoring ratio (vs {w}-process raw pool, like-for-like): {score_ratio2:.2f}"
            f"  target >= 0.8: {'PASS' if score_ratio2 >= 0.8 else 'FAIL'}")
    if do_ingest:
        copy_s, copy_cpu = min(copy_runs, key=lambda r: r[0])
        copy_b = min(s for s, _ in copy_b_runs)
        ingest_s, ingest_cpu = min(ingest_runs, key=lambda r: r[0])
        copy_r, ingest_r = n / copy_s, n / ingest_s
        ingest_ratio = ingest_r / copy_r
        per_round = [c / e for (c, _), (e, _) in zip(copy_runs, ingest_runs, strict=True)]
        best = f"best of {rounds}, " if rounds > 1 else ""
        print()
        print(f"(b) ingest: the same {n:,} comment rows into the same table ({best}interleaved)")
        print(head.format("records/s"))
        row("raw COPY, one statement (the anchor)", copy_s, copy_r, ingest_ratio)
        cpu(copy_cpu)
        row(f"raw COPY, one transaction per {args.batch:,} rows (reference)", copy_b, n / copy_b,
            ingest_r / (n / copy_b))
        row(f"Earshot comments_ingest_stream, batches of {args.batch:,}", ingest_s, ingest_r)
        cpu(ingest_cpu)
        if rounds > 1:
            print("      per round (COPY s / Earshot s): "
                  + ", ".join(f"{c:.2f}/{e:.2f}={r:.2f}" for (c, _), (e, _), r
                              in zip(copy_runs, ingest_runs, per_round, strict=True))
                  + f"; median ratio {statistics.median(per_round):.2f}")
        verdicts.append(f"ingest ratio: {ingest_ratio:.2f}  target >= 0.5: "
                        f"{'PASS' if ingest_ratio >= 0.5 else 'FAIL'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print()
    print(f"  load average (1 min) at the end: {load:.2f}; other work on these {os.cpu_count()} cores"
          " skews every figure above")
    if do_scoring:
        print("  The issue's anchor is raw polarity_scores texts/s (one loop) against Earshot with"
              f" {w} worker processes; the {w}-process raw pool is the stricter like-for-like figure.")
    for line in verdicts:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
