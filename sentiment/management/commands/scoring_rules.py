"""`manage.py scoring_rules list|export|import|try` — the organisation's own lexicon
entries and phrase rules, as a data file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sentiment import custom
from sentiment.scoring import current_version, explain


class Command(BaseCommand):
    help = (
        "Manage the organisation's own scoring: list, export to / import from a JSON file "
        "(every change bumps the scorer version and queues a rescore), or try a sentence."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Show the entries and rules and the scorer version.")
        exp = sub.add_parser("export", help="Write entries and rules as JSON.")
        exp.add_argument("file", nargs="?", help="Default: standard output.")
        imp = sub.add_parser("import", help="Add or update entries and rules from JSON.")
        imp.add_argument("file")
        imp.add_argument(
            "--replace", action="store_true", help="Also delete entries and rules not in the file."
        )
        tr = sub.add_parser("try", help="Score a sentence and show why.")
        tr.add_argument("text")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        from dashboards.audit import CLI, acting_as

        with acting_as(CLI):  # rule changes are recorded in the audit log as the command line's
            getattr(self, f"_{action}")(**opts)

    def _list(self, **opts: Any) -> None:
        data = custom.export_data()
        self.stdout.write(f"Scorer version {current_version()}")
        self.stdout.write(f"{len(data['lexicon'])} lexicon entries:")
        for e in data["lexicon"]:
            self.stdout.write(f"  {e['token']:<24} {e['valence']:+.2f}  {e['note']}")
        self.stdout.write(f"{len(data['rules'])} phrase rules:")
        for r in data["rules"]:
            state = "" if r["enabled"] else " (disabled)"
            self.stdout.write(
                f"  {r['name']}: {r['pattern']!r} {r['valence']:+.2f} {r['kind']}{state}"
            )

    def _export(self, file: str | None = None, **opts: Any) -> None:
        text = json.dumps(custom.export_data(), indent=2, ensure_ascii=False) + "\n"
        if file:
            Path(file).write_text(text, encoding="utf-8")
            self.stderr.write(f"written to {file}")
        else:
            self.stdout.write(text, ending="")

    def _import(self, file: str, replace: bool = False, **opts: Any) -> None:
        try:
            result = custom.import_data(Path(file), replace=replace)
        except ValidationError as exc:
            raise CommandError("Nothing imported: " + " ".join(exc.messages)) from None
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged. "
            f"Scorer version now {current_version()}."
        )

    def _try(self, text: str, **opts: Any) -> None:
        e = explain(text)
        self.stdout.write(f"{e['label']} {e['compound']:+.3f}  ({e['version']})")
        self.stdout.write(f"scored text: {e['cleaned']!r}")
        for c in e["contributions"]:
            what = c.get("rule") or c.get("word")
            self.stdout.write(f"  {c['valence']:+.2f}  {what}  [{c['source']}]")
