"""Slack message text ("mrkdwn" as the API delivers it) to plain text.

Slack's formatting reference (docs.slack.dev/messaging/formatting-message-text, "Escaping
text" and "Advanced formatting"): the API sends `&`, `<` and `>` escaped as `&amp;`,
`&lt;`, `&gt;`, and marks up references in angle brackets:

- `<@U123>` / `<@U123|name>`: a user mention -> `@Display Name`;
- `<#C123|name>` / `<#C123>`: a channel -> `#name`;
- `<!here>`, `<!channel>`, `<!everyone>`: broadcast mentions -> dropped (they carry no
  opinion, and "@channel" would read as a person);
- `<!subteam^S123|@team>`: a user group -> its label;
- `<!date^1392734382^{date}|fallback>`: a date -> its fallback text;
- `<https://example.com|label>` -> `label`; `<https://example.com>` -> the URL;
  `<mailto:a@b.example|a@b.example>` -> the label.

What remains (emoji shortcodes, code, emphasis) goes through
collectors.chatmarkup.chat_to_text, which the chat kinds share.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..chatmarkup import chat_to_text

_REF = re.compile(r"<([^<>\n]{1,3000})>")
_SPACES = re.compile(r"[ \t]{2,}")
_BROADCASTS = frozenset({"here", "channel", "everyone", "group"})


def _unescape(text: str) -> str:
    # &amp; last, so "&amp;lt;" (a literal "&lt;" typed by the user) stays "&lt;".
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_to_text(
    text: str,
    *,
    user_name: Callable[[str], str] = lambda uid: "",
    channel_name: Callable[[str], str] = lambda cid: "",
) -> str:
    """Plain text of a Slack message. `user_name(id)` and `channel_name(id)` name the
    people and channels referenced without a label ("" when unknown: the id is kept)."""

    def ref(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            uid = target[1:]
            return "@" + (label or user_name(uid) or uid)
        if target.startswith("#"):
            cid = target[1:]
            return "#" + (label or channel_name(cid) or cid)
        if target.startswith("!"):
            command = target[1:]
            if command in _BROADCASTS:
                return ""
            if command.startswith("subteam^"):
                return label or "@team"
            return label  # <!date^...|fallback> and anything newer: the readable part
        return label or target.removeprefix("mailto:")

    if "<" in text:
        text = _REF.sub(ref, text)
    if "&" in text:
        text = _unescape(text)
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    return chat_to_text(text.strip())
