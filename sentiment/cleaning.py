"""Cleaning before scoring, one definition shared by the collectors and the scorer.

What is shown stays raw (Comment.raw_body); what is scored is clean (Comment.clean_body,
made at ingest by the collectors). Removes what carries no opinion about IT but would sway
VADER: HTML markup and entities, quoted e-mail replies, signatures and sign-offs ("Kind
regards, Maria"), helpdesk notification boilerplate, URLs, e-mail addresses, @mentions
and ticket ids.

Any change here changes scores: bump sentiment.itscore.scorer.LEXICON/RULES version so
`manage.py rescore` brings stored comments up to date (clean_body is re-made from
raw_body by the rescore as well).
"""

from __future__ import annotations

import hashlib
import html
import re

_TAG = re.compile(r"<[^>]{0,2000}>")
# A <script> or <style> element goes whole, up to its closing tag (see _drop_tags).
_RAW_OPEN = re.compile(r"<(script|style)\b", re.I)
_RAW_CLOSE = {
    "script": re.compile(r"</script\s*>", re.I),
    "style": re.compile(r"</style\s*>", re.I),
}
_BLOCK_TAG = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.I)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
# A local part is at most 64 characters (RFC 5321); unbounded, every start in a long run
# of word characters and dots rescans it up to the "@" (quadratic on hostile text).
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b")
_TICKET = re.compile(
    r"(?:\b(?:[A-Z][A-Z0-9]{1,9}-\d+|(?:INC|REQ|RITM|CHG|PRB|TASK|SR|CS)\d{4,})|(?<!\w)#\d{3,})\b"
)
_QUOTE_HEADER = re.compile(
    r"^[^\S\n]*(?:On .{3,200}wrote:|-{2,}\s*Original Message\s*-{2,}|From:\s.+|Sent from my \w+.*)"
    r"\s*$",
    re.I | re.M,
)
_SIGNOFF = re.compile(
    r"^[^\S\n]*(?:--|(?:(?:kind|best|warm)\s*)?regards,?|thanks(?: in advance)?,|cheers,|sincerely,|"
    r"best,|br,|mfg,?)\s*$",
    re.I | re.M,
)
# "@maria" / "@it.ops" after e-mail addresses are gone: a mention names, it does not judge.
# "@" first, so the regex engine can jump from one "@" to the next; the look-behind then
# checks what stands before it (same matches as "(?<![\w@])@[\w][\w.-]{0,60}").
_MENTION = re.compile(r"@(?<![\w@]@)[\w][\w.-]{0,60}")
# Helpdesk notification markers: everything from such a line on is the quoted thread.
_REPLY_MARKER = re.compile(
    r"^[^\n]*(?:reply above this line|type your reply above|write above this line)[^\n]*$",
    re.I | re.M,
)
# Boilerplate lines helpdesks and mail systems add to what a person wrote.
_AUTO_LINE = re.compile(
    r"^[ \t]*(?:this is an automated (?:message|e-?mail|notification|response)"
    r"|(?:please )?do not reply (?:to|directly to) this (?:e-?mail|message|notification)"
    r"|you are receiving this (?:e-?mail |message |notification )?because"
    r"|this (?:e-?mail|message|notification) was (?:sent|generated) (?:to|automatically)"
    r"|to unsubscribe"
    r"|your request \(?#?\d+\)? has been (?:updated|received|solved|resolved)"
    r"|ticket #?\d+ has been (?:updated|created|resolved|closed))[^\n]*$\n?",
    re.I | re.M,
)
_AUTO_HINTS = (
    "reply",
    "automated",
    "receiving this",
    "unsubscribe",
    "sent to",
    "generated",
    "has been",
)
# Control characters, and lone surrogates (text decoded with "surrogateescape" or from
# broken JSON): neither PostgreSQL nor UTF-8 can store them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")
# A sign-off closing a one-line or short message, with the name or a few short lines
# (name, title, phone) after it: "Thanks for the fix. Kind regards, Maria".
# It starts at the text's start, after punctuation, or at the start of a run of blanks
# holding a line break (not after each of its line breaks: one blank line after another
# would each rescan the rest of the run).
_SIGN_OFF_TAIL = re.compile(
    r"(?:^|(?<=[.!?,;:])|(?<!\s)(?=[^\S\n]*\n))\s*"
    r"(?:(?:kind|best|warm|warmest|many|with kind|with best|thanks and|thanks &|thank you and)\s+)?"
    r"(?:regards|wishes|rgds|sincerely|yours truly|yours sincerely|respectfully|cheers|best)\b[,.!]*"
    r"(?:\s+(?-i:[A-Z][\w.'-]*)(?:\s+(?-i:[A-Z][\w.'-]*)){0,2}[.!]*|(?:[ \t]*\n[^\n]{0,60}){1,3})?\s*$",
    re.I,
)
_ONLY_CHEERS = re.compile(r"\W*cheers\W*", re.I)
_SIGN_OFF_WORDS = (
    "regards",
    "wishes",
    "rgds",
    "sincerely",
    "yours",
    "respectfully",
    "cheers",
    "best",
)
# What every ticket id holds (a "-" or "#" before a digit, or four digits in a row): a
# cheap scan that skips the ticket pass for most texts with numbers in them.
_HAS_TICKET_HINT = re.compile(r"\d{4}|[-#]\d").search
# What every e-mail address holds: "@", a domain label and a dot (not an @mention).
_HAS_EMAIL_HINT = re.compile(r"@[\w-]+\.[\w-]").search


# Characters of a comment's clean text that are stored and scored (Comment.clean_body),
# at ingest and when a rescore cleans an old comment again.
MAX_CLEAN = 20_000


def strip_html(text: str) -> str:
    if "<" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _drop_tags(text)
    return html.unescape(text) if "&" in text else text


def _drop_tags(text: str) -> str:
    """Each tag, and each <script> / <style> element with what it holds, becomes a space.

    A loop rather than one regex: an element's alternative would scan to the end of the
    text for every <script> that is never closed (quadratic on hostile text); here an
    opening tag without a closing one after it is an ordinary tag."""
    last_close = {
        tag: max((m.start() for m in close.finditer(text)), default=-1)
        for tag, close in _RAW_CLOSE.items()
    }
    out: list[str] = []
    pos = 0
    at = text.find("<")
    while at != -1:
        end = -1
        opened = _RAW_OPEN.match(text, at)
        if opened:
            tag = opened.group(1).lower()
            if last_close[tag] >= opened.end():
                closed = _RAW_CLOSE[tag].search(text, opened.end())
                end = closed.end() if closed else -1
        if end == -1:
            plain = _TAG.match(text, at)
            end = plain.end() if plain else -1
        if end == -1:
            at = text.find("<", at + 1)
            continue
        out.append(text[pos:at])
        out.append(" ")
        pos = end
        at = text.find("<", end)
    out.append(text[pos:])
    return "".join(out)


def cut_notification_text(text: str) -> str:
    """Drop a helpdesk's "reply above this line" thread and its automated boilerplate."""
    marker = _REPLY_MARKER.search(text)
    if marker:
        text = text[: marker.start()]
    return _AUTO_LINE.sub("", text)


def cut_quoted_and_signature(text: str) -> str:
    """Drop quoted replies ("> ...", "On ... wrote:") and everything after a sign-off line."""
    if "\n" not in text:
        # One line: only a quote marker can apply (a header or sign-off must follow text).
        return "" if text.lstrip().startswith(">") else text
    lines = [ln for ln in text.split("\n") if not ln.lstrip().startswith(">")]
    text = "\n".join(lines)
    for pattern in (_QUOTE_HEADER, _SIGNOFF):
        match = pattern.search(text)
        # A sign-off on the first line is the whole message ("Thanks," then text): keep it.
        if match and text[: match.start()].strip():
            text = text[: match.start()]
    return text


def _has_any(text: str, needles: tuple[str, ...]) -> bool:
    """any(n in text for n in needles), without a generator per call (a hot path)."""
    for n in needles:
        if n in text:
            return True
    return False


def clean_text(raw: str) -> str:
    """The text Earshot scores. Deterministic: the same raw text always cleans the same.

    Each pass is skipped when a cheap test shows it cannot match (the output is the same):
    most comments are one plain line, and every regex pass costs microseconds.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    text = strip_html(text)
    low = text.lower()
    if _has_any(low, _AUTO_HINTS):
        text = cut_notification_text(text)
    text = cut_quoted_and_signature(text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "@" in text:
        if _HAS_EMAIL_HINT(text):
            text = _EMAIL.sub(" ", text)
        text = _MENTION.sub(" ", text)
    if _HAS_TICKET_HINT(text):
        text = _TICKET.sub(" ", text)
    low = text.lower()
    if _has_any(low, _SIGN_OFF_WORDS):
        stripped = _SIGN_OFF_TAIL.sub("", text)
        # A bare "cheers" with no name after it is thanks ("Printer fixed, cheers"; a
        # request's politeness is neutral in the scorer), not a sign-off.
        if not _ONLY_CHEERS.fullmatch(text[len(stripped.rstrip()) :]):
            text = stripped
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACES.sub(" ", text)
    # At most MAX_CLEAN characters are stored and scored, wherever the text is cleaned.
    if "\n" not in text:
        return text.strip()[:MAX_CLEAN]
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()[:MAX_CLEAN]


def content_hash(raw: str) -> str:
    """Identifies a comment's text: a changed hash on re-collection means an edit."""
    return hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
