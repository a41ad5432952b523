"""Cleaning: what is scored is what the person said about IT, nothing else."""

from __future__ import annotations

import pytest

from sentiment.cleaning import clean_text, content_hash

CASES = [
    # (raw, clean)
    ("The VPN is down again.", "The VPN is down again."),
    ("<p>Printer <b>broken</b> &amp; jammed</p><br>again", "Printer broken & jammed\n\nagain"),
    ("<script>alert(1)</script>Laptop is slow", "Laptop is slow"),
    ("See https://status.example.com/x?y=1 and www.example.org now", "See and now"),
    ("Mail ana@corp.example about it", "Mail about it"),
    ("Still broken, see INC0012345, ITSD-42 and #1234", "Still broken, see , and"),
    ("@maria thanks, works now", "thanks, works now"),
    ("Thanks @it.ops-team for the fix", "Thanks for the fix"),
    ("Still slow\n> On Monday you wrote:\n> it is fixed", "Still slow"),
    ("Still slow\nOn Mon, 3 Mar 2026, Bob <bob@x.example> wrote:\nold text", "Still slow"),
    ("Works now, thank you.\nKind regards,\nMaria Rossi\nFinance", "Works now, thank you."),
    ("Thanks,\nthe new laptop is great", "Thanks,\nthe new laptop is great"),
    ("##- Please type your reply above this line -##\nYour request (#123) has been updated.", ""),
    (
        "Great, it works!\n##- Please type your reply above this line -##\nAgent: fixed",
        "Great, it works!",
    ),
    ("This is an automated message.\nMy screen is still black.", "My screen is still black."),
    (
        "Screen still black.\nYou are receiving this because you are a requester.",
        "Screen still black.",
    ),
    ("Please do not reply to this email.\nThe printer is fine now", "The printer is fine now"),
    ("  spaced\t\ttext\u00a0here  ", "spaced text here"),
    ("a\x00b\x07c", "abc"),
    ("para one\n\n\n\n\npara two", "para one\n\npara two"),
]


@pytest.mark.parametrize(("raw", "clean"), CASES)
def test_cleaning_keeps_only_what_the_person_said(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_cleaning_is_deterministic_and_the_hash_follows_the_raw_text() -> None:
    raw = "<p>VPN down</p>"
    assert clean_text(raw) == clean_text(raw)
    assert content_hash(raw) == content_hash(raw)
    assert content_hash(raw) != content_hash(raw + " ")
