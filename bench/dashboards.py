"""Dashboard benchmark: the weekly overview and an explorer query against a GROUP BY.

    python bench/dashboards.py [--comments 1000000] [--runs 30]
        [--database-url postgres://postgres@127.0.0.1:5432/earshot_dash_bench] [--keep-db]

Creates its own PostgreSQL database (dropped at the end unless --keep-db), loads
`--comments` scored comments with a realistic spread (6 sources, the service catalogue,
15 departments, one person per ~50 comments, 56 weeks up to today, ~3 comments a
thread, 85 % business voice) by COPY, builds the rollups with the same SQL the
PostgreSQL path of `rollups_refresh` runs (grouped per day, source, category,
department), then times:

- the overview: the real view through django.test.Client, logged in as an analyst
  (breakdowns with links, themes, lift), p50 / p95 over --runs requests, once with the
  cache emptied before every request (cold: every query runs) and once warm;
- one explorer query (a service's business comments of one week, most negative first);
- the anchor: the same overview numbers (13 weeks + 12-week baseline of totals and
  distinct people per week, the week's three breakdowns with distinct people) computed
  by GROUP BY over the comment table, and the ratio anchor / overview.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline import create_database, drop_database  # noqa: E402

SOURCES = [
    ("Jira Service Management", "jira"),
    ("ServiceNow", "servicenow"),
    ("Slack #it-help", "slack"),
    ("Teams IT channel", "teams"),
    ("Quarterly IT survey", "csvfile"),
    ("Zendesk", "zendesk"),
]
DEPARTMENTS = [
    "Sales",
    "Finance",
    "Operations",
    "Marketing",
    "Legal",
    "HR",
    "Engineering",
    "Support",
    "Logistics",
    "Procurement",
    "Research",
    "Facilities",
    "Executive office",
    "Customer success",
    "",
]
NEGATIVE = [
    "The VPN keeps dropping again, I lost my work.",
    "Outlook is very slow since the update, cannot open attachments.",
    "My laptop crashed twice today and the docking station is not detected.",
    "Still waiting for the password reset, this is frustrating.",
    "The printer on the third floor is broken again.",
    "Teams calls keep freezing in every meeting.",
    "SAP transaction times out, I cannot finish the invoices.",
    "The ticket was closed without fixing anything.",
    "Wi-Fi in building B drops every hour, unusable.",
    "MFA prompts every hour, really annoying.",
]
NEUTRAL = [
    "Please add me to the shared mailbox for the project.",
    "I need access to the finance folder on SharePoint.",
    "Can you install Visio on my laptop?",
    "Requesting a second monitor for my desk.",
]
POSITIVE = [
    "Thanks, the VPN works again, great help!",
    "Fixed within minutes, thank you so much.",
    "The new laptop is fast, really happy with it.",
    "Great support from the service desk today, thanks!",
]
STAFF = [
    "We are looking into it and will update you shortly.",
    "Could you restart and try again please?",
    "The fix has been deployed, please confirm.",
]


def _copy(cur, table: str, columns: list[str], rows) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def load(n: int, seed: int = 7) -> dict:
    """Sources, people, threads and scored comments by COPY, in chunks; returns facts."""
    from django.db import connection
    from django.utils import timezone

    from collectors.models import Source
    from sentiment.models import Category, Comment, Person, Thread
    from sentiment.scoring import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD, SCORER_VERSION

    rng = random.Random(seed)
    sources = [Source.objects.create(name=name, kind=kind).pk for name, kind in SOURCES]
    categories = list(Category.objects.values_list("pk", flat=True))
    now = timezone.now()
    weeks = 56
    start = now - timedelta(weeks=weeks)
    span = (now - start).total_seconds()
    n_people = max(200, n // 50)
    people_dept = [rng.choice(DEPARTMENTS) for _ in range(n_people)]
    people_source = [rng.choice(sources) for _ in range(n_people)]
    staff = n_people  # staff person ids follow the business people
    stamp = now.isoformat()

    with connection.cursor() as cur:
        _copy(
            cur,
            Person._meta.db_table,
            [
                "id",
                "source_id",
                "external_id",
                "display_name",
                "email",
                "department",
                "voice",
                "pseudonym",
            ],
            [
                (
                    i + 1,
                    people_source[i],
                    f"p{i}",
                    "",
                    "",
                    people_dept[i],
                    "business",
                    f"Person-{i:08X}",
                )
                for i in range(n_people)
            ]
            + [(staff + 1, sources[0], "agent", "", "", "IT", "it_staff", "Person-AGENT")],
        )

    # The weekly mood drifts; one outage week in the middle is clearly worse.
    mood = [rng.uniform(-0.15, 0.15) for _ in range(weeks + 1)]
    mood[weeks // 2] = -0.6

    comment_id = thread_id = 0
    made = 0
    chunk = 200_000
    threads_rows: list[tuple] = []
    comment_rows: list[tuple] = []

    def flush() -> None:
        nonlocal threads_rows, comment_rows
        with connection.cursor() as cur:
            _copy(
                cur,
                Thread._meta.db_table,
                [
                    "id",
                    "source_id",
                    "external_id",
                    "title",
                    "url",
                    "category_id",
                    "department",
                    "opened_at",
                    "last_activity_at",
                ],
                threads_rows,
            )
            _copy(
                cur,
                Comment._meta.db_table,
                [
                    "id",
                    "source_id",
                    "thread_id",
                    "author_id",
                    "external_id",
                    "raw_body",
                    "clean_body",
                    "voice",
                    "created_at",
                    "content_hash",
                    "compound",
                    "pos",
                    "neu",
                    "neg",
                    "scorer_version",
                    "scored_at",
                    "rating",
                    "rating_scale",
                    "ingested_at",
                    "updated_at",
                ],
                comment_rows,
            )
        threads_rows, comment_rows = [], []

    while made < n:
        thread_id += 1
        person = rng.randrange(n_people)
        source = people_source[person]
        category = rng.choice(categories)
        department = people_dept[person]
        t0 = start + timedelta(seconds=rng.random() * span * 0.995)
        week = int((t0 - start).total_seconds() // (7 * 86400))
        size = rng.choice((1, 2, 3, 3, 4, 5))
        at = t0
        times = []
        for k in range(size):
            comment_id += 1
            made += 1
            is_staff = k % 2 == 1 and rng.random() < 0.6
            if is_staff:
                body, compound, voice, author = rng.choice(STAFF), 0.1, "it_staff", staff + 1
            else:
                roll = rng.random() + mood[min(week, weeks)] + (0.25 if k >= 2 else 0.0)
                if roll < 0.45:
                    body, compound = rng.choice(NEGATIVE), -rng.uniform(0.2, 0.9)
                elif roll < 0.7:
                    body, compound = rng.choice(NEUTRAL), rng.uniform(-0.05, 0.3)
                else:
                    body, compound = rng.choice(POSITIVE), rng.uniform(0.4, 0.95)
                voice, author = "business", person + 1
            times.append(at)
            neg_part = max(0.0, -compound)
            pos_part = max(0.0, compound)
            comment_rows.append(
                (
                    comment_id,
                    source,
                    thread_id,
                    author,
                    f"c{comment_id}",
                    body,
                    body,
                    voice,
                    at.isoformat(),
                    f"{comment_id:064x}",
                    f"{compound:.4f}",
                    f"{pos_part:.3f}",
                    f"{1 - pos_part - neg_part:.3f}",
                    f"{neg_part:.3f}",
                    SCORER_VERSION,
                    stamp,
                    None,
                    "",
                    stamp,
                    stamp,
                )
            )
            at = min(at + timedelta(hours=rng.uniform(0.2, 30)), now)
            if made >= n:
                break
        threads_rows.append(
            (
                thread_id,
                source,
                f"t{thread_id}",
                f"Ticket {thread_id}",
                "",
                category,
                department,
                times[0].isoformat(),
                times[-1].isoformat(),
            )
        )
        if len(comment_rows) >= chunk:
            flush()
    flush()
    with connection.cursor() as cur:
        for model in (Person, Thread, Comment):
            table = model._meta.db_table
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    return {
        "people": n_people,
        "threads": thread_id,
        "thresholds": (POSITIVE_THRESHOLD, NEGATIVE_THRESHOLD),
    }


def build_rollups() -> float:
    """DailySentiment and DailyAuthor for every day, by the same grouping the PostgreSQL
    path of rollups_refresh uses (business voice, scored, local day)."""
    from django.db import connection
    from django.utils import timezone

    from sentiment.models import Comment, DailyAuthor, DailySentiment, Thread
    from sentiment.scoring import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

    tz = str(timezone.get_current_timezone())
    c, t = Comment._meta.db_table, Thread._meta.db_table
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {DailySentiment._meta.db_table} (day, source_id, category_id,"
            " department, n, sum_compound, n_positive, n_negative, n_neutral)"
            " SELECT (c.created_at AT TIME ZONE %s)::date, c.source_id, t.category_id,"
            " t.department, count(*), sum(c.compound),"
            " count(*) FILTER (WHERE c.compound >= %s), count(*) FILTER (WHERE c.compound <= %s),"
            " count(*) FILTER (WHERE c.compound > %s AND c.compound < %s)"
            f" FROM {c} c JOIN {t} t ON t.id = c.thread_id"
            " WHERE c.voice = 'business' AND c.compound IS NOT NULL"
            " GROUP BY 1, 2, 3, 4",
            [tz, POSITIVE_THRESHOLD, NEGATIVE_THRESHOLD, NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD],
        )
        cur.execute(
            f"INSERT INTO {DailyAuthor._meta.db_table} (day, source_id, category_id,"
            " department, person_key)"
            " SELECT DISTINCT (c.created_at AT TIME ZONE %s)::date, c.source_id,"
            " t.category_id, t.department, COALESCE(c.author_id, -c.thread_id)"
            f" FROM {c} c JOIN {t} t ON t.id = c.thread_id"
            " WHERE c.voice = 'business' AND c.compound IS NOT NULL",
            [tz],
        )
        cur.execute("ANALYZE")
    return time.perf_counter() - t0


def build_weekly() -> float:
    """The weekly layer the overview reads, by the real service functions (what the
    worker keeps current after each day recompute): thread lifts, then every week's
    rollup, lift and themes."""
    from django.db import connection

    from sentiment.weekly import threads_lift_rebuild, weekly_rebuild

    t0 = time.perf_counter()
    threads_lift_rebuild()
    weekly_rebuild()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - t0


def group_by_overview(week_start: date, weeks: int = 12, baseline: int = 12) -> None:
    """The overview's numbers straight from the comment table: weekly totals and
    distinct people for the chart and the baseline, and the selected week's three
    breakdowns with distinct people (the anchor)."""
    from django.db import connection
    from django.utils import timezone

    from sentiment.models import Comment, Thread
    from sentiment.scoring import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

    tz = str(timezone.get_current_timezone())
    c, t = Comment._meta.db_table, Thread._meta.db_table
    first = week_start - timedelta(weeks=max(weeks, baseline + 1))
    end = week_start + timedelta(weeks=2)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT date_trunc('week', c.created_at AT TIME ZONE %s), count(*),"
            " count(*) FILTER (WHERE c.compound >= %s), count(*) FILTER (WHERE c.compound <= %s),"
            " sum(c.compound), count(DISTINCT COALESCE(c.author_id, -c.thread_id))"
            f" FROM {c} c WHERE c.voice = 'business' AND c.compound IS NOT NULL"
            " AND c.created_at >= %s AND c.created_at < %s GROUP BY 1",
            [tz, POSITIVE_THRESHOLD, NEGATIVE_THRESHOLD, first, end],
        )
        cur.fetchall()
        for column in ("c.source_id", "t.category_id", "t.department"):
            for lo, hi in (
                (week_start, week_start + timedelta(weeks=1)),
                (week_start - timedelta(weeks=baseline), week_start),
            ):
                cur.execute(
                    f"SELECT {column}, count(*), count(*) FILTER (WHERE c.compound >= %s),"
                    " count(*) FILTER (WHERE c.compound <= %s), sum(c.compound),"
                    " count(DISTINCT COALESCE(c.author_id, -c.thread_id))"
                    f" FROM {c} c JOIN {t} t ON t.id = c.thread_id"
                    " WHERE c.voice = 'business' AND c.compound IS NOT NULL"
                    f" AND c.created_at >= %s AND c.created_at < %s GROUP BY 1",
                    [POSITIVE_THRESHOLD, NEGATIVE_THRESHOLD, lo, hi],
                )
                cur.fetchall()


def refresh_week(week: date) -> None:
    """One week marked and recomputed, as the worker does after a day of it changed."""
    from django.db import transaction

    from sentiment.weekly import weekly_refresh, weeks_mark

    with transaction.atomic():
        weeks_mark([week])
    weekly_refresh()


def timed(fn, runs: int, before=None) -> list[float]:
    out = []
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30, help="timed requests per measurement (>= 20)")
    ap.add_argument("--anchor-runs", type=int, default=5, help="timed GROUP BY runs")
    ap.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/earshot_dash_bench"
    )
    ap.add_argument("--keep-db", action="store_true", help="do not drop the benchmark database")
    ap.add_argument("--reuse-db", action="store_true", help="time an existing --keep-db database")
    ap.add_argument(
        "--rebuild-weekly",
        action="store_true",
        help="rebuild the weekly layer of a reused database",
    )
    args = ap.parse_args()

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "sentiment.settings",
            "DATABASE_URL": args.database_url,
            "DEBUG": "off",
            "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(40)).decode(),
            "EARSHOT_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "EARSHOT_PSEUDONYM_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "LOG_LEVEL": "WARNING",
        }
    )
    if not args.reuse_db:
        create_database(args.database_url)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import override_settings

        call_command("migrate", verbosity=0)
        # Production settings, except static files: no collectstatic manifest here.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages):
            return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(args.database_url)


def run(args) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dashboards.selectors import week_label, week_start_of
    from sentiment.models import Category, Comment, DailyAuthor, DailySentiment
    from sentiment.weekly import themes_of_week

    if not args.reuse_db:
        t0 = time.perf_counter()
        facts = load(args.comments)
        print(
            f"loaded {args.comments:,} comments, {facts['threads']:,} threads, "
            f"{facts['people']:,} people by COPY in {time.perf_counter() - t0:.1f} s"
        )
        print(f"rollups built in {build_rollups():.1f} s")
    from sentiment.models import WeeklyRollup

    if args.rebuild_weekly or not WeeklyRollup.objects.exists():
        print(f"weekly layer (lifts, weekly rollups, themes) built in {build_weekly():.1f} s")
    print(
        f"rows: comments {Comment.objects.count():,}, daily sentiment "
        f"{DailySentiment.objects.count():,}, daily authors {DailyAuthor.objects.count():,}"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"database size {cur.fetchone()[0]}")

    user, _ = get_user_model().objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get(name="Analyst"))
    client = Client()
    client.force_login(user)
    last_week = week_start_of(timezone.localdate()) - timedelta(weeks=1)
    url = f"/?week={week_label(last_week)}&range=12"
    category = Category.objects.get(slug="network").pk
    explore = (
        f"/explore/?start={last_week}&end={last_week + timedelta(days=6)}"
        f"&category={category}&voice=business&sort=negative"
    )

    def get(path: str) -> None:
        response = client.get(path, secure=True)
        assert response.status_code == 200, (path, response.status_code)

    get(url)  # warm the connection, templates and the scorer's lexicon
    cold = timed(lambda: get(url), args.runs, before=cache.clear)
    warm = timed(lambda: get(url), args.runs)
    range52 = timed(
        lambda: get(url.replace("range=12", "range=52")), args.runs // 2 or 1, before=cache.clear
    )
    explorer = timed(lambda: get(explore), args.runs)
    anchor = timed(lambda: group_by_overview(last_week), args.anchor_runs)
    # What keeping the weekly layer current costs the worker, per changed week.
    refresh = timed(lambda: refresh_week(last_week), max(3, args.runs // 4))
    themes = timed(lambda: themes_of_week(last_week), max(3, args.runs // 4))

    def line(label: str, values: list[float]) -> str:
        return f"{label:<46} p50 {p(values, 0.5):8.1f} ms   p95 {p(values, 0.95):8.1f} ms   (n={len(values)})"

    print()
    print(f"{Comment.objects.count():,} comments; overview {url}")
    print(line("overview, cold (cache emptied every request)", cold))
    print(line("overview, warm (cached per rollup stamp)", warm))
    print(line("overview, 52 weeks, cold", range52))
    print(line("explorer: one service, one week, most negative", explorer))
    print(line("anchor: same numbers by GROUP BY on comments", anchor))
    print(line("worker: one week's weekly rollup + lift", refresh))
    print(line("worker: one week's negative themes", themes))
    a50 = statistics.median(anchor)
    print(
        f"ratio anchor / overview p50: cold {a50 / statistics.median(cold):.1f}x, "
        f"warm {a50 / statistics.median(warm):.1f}x (target >= 20x)"
    )
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
