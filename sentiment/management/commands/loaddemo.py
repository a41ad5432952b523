"""manage.py loaddemo: 26 weeks of synthetic demo data, a demo login, in one command.

Creates (when missing) three sources of three kinds and collects them through the
real pipeline (collectors.services: ingest, scoring, rollups):

- "Service desk (demo)": demo_helpdesk, synthetic tickets;
- "#it-help (demo)": demo_chat, a synthetic chat channel;
- "Quarterly IT pulse survey (demo)": csvfile, reading a generated Microsoft-Forms-style
  export written to MEDIA_ROOT/demo/it-pulse-survey.csv.

Idempotent: the window's last day is pinned in the demo sources' settings the first
time, so running it again (today or next month) regenerates the same comments and
creates nothing new. Then it creates the "demo" superuser, or resets its password.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Max, Min
from django.utils import timezone

from collectors.demo.generator import (
    DEPARTMENTS,
    SURVEY_HEADER,
    SURVEY_TIME_FORMAT,
    Story,
    survey_rows,
)
from collectors.models import Source
from collectors.services import SourceError, source_collect, source_create
from sentiment.catalogue import ensure_catalogue
from sentiment.models import Category, Comment

HELPDESK = "Service desk (demo)"
CHAT = "#it-help (demo)"
SURVEY = "Quarterly IT pulse survey (demo)"
SURVEY_FILE = "demo/it-pulse-survey.csv"  # under MEDIA_ROOT
WEEKS = 26
OUTAGE_WEEKS_AGO = 9
HELPDESK_PER_WEEK = 45  # tickets
CHAT_PER_WEEK = 30  # threads
SURVEY_PER_WEEK = 20  # responses, more in the quarterly waves
DEMO_USER = "demo"
DEMO_PASSWORD = "earshot-demo"
URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = (
        "Load the demo: three synthetic sources (service desk, #it-help chat, pulse survey) "
        "with 26 weeks of comments, scored and rolled up, and a 'demo' superuser. Idempotent."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--end",
            default="",
            help="Last day of the demo window (ISO date). Default: yesterday on the first run; "
            "later runs keep the day the demo sources were created with.",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Same seed, same comments (default 1)."
        )
        parser.add_argument(
            "--password",
            default="",
            help=f"Password of the '{DEMO_USER}' login (default {DEMO_PASSWORD!r}; required when DEBUG is off).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Inline (eager) Celery logs a line per task: noise here unless asked for (-v 2).
        trace = logging.getLogger("celery.app.trace")
        level = trace.level
        if options["verbosity"] < 2:
            trace.setLevel(logging.WARNING)
        try:
            self._load(options)
        finally:
            trace.setLevel(level)

    def _load(self, options: dict[str, Any]) -> None:
        started = time.monotonic()
        password = options["password"] or DEMO_PASSWORD
        if not settings.DEBUG and not options["password"]:
            raise CommandError(
                "DEBUG is off: refusing to create a superuser with the published demo password. "
                "Pass --password."
            )
        end, seed = self._window(options["end"], options["seed"])
        story = Story.build(
            seed=seed,
            weeks=WEEKS,
            last_day=end,
            outage_weeks_ago=OUTAGE_WEEKS_AGO,
            per_week=SURVEY_PER_WEEK,
            tz=timezone.get_current_timezone(),
        )
        self.stdout.write(
            f"Loading the Earshot demo: synthetic comments from {story.first_day} to {story.last_day} "
            f"({WEEKS} weeks), an outage in the week of {story.outage_monday}, seed {seed}."
        )
        if not Category.objects.exclude(slug=Category.OTHER_SLUG).exists():
            # Without the service catalogue every thread would land in Other.
            ensure_catalogue(Category)
            self.stdout.write("  (the default IT service catalogue was missing: restored)")
        survey_path = self._write_survey(story)
        common = {
            "seed": seed,
            "weeks": WEEKS,
            "end": end.isoformat(),
            "outage_weeks_ago": OUTAGE_WEEKS_AGO,
        }
        specs = [
            (HELPDESK, "demo_helpdesk", {**common, "per_week": HELPDESK_PER_WEEK}),
            (CHAT, "demo_chat", {**common, "per_week": CHAT_PER_WEEK}),
            (
                SURVEY,
                "csvfile",
                {
                    "path": SURVEY_FILE,
                    "text_columns": [SURVEY_HEADER[8], SURVEY_HEADER[9]],
                    "id_column": "ID",
                    "timestamp_column": "Completion time",
                    "timestamp_format": SURVEY_TIME_FORMAT,
                    "respondent_column": "Email",
                    "department_column": "Department",
                    "category_column": SURVEY_HEADER[6],
                },
            ),
        ]
        sources = []
        width = max(len(name) for name, _, _ in specs)
        for name, kind, source_settings in specs:
            t0 = time.monotonic()
            source, made = self._source(name, kind, source_settings)
            if source is None:
                continue
            sources.append(source)
            run = source_collect(source=source, trigger="manual")
            took = time.monotonic() - t0
            if run is None:
                self.stdout.write(
                    f"  {name:<{width}}  {kind:<13}  skipped: a collection is already running"
                )
                continue
            line = (
                f"  {name:<{width}}  {kind:<13}  {'new source' if made else 'existing  '}  "
                f"created {run.created:>5,}  updated {run.updated:>3,}  unchanged {run.unchanged:>5,}  "
                f"skipped {run.skipped:>3,}  [{run.status}, {took:.1f}s]"
            )
            self.stdout.write(self.style.ERROR(line + f"\n    {run.error}") if run.error else line)
        self.stdout.write(f"  (survey export: {survey_path})")
        self._summary(sources)
        self._user(password)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f}s.")

    # --- steps --------------------------------------------------------------------------

    def _window(self, end_option: str, seed_option: int) -> tuple[Any, int]:
        """The last day: the one pinned by an earlier run wins, so reruns change nothing."""
        existing = Source.objects.filter(name=HELPDESK, kind="demo_helpdesk").first()
        pinned = (existing.settings or {}).get("end") if existing else ""
        chosen = end_option or pinned or (timezone.localdate() - timedelta(days=1)).isoformat()
        if pinned and end_option and end_option != pinned:
            self.stderr.write(
                self.style.WARNING(
                    f"The demo sources exist already and end on {pinned}; --end {end_option} is ignored "
                    "(remove the demo sources to load another window)."
                )
            )
            chosen = pinned
        try:
            end = datetime.strptime(chosen, "%Y-%m-%d").date()
        except ValueError:
            raise CommandError(f"--end {chosen!r} is not an ISO date such as 2025-06-30.") from None
        seed = int(existing.settings.get("seed", seed_option)) if existing else seed_option
        return end, seed

    def _write_survey(self, story: Story) -> Path:
        """The survey export, regenerated identically each time (so its hash, and the
        csvfile cursor, stay put). Responses later than now are not in it yet."""
        now = timezone.localtime()
        rows = [
            row
            for row in survey_rows(story)
            if timezone.make_aware(datetime.strptime(row[2], SURVEY_TIME_FORMAT)) <= now
        ]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(SURVEY_HEADER)
        writer.writerows(rows)
        data = buf.getvalue().encode("utf-8-sig")
        path = Path(settings.MEDIA_ROOT) / SURVEY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        return path

    def _source(
        self, name: str, kind: str, source_settings: dict[str, Any]
    ) -> tuple[Source | None, bool]:
        source = Source.objects.filter(name=name).first()
        if source is not None:
            if source.kind != kind:
                self.stderr.write(
                    self.style.WARNING(
                        f"  {name}: a {source.kind} source has this name already; left alone."
                    )
                )
                return None, False
            return source, False
        try:
            return source_create(
                name=name, kind=kind, settings=source_settings, schedule="1d"
            ), True
        except SourceError as exc:
            raise CommandError(f"Could not create {name}: {exc}") from exc

    def _summary(self, sources: list[Source]) -> None:
        comments = Comment.objects.filter(source__in=sources)
        total = comments.count()
        if not total:
            self.stdout.write("No comments stored.")
            return
        voices = dict(comments.values_list("voice").annotate(n=Count("id")).order_by())
        span = comments.aggregate(first=Min("created_at"), last=Max("created_at"))
        unscored = comments.filter(compound__isnull=True).count()
        categories = comments.values("thread__category").distinct().count()
        departments = (
            comments.filter(thread__department__in=DEPARTMENTS)
            .values("thread__department")
            .distinct()
            .count()
        )
        mix = ", ".join(f"{voices.get(v, 0):,} {v}" for v in ("business", "it_staff", "bot"))
        self.stdout.write(
            f"Demo data: {total:,} comments ({mix}) from {span['first']:%Y-%m-%d} to {span['last']:%Y-%m-%d}, "
            f"{categories} categories, {departments} departments."
        )
        if unscored:
            from sentiment.celery import app

            where = "inline" if app.conf.task_always_eager else "by the Celery workers"
            self.stdout.write(f"{unscored:,} comments are still waiting to be scored {where}.")
        else:
            self.stdout.write("Every comment is scored and the daily rollups are up to date.")

    def _user(self, password: str) -> None:
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USER, defaults={"email": "demo@example.com", "first_name": "Demo"}
        )
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        verb = "created" if created else "password reset"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo login {verb}: open {URL} and sign in as  {DEMO_USER} / {password}  "
                f"(superuser: the admin is at {URL}admin/)."
            )
        )
