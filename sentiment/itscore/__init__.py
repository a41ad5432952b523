"""Earshot's IT-aware sentiment scorer (VADER + IT lexicon + phrase rules + cleaning)."""

from __future__ import annotations

from .clean import clean_for_scoring
from .scorer import (
    ITSCORE_VERSION,
    NEGATIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    ITScore,
    analyzer,
    explain,
    label_for,
    score,
)

__all__ = [
    "ITSCORE_VERSION",
    "NEGATIVE_THRESHOLD",
    "POSITIVE_THRESHOLD",
    "ITScore",
    "analyzer",
    "clean_for_scoring",
    "explain",
    "label_for",
    "score",
]
