"""The organisation's own lexicon entries and phrase rules, on top of Earshot's.

Admins add them in the Django admin (Scoring → lexicon entries / phrase rules) or from a
data file (`manage.py scoring_rules import FILE.json`). Every change bumps
ScorerSettings.revision in the same transaction; the scorer version recorded on a
comment names that revision, and a rescore of the comments scored before the change is
queued once the change commits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .itscore.rules import Rule
from .models import LexiconEntry, PhraseRule, ScorerSettings

VALENCE_LIMIT = 4.0
_TOKEN = re.compile(r"^\S{1,60}$")
_WORDS = re.compile(r"[a-z0-9'-]+")
_ALTERNATIVES = re.compile(r"^\[([^\[\]]+)\]$")
# The rule pass splits the text into these words to pre-filter rules (rules.py needles).
_EDGE_BEFORE = r"(?<![\w'-])"
_EDGE_AFTER = r"(?![\w'-])"


# --- validation (admin forms and file import share it) ----------------------------------


def validate_valence(value: float) -> None:
    if not -VALENCE_LIMIT <= value <= VALENCE_LIMIT:
        raise ValidationError(
            f"Valence must be between -{VALENCE_LIMIT:g} and +{VALENCE_LIMIT:g} (VADER's scale); "
            f"got {value:g}."
        )


def normalize_token(token: str) -> str:
    token = (token or "").strip().lower()
    if not _TOKEN.match(token):
        raise ValidationError(
            "A lexicon entry is one word without spaces, up to 60 characters "
            "(for several words, add a phrase rule)."
        )
    return token


def phrase_regex(phrase: str) -> tuple[str, tuple[frozenset[str], ...]]:
    """A phrase ("citrix is [down|slow]", "* keeps freezing") as a regular expression and
    the word groups a text must contain for it to possibly match."""
    parts = phrase.lower().split()
    if not parts:
        raise ValidationError("The phrase is empty.")
    pieces: list[str] = []
    needles: list[frozenset[str]] = []
    for part in parts:
        if part == "*":
            pieces.append(r"[\w'-]+")
            continue
        alt = _ALTERNATIVES.match(part)
        words = [w for w in (alt.group(1).split("|") if alt else [part]) if w]
        if not words or any(not _WORDS.fullmatch(w) for w in words):
            raise ValidationError(
                f"{part!r} is not a word: use letters, digits, ' and -, '*' for any one word, "
                "or [a|b] for either word."
            )
        pieces.append("(?:" + "|".join(re.escape(w) for w in words) + ")")
        needles.append(frozenset(words))
    if not needles:
        raise ValidationError("The phrase needs at least one word that is not '*'.")
    return _EDGE_BEFORE + r"\s+".join(pieces) + _EDGE_AFTER, tuple(needles)


def compile_rule(*, name: str, pattern: str, is_regex: bool, valence: float, kind: str) -> Rule:
    """An itscore Rule from an admin's phrase rule; ValidationError with plain words."""
    validate_valence(valence)
    if kind not in PhraseRule.Kind.values:
        raise ValidationError(
            f"Unknown rule kind {kind!r}; use one of {', '.join(PhraseRule.Kind.values)}."
        )
    if is_regex:
        try:
            compiled = re.compile(pattern, re.I)
        except re.error as exc:
            raise ValidationError(f"The regular expression does not compile: {exc}.") from None
        if compiled.search("") is not None or compiled.search(" ") is not None:
            raise ValidationError("The regular expression matches empty text; it must match words.")
        return Rule(name, compiled, float(valence), (), kind)
    regex, needles = phrase_regex(pattern)
    return Rule(name, re.compile(regex, re.I), float(valence), needles, kind)


# --- what the scorer loads -------------------------------------------------------------


@dataclass(frozen=True)
class CustomScoring:
    revision: int
    lexicon: dict[str, float]
    rules: tuple[Rule, ...]


def revision() -> int:
    row = ScorerSettings.objects.filter(pk=1).values_list("revision", flat=True).first()
    return row or 0


def load() -> CustomScoring:
    """The current entries and enabled rules, read in one snapshot with their revision."""
    with transaction.atomic():
        rev = revision()
        lexicon = dict(LexiconEntry.objects.values_list("token", "valence"))
        rules = []
        for r in PhraseRule.objects.filter(enabled=True).order_by("name"):
            try:
                rules.append(
                    compile_rule(
                        name=r.name,
                        pattern=r.pattern,
                        is_regex=r.is_regex,
                        valence=r.valence,
                        kind=r.kind,
                    )
                )
            except ValidationError:
                continue  # saved before a validation existed; the admin page flags it
    return CustomScoring(rev, lexicon, tuple(rules))


# --- change tracking ---------------------------------------------------------------------


def _queue_rescore() -> None:
    from .tasks import rescore_outdated

    rescore_outdated.delay()


def bump_revision() -> None:
    """Record a change (call inside the change's transaction); queue one rescore on commit."""
    now = timezone.now()
    updated = ScorerSettings.objects.filter(pk=1).update(revision=F("revision") + 1, changed_at=now)
    if not updated:
        ScorerSettings.objects.get_or_create(pk=1, defaults={"revision": 1, "changed_at": now})
    # One rescore per transaction, however many entries it changed (an import of 100).
    pending = transaction.get_connection().run_on_commit
    if not any(item[1] is _queue_rescore for item in pending):
        transaction.on_commit(_queue_rescore, robust=True)


# --- data file ---------------------------------------------------------------------------


def export_data() -> dict[str, Any]:
    return {
        "lexicon": [
            {"token": e.token, "valence": e.valence, "note": e.note}
            for e in LexiconEntry.objects.order_by("token")
        ],
        "rules": [
            {
                "name": r.name,
                "pattern": r.pattern,
                "is_regex": r.is_regex,
                "valence": r.valence,
                "kind": r.kind,
                "enabled": r.enabled,
                "note": r.note,
            }
            for r in PhraseRule.objects.order_by("name")
        ],
    }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_data(path: Path, *, replace: bool = False) -> ImportResult:
    """Add or update entries and rules from a JSON file (the format export writes).

    All or nothing: any invalid item stops the import with a message naming it, and
    nothing is changed. `replace` also deletes entries and rules the file does not list.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path}: not a JSON file ({exc}).") from None
    if not isinstance(data, dict) or not set(data) <= {"lexicon", "rules"}:
        raise ValidationError(f'{path}: expected an object with "lexicon" and/or "rules" lists.')
    lexicon = _items(data, "lexicon", {"token", "valence"}, {"note"})
    rules = _items(
        data, "rules", {"name", "pattern", "valence"}, {"is_regex", "kind", "enabled", "note"}
    )
    clean_lex = []
    for i, item in enumerate(lexicon, 1):
        try:
            token = normalize_token(str(item["token"]))
            valence = _number(item["valence"])
            validate_valence(valence)
        except ValidationError as exc:
            raise ValidationError(
                f"lexicon item {i} ({item.get('token')!r}): {_msg(exc)}"
            ) from None
        clean_lex.append((token, valence, str(item.get("note", ""))[:200]))
    clean_rules = []
    for i, item in enumerate(rules, 1):
        name = str(item["name"]).strip()[:80]
        try:
            if not name:
                raise ValidationError("the rule has no name")
            fields = {
                "pattern": str(item["pattern"])[:300],
                "is_regex": bool(item.get("is_regex", False)),
                "valence": _number(item["valence"]),
                "kind": str(item.get("kind", PhraseRule.Kind.FIXED)),
            }
            compile_rule(name=name, **fields)
        except ValidationError as exc:
            raise ValidationError(f"rule item {i} ({name!r}): {_msg(exc)}") from None
        fields["enabled"] = bool(item.get("enabled", True))
        fields["note"] = str(item.get("note", ""))[:200]
        clean_rules.append((name, fields))

    result = ImportResult()
    with transaction.atomic():
        for token, valence, note in clean_lex:
            obj = LexiconEntry.objects.filter(token=token).first()
            if obj is None:
                LexiconEntry.objects.create(token=token, valence=valence, note=note)
                result.created += 1
            elif (obj.valence, obj.note) != (valence, note):
                obj.valence, obj.note = valence, note
                obj.save()
                result.updated += 1
            else:
                result.unchanged += 1
        for name, fields in clean_rules:
            obj = PhraseRule.objects.filter(name=name).first()
            if obj is None:
                PhraseRule.objects.create(name=name, **fields)
                result.created += 1
            elif any(getattr(obj, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(obj, k, v)
                obj.save()
                result.updated += 1
            else:
                result.unchanged += 1
        if replace:
            for obj in LexiconEntry.objects.exclude(token__in=[t for t, _, _ in clean_lex]):
                obj.delete()
            for obj in PhraseRule.objects.exclude(name__in=[n for n, _ in clean_rules]):
                obj.delete()
    return result


def _items(data: dict[str, Any], key: str, required: set[str], optional: set[str]) -> list[dict]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise ValidationError(f'"{key}" must be a list.')
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ValidationError(f"{key} item {i}: expected an object.")
        missing = required - set(item)
        unknown = set(item) - required - optional
        if missing:
            raise ValidationError(f"{key} item {i}: missing {', '.join(sorted(missing))}.")
        if unknown:
            raise ValidationError(f"{key} item {i}: unknown field(s) {', '.join(sorted(unknown))}.")
    return items


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"valence must be a number, got {value!r}")
    return float(value)


def _msg(exc: ValidationError) -> str:
    return " ".join(exc.messages)
