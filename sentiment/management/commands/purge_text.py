"""`manage.py purge_text [--days N] [--dry-run]` — remove text older than the retention."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentiment.retention import retention_days, text_purge


class Command(BaseCommand):
    help = (
        "Remove comment text, thread titles and authors' names older than "
        "EARSHOT_RETENTION_DAYS (or --days N); scores and rollups stay. The daily task "
        "does the same; this runs it now, or shows what it would remove (--dry-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            help="Remove text older than this many days (default: EARSHOT_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; change nothing."
        )

    def handle(self, *args: Any, days: int | None, dry_run: bool, **opts: Any) -> None:
        from dashboards.audit import CLI

        if days is None:
            days = retention_days()
            if not days:
                raise CommandError(
                    "Retention is off (EARSHOT_RETENTION_DAYS is 0 or unset): give --days N "
                    "to remove text older than N days."
                )
        if days < 1:
            raise CommandError(f"--days must be at least 1 (got {days}).")
        result = text_purge(days=days, dry_run=dry_run, actor=CLI)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} the text of {result.describe()} from before "
            f"{result.cutoff:%Y-%m-%d %H:%M} ({days} days). Scores and rollups are kept."
        )
