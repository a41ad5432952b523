"""Earshot's IT-aware sentiment scorer (VADER + IT lexicon + phrase rules + cleaning)."""

from __future__ import annotations

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
    "explain",
    "label_for",
    "score",
]
