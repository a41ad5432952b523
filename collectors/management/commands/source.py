"""`manage.py source add|list|check|remove|enable|disable|schedule` — sources from scripts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from collectors.base import ConnectorError
from collectors.models import Source
from collectors.netguard import HttpSourceSettings
from collectors.registry import connector_class, kinds
from collectors.services import (
    DEFAULT_SCHEDULE,
    SourceError,
    schedule_describe,
    source_check,
    source_create,
    source_remove,
    source_schedule,
    source_set_enabled,
)


def parse_pairs(pairs: list[str], what: str) -> dict[str, Any]:
    """key=value pairs; a value that looks like JSON ([..], {..}) is parsed as JSON."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CommandError(f"{what} {pair!r} is not of the form key=value.")
        if value[:1] in "[{":
            try:
                out[key] = json.loads(value)
                continue
            except json.JSONDecodeError as exc:
                raise CommandError(f"{what} {key}: not valid JSON ({exc.msg}).") from None
        out[key] = value
    return out


def resolve_secret(key: str, value: str) -> str:
    """Secrets may come from a file (@path) or an environment variable (env:NAME),
    so they need not appear in shell history or process lists."""
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_text().strip()
        except OSError as exc:
            raise CommandError(f"secret {key}: cannot read {value[1:]}: {exc.strerror}.") from None
    if value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise CommandError(f"secret {key}: environment variable {name} is not set.")
        return os.environ[name]
    return value


class Command(BaseCommand):
    help = "Add, list, check, schedule and remove comment sources."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="Add a source.")
        add.add_argument("--kind", required=True, help="Source kind: " + ", ".join(kinds()))
        add.add_argument("--name", required=True)
        add.add_argument(
            "--set", dest="set_values", action="append", default=[], metavar="KEY=VALUE"
        )
        add.add_argument(
            "--secret",
            dest="secrets",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Stored encrypted, never shown back. VALUE may be @file or env:VAR.",
        )
        add.add_argument(
            "--schedule", default=DEFAULT_SCHEDULE, help="15m, 2h, 1d or 5 cron fields"
        )
        add.add_argument("--disabled", action="store_true", help="Add it paused.")
        sub.add_parser("list", help="List sources with their health.")
        sub.add_parser("kinds", help="List the source kinds and their settings.")
        for name, text in (
            ("check", "Test the connection of a source."),
            ("remove", "Delete a source and everything collected from it."),
            ("enable", "Resume scheduled collection."),
            ("disable", "Pause scheduled collection."),
            ("webhook", "Show the webhook URL of a push source (slack, webhook)."),
        ):
            sub.add_parser(name, help=text).add_argument("name")
        sched = sub.add_parser("schedule", help="Change when a source is collected.")
        sched.add_argument("name")
        sched.add_argument("schedule", help="15m, 2h, 1d or 5 cron fields")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        from dashboards.audit import CLI, acting_as

        with acting_as(CLI):  # the audit log records these changes as the command line's
            getattr(self, f"do_{action}")(**opts)

    def _get(self, name: str) -> Source:
        try:
            return Source.objects.select_related("periodic_task").get(name=name)
        except Source.DoesNotExist:
            names = ", ".join(Source.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No source named {name!r}. Sources: {names}.") from None

    def do_add(
        self,
        *,
        kind: str,
        name: str,
        set_values: list[str],
        secrets: list[str],
        schedule: str,
        disabled: bool,
        **_: Any,
    ) -> None:
        values = parse_pairs(set_values, "--set")
        secret_values = {
            k: resolve_secret(k, v) for k, v in parse_pairs(secrets, "--secret").items()
        }
        try:
            source = source_create(
                name=name,
                kind=kind,
                settings=values,
                secrets=secret_values,
                schedule=schedule,
                enabled=not disabled,
            )
        except (SourceError, ConnectorError) as exc:
            raise CommandError(str(exc)) from None
        stored = (
            f"; secrets stored encrypted: {', '.join(sorted(secret_values))}"
            if secret_values
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {source.kind} source {source.name!r} ({schedule_describe(source)}){stored}."
            )
        )
        if connector_class(source.kind).push:
            self._webhook(source)

    def _webhook(self, source: Source) -> None:
        from django.conf import settings

        from collectors.webhooks import webhook_url

        base = settings.EARSHOT_BASE_URL
        self.stdout.write(
            f"Webhook URL (paste it into the sender; keep it private): "
            f"{webhook_url(source, base_url=base)}"
            + ("" if base else "  (prefix it with Earshot's address, or set EARSHOT_BASE_URL)")
        )

    def do_webhook(self, *, name: str, **_: Any) -> None:
        source = self._get(name)
        if not connector_class(source.kind).push:
            raise CommandError(f"{source.name!r} is a {source.kind} source: it takes no pushed events.")
        self._webhook(source)

    def do_list(self, **_: Any) -> None:
        sources = Source.objects.select_related(
            "periodic_task__interval", "periodic_task__crontab"
        ).annotate(n_comments=Count("comments"))
        if not sources:
            self.stdout.write(
                "No sources yet. Add one with: manage.py source add --kind KIND --name NAME ..."
            )
            return
        self.stdout.write(
            f"{'NAME':30} {'KIND':14} {'STATE':8} {'SCHEDULE':18} {'COMMENTS':>8}  LAST RUN"
        )
        for s in sources:
            state = "on" if s.enabled else "paused"
            last = (
                f"{s.last_run_at:%Y-%m-%d %H:%M} {s.get_last_status_display()}"
                if s.last_run_at
                else "never"
            )
            self.stdout.write(
                f"{s.name[:30]:30} {s.kind:14} {state:8} {schedule_describe(s)[:18]:18} {s.n_comments:>8}  {last}"
            )
            if s.last_error:
                self.stdout.write(f"{'':30} last error: {s.last_error[:200]}")

    def do_kinds(self, **_: Any) -> None:
        for kind, cls in kinds().items():
            self.stdout.write(self.style.MIGRATE_HEADING(f"{kind}: {cls.label}"))
            fields = cls.settings_model.model_fields
            # Required settings first, the shared network switches last.
            shared = set(HttpSourceSettings.model_fields)
            order = sorted(fields, key=lambda f: (f in shared, not fields[f].is_required()))
            for field in order:
                info = fields[field]
                req = "required" if info.is_required() else f"default {info.default!r}"
                self.stdout.write(f"  --set {field}=...  ({req}) {info.description or ''}")
            for secret in cls.secret_names:
                self.stdout.write(f"  --secret {secret}=...")

    def do_check(self, *, name: str, **_: Any) -> None:
        result = source_check(source=self._get(name))
        if not result.ok:
            raise CommandError(f"{name}: {result.message}")
        self.stdout.write(self.style.SUCCESS(f"{name}: {result.message}"))

    def do_remove(self, *, name: str, **_: Any) -> None:
        source = self._get(name)
        n = source.comments.count()
        source_remove(source=source)
        self.stdout.write(self.style.SUCCESS(f"Removed source {name!r} and its {n} comments."))

    def do_enable(self, *, name: str, **_: Any) -> None:
        source_set_enabled(source=self._get(name), enabled=True)
        self.stdout.write(self.style.SUCCESS(f"{name}: scheduled collection resumed."))

    def do_disable(self, *, name: str, **_: Any) -> None:
        source_set_enabled(source=self._get(name), enabled=False)
        self.stdout.write(self.style.SUCCESS(f"{name}: paused; nothing collected is removed."))

    def do_schedule(self, *, name: str, schedule: str, **_: Any) -> None:
        source = self._get(name)
        try:
            source_schedule(source=source, schedule=schedule)
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"{name}: collected {schedule_describe(source)}."))
