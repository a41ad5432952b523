"""clean_text and content_hash on any text: NUL bytes, lone surrogates, control characters,
HTML soup, 1 MB comments. What comes out is text both databases store (no NUL, no lone
surrogate, at most MAX_CLEAN characters), in linear time, and cleaning prose twice
changes nothing."""

from __future__ import annotations

import re
import time

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.ingest import MAX_RAW
from sentiment.cleaning import MAX_CLEAN, clean_text, content_hash, strip_html

from .strategies import MB, any_text, huge_text, nasty_text

SURROGATE = re.compile("[\ud800-\udfff]")

# Texts that once took minutes or hours (backtracking regexes, quadratic or worse in a
# run of blank lines, unclosed <script> tags or a long dotted word before an "@"); each
# now cleans in well under a second.
REDOS = [
    "x\n" + "\n" * 20_000 + "y regards",
    "x\n" + " \n" * 20_000 + "y regards",
    "x\n" + "\u00a0\n" * 20_000 + "y",
    "regards" + "\n" * 50_000 + "x",
    "Thanks.\n" + "\n" * 50_000 + "--  " + " " * 50_000 + "x",
    "<script>" * 25_000,
    "</script>" + "<style>" * 25_000 + "</script>",
    "a." * 100_000 + "@",
]


def storable(text: str) -> bool:
    return "\x00" not in text and not SURROGATE.search(text)


@given(raw=nasty_text | any_text)
@example(raw="\x00")
@example(raw="\ud800 VPN down \udfff")
@example(raw="<p>\x00</p>&#0;")
@example(raw="a" * (MAX_CLEAN + 50))
def test_any_text_cleans_to_storable_text_of_at_most_max_clean_characters(raw: str) -> None:
    clean = clean_text(raw)

    assert isinstance(clean, str)
    assert storable(clean)
    assert len(clean) <= MAX_CLEAN
    clean.encode("utf-8")  # what PostgreSQL's text and SQLite store
    assert clean == clean.strip()
    assert "\n\n\n" not in clean


@given(raw=huge_text(MB) | st.sampled_from(REDOS))
def test_a_megabyte_of_hostile_text_cleans_in_seconds(raw: str) -> None:
    started = time.monotonic()
    clean = clean_text(raw[:MAX_RAW])  # ingest keeps MAX_RAW characters of a comment
    whole = clean_text(raw)
    elapsed = time.monotonic() - started

    assert storable(clean) and storable(whole)
    assert len(whole) <= MAX_CLEAN
    # Linear passes take well under a second here; the backtracking ones took hours.
    assert elapsed < 10, f"{elapsed:.1f} s for {len(raw)} characters"


# Prose: words, digits, spaces, line breaks and punctuation, without markup, entities,
# addresses, quotes or sign-offs, which cleaning removes one layer at a time by design
# ("Kind regards, Kind regards," loses one sign-off per pass).
prose = st.text(
    alphabet=st.characters(categories=["L", "N", "Zs", "P"], exclude_characters="<>&@#")
    | st.sampled_from(["\n", "\t"]),
    max_size=400,
).filter(
    lambda t: not re.search(r"regard|wish|rgds|sincer|yours|respect|cheer|best|wrote", t, re.I)
)


@given(raw=prose)
@example(raw="The VPN  keeps\t dropping.\n\n\n\nStill down!")
def test_cleaning_prose_twice_changes_nothing(raw: str) -> None:
    once = clean_text(raw)

    assert clean_text(once) == once


@given(raw=nasty_text | any_text)
def test_the_content_hash_takes_any_text_and_tells_texts_apart(raw: str) -> None:
    digest = content_hash(raw)

    assert re.fullmatch(r"[0-9a-f]{32}", digest)
    assert content_hash(raw) == digest
    assert content_hash(raw + "x") != digest


@given(raw=nasty_text)
@example(raw="<script>" * 3 + "x")
@example(raw="<SCRIPT>a</script ><b>keep</b>")
def test_stripping_html_leaves_no_tag_and_keeps_text_outside_elements(raw: str) -> None:
    out = strip_html(raw.replace("&", ""))  # no entities: an unescaped "&lt;" is text

    assert not re.search(r"<[^>]{0,2000}>", out)
    if "<" not in raw:
        assert out == raw.replace("&", "")


# The cheap tests that let cleaning and the scorer skip a pass must never skip a match.
ids_and_addresses = st.text(
    alphabet=st.sampled_from("aZ09#@.-_+ INCREQ\n:/"), max_size=60
) | st.from_regex(r"[A-Za-z ]{0,10}(?:[A-Z]{2,4}-\d{1,5}|INC\d{4,8}|#\d{3,6}|\w+@\w+\.\w+)")


@given(text=ids_and_addresses | any_text)
def test_the_ticket_and_address_hints_never_skip_a_match(text: str) -> None:
    from sentiment.cleaning import _EMAIL, _HAS_EMAIL_HINT, _HAS_TICKET_HINT, _TICKET

    if _TICKET.search(text):
        assert _HAS_TICKET_HINT(text)
    if _EMAIL.search(text):
        assert _HAS_EMAIL_HINT(text)


@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=80) | any_text)
def test_the_scorers_word_set_is_the_word_regexs(text: str) -> None:
    from sentiment.itscore.scorer import _NON_WORD, _WORD

    low = text.lower()
    if low.isascii():
        assert set(low.translate(_NON_WORD).split()) == set(_WORD.findall(low))


@given(text=st.text(alphabet=st.sampled_from("ab_1@. -\u00e9"), max_size=40) | any_text)
def test_the_mention_pattern_matches_as_its_plain_form(text: str) -> None:
    from sentiment.cleaning import _MENTION

    plain = re.compile(r"(?<![\w@])@[\w][\w.-]{0,60}")
    assert _MENTION.sub(" ", text) == plain.sub(" ", text)
