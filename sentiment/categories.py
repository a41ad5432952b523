"""Mapping threads onto the IT service catalogue: source fields first, keyword rules second."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Category

_WORD = re.compile(r"\w+")
_SINGLE = re.compile(r"^\w+$")


@dataclass
class CategoryMatcher:
    """Built once per ingest run from the Category table (a small table).

    A keyword that is one word matches when it is one of the text's words (a set lookup:
    the same as matching it between word boundaries, without a regex pass per category);
    a keyword of several words, or with punctuation, is matched by a regular expression.
    """

    by_alias: dict[str, int]
    keyword_re: list[tuple[re.Pattern[str], int]]
    other_id: int
    words: list[tuple[frozenset[str], int]] | None = None
    order: list[int] | None = None

    @classmethod
    def load(cls) -> CategoryMatcher:
        by_alias: dict[str, int] = {}
        keyword_re: list[tuple[re.Pattern[str], int]] = []
        words: list[tuple[frozenset[str], int]] = []
        order: list[int] = []
        other_id = None
        for cat in Category.objects.order_by("position", "name"):
            if cat.slug == Category.OTHER_SLUG:
                other_id = cat.pk
            by_alias[cat.name.lower()] = cat.pk
            by_alias[cat.slug.lower()] = cat.pk
            for alias in cat.alias_list():
                by_alias.setdefault(alias, cat.pk)
            keywords = cat.keyword_list()
            single = frozenset(w.lower() for w in keywords if _SINGLE.match(w))
            phrases = [w for w in keywords if not _SINGLE.match(w)]
            if single:
                words.append((single, cat.pk))
            if phrases:
                alternation = "|".join(re.escape(w) for w in sorted(phrases, key=len, reverse=True))
                keyword_re.append((re.compile(rf"\b(?:{alternation})\b", re.I), cat.pk))
            order.append(cat.pk)
        if other_id is None:
            other_id = Category.objects.create(
                name="Other", slug=Category.OTHER_SLUG, position=10_000
            ).pk
        return cls(by_alias, keyword_re, other_id, words, order)

    def match(self, hint: str, text: str) -> int:
        if hint:
            found = self.by_alias.get(hint.strip().lower())
            if found:
                return found
        found = self._keywords(text)
        if found is None and hint:
            found = self._keywords(hint)
        return self.other_id if found is None else found

    def _keywords(self, text: str) -> int | None:
        """The first category, in catalogue order, with a keyword in `text`."""
        tokens = set(_WORD.findall(text.lower()))
        hits = {cat_id for single, cat_id in self.words or () if not single.isdisjoint(tokens)}
        hits.update(cat_id for pattern, cat_id in self.keyword_re if pattern.search(text))
        if not hits:
            return None
        return next(cat_id for cat_id in self.order or sorted(hits) if cat_id in hits)
