"""Earshot's IT-aware scorer, built on vaderSentiment's SentimentIntensityAnalyzer.

Pipeline for one text: clean (quotes, signatures, sign-offs, URLs, ids) → phrase rules
(rules.py: each match becomes one synthetic token with the rule's valence) → VADER's word
arithmetic with the IT lexicon layered over VADER's own (it_lexicon.tsv) → length damping
for long texts → compound → sentence-level correction → label with the neutral band
chosen on data (see bench/sentiment_eval.py).

The word loop is a port of VADER 3.3.2's `polarity_scores` / `sentiment_valence` that
lower-cases the tokens once instead of once per check (same arithmetic, ~2x faster), which
pays for the rule pass. VADER's own `_but_check` and `score_valence` are reused as they are.
The rule pass matches case-insensitive rules as case-sensitive copies against the
lower-cased text (same matches, but the regex engine can skip ahead), so the growing rule
set stays within the speed budget (bench/sentiment_eval.py reports the ratio to VADER).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import NamedTuple

from vaderSentiment import vaderSentiment as _v

from sentiment.cleaning import clean_text

from .rules import DIGIT_RULES, EMOJI, EMOJI_RULES, REQUEST_CUE, RULES, RULES_VERSION, Rule

LEXICON_PATH = Path(__file__).with_name("it_lexicon.tsv")
LEXICON_VERSION = "6"
# Bump on any change to the lexicon, the rules, the cleaning or the thresholds.
ITSCORE_VERSION = f"vader3.3.2-it{LEXICON_VERSION}.{RULES_VERSION}"

# The neutral band, chosen on the tuning halves of the dev sets (bench/sentiment_eval.py
# --tune): compound >= POSITIVE_THRESHOLD is pos, <= NEGATIVE_THRESHOLD is neg.
POSITIVE_THRESHOLD = 0.37
NEGATIVE_THRESHOLD = -0.08

# A sarcasm marker turns negative when some other contribution is at most this.
_FAILURE_VALENCE = -0.5
_SARCASM_VALENCE = -1.8
# A sentence at least this negative can pull the whole text down (see sentence_compound).
_SENTENCE_NEGATIVE = -0.3
# Positive words that are only degree adverbs before another sentiment word ("pretty slow").
_ADVERB_ONLY_BEFORE_SENTIMENT = frozenset({"pretty", "super", "real"})

# Long texts (Stack Overflow answers, e-mails) pile up incidental sentiment words that
# VADER's sum turns into a strong compound; beyond this many tokens the valences are
# scaled by (_LENGTH_REF / n) ** _LENGTH_POWER (chosen on the tuning halves).
_LENGTH_REF = 15
_LENGTH_POWER = 0.6

# Sentiment inside a condition ("if the VPN is down, who do I call?") is hypothetical, not
# what the writer feels: scaled by this until the clause ends (, ; : . ! ? or "then").
_CONDITION_WORDS = frozenset({"if", "unless", "whether"})
_CONDITION_SCALE = 0.2
# Sentence adverbs comment on the whole clause; a negation in the clause does not flip them
# ("not an option unfortunately").
_SENTENCE_ADVERBS = frozenset(
    {
        "unfortunately",
        "sadly",
        "fortunately",
        "luckily",
        "hopefully",
        "thankfully",
        "honestly",
        "seriously",
        "apparently",
        "frankly",
        "regrettably",
        "surprisingly",
    }
)
_NEGATE = frozenset(_v.NEGATE)
_BOOSTER = _v.BOOSTER_DICT
_SPECIAL = _v.SPECIAL_CASES
_N_SCALAR = _v.N_SCALAR
_C_INCR = _v.C_INCR
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_WORD = re.compile(r"[a-z0-9'-]+")
_DIGIT = re.compile(r"\d")
# Words glued by an ellipsis or other punctuation ("an hour.....not cool", "late!!why") are
# split so negation and the lexicon see both words; "e.g." and "3.5" stay whole. So are
# words joined by a slash ("stupid/angry", "difficult/frustrating").
_GLUED = re.compile(r"(?:\.\.|[!?,;])[.!?,;]*(?=[A-Za-z])|/(?=[A-Za-z]{3})")


def _unglue(text: str) -> str:
    """A space after an ellipsis or [!?,;] run that sits between two letters."""

    def space(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else " "
        if not (before.isascii() and before.isalpha()):
            return m.group(0)
        return " " if m.group(0) == "/" else m.group(0) + " "

    return _GLUED.sub(space, text)


# Curly quotes become straight ones; emoji variation selectors and joiners go, so "❤️" is
# described as "red heart", not "red heart\ufe0f" (which the lexicon would not know).
_APOSTROPHES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\ufe0f": None,
        "\ufe0e": None,
        "\u200d": " ",
    }
)
# Repeated emoticon mouths (":))", ":-(((") read as the emoticon itself.
_EMOTICON_REPEAT = re.compile(r"(?<!\S)([:;=]-?)([()])\2+(?!\S)")


class ITScore(NamedTuple):
    compound: float
    pos: float
    neu: float
    neg: float
    label: str


def label_for(compound: float) -> str:
    if compound >= POSITIVE_THRESHOLD:
        return "pos"
    if compound <= NEGATIVE_THRESHOLD:
        return "neg"
    return "neu"


def read_lexicon(path: Path = LEXICON_PATH) -> tuple[str, dict[str, float]]:
    """(version, {token: valence}) from the TSV; valence 0 means 'remove from VADER's'."""
    version = ""
    entries: dict[str, float] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line[1:].strip().lower().startswith("version:"):
                version = line.split(":", 1)[1].strip()
            continue
        token, valence = line.split("\t")[:2]
        entries[token.strip().lower()] = float(valence)
    return version, entries


def _negated(word: str) -> bool:
    return word in _NEGATE or "n't" in word


def _strip(token: str) -> str:
    if token[0].isalnum() and token[-1].isalnum():
        return token  # nothing to strip (most tokens)
    stripped = token.strip(_PUNCT)
    return token if len(stripped) <= 2 else stripped


class ITAnalyzer(_v.SentimentIntensityAnalyzer):
    """VADER with the IT lexicon applied to this instance's lexicon, plus phrase rules.

    `extra_lexicon` and `extra_rules` are an organisation's own additions (entered by
    admins, sentiment.custom): words override both lexicons, rules run before the built-in
    ones so an admin's phrase wins over a general one.
    """

    def __init__(
        self,
        extra_lexicon: dict[str, float] | None = None,
        extra_rules: tuple[Rule, ...] = (),
    ) -> None:
        super().__init__()
        version, entries = read_lexicon()
        if version != LEXICON_VERSION:
            raise RuntimeError(
                f"it_lexicon.tsv is version {version!r}, code expects {LEXICON_VERSION!r}"
            )
        self.it_entries = dict(entries)
        self.custom_entries = dict(extra_lexicon or {})
        for token, valence in (*entries.items(), *self.custom_entries.items()):
            if valence == 0.0:
                self.lexicon.pop(token, None)
            else:
                self.lexicon[token] = valence
        self.rules = (*extra_rules, *RULES)
        # rule tokens: letters only, so VADER's tokenizer keeps them intact
        self.rule_tokens = {_rule_token(i): rule for i, rule in enumerate(self.rules)}
        self._token_of = {id(rule): f" {tok} " for tok, rule in self.rule_tokens.items()}
        # Pre-filter index: a rule can only match when each of its needle groups shares a
        # word with the text, so only rules indexed under one of the text's words (or with
        # no needles at all) are tried, in their original order.
        self._always: tuple[int, ...] = tuple(i for i, r in enumerate(self.rules) if not r.needles)
        # built-in needle-less rules that can only match a text with a digit ("6 hours")
        builtin_digit = {id(r) for r in RULES if r.name in DIGIT_RULES}
        self._digit_always = frozenset(
            i for i in self._always if id(self.rules[i]) in builtin_digit
        )
        builtin_emoji = {id(r) for r in RULES if r.name in EMOJI_RULES}
        self._emoji_always = frozenset(
            i for i in self._always if id(self.rules[i]) in builtin_emoji
        )
        index: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            if rule.needles:
                for word in rule.needles[0]:
                    index.setdefault(word, []).append(i)
        self._rule_index = {w: tuple(ix) for w, ix in index.items()}
        self._needle_words = frozenset(index)
        # The same patterns without re.IGNORECASE, run on the lower-cased text: Python's
        # regex engine can then skip ahead to a possible first character, which makes the
        # rule pass about twice as fast. None where the pattern is not safe to recompile.
        self._lower_patterns = tuple(_lowercase_pattern(r.pattern) for r in self.rules)

    # -- rules -------------------------------------------------------------------------
    def apply_rules(self, text: str) -> str:
        low = text.lower()
        words = set(_WORD.findall(low))
        hit = self._needle_words.intersection(words)
        if not hit and not self._always:
            return text
        index = self._rule_index
        candidates = {i for w in hit for i in index[w]}
        candidates.update(self._always)
        if self._digit_always and not _DIGIT.search(text):
            candidates.difference_update(self._digit_always)
        if self._emoji_always and not EMOJI.search(text):
            candidates.difference_update(self._emoji_always)
        is_request: bool | None = None
        rules = self.rules
        lower_patterns = self._lower_patterns
        # the lower-cased text lines up with the text character for character (almost always)
        aligned = len(low) == len(text)
        for i in sorted(candidates):
            rule = rules[i]
            if len(rule.needles) > 1 and any(g.isdisjoint(words) for g in rule.needles[1:]):
                continue
            if rule.kind == "request" or rule.kind == "report":
                if is_request is None:
                    is_request = REQUEST_CUE.search(text) is not None
                if is_request != (rule.kind == "request"):
                    continue
            token = self._token_of[id(rule)]
            fast = lower_patterns[i]
            if fast is None or not aligned:
                text = rule.pattern.sub(token, text)
                low = text.lower()
                aligned = len(low) == len(text)
                continue
            m = fast.search(low)
            if m is None:
                continue
            parts = []
            last = 0
            while m is not None:
                parts.append(text[last : m.start()])
                parts.append(token)
                last = m.end()
                m = fast.search(low, last + (m.end() == m.start()))
            parts.append(text[last:])
            text = "".join(parts)
            low = text.lower()
            aligned = len(low) == len(text)
        return text

    # -- VADER's word arithmetic -------------------------------------------------------
    def valences(self, text: str) -> tuple[list[str], list[float]]:
        """Tokens and one valence per token for already-cleaned, rule-rewritten text."""
        raw = text.split()
        tokens = [_strip(w) for w in raw]
        low = [t.lower() for t in tokens]
        lex = self.lexicon
        rules = self.rule_tokens
        n = len(tokens)
        is_cap_diff = _v.allcap_differential(tokens)
        sentiments: list[float] = []
        sarcasm: list[int] = []
        # Negation, "no" and degree words look back only within the sentence: "I have no
        # seat? WTF." must not read "no ... WTF" as a negated "WTF".
        lo = 0  # first token of the current sentence
        for i, w in enumerate(low):
            if i and raw[i - 1][-1] in ".!?":
                lo = i
            if w in _BOOSTER or (w == "kind" and i < n - 1 and low[i + 1] == "of"):
                sentiments.append(0.0)
                continue
            rule = rules.get(w)
            if rule is not None:
                if rule.kind == "sarcasm":
                    sarcasm.append(i)
                sentiments.append(rule.valence)
                continue
            if w not in lex:
                sentiments.append(0.0)
                continue
            if (
                w in _ADVERB_ONLY_BEFORE_SENTIMENT
                and i < n - 1
                and (low[i + 1] in lex or low[i + 1] in rules)
            ):
                sentiments.append(0.0)
                continue
            sentiments.append(self._word_valence(tokens, low, i, is_cap_diff, lo))
        if sarcasm:
            failure = any(
                v <= _FAILURE_VALENCE for j, v in enumerate(sentiments) if j not in sarcasm
            )
            if failure:
                for j in sarcasm:
                    sentiments[j] = _SARCASM_VALENCE
        if "but" in low:
            sentiments = self._but_check(tokens, sentiments)
        if not _CONDITION_WORDS.isdisjoint(low):
            inside = False
            for i, w in enumerate(low):
                if w in _CONDITION_WORDS:
                    inside = True
                elif inside and sentiments[i]:
                    sentiments[i] *= _CONDITION_SCALE
                if raw[i][-1] in ",;:.!?" or w == "then":
                    inside = False
        return tokens, sentiments

    def _word_valence(
        self, tokens: list[str], low: list[str], i: int, is_cap_diff: bool, lo: int = 0
    ) -> float:
        """VADER's valence of word i; look-backs stop at `lo`, the first token of its sentence."""
        lex = self.lexicon
        w = low[i]
        n = len(low)
        valence = lex[w]
        if w == "no" and i != n - 1 and low[i + 1] in lex:
            valence = 0.0
        if (
            (i > lo and low[i - 1] == "no")
            or (i - 1 > lo and low[i - 2] == "no")
            or (i - 2 > lo and low[i - 3] == "no" and low[i - 1] in ("or", "nor"))
        ):
            valence = lex[w] * _N_SCALAR
        if is_cap_diff and tokens[i].isupper():
            valence = valence + _C_INCR if valence > 0 else valence - _C_INCR
        for start_i in range(3):
            if i - start_i <= lo:
                break
            if low[i - (start_i + 1)] not in lex:
                s = _v.scalar_inc_dec(tokens[i - (start_i + 1)], valence, is_cap_diff)
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                if w not in _SENTENCE_ADVERBS:
                    valence = self._negation(valence, low, start_i, i)
                if start_i == 2:
                    valence = self._idioms(valence, low, i)
        # "least" check
        if i - 1 > lo and low[i - 1] not in lex and low[i - 1] == "least":
            if low[i - 2] != "at" and low[i - 2] != "very":
                valence = valence * _N_SCALAR
        elif i > lo and low[i - 1] not in lex and low[i - 1] == "least":
            valence = valence * _N_SCALAR
        return valence

    @staticmethod
    def _negation(valence: float, low: list[str], start_i: int, i: int) -> float:
        if start_i == 0:
            if _negated(low[i - 1]):
                valence *= _N_SCALAR
        elif start_i == 1:
            if low[i - 2] == "never" and low[i - 1] in ("so", "this"):
                valence *= 1.25
            elif low[i - 2] == "without" and low[i - 1] == "doubt":
                pass
            elif _negated(low[i - 2]):
                valence *= _N_SCALAR
        else:
            if (low[i - 3] == "never" and low[i - 2] in ("so", "this")) or low[i - 1] in (
                "so",
                "this",
            ):
                valence *= 1.25
            elif low[i - 3] == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
                pass
            elif _negated(low[i - 3]):
                valence *= _N_SCALAR
        return valence

    @staticmethod
    def _idioms(valence: float, low: list[str], i: int) -> float:
        onezero = f"{low[i - 1]} {low[i]}"
        twoonezero = f"{low[i - 2]} {low[i - 1]} {low[i]}"
        twoone = f"{low[i - 2]} {low[i - 1]}"
        threetwoone = f"{low[i - 3]} {low[i - 2]} {low[i - 1]}"
        threetwo = f"{low[i - 3]} {low[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in _SPECIAL:
                valence = _SPECIAL[seq]
                break
        if len(low) - 1 > i:
            zeroone = f"{low[i]} {low[i + 1]}"
            if zeroone in _SPECIAL:
                valence = _SPECIAL[zeroone]
        if len(low) - 1 > i + 1:
            zeroonetwo = f"{low[i]} {low[i + 1]} {low[i + 2]}"
            if zeroonetwo in _SPECIAL:
                valence = _SPECIAL[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in _BOOSTER:
                valence = valence + _BOOSTER[n_gram]
        return valence

    def _emoji_to_text(self, text: str) -> str:
        out = []
        prev_space = True
        emojis = self.emojis
        for ch in text:
            if ch in emojis:
                if not prev_space:
                    out.append(" ")
                out.append(emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out).strip()

    # -- public ------------------------------------------------------------------------
    def prepare(self, text: str) -> str:
        """Already-cleaned text with emojis described and phrase rules applied: what VADER reads."""
        if not text.isascii():
            text = self._emoji_to_text(text.translate(_APOSTROPHES))
        text = " ".join(text.split())
        if not text:
            return text
        if "))" in text or "((" in text:
            text = _EMOTICON_REPEAT.sub(r"\1\2", text)
        return self.apply_rules(_unglue(text))

    @staticmethod
    def sentence_compound(prepared: str, sentiments: list[float], compound: float) -> float:
        """Sentence-level correction (chosen on the tuning halves): when an earlier sentence
        is clearly negative and the text does not end on a positive note, the text is at
        least as negative as that sentence ("Thanks for the reply. The VPN still drops.").
        A report followed by thanks for the fix keeps its whole-text score."""
        sums: list[float] = []
        acc = 0.0
        for raw, v in zip(prepared.split(), sentiments, strict=True):
            acc += v
            if raw[-1] in ".!?":
                sums.append(acc)
                acc = 0.0
        if acc or not sums:
            sums.append(acc)
        if len(sums) < 2 or sums[-1] > 0:
            return compound
        worst = _v.normalize(min(sums))
        return round(min(worst, compound), 4) if worst <= _SENTENCE_NEGATIVE else compound

    def it_scores(self, text: str, *, cleaned: bool = False) -> ITScore:
        """Score `text`; pass cleaned=True for text already through sentiment.cleaning
        (Comment.clean_body), else it is cleaned here."""
        prepared = self.prepare(text if cleaned else clean_text(text))
        if not prepared:
            return ITScore(0.0, 0.0, 1.0, 0.0, "neu")
        _, sentiments = self.valences(prepared)
        n = len(sentiments)
        if n > _LENGTH_REF:
            f = (_LENGTH_REF / n) ** _LENGTH_POWER
            sentiments = [v * f for v in sentiments]
        d = self.score_valence(sentiments, prepared)
        if not sentiments:
            return ITScore(0.0, 0.0, 1.0, 0.0, "neu")
        c = self.sentence_compound(prepared, sentiments, d["compound"])
        return ITScore(c, d["pos"], d["neu"], d["neg"], label_for(c))

    def explain(self, text: str, *, cleaned: bool = False) -> dict:
        clean = text if cleaned else clean_text(text)
        prepared = self.prepare(clean)
        contributions: list[dict] = []
        if prepared:
            tokens, sentiments = self.valences(prepared)
            for tok, val in zip(tokens, sentiments, strict=True):
                if val == 0.0 and tok.lower() not in self.rule_tokens:
                    continue
                rule = self.rule_tokens.get(tok.lower())
                if rule is not None:
                    contributions.append(
                        {"source": "rule", "rule": rule.name, "valence": round(val, 3)}
                    )
                else:
                    w = tok.lower()
                    src = (
                        "custom"
                        if w in self.custom_entries
                        else "it-lexicon"
                        if w in self.it_entries
                        else "vader"
                    )
                    contributions.append({"source": src, "word": tok, "valence": round(val, 3)})
        s = self.it_scores(clean, cleaned=True)
        return {
            "text": text,
            "cleaned": clean,
            "compound": s.compound,
            "label": s.label,
            "contributions": contributions,
            "version": ITSCORE_VERSION,
        }


_ESCAPED_LETTER = re.compile(r"\\[A-Za-z]|[A-Z]-[A-Z]")


def _lowercase_pattern(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` without re.IGNORECASE, for lower-cased text; None unless that is the same.

    Only case-insensitive patterns whose source has no upper-case literal and no inline
    flag group qualify (an admin's rule might be case-sensitive on purpose)."""
    if not pattern.flags & re.IGNORECASE:
        return None
    src = pattern.pattern
    if "(?" in src.replace("(?:", "").replace("(?=", "").replace("(?!", "").replace("(?<", ""):
        return None
    if any(ch.isupper() for ch in _ESCAPED_LETTER.sub("", src)):
        return None
    return re.compile(src, pattern.flags & ~re.IGNORECASE)


def _rule_token(i: int) -> str:
    """A letters-only token per rule ("itsruleaaa"), so VADER's tokenizer keeps it whole."""
    return "itsrule" + chr(97 + i // 676) + chr(97 + i // 26 % 26) + chr(97 + i % 26)


_lock = threading.Lock()
_analyzer: ITAnalyzer | None = None


def analyzer() -> ITAnalyzer:
    """One analyzer per process, built on first use (loading the lexicons takes ~0.1 s)."""
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                _analyzer = ITAnalyzer()
    return _analyzer


def score(text: str) -> ITScore:
    """(compound, pos, neu, neg, label) for a raw comment text (cleaned here)."""
    return analyzer().it_scores(text)


def explain(text: str) -> dict:
    """What moved the score: cleaned text, each contributing word or rule with its valence."""
    return analyzer().explain(text)
