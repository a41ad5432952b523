"""Teams message HTML to plain text, before collectors.chatmarkup.chat_to_text.

What Teams puts in `body.content` (contentType "html"), per the Graph chatMessage and
chatMessageMention documentation and messages read back from the API:
- `<at id="0">Anna Accountant</at>` mentions (the id indexes `mentions[]`) -> "@Anna Accountant";
- `<emoji id="smile" alt="😄" title="Smile"></emoji>`, and in older messages
  `<img itemtype="http://schema.skype.com/Emoji" alt="😄" ...>` -> the emoji itself (VADER
  scores emoji, not their names);
- `<attachment id="..."></attachment>` placeholders for cards, files and quoted messages ->
  nothing;
- `<blockquote>` -> "> " lines (Earshot's cleaning drops quotes before scoring);
- `<pre>`, `<codeblock>` -> a fenced block (chat_to_text drops pasted code and logs),
  inline `<code>` -> backticks;
- links -> their label; paragraphs, `<div>`, `<br>`, list items -> line breaks; entities
  decoded (html.parser does it).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)
_SKIP = frozenset({"script", "style", "attachment", "emoji"})
_CODE_BLOCK = frozenset({"pre", "codeblock"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TeamsHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[list[str]] = [[]]  # one buffer per open blockquote
        self.skip = 0
        self.code_block = 0

    @property
    def out(self) -> list[str]:
        return self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "emoji":
            self.out.append(a.get("alt", ""))
        elif tag == "img" and "emoji" in a.get("itemtype", "").lower():
            self.out.append(a.get("alt", ""))
        elif tag == "at":
            self.out.append("@")
        elif tag == "blockquote":
            self.stack.append([])
        elif tag in _CODE_BLOCK:
            self.out.append("\n```\n")
            self.code_block += 1
        elif tag == "code" and not self.code_block:
            self.out.append("`")
        elif tag in _BLOCK:
            self.out.append("\n")
        if tag in _SKIP:
            self.skip += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(self.skip - 1, 0)
        elif tag == "blockquote" and len(self.stack) > 1:
            quoted = _tidy("".join(self.stack.pop()))
            lines = [f"> {line}" for line in quoted.split("\n") if line.strip()]
            self.out.append("\n" + "\n".join(lines) + "\n")
        elif tag in _CODE_BLOCK and self.code_block:
            self.out.append("\n```\n")
            self.code_block -= 1
        elif tag == "code" and not self.code_block:
            self.out.append("`")
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.code_block:
            data = _SPACES.sub(" ", data.replace("\n", " "))
        self.out.append(data)

    def text(self) -> str:
        while len(self.stack) > 1:  # an unclosed blockquote
            self.handle_endtag("blockquote")
        return _tidy("".join(self.stack[0]))


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def teams_html_to_text(content: str) -> str:
    """The text of a Teams HTML message body (see the module docstring)."""
    parser = _TeamsHtml()
    parser.feed(content)
    parser.close()
    return parser.text()
