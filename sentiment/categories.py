"""Mapping threads onto the IT service catalogue: source fields first, keyword rules second."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Category


@dataclass
class CategoryMatcher:
    """Built once per ingest batch from the Category table (a small table)."""

    by_alias: dict[str, int]
    keyword_re: list[tuple[re.Pattern[str], int]]
    other_id: int

    @classmethod
    def load(cls) -> CategoryMatcher:
        by_alias: dict[str, int] = {}
        keyword_re: list[tuple[re.Pattern[str], int]] = []
        other_id = None
        for cat in Category.objects.order_by("position", "name"):
            if cat.slug == Category.OTHER_SLUG:
                other_id = cat.pk
            by_alias[cat.name.lower()] = cat.pk
            by_alias[cat.slug.lower()] = cat.pk
            for alias in cat.alias_list():
                by_alias.setdefault(alias, cat.pk)
            words = cat.keyword_list()
            if words:
                alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                keyword_re.append((re.compile(rf"\b(?:{alternation})\b", re.I), cat.pk))
        if other_id is None:
            other_id = Category.objects.create(
                name="Other", slug=Category.OTHER_SLUG, position=10_000
            ).pk
        return cls(by_alias, keyword_re, other_id)

    def match(self, hint: str, text: str) -> int:
        if hint:
            found = self.by_alias.get(hint.strip().lower())
            if found:
                return found
        for pattern, cat_id in self.keyword_re:
            if pattern.search(text):
                return cat_id
        if hint:
            for pattern, cat_id in self.keyword_re:
                if pattern.search(hint):
                    return cat_id
        return self.other_id
