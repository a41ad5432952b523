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
from bisect import bisect_right
from pathlib import Path
from typing import NamedTuple

from vaderSentiment import vaderSentiment as _v

from sentiment.cleaning import clean_text

from .rules import (
    DIGIT_RULES,
    EMOJI,
    EMOJI_RULES,
    REQUEST_CUE,
    REQUEST_WORDS,
    RULES,
    RULES_VERSION,
    Rule,
)
from .rules import (
    RULE_EMOJI as _RULE_EMOJI,
)

LEXICON_PATH = Path(__file__).with_name("it_lexicon.tsv")
LEXICON_VERSION = "7"
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
# First names that VADER reads as words ("Thanks, Rob", "Joy from Finance"): a capitalised
# one after the first word of its sentence is a name and carries no sentiment.
_NAME_WORDS = frozenset(
    "rob joy grace hope faith patience charity harmony felicity merry sunny bliss honey "
    "precious destiny glory angel liberty trust happy".split()
)
# ... or at the start of a sentence, before a word that follows a person ("Joy from Payroll")
_AFTER_NAME = frozenset(
    "from in at here and has says said asked wants needs called rang emailed mentioned".split()
)
# In a request or question ("Please enable external sharing", "do I need anything
# special?"), mild words are incidental, not feeling: scaled by this (chosen on the blind
# IT rounds; the dev sets do not move).
_REQUEST_SCALE = 0.4
_REQUEST_MILD = 2.0
# A short positive sentence right after a clearly negative one, with no thanks and no
# repair in the text, is ironic ("The LMS went down during the quiz. Impeccable timing.").
_CLOSER_MAX_TOKENS = 5
_CLOSER_AFTER = -1.5
_CLOSER_BLOCK = frozenset(
    "thanks thank thx ty cheers appreciate appreciated grateful but though however otherwise "
    "overall anyway still now".split()
)
_NEGATE = frozenset(_v.NEGATE)
# Words that can change a lexicon word's valence from up to three words before it (degree
# words, negations, "no", "least", VADER's "so"/"this" emphasis, "without doubt"): a word
# with none of these before it, no idiom around it and no caps emphasis keeps its lexicon
# valence, so the full look-back is skipped.
_CONTEXT_WORDS = frozenset(
    (*_v.BOOSTER_DICT, *_v.NEGATE, "no", "least", "never", "without", "so", "this", "or", "nor")
)
# consecutive word pairs of VADER's idioms and multi-word degree words ("kind of")
_IDIOM_PAIRS = frozenset(
    (a, b)
    for phrase in (*_v.SPECIAL_CASES, *(k for k in _v.BOOSTER_DICT if " " in k))
    for a, b in zip(phrase.split(), phrase.split()[1:], strict=False)
)
_BOOSTER = _v.BOOSTER_DICT
_SPECIAL = _v.SPECIAL_CASES
_N_SCALAR = _v.N_SCALAR
_C_INCR = _v.C_INCR
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_WORD = re.compile(r"[a-z0-9'-]+")
_DIGIT = re.compile(r"\d")
# ASCII characters _WORD does not take, mapped to spaces
_NON_WORD = str.maketrans(
    {chr(c): " " for c in range(128) if not re.fullmatch(r"[a-z0-9'-]", chr(c))}
)
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
        # every token the word loop has to look at; anything else scores 0
        self._notable = frozenset(
            (*self.lexicon, *self.rule_tokens, *_BOOSTER, "kind", *_NAME_WORDS)
        )
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
        self._plan = self._make_plan()
        # skip VADER's look-back for lexicon words nothing before them can change (tests
        # turn it off to check that the result is the same)
        self.plain_lookback = True

    def _make_plan(self) -> tuple:
        """Per rule, what the rule pass needs, in one tuple: (further needle groups, gate,
        1 request-only / 2 report-only / 0 always, token, fast pattern, pattern)."""
        return tuple(
            (
                r.needles[1:],
                r.gate,
                1 if r.kind == "request" else 2 if r.kind == "report" else 0,
                self._token_of[id(r)],
                self._lower_patterns[i],
                r.pattern,
            )
            for i, r in enumerate(self.rules)
        )

    # -- rules -------------------------------------------------------------------------
    def apply_rules(self, text: str) -> str:
        return self._apply_rules(text)[0]

    def _apply_rules(self, text: str) -> tuple[str, bool | None]:
        """(rewritten text, whether the text is a request if that had to be decided)."""
        low = text.lower()
        # the words of the text, as _WORD finds them (an ASCII text: by one translate)
        words = set(low.translate(_NON_WORD).split() if low.isascii() else _WORD.findall(low))
        hit = self._needle_words.intersection(words)
        is_request: bool | None = None
        if not hit and not self._always:
            return text, is_request
        index = self._rule_index
        candidates = {i for w in hit for i in index[w]}
        candidates.update(self._always)
        if self._digit_always and not _DIGIT.search(text):
            candidates.difference_update(self._digit_always)
        if self._emoji_always and (text.isascii() or not EMOJI.search(text)):
            candidates.difference_update(self._emoji_always)
        plan = self._plan
        # the lower-cased text lines up with the text character for character (almost always)
        aligned = len(low) == len(text)
        for i in sorted(candidates):
            more, gate, mode, token, fast, pattern = plan[i]
            if more:
                for g in more:
                    if g.isdisjoint(words):
                        break
                else:
                    more = ()
                if more:
                    continue
            if gate and not any(g in low for g in gate):
                continue
            if mode:
                if is_request is None:
                    is_request = REQUEST_CUE.search(text) is not None
                if is_request != (mode == 1):
                    continue
            if fast is None or not aligned:
                text = pattern.sub(token, text)
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
        return text, is_request

    # -- VADER's word arithmetic -------------------------------------------------------
    def valences(self, text: str) -> tuple[list[str], list[float]]:
        """Tokens and one valence per token for already-cleaned, rule-rewritten text."""
        raw, _, sentiments = self._valences(text)
        return [_strip(w) for w in raw], sentiments

    def _valences(
        self, text: str, before: str | None = None, is_request: bool | None = None
    ) -> tuple[list[str], list[str], list[float]]:
        """(whitespace-split words, the same lower-cased and stripped, one valence each).

        `before` is the text before the phrase rules (a rule may consume a "?"), and
        `is_request` whether it is a request, when the rule pass already decided that.
        Stripping punctuation changes no letter's case, so caps checks read the raw words;
        the stripped words with their case are built only when VADER's look-back needs
        them."""
        raw = text.split()
        low = [
            w
            if w[0].isalnum() and w[-1].isalnum()
            else (x if len(x := w.strip(_PUNCT)) > 2 else w)  # _strip, inline (hot path)
            for w in text.lower().split()
        ]
        tokens: list[str] | None = None
        lex = self.lexicon
        rules = self.rule_tokens
        notable = self._notable
        n = len(raw)
        sentiments = [0.0] * n
        sarcasm: list[int] = []
        # most tokens carry no sentiment, no rule and no degree word: only these are scored
        hits = [i for i, w in enumerate(low) if w in notable]
        if hits:
            is_cap_diff = _v.allcap_differential(raw)
            # Negation, "no" and degree words look back only within the sentence: "I have
            # no seat? WTF." must not read "no ... WTF" as a negated "WTF". `starts` holds
            # the first token of every sentence after the first.
            starts = [k + 1 for k, r in enumerate(raw) if r[-1] in ".!?"]
        fast = self.plain_lookback
        for i in hits:
            w = low[i]
            k = bisect_right(starts, i)
            lo = starts[k - 1] if k else 0  # first token of this sentence
            if w in _BOOSTER or (w == "kind" and i < n - 1 and low[i + 1] == "of"):
                continue
            rule = rules.get(w)
            if (
                rule is None
                and w in _NAME_WORDS
                and (i > lo or (i < n - 1 and low[i + 1] in _AFTER_NAME))
            ):
                name = _strip(raw[i])
                if name[:1].isupper() and not name.isupper():
                    continue
            if rule is not None:
                if rule.kind == "sarcasm":
                    sarcasm.append(i)
                sentiments[i] = rule.valence
                continue
            if w not in lex:
                continue
            if (
                w in _ADVERB_ONLY_BEFORE_SENTIMENT
                and i < n - 1
                and (low[i + 1] in lex or low[i + 1] in rules)
            ):
                continue
            # most lexicon words stand alone: no look-back can change them
            plain = fast and w != "no" and not (is_cap_diff and raw[i].isupper())
            if plain:
                for j in range(i - 3 if i - 3 > lo else lo, i):
                    x = low[j]
                    if x in _CONTEXT_WORDS or "n't" in x:
                        plain = False
                        break
            if plain:
                for j in range(i - 3 if i - 3 > 0 else 0, i + 2 if i + 2 < n else n - 1):
                    if (low[j], low[j + 1]) in _IDIOM_PAIRS:
                        plain = False
                        break
            if plain:
                sentiments[i] = lex[w]
                continue
            if tokens is None:
                tokens = [_strip(w) for w in raw]
            sentiments[i] = self._word_valence(tokens, low, i, is_cap_diff, lo)
        if sarcasm:
            # a failure told before a "but" that the ironic-looking praise follows is the
            # story the praise answers ("I was dreading it, but it went smoothly. Well done!")
            after = low.index("but") if "but" in low else -1
            if any(j < after for j in sarcasm):
                after = -1
            failure = any(
                v <= _FAILURE_VALENCE
                for j, v in enumerate(sentiments)
                if j > after and j not in sarcasm
            )
            # two different ironic markers are irony even without a failure word ("Oh
            # great, another phishing test. Exactly what finance needed.")
            if failure or len({low[j] for j in sarcasm}) >= 2:
                for j in sarcasm:
                    sentiments[j] = _SARCASM_VALENCE
        if len(sentiments) > 2 and hits:
            self._ironic_closer(starts, low, sentiments)
        if before is None:
            before = text
        if (
            ("?" in before or not REQUEST_WORDS.isdisjoint(low))
            and any(-_REQUEST_MILD < v < _REQUEST_MILD and v for v in sentiments)
            and (is_request if is_request is not None else REQUEST_CUE.search(before) is not None)
        ):
            for i, v in enumerate(sentiments):
                if v and -_REQUEST_MILD < v < _REQUEST_MILD and low[i] not in rules:
                    sentiments[i] = v * _REQUEST_SCALE
        if "but" in low:
            sentiments = self._but_check(low, sentiments)
        if not _CONDITION_WORDS.isdisjoint(low):
            inside = False
            for i, w in enumerate(low):
                if w in _CONDITION_WORDS:
                    inside = True
                elif inside and sentiments[i]:
                    sentiments[i] *= _CONDITION_SCALE
                if raw[i][-1] in ",;:.!?" or w == "then":
                    inside = False
        return raw, low, sentiments

    def _ironic_closer(self, starts: list[int], low: list[str], sentiments: list[float]) -> None:
        """Turn a short positive sentence negative when it follows a clearly negative one and
        the text thanks nobody and reports no repair (a positive rule token is a repair)."""
        if max(sentiments) <= 0 or min(sentiments) > _CLOSER_AFTER / 3:
            return
        rules = self.rule_tokens
        for i, w in enumerate(low):
            if w in _CLOSER_BLOCK or (sentiments[i] > 0 and w in rules):
                return
        # sentences as [start, end) from the first token of each sentence after the first
        bounds = [0, *(k for k in starts if k < len(low)), len(low)]
        spans = list(zip(bounds, bounds[1:], strict=False))
        for k in range(1, len(spans)):
            a, b = spans[k]
            if b - a > _CLOSER_MAX_TOKENS:
                continue
            pa, pb = spans[k - 1]
            if sum(sentiments[pa:pb]) > _CLOSER_AFTER or sum(sentiments[a:b]) <= 0:
                continue
            # the negative sentence reports an IT failure (a rule), not just a sad word
            if not any(low[j] in rules and sentiments[j] < 0 for j in range(pa, pb)):
                continue
            for j in range(a, b):
                if sentiments[j] > 0:
                    sentiments[j] = -sentiments[j]

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
        """VADER's emoji descriptions, except for the emoji the phrase rules score (👍 👎 🙏
        🙃): those stay, or "thumbs up" would reach the rules as two plain words."""
        out = []
        prev_space = True
        emojis = self.emojis
        for ch in text:
            if ch in emojis and ch not in _RULE_EMOJI:
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
        return self._prepare(text)[0]

    def _prepare(self, text: str) -> tuple[str, str, bool | None]:
        """(what VADER reads, the text before the phrase rules, is it a request if known)."""
        if not text.isascii():
            text = self._emoji_to_text(text.translate(_APOSTROPHES))
        text = " ".join(text.split())
        if not text:
            return text, text, None
        if "))" in text or "((" in text:
            text = _EMOTICON_REPEAT.sub(r"\1\2", text)
        text = _unglue(text)
        prepared, is_request = self._apply_rules(text)
        return prepared, text, is_request

    @staticmethod
    def finish(raw: list[str], sentiments: list[float], text: str) -> ITScore:
        """VADER's score_valence (same arithmetic, one pass) with length damping first and
        the sentence-level correction after (chosen on the tuning halves): when an earlier
        sentence is clearly negative and the text does not end on a positive note, the text
        is at least as negative as that sentence ("Thanks for the reply. The VPN still
        drops."). A report followed by thanks for the fix keeps its whole-text score."""
        n = len(sentiments)
        if not n:
            return ITScore(0.0, 0.0, 1.0, 0.0, "neu")
        if n > _LENGTH_REF:
            f = (_LENGTH_REF / n) ** _LENGTH_POWER
            sentiments = [v * f for v in sentiments]
        # punctuation emphasis, as VADER's _amplify_ep / _amplify_qm
        amp = min(text.count("!"), 4) * 0.292
        qm = text.count("?")
        if qm > 1:
            amp += qm * 0.18 if qm <= 3 else 0.96
        sum_s = float(sum(sentiments))
        if sum_s > 0:
            sum_s += amp
        elif sum_s < 0:
            sum_s -= amp
        compound = round(_v.normalize(sum_s), 4)
        pos = [v + 1 for v in sentiments if v > 0]
        neg = [v - 1 for v in sentiments if v < 0]
        pos_sum = 0.0 + sum(pos)
        neg_sum = 0.0 + sum(neg)
        neu_count = n - len(pos) - len(neg)
        if pos_sum > -neg_sum:
            pos_sum += amp
        elif pos_sum < -neg_sum:
            neg_sum -= amp
        total = pos_sum - neg_sum + neu_count
        scores = (
            round(pos_sum / total, 3),
            round(neu_count / total, 3),
            round(-neg_sum / total, 3),
        )
        # sentence sums only matter with a negative word and more than one sentence
        if neg and ("." in text or "!" in text or "?" in text):
            sums: list[float] = []
            acc = 0.0
            for r, v in zip(raw, sentiments, strict=True):
                acc += v
                if r[-1] in ".!?":
                    sums.append(acc)
                    acc = 0.0
            if acc or not sums:
                sums.append(acc)
            if len(sums) >= 2 and sums[-1] <= 0:
                worst = _v.normalize(min(sums))
                if worst <= _SENTENCE_NEGATIVE:
                    compound = round(min(worst, compound), 4)
        return ITScore(compound, *scores, label_for(compound))

    def it_scores(self, text: str, *, cleaned: bool = False) -> ITScore:
        """Score `text`; pass cleaned=True for text already through sentiment.cleaning
        (Comment.clean_body), else it is cleaned here."""
        prepared, before, is_request = self._prepare(text if cleaned else clean_text(text))
        if not prepared:
            return ITScore(0.0, 0.0, 1.0, 0.0, "neu")
        raw, _, sentiments = self._valences(prepared, before, is_request)
        return self.finish(raw, sentiments, prepared)

    def explain(self, text: str, *, cleaned: bool = False) -> dict:
        clean = text if cleaned else clean_text(text)
        prepared, before, is_request = self._prepare(clean)
        contributions: list[dict] = []
        if prepared:
            raw, _, sentiments = self._valences(prepared, before, is_request)
            tokens = [_strip(w) for w in raw]
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
