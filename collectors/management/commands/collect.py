"""`manage.py collect NAME [--full]` — run one collection now and say what it did."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from collectors.models import Source, SyncRun
from collectors.services import source_collect


class Command(BaseCommand):
    help = "Collect new comments from one source now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The source's name (see: manage.py source list).")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Read everything again from the start; stored comments are updated, not duplicated.",
        )

    def handle(self, *args: Any, name: str, full: bool, **opts: Any) -> None:
        try:
            source = Source.objects.get(name=name)
        except Source.DoesNotExist:
            names = ", ".join(Source.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No source named {name!r}. Sources: {names}.") from None
        from dashboards.audit import CLI

        run = source_collect(source=source, full=full, trigger="command", actor=CLI)
        if run is None:
            raise CommandError(
                f"{name}: a collection is already running; try again when it has finished."
            )
        self.stdout.write(
            f"{name}: {run.seen} seen, {run.created} created, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.skipped} skipped"
        )
        for skip in run.skips:
            self.stdout.write(f"  skipped {skip['item']}: {skip['reason']}")
        if run.skipped > len(run.skips):
            self.stdout.write(f"  ... and {run.skipped - len(run.skips)} more skipped")
        queued = run.created + run.updated
        if queued:
            where = (
                "scored"
                if settings.CELERY_TASK_ALWAYS_EAGER
                else "queued for scoring on the workers"
            )
            self.stdout.write(f"  {queued} comments {where}")
        if run.status == SyncRun.Status.FAILED:
            raise CommandError(f"{name}: collection failed: {run.error}")
        self.stdout.write(self.style.SUCCESS(f"{name}: {run.get_status_display().lower()}"))
