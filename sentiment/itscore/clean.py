"""Pre-cleaning for scoring: keep only what the author wrote, drop what carries no opinion.

Removed: quoted replies ("> ..." lines, "On ... wrote:" / "-----Original Message-----" and
all below), signatures ("-- ", "Sent from my ..."), sign-offs with the name after them
("Kind regards, Maria", "Best,\\nTom"), URLs, e-mail addresses, ticket ids and @handles.
HTML entities are unescaped so "&lt;3" reaches VADER as "<3".
"""

from __future__ import annotations

import html
import re

_QUOTE_HEADER = re.compile(
    r"(?:^|\n)[ \t]*(?:On\b[^\n]{0,200}?\bwrote:|-{2,}\s*Original Message\s*-{2,}|"
    r"From:[^\n]*\n(?:[^\n]*\n)?\s*(?:Sent|Date):)",
    re.I,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.M)
_SIGNATURE = re.compile(r"(?:^|\n)(?:-- ?\n|Sent from my \w+).*", re.S | re.I)
# A sign-off and at most a few short lines (name, title) after it, at the end of the text.
_SIGN_OFF = re.compile(
    r"(?:^|(?<=[\n.!?,;:]))\s*"
    r"(?:(?:kind|best|warm|warmest|many|with kind|with best|thanks and|thanks &|thank you and)\s+)?"
    r"(?:regards|wishes|rgds|sincerely|yours truly|yours sincerely|respectfully|cheers|best)\b[,.!]*"
    # then nothing, or a name (1-3 capitalised words), or up to 3 short lines (name, title, phone)
    r"(?:\s+(?-i:[A-Z][\w.'-]*)(?:\s+(?-i:[A-Z][\w.'-]*)){0,2}[.!]*|(?:[ \t]*\n[^\n]{0,60}){1,3})?\s*$",
    re.I,
)
_ONLY_CHEERS = re.compile(r"\W*cheers\W*", re.I)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_HANDLE = re.compile(r"(?<!\w)@\w+")
# INC0012345, RITM0001234, REQ-123, JIRA keys like ABC-1234, #12345
_TICKET = re.compile(r"\b(?:[A-Z][A-Z0-9]{1,9}-\d+|(?:INC|REQ|RITM|CHG|PRB|TASK|SR|CS)\d{4,})\b|#\d{3,}")
_DIGIT = re.compile(r"\d")
_SIGN_OFF_WORDS = ("regards", "wishes", "rgds", "sincerely", "yours", "respectfully", "cheers", "best")


def clean_for_scoring(text: str) -> str:
    """The part of `text` that should be scored."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if "wrote" in text or "riginal" in text or "From:" in text:
        m = _QUOTE_HEADER.search(text)
        if m:
            text = text[: m.start()]
    if ">" in text:
        text = _QUOTED_LINE.sub("", text)
    if "\n" in text or "Sent from" in text:
        text = _SIGNATURE.sub("", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
        text = _HANDLE.sub(" ", text)
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if _DIGIT.search(text):
        text = _TICKET.sub(" ", text)
    low = text.lower()
    if any(w in low for w in _SIGN_OFF_WORDS):
        stripped = _SIGN_OFF.sub("", text)
        if stripped.strip() or not _ONLY_CHEERS.fullmatch(text):  # "Cheers!" alone is thanks
            text = stripped
    return " ".join(text.split())
