"""Chat markup to plain text, shared by the chat kinds (Slack, Teams, Mattermost, Matrix).

A connector converts its platform's own syntax (Slack's `<@U123>` / `<url|label>`, Teams'
HTML, Matrix's formatted body) first, then passes the result through `chat_to_text`, which
handles what the platforms share: emoji shortcodes (mapped to the emoji, so VADER's emoji
lexicon applies), fenced and inline code, Markdown links and emphasis markers.
Quoted lines ("> ...") are left for sentiment.cleaning, which drops them before scoring.
"""

from __future__ import annotations

import re

import emoji

_FENCED = re.compile(r"```.*?(?:```|\Z)", re.S)
_INLINE_CODE = re.compile(r"`([^`\n]{1,200})`")
_MD_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((?:[^)\s]{1,2000})\)")
_SKIN_TONE = re.compile(r":skin-tone-\d:")
_SHORTCODE = re.compile(r":[a-z0-9_+\-]{1,60}:", re.I)
# Emphasis markers around words: *bold*, _italic_, ~strike~, **bold**, ~~strike~~.
_EMPHASIS = re.compile(r"(?<![\w*_~])([*_~]{1,2})(?=\S)(.+?)(?<=\S)\1(?![\w*_~])")
# Slack and GitHub names that the emoji package's alias table spells differently.
_EXTRA = {
    ":slightly_smiling_face:": "\U0001f642",
    ":white_frowning_face:": "\u2639\ufe0f",
    ":simple_smile:": "\U0001f642",
    ":thumbsup_all:": "\U0001f44d",
    ":facepalm:": "\U0001f926",
}


def shortcodes_to_emoji(text: str) -> str:
    """":+1: thanks :tada:" -> "👍 thanks 🎉"; unknown shortcodes stay as they are."""
    if ":" not in text or not _SHORTCODE.search(text):
        return text
    text = _SKIN_TONE.sub("", text)
    for code, char in _EXTRA.items():
        text = text.replace(code, char)
    return emoji.emojize(text, language="alias")


def chat_to_text(text: str) -> str:
    """Plain text from the Markdown-like syntax chat platforms share."""
    if "```" in text:
        text = _FENCED.sub(" ", text)  # a pasted log or stack trace carries no opinion
    if "`" in text:
        text = _INLINE_CODE.sub(r"\1", text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if any(c in text for c in "*_~"):
        text = _EMPHASIS.sub(r"\2", text)
    return shortcodes_to_emoji(text)
