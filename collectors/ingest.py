"""Storing what connectors deliver: idempotent upsert, cursor in the same transaction.

Guarantees (tests/collectors/test_ingest.py):
- `(source, external_id)` is unique in the database, so storing a record twice updates
  it instead of duplicating it, even when two runs race;
- a record whose text (content hash) or voice changed is updated and its score cleared,
  so it is re-scored exactly once; an identical record changes nothing;
- the cursor is saved in the transaction that stores the batch: a crash before the
  commit leaves both untouched and the next run re-fetches, the unique key absorbs it;
- a malformed record is skipped with a reason; the rest of the batch lands.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from sentiment.categories import CategoryMatcher
from sentiment.directory import StaffDirectory
from sentiment.models import Comment, Person, Thread, Voice
from sentiment.pseudonyms import pseudonym

from .base import Batch, CommentRecord, Skip
from .clean import clean_text, content_hash
from .models import Source

log = logging.getLogger(__name__)

MAX_ID = 255
MAX_RAW = 200_000  # characters kept of one comment's raw text
MAX_CLEAN = 20_000  # characters scored
_VOICES = frozenset(Voice.values)


@dataclass
class IngestResult:
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skips: list[Skip] = field(default_factory=list)
    # Comments whose score must be (re)computed: the created and the changed.
    to_score: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    rec: CommentRecord
    external_id: str
    thread_ext: str
    author_ext: str
    raw: str
    clean: str
    hash: str
    created_at: datetime
    voice: str | None


@dataclass(slots=True)
class Prepared:
    """A batch after the pure-Python work (validation, cleaning, hashing): ready to store."""

    rows: list[_Row]
    cursor: dict[str, Any]
    seen: int
    skips: list[Skip]


def comments_prepare(batch: Batch) -> Prepared:
    """Validate, clean and hash a batch. Touches no database, so it may run in a thread."""
    skips = list(batch.skips)
    rows = _prepare(batch.records, skips)
    return Prepared(rows, batch.cursor, len(batch.records) + len(batch.skips), skips)


def comments_ingest(*, source: Source, batch: Batch, enqueue: bool = True) -> IngestResult:
    """Store one batch and move the source's cursor, atomically. See the module docstring."""
    return comments_store(source=source, prepared=comments_prepare(batch), enqueue=enqueue)


def comments_ingest_stream(
    *, source: Source, batches: Iterable[Batch], enqueue: bool = True
) -> Iterator[IngestResult]:
    """Store batches as comments_ingest does, one transaction each, in order, while a
    thread reads and prepares the next batch: the connector's and the cleaning's Python
    work overlaps the database's. An error in either side ends the stream with it."""
    ahead: queue.Queue[Prepared | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: Prepared | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(comments_prepare(batch)):
                    return
            put(None)
        except BaseException as exc:  # handed to the storing side, raised there
            put(exc)
        finally:
            connections.close_all()  # fetch() must not use the database; if it did, tidy up

    worker = threading.Thread(target=produce, name=f"ingest-prepare-{source.pk}", daemon=True)
    worker.start()
    try:
        while True:
            item = ahead.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield comments_store(source=source, prepared=item, enqueue=enqueue)
    finally:
        stop.set()
        worker.join(timeout=5)


def comments_store(*, source: Source, prepared: Prepared, enqueue: bool = True) -> IngestResult:
    """Write a prepared batch and its cursor in one transaction."""
    result = IngestResult(seen=prepared.seen, skips=prepared.skips)
    rows = prepared.rows
    matcher = CategoryMatcher.load()
    directory = StaffDirectory.load()
    if directory:
        for row in rows:
            if row.voice is None:  # the platform's own role signal wins
                rec = row.rec
                row.voice = directory.match(
                    source.pk,
                    email=_text(rec.author_email),
                    author_id=row.author_ext,
                    name=_text(rec.author_name),
                    groups=[_text(g) for g in rec.author_groups],
                )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Rows and cursor commit together, so if PostgreSQL itself crashes within the
            # fraction of a second before this commit is flushed, both are lost together
            # and the next run re-fetches them from upstream: waiting for the flush buys
            # nothing here, and costs a disk sync per batch.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit TO OFF")
        people = _upsert_people(source, rows)
        threads = _upsert_threads(source, rows, people, matcher)
        if connection.vendor == "postgresql":
            created, updated = _upsert_comments_pg(source, rows, people, threads)
        else:
            created, updated = _upsert_comments_orm(source, rows, people, threads)
        # Same transaction as the rows it covers: a crash re-fetches, the unique key absorbs it.
        _save_cursor(source, prepared.cursor)
        result.created, result.updated = len(created), len(updated)
        result.unchanged = len(rows) - result.created - result.updated
        result.to_score = created + updated
        if enqueue and result.to_score:
            from sentiment.services import comments_enqueue_scoring

            # robust: a broker hiccup must not undo stored comments; the sweep finds them.
            transaction.on_commit(partial(comments_enqueue_scoring, result.to_score), robust=True)
    return result


# --- preparing records ----------------------------------------------------------------


def _text(value: Any) -> str:
    """Text the database accepts: no NUL bytes, no lone surrogates."""
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _prepare(records: list[CommentRecord], skips: list[Skip]) -> list[_Row]:
    rows: dict[str, _Row] = {}
    tz = timezone.get_current_timezone()
    for rec in records:
        ext = _text(getattr(rec, "external_id", "")).strip()
        label = ext or "(no id)"
        try:
            if not ext:
                raise ValueError("no external id")
            if len(ext) > MAX_ID:
                raise ValueError(f"external id longer than {MAX_ID} characters")
            thread_ext = _text(rec.thread_external_id).strip()
            if not thread_ext or len(thread_ext) > MAX_ID:
                raise ValueError("missing or over-long thread id")
            created = rec.created_at
            if not isinstance(created, datetime):
                raise ValueError(f"timestamp is not a date-time: {created!r:.60}")
            if timezone.is_naive(created):
                created = timezone.make_aware(created, tz)
            raw = _text(rec.body)[:MAX_RAW]
            if not raw.strip():
                raise ValueError("empty text")
            voice = rec.voice if rec.voice in _VOICES else None
            rows[ext] = _Row(
                rec=rec,
                external_id=ext,
                thread_ext=thread_ext,
                author_ext=_text(rec.author_external_id).strip()[:MAX_ID],
                raw=raw,
                clean=clean_text(raw)[:MAX_CLEAN],
                hash=content_hash(raw),
                created_at=created,
                voice=voice,
            )
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            skips.append(Skip(item=label[:MAX_ID], reason=str(exc)))
    return list(rows.values())


# --- people and threads ---------------------------------------------------------------


def _upsert_people(source: Source, rows: list[_Row]) -> dict[str, tuple[int, str, str]]:
    """author external id -> (person id, voice, department)."""
    # The last record of an author wins, as it always did.
    last = {row.author_ext: row for row in rows if row.author_ext}
    if not last:
        return {}
    wanted = {
        ext: (
            _text(row.rec.author_name)[:255],
            _text(row.rec.author_email)[:255],
            _text(row.rec.department)[:120],
            row.voice or Voice.BUSINESS,
        )
        for ext, row in last.items()
    }
    # Most authors of a batch are known with the same details: rewriting them would only
    # churn rows and WAL. Only the new and the changed are upserted.
    people: dict[str, tuple[int, str, str]] = {}
    stale: list[str] = []
    for ext, pk, voice, dept, name, email in _people_known(source, list(wanted)):
        people[ext] = (pk, voice, dept)
        if wanted[ext][:3] != (name, email, dept):
            stale.append(ext)
    stale.extend(ext for ext in wanted if ext not in people)
    if not stale:
        return people
    # A person's voice is the one first seen (informational): each comment's voice is decided
    # afresh from the platform's signal and the IT-staff directory.
    Person.objects.bulk_create(
        [
            Person(
                source=source,
                external_id=ext,
                display_name=wanted[ext][0],
                email=wanted[ext][1],
                department=wanted[ext][2],
                voice=wanted[ext][3],
                pseudonym=pseudonym(source.pk, ext),
            )
            for ext in stale
        ],
        update_conflicts=True,
        unique_fields=["source", "external_id"],
        update_fields=["display_name", "email", "department"],
        batch_size=500,
    )
    for ext, pk, voice, dept, _name, _email in _people_known(source, stale):
        people[ext] = (pk, voice, dept)
    return people


def _people_known(source: Source, exts: list[str]) -> list[tuple[str, int, str, str, str, str]]:
    """(external id, id, voice, department, display name, email) of known authors."""
    if connection.vendor == "postgresql":
        # One array parameter instead of one placeholder per id.
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT external_id, id, voice, department, display_name, email"
                f" FROM {Person._meta.db_table} WHERE source_id = %s AND external_id = ANY(%s)",
                [source.pk, _pg_array(exts)],
            )
            return cur.fetchall()
    return list(
        Person.objects.filter(source=source, external_id__in=exts).values_list(
            "external_id", "id", "voice", "department", "display_name", "email"
        )
    )


def _upsert_threads(
    source: Source,
    rows: list[_Row],
    people: dict[str, tuple[int, str, str]],
    matcher: CategoryMatcher,
) -> dict[str, int]:
    """thread external id -> thread id. New threads get a category; known ones keep theirs."""
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        groups.setdefault(row.thread_ext, []).append(row)
    if not groups:
        return {}
    if connection.vendor == "postgresql":
        return _upsert_threads_pg(source, groups, people, matcher)
    existing = {
        ext: (opened, last, cat, title, url, dept)
        for ext, opened, last, cat, title, url, dept in Thread.objects.filter(
            source=source, external_id__in=list(groups)
        ).values_list(
            "external_id",
            "opened_at",
            "last_activity_at",
            "category_id",
            "title",
            "url",
            "department",
        )
    }
    threads = []
    for ext, members in groups.items():
        first = min(members, key=lambda r: r.created_at)
        opened = first.created_at
        last = max(r.created_at for r in members)
        title = next((r.rec.thread_title for r in members if r.rec.thread_title), "")
        url = next((r.rec.thread_url for r in members if r.rec.thread_url), "")
        dept = next((r.rec.department for r in members if r.rec.department), "")
        if not dept:
            dept = next((people[r.author_ext][2] for r in members if r.author_ext in people), "")
        if ext in existing:
            old_opened, old_last, category_id, old_title, old_url, old_dept = existing[ext]
            opened, last = min(opened, old_opened), max(last, old_last)
            title, url, dept = title or old_title, url or old_url, dept or old_dept
        else:
            hint = next((r.rec.category_hint for r in members if r.rec.category_hint), "")
            category_id = matcher.match(_text(hint), f"{title}\n{first.clean}")
        threads.append(
            Thread(
                source=source,
                external_id=ext,
                title=_text(title)[:500],
                url=_text(url)[:1000],
                category_id=category_id,
                department=_text(dept)[:120],
                opened_at=opened,
                last_activity_at=last,
            )
        )
    Thread.objects.bulk_create(
        threads,
        update_conflicts=True,
        unique_fields=["source", "external_id"],
        update_fields=["title", "url", "department", "opened_at", "last_activity_at"],
        batch_size=500,
    )
    return dict(
        Thread.objects.filter(source=source, external_id__in=list(groups)).values_list(
            "external_id", "id"
        )
    )


def _upsert_threads_pg(
    source: Source,
    groups: dict[str, list[_Row]],
    people: dict[str, tuple[int, str, str]],
    matcher: CategoryMatcher,
) -> dict[str, int]:
    """The same upsert in one statement: the merge with a known thread (span widened,
    empty fields keep the stored value, category kept) happens in the ON CONFLICT clause,
    and RETURNING gives every id. No lookup first: the unique index arbitrates, whatever
    the planner's statistics say (stale during a first large collection)."""
    values = []
    for ext, members in groups.items():
        first = min(members, key=lambda r: r.created_at)
        last = max(r.created_at for r in members)
        title = next((r.rec.thread_title for r in members if r.rec.thread_title), "")
        url = next((r.rec.thread_url for r in members if r.rec.thread_url), "")
        dept = next((r.rec.department for r in members if r.rec.department), "")
        if not dept:
            dept = next((people[r.author_ext][2] for r in members if r.author_ext in people), "")
        hint = next((r.rec.category_hint for r in members if r.rec.category_hint), "")
        # Used only if the thread is new: a known thread keeps its category.
        category_id = matcher.match(_text(hint), f"{title}\n{first.clean}")
        values.append(
            (
                ext,
                _text(title)[:500],
                _text(url)[:1000],
                category_id,
                _text(dept)[:120],
                first.created_at,
                last,
            )
        )
    cols = [_pg_array(c) for c in zip(*values, strict=True)]
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {Thread._meta.db_table} AS t (source_id, external_id, title, url,
                category_id, department, opened_at, last_activity_at)
            SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[],
                %s::text[], %s::timestamptz[], %s::timestamptz[])
            ON CONFLICT (source_id, external_id) DO UPDATE SET
                title = CASE WHEN EXCLUDED.title <> '' THEN EXCLUDED.title ELSE t.title END,
                url = CASE WHEN EXCLUDED.url <> '' THEN EXCLUDED.url ELSE t.url END,
                department = CASE WHEN EXCLUDED.department <> '' THEN EXCLUDED.department
                    ELSE t.department END,
                opened_at = LEAST(t.opened_at, EXCLUDED.opened_at),
                last_activity_at = GREATEST(t.last_activity_at, EXCLUDED.last_activity_at)
            RETURNING t.external_id, t.id
            """,
            [source.pk, *cols],
        )
        return dict(cur.fetchall())


def _pg_array(values: Any) -> str:
    """A PostgreSQL array literal ('{"a","b",NULL}') of text, ids or date-times, cast in
    the query (%s::text[]): parsed by one array_in call instead of one constant per value,
    which is several times cheaper to send and to parse for hundreds of values."""
    out = []
    for v in values:
        if v is None:
            out.append("NULL")
            continue
        if isinstance(v, datetime):
            v = v.isoformat()
        elif not isinstance(v, str):
            v = str(v)
        out.append('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(out) + "}"


def _voice(row: _Row, people: dict[str, tuple[int, str, str]]) -> str:
    # The platform's signal, else the IT-staff directory (both set on the row by
    # comments_store), else a business user. Never a voice cached on the person: a
    # directory entry removed must stop counting at the next collection.
    return row.voice or Voice.BUSINESS


# --- comments -------------------------------------------------------------------------


def _upsert_comments_orm(
    source: Source,
    rows: list[_Row],
    people: dict[str, tuple[int, str, str]],
    threads: dict[str, int],
) -> tuple[list[int], list[int]]:
    """Portable path (SQLite): read what exists, insert the new, update the changed."""
    existing = {
        ext: (pk, h, voice)
        for ext, pk, h, voice in Comment.objects.filter(
            source=source, external_id__in=[r.external_id for r in rows]
        ).values_list("external_id", "id", "content_hash", "voice")
    }
    new, changed = [], []
    for row in rows:
        voice = _voice(row, people)
        author = people.get(row.author_ext)
        obj = Comment(
            source=source,
            thread_id=threads[row.thread_ext],
            author_id=author[0] if author else None,
            external_id=row.external_id,
            raw_body=row.raw,
            clean_body=row.clean,
            voice=voice,
            created_at=row.created_at,
            content_hash=row.hash,
        )
        if row.external_id not in existing:
            new.append(obj)
            continue
        pk, old_hash, old_voice = existing[row.external_id]
        if old_hash != row.hash or old_voice != voice:
            obj.pk = pk
            changed.append(obj)
    if new:
        # ignore_conflicts: a concurrent run that stored the same record first wins quietly.
        Comment.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    created = list(
        Comment.objects.filter(
            source=source, external_id__in=[c.external_id for c in new]
        ).values_list("id", flat=True)
    )
    if changed:
        now = timezone.now()
        for obj in changed:
            obj.updated_at = now  # bulk_update skips auto_now
        Comment.objects.bulk_update(
            changed,
            [
                "thread",
                "author",
                "raw_body",
                "clean_body",
                "voice",
                "created_at",
                "content_hash",
                "compound",
                "pos",
                "neu",
                "neg",
                "scorer_version",
                "scored_at",
                "updated_at",
            ],
            batch_size=200,
        )
    return created, [c.pk for c in changed]


def _copy_field(value: Any) -> str:
    if value is None:
        return r"\N"
    text = value if isinstance(value, str) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


_STAGE = "earshot_ingest_stage"


def _upsert_comments_pg(
    source: Source,
    rows: list[_Row],
    people: dict[str, tuple[int, str, str]],
    threads: dict[str, int],
) -> tuple[list[int], list[int]]:
    """PostgreSQL path: COPY into a session-local staging table, then one
    INSERT ... ON CONFLICT DO UPDATE ... WHERE changed, which tells created from updated."""
    if not rows:
        return [], []
    buf = io.StringIO()
    for row in rows:
        author = people.get(row.author_ext)
        buf.write(
            "\t".join(
                (
                    _copy_field(row.external_id),
                    str(threads[row.thread_ext]),
                    str(author[0]) if author else r"\N",
                    _copy_field(row.raw),
                    _copy_field(row.clean),
                    _voice(row, people),
                    row.created_at.isoformat(),
                    row.hash,
                )
            )
        )
        buf.write("\n")
    buf.seek(0)
    table = Comment._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ("
            " external_id varchar(255), thread_id bigint, author_id bigint, raw_body text,"
            " clean_body text, voice varchar(10), created_at timestamptz, content_hash varchar(64))"
        )
        cur.execute(f"TRUNCATE {_STAGE}")
        cur.cursor.copy_expert(
            f"COPY {_STAGE} (external_id, thread_id, author_id, raw_body, clean_body, voice,"
            " created_at, content_hash) FROM STDIN",
            buf,
        )
        cur.execute(
            f"""
            INSERT INTO {table} AS c (source_id, thread_id, author_id, external_id, raw_body,
                clean_body, voice, created_at, content_hash, scorer_version, ingested_at, updated_at)
            SELECT %s, s.thread_id, s.author_id, s.external_id, s.raw_body, s.clean_body, s.voice,
                s.created_at, s.content_hash, '', now(), now()
            FROM {_STAGE} s
            ON CONFLICT (source_id, external_id) DO UPDATE SET
                thread_id = EXCLUDED.thread_id, author_id = EXCLUDED.author_id,
                raw_body = EXCLUDED.raw_body, clean_body = EXCLUDED.clean_body,
                voice = EXCLUDED.voice, created_at = EXCLUDED.created_at,
                content_hash = EXCLUDED.content_hash,
                compound = NULL, pos = NULL, neu = NULL, neg = NULL,
                scorer_version = '', scored_at = NULL, updated_at = now()
            WHERE c.content_hash <> EXCLUDED.content_hash OR c.voice <> EXCLUDED.voice
            RETURNING c.id, (c.xmax = 0)
            """,
            [source.pk],
        )
        returned = cur.fetchall()
    created = [pk for pk, inserted in returned if inserted]
    updated = [pk for pk, inserted in returned if not inserted]
    return created, updated


def _save_cursor(source: Source, cursor: dict[str, Any]) -> None:
    Source.objects.filter(pk=source.pk).update(cursor=cursor)
    source.cursor = cursor
