"""collectors.ingest.comments_ingest fed records whose every field may be wrong: ids and
texts of any type, empty, huge, with NUL or lone surrogates; times naive, at the edges of
the calendar or not times at all; ratings that are not numbers. Each record is stored or
skipped with a reason, the batch never raises, and what is stored is storable text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

from collectors.base import Batch, CommentRecord
from collectors.ingest import MAX_ID, comments_ingest
from collectors.models import Source
from sentiment.cleaning import MAX_CLEAN
from sentiment.models import Comment, Person, Thread

from .strategies import huge_text, json_values, nasty_text

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

ids = st.one_of(
    st.text(min_size=1, max_size=20),
    nasty_text,
    st.integers(),
    st.none(),
    st.just(""),
    st.just("x" * (MAX_ID + 1)),
    st.just(" padded "),
)
zones = st.one_of(
    st.none(),
    st.just(UTC),
    st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
        lambda m: timezone(timedelta(minutes=m))
    ),
)
times = st.one_of(
    st.just(T0),
    st.datetimes(timezones=zones),  # naive ones included; years 1 to 9999
    st.sampled_from(
        [
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
            datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
            datetime(9999, 12, 31, 23, 59),
            datetime(1, 1, 1),
        ]
    ),
    json_values(max_depth=5, huge=100),
)
texts = st.one_of(nasty_text, huge_text(300_000), json_values(max_depth=5, huge=1000))
anything = st.one_of(nasty_text, json_values(max_depth=5, huge=5000))


@st.composite
def records(draw: st.DrawFn) -> CommentRecord:
    return CommentRecord(
        external_id=draw(ids),
        thread_external_id=draw(ids),
        body=draw(texts),
        created_at=draw(times),
        thread_title=draw(anything),
        thread_url=draw(anything),
        author_external_id=draw(anything),
        author_name=draw(anything),
        author_email=draw(anything),
        department=draw(anything),
        category_hint=draw(anything),
        voice=draw(st.sampled_from([None, "business", "it_staff", "bot", "boss", ""])),
        author_groups=tuple(draw(st.lists(anything, max_size=3))),
        rating=draw(st.one_of(st.none(), st.floats(), st.integers(), anything)),
        rating_scale=draw(anything),
    )


def normalized_id(value: Any) -> str:
    """The id ingest stores a record under (see collectors.ingest._text)."""
    text = "" if value is None else str(value)
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return text.strip()


def storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_SOURCES = iter(range(1, 10**9))


@given(batch=st.lists(records(), min_size=1, max_size=6))
@example(
    batch=[
        CommentRecord("a\x00b", "t\ud800", "VPN \x00 down \udfff", T0),
        CommentRecord(
            "late",
            "t",
            "VPN down",
            datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
        ),
        CommentRecord(
            "early", "t", "VPN down", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
        ),
        CommentRecord(7, None, None, "2026-03-02"),  # type: ignore[arg-type]
    ]
)
def test_every_record_is_stored_or_skipped_with_a_reason_and_the_batch_never_raises(
    catalogue: None, batch: list[CommentRecord]
) -> None:
    source = Source.objects.create(name=f"ingest property {next(_SOURCES)}", kind="csvfile")

    result = comments_ingest(source=source, batch=Batch(records=batch, cursor={"at": 1}))

    note(f"skips: {result.skips}")
    stored = set(Comment.objects.filter(source=source).values_list("external_id", flat=True))
    skipped = {s.item for s in result.skips}
    for skip in result.skips:
        assert isinstance(skip.reason, str) and skip.reason.strip()
    for record in batch:
        ext = normalized_id(record.external_id)
        assert ext in stored or (ext or "(no id)")[:MAX_ID] in skipped, ext
    assert result.created == len(stored)
    source.refresh_from_db()
    assert source.cursor == {"at": 1}  # the cursor moved with the batch
    for raw, clean in Comment.objects.filter(source=source).values_list("raw_body", "clean_body"):
        assert storable(raw) and storable(clean) and raw.strip()
        assert len(clean) <= MAX_CLEAN
    for row in Thread.objects.filter(source=source).values_list("title", "url", "department"):
        assert all(storable(v) for v in row)
    for row in Person.objects.filter(source=source).values_list("display_name", "email"):
        assert all(storable(v) for v in row)

    # Stored once, the same batch again changes nothing.
    again = comments_ingest(source=source, batch=Batch(records=batch, cursor={"at": 2}))
    assert again.created == 0 and again.updated == 0
