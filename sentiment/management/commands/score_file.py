"""`manage.py score_file IN.csv --out OUT.csv [--text-column text]` — score any CSV."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentiment.scoring import ScoreFileError, current_version, score_csv


class Command(BaseCommand):
    help = (
        "Copy a CSV, adding `compound` (-1..+1) and `label` (neg/neu/pos) columns scored "
        "with Earshot's current scorer (the same cleaning, lexicon and rules as comments)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="CSV file (UTF-8) with a header row.")
        parser.add_argument("--out", required=True, help="Where to write the scored CSV.")
        parser.add_argument(
            "--text-column", default="text", help="The column holding the text (default: text)."
        )

    def handle(self, *args: Any, input: str, out: str, text_column: str, **opts: Any) -> None:
        try:
            n = score_csv(input, out, text_column=text_column)
        except ScoreFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{n} rows scored with {current_version()} -> {out}")
