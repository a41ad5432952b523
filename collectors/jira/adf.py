"""Atlassian Document Format (ADF) to plain text, for scoring.

ADF is a tree of nodes `{type, content?, text?, attrs?, marks?}` under a root
`{"version": 1, "type": "doc", "content": [...]}`; traversing it in order and
concatenating the text nodes yields the content in order
(developer.atlassian.com/cloud/jira/platform/apis/document/structure/).

Block nodes become lines (paragraphs and headings separated by a blank line, list items
prefixed with "- " or "1. "), `hardBreak` a newline, `text` its text (marks ignored),
`emoji` its text or short name. Mentions are dropped (a name says nothing about the
writer's mood and would be scored as words); code blocks, media and cards are dropped
too (log pastes and attachments are not opinions).
"""

from __future__ import annotations

from typing import Any

_DROP = frozenset(
    {
        "mention",
        "codeBlock",
        "media",
        "mediaSingle",
        "mediaGroup",
        "mediaInline",
        "inlineCard",
        "blockCard",
        "embedCard",
        "extension",
        "bodiedExtension",
        "inlineExtension",
        "placeholder",
    }
)
_BLOCKS = frozenset(
    {
        "paragraph",
        "heading",
        "blockquote",
        "panel",
        "rule",
        "table",
        "tableRow",
        "expand",
        "nestedExpand",
        "decisionList",
        "taskList",
    }
)


class ADFError(ValueError):
    pass


def adf_to_text(doc: Any) -> str:
    """Plain text of an ADF document (a str is returned as is; None is empty)."""
    if doc is None:
        return ""
    if isinstance(doc, str):
        return doc
    if not isinstance(doc, dict) or not isinstance(doc.get("content", []), list):
        raise ADFError("body is neither text nor an Atlassian Document Format document")
    lines: list[str] = []
    _block(doc, lines, prefix="")
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _block(node: dict[str, Any], lines: list[str], prefix: str) -> None:
    """Append the lines of a block node's children."""
    inline: list[str] = []

    def flush() -> None:
        if inline:
            lines.append(prefix + "".join(inline).strip())
            inline.clear()

    for child in node.get("content") or []:
        if not isinstance(child, dict):
            continue
        kind = child.get("type")
        if kind in _DROP:
            continue
        if kind == "text":
            inline.append(str(child.get("text") or ""))
        elif kind == "hardBreak":
            inline.append("\n")
        elif kind == "emoji":
            attrs = child.get("attrs") or {}
            inline.append(str(attrs.get("text") or attrs.get("shortName") or ""))
        elif kind in ("date", "status"):
            attrs = child.get("attrs") or {}
            inline.append(str(attrs.get("text") or attrs.get("timestamp") or ""))
        elif kind in ("bulletList", "orderedList"):
            flush()
            start = int((child.get("attrs") or {}).get("order") or 1)
            for i, item in enumerate(child.get("content") or []):
                if isinstance(item, dict):
                    mark = f"{start + i}. " if kind == "orderedList" else "- "
                    _block(item, lines, prefix=prefix + mark)
            lines.append("")
        elif kind in ("listItem", "taskItem", "decisionItem", "tableCell", "tableHeader"):
            flush()
            _block(child, lines, prefix=prefix)
        elif kind in _BLOCKS or isinstance(child.get("content"), list):
            flush()
            _block(child, lines, prefix=prefix)
            if kind in ("paragraph", "heading", "blockquote", "panel"):
                lines.append("")
        # unknown leaf nodes carry no text: ignored
    flush()
