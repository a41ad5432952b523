"""`manage.py export_labels [--out FILE]` — analysts' corrected labels as `text,label` CSV."""

from __future__ import annotations

import csv
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sentiment.models import LabelCorrection


class Command(BaseCommand):
    help = (
        "Write the labels analysts set with 'wrong sentiment' as a text,label CSV (the "
        "project's own evaluation set, for bench/sentiment_eval.py). One row per comment: "
        "its most recent correction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="File to write (default: standard output).")
        parser.add_argument(
            "--with-scores",
            action="store_true",
            help="Also write the compound and scorer version the comment had when corrected.",
        )

    def handle(self, *args: Any, out: str | None, with_scores: bool, **opts: Any) -> None:
        latest: dict[int, LabelCorrection] = {}
        for c in LabelCorrection.objects.order_by("comment_id", "-created_at", "-id"):
            latest.setdefault(c.comment_id, c)
        fh = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
        try:
            writer = csv.writer(fh)
            writer.writerow(
                ["text", "label", *(["compound", "scorer_version"] if with_scores else [])]
            )
            for c in latest.values():
                if not c.text.strip():
                    continue
                row = [c.text, c.label]
                if with_scores:
                    row += ["" if c.compound is None else f"{c.compound:.4f}", c.scorer_version]
                writer.writerow(row)
        finally:
            if out:
                fh.close()
        if out:
            self.stderr.write(f"{len(latest)} labelled comments -> {out}")
