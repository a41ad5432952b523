"""Scoring: Earshot's IT-aware VADER (sentiment.itscore) with the organisation's own
lexicon entries and phrase rules (sentiment.custom), one analyzer per process.

For scripts, the same as plain functions:

    from sentiment.scoring import score_text, score_csv
    score_text("The VPN is down again.").label       # 'neg'
    score_csv("in.csv", "out.csv", text_column="text")  # adds compound,label

The version recorded on every score is `current_version()`: the built-in scorer's
version (SCORER_VERSION: lexicon, rules, cleaning, thresholds) plus the revision of the
organisation's own entries when it has any. `manage.py rescore` brings stored comments up
to the current version.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path

from .cleaning import clean_text
from .itscore import scorer as engine

SCORER_VERSION = engine.ITSCORE_VERSION

# The one definition of the labels (DESIGN.md: metrics are defined once). The band was
# chosen on data (bench/sentiment_eval.py --tune), not assumed.
POSITIVE_THRESHOLD = engine.POSITIVE_THRESHOLD
NEGATIVE_THRESHOLD = engine.NEGATIVE_THRESHOLD

Score = engine.ITScore
NEUTRAL = Score(0.0, 0.0, 1.0, 0.0, "neu")


def label_for(compound: float) -> str:
    return engine.label_for(compound)


def version_for(revision: int) -> str:
    return SCORER_VERSION if not revision else f"{SCORER_VERSION}+c{revision}"


def custom_revision() -> int:
    """The revision of the organisation's own entries (0 without a database or any)."""
    from django.db import DatabaseError

    from . import custom

    try:
        return custom.revision()
    except DatabaseError:
        return 0


def current_version() -> str:
    return version_for(custom_revision())


_lock = threading.Lock()
_cache: dict[int, engine.ITAnalyzer] = {}


def analyzer(revision: int | None = None) -> engine.ITAnalyzer:
    """The analyzer for a custom revision (default: the current one), built once per
    process and revision; a worker picks up an admin's change at its next batch."""
    rev = custom_revision() if revision is None else revision
    an = _cache.get(rev)
    if an is not None:
        return an
    with _lock:
        an = _cache.get(rev)
        if an is None:
            if rev:
                from . import custom

                loaded = custom.load()
                an = engine.ITAnalyzer(extra_lexicon=loaded.lexicon, extra_rules=loaded.rules)
                rev = loaded.revision
            else:
                an = engine.ITAnalyzer()
            _cache.clear()  # only the newest revision is kept
            _cache[rev] = an
    return an


def score_clean(text: str, an: engine.ITAnalyzer | None = None) -> Score:
    """Score text already cleaned (Comment.clean_body). Empty text is neutral."""
    if not text or text.isspace():
        return NEUTRAL
    return (an or analyzer()).it_scores(text, cleaned=True)


def score_text(text: str) -> Score:
    """Score any text as Earshot would a comment: cleaned, then scored."""
    return score_clean(clean_text(text or ""))


def explain(text: str, *, cleaned: bool = False) -> dict:
    """Why this score: the cleaned text, every contributing word or rule with its valence
    (source: vader / it-lexicon / custom / rule) and the resulting compound and label."""
    result = analyzer().explain(text, cleaned=cleaned)
    result["version"] = current_version()
    return result


class ScoreFileError(ValueError):
    """A CSV that cannot be scored, with a message for the person running the command."""


def score_csv(in_path: str | Path, out_path: str | Path, *, text_column: str = "text") -> int:
    """Copy a CSV, adding `compound` and `label` (neg/neu/pos) columns; returns the rows.

    Reads UTF-8 (with or without BOM); a row whose text cell is empty scores neutral.
    The output is written to a temporary file first, so a failure leaves no half file.
    """
    src, dst = Path(in_path), Path(out_path)
    if src.resolve() == dst.resolve():
        raise ScoreFileError("The output file must differ from the input file.")
    an = analyzer()
    tmp = dst.with_name(dst.name + ".part")
    n = 0
    try:
        with src.open(newline="", encoding="utf-8-sig") as fin:
            reader = csv.DictReader(fin)
            header = reader.fieldnames
            if not header:
                raise ScoreFileError(f"{src}: the file is empty (no header row).")
            if text_column not in header:
                raise ScoreFileError(
                    f"{src}: no column {text_column!r}. Columns: {', '.join(header)}. "
                    "Choose one with --text-column."
                )
            extra = [c for c in ("compound", "label") if c not in header]
            with tmp.open("w", newline="", encoding="utf-8") as fout:
                writer = csv.DictWriter(fout, fieldnames=[*header, *extra])
                writer.writeheader()
                for row in reader:
                    if None in row:
                        raise ScoreFileError(
                            f"{src}, line {reader.line_num}: more cells than header columns."
                        )
                    s = score_clean(clean_text(row.get(text_column) or ""), an)
                    row["compound"] = f"{s.compound:.4f}"
                    row["label"] = s.label
                    writer.writerow(row)
                    n += 1
        tmp.replace(dst)
    except FileNotFoundError:
        raise ScoreFileError(f"{src}: no such file.") from None
    except UnicodeDecodeError as exc:
        raise ScoreFileError(
            f"{src}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8 and retry."
        ) from None
    except csv.Error as exc:
        raise ScoreFileError(f"{src}: not a readable CSV ({exc}).") from None
    finally:
        tmp.unlink(missing_ok=True)
    return n
