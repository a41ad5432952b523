"""`manage.py rescore [--all]` — bring stored scores up to the current scorer version."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sentiment.models import Comment
from sentiment.scoring import current_version
from sentiment.services import comments_rescore


class Command(BaseCommand):
    help = (
        "Score every comment not yet scored at the current scorer version (in batches; "
        "safe to interrupt and run again: it continues where it stopped)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="Rescore every comment, also those already at the current version.",
        )
        parser.add_argument(
            "--from-id", type=int, default=0, help="With --all: resume after this comment id."
        )

    def handle(self, *args: Any, everything: bool, from_id: int, **opts: Any) -> None:
        version = current_version()
        todo = Comment.objects.all() if everything else Comment.objects.needs_scoring(version)
        total = todo.filter(id__gt=from_id).count()
        self.stdout.write(f"Scorer {version}: {total} comments to score.")

        def progress(done: int, last_id: int) -> None:
            self.stdout.write(f"  {done}/{total} (last id {last_id})")

        done = comments_rescore(force=everything, after_id=from_id, progress=progress)
        where = "scored" if settings.CELERY_TASK_ALWAYS_EAGER else "queued for the workers"
        self.stdout.write(self.style.SUCCESS(f"{done} comments {where}."))
