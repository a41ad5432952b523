"""Scoring: VADER, one analyzer per process, with a version recorded on every score.

Any change to the lexicon, the rules or the cleaning that changes scores must bump
SCORER_VERSION; `manage.py rescore` then brings stored comments up to date.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SCORER_VERSION = "vader3.3.2-e1"

# The one definition of the labels (DESIGN.md: metrics are defined once).
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05


@dataclass(frozen=True, slots=True)
class Score:
    compound: float
    pos: float
    neu: float
    neg: float

    @property
    def label(self) -> str:
        return label_for(self.compound)


def label_for(compound: float) -> str:
    if compound >= POSITIVE_THRESHOLD:
        return "pos"
    if compound <= NEGATIVE_THRESHOLD:
        return "neg"
    return "neu"


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """Built once per process (loading the lexicon takes ~0.1 s): each worker child has its own."""
    return SentimentIntensityAnalyzer()


def score_text(text: str) -> Score:
    """Score already-cleaned text. Empty text is neutral."""
    if not text.strip():
        return Score(0.0, 0.0, 1.0, 0.0)
    s = analyzer().polarity_scores(text)
    return Score(s["compound"], s["pos"], s["neu"], s["neg"])
