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
import math
import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone

from sentiment.categories import CategoryMatcher
from sentiment.cleaning import MAX_CLEAN, clean_text, content_hash
from sentiment.directory import StaffDirectory
from sentiment.models import Comment, Person, Thread, Voice
from sentiment.pseudonyms import pseudonym

from .base import Batch, CommentRecord, Skip
from .models import Source

log = logging.getLogger(__name__)

MAX_ID = 255
MAX_RAW = 200_000  # characters kept of one comment's raw text
_VOICES = frozenset(Voice.values)
_BUSINESS = str(Voice.BUSINESS.value)


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
    rating: float | None = None
    rating_scale: str = ""


@dataclass(slots=True)
class IngestContext:
    """What a run reads once, before its first batch: the category catalogue and the
    IT-staff directory (both small tables). A change to either applies from the next run
    (or the next comments_ingest call), as it did from the next batch before."""

    source_id: int
    vendor: str
    matcher: CategoryMatcher
    directory: StaffDirectory
    # The run's memory of the authors its committed batches stored (see _store_pg_once).
    people: dict[str, tuple[int, str, str, str]] = field(default_factory=dict)
    # Whether the run's last batch was all new comments (see _store_pg_fast).
    all_new: bool = False

    @classmethod
    def load(cls, source: Source) -> IngestContext:
        return cls(source.pk, connection.vendor, CategoryMatcher.load(), StaffDirectory.load())


@dataclass(slots=True)
class _Plan:
    """Everything about a batch that Python can work out without the database: voices
    (platform signal, else the IT-staff directory), the people and threads to upsert with
    the values they get, and on PostgreSQL the array literals and COPY text the storing
    side sends as they are. Built by the reading thread (comments_prepare with a context)."""

    source_id: int
    # author external id -> (display name, email, department, voice): the last record wins
    people: dict[str, tuple[str, str, str, str]]
    # thread external id -> (title, url, category id if new, department, opened, last)
    threads: dict[str, tuple[str, str, int, str, datetime, datetime]]
    # PostgreSQL only: array literals of the thread columns, of the comments' external ids,
    # and each row's COPY text after its ids (external_id ... scorer_version).
    thread_cols: list[str] = field(default_factory=list)
    ext_array: str = ""
    copy_tails: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Prepared:
    """A batch after the pure-Python work (validation, cleaning, hashing, and with a
    context the plan of what to write): ready to store."""

    rows: list[_Row]
    cursor: dict[str, Any]
    seen: int
    skips: list[Skip]
    plan: _Plan | None = None


def comments_prepare(batch: Batch, context: IngestContext | None = None) -> Prepared:
    """Validate, clean and hash a batch, and with a context plan its writes. Touches no
    database, so it may run in a thread."""
    skips = list(batch.skips)
    rows = _prepare(batch.records, skips)
    # A skip's item and reason quote upstream text, and are stored (SyncRun.skips, JSON):
    # PostgreSQL refuses NUL and lone surrogates there as in any text.
    skips = [Skip(item=_text(s.item)[:MAX_ID], reason=_text(s.reason)) for s in skips]
    prepared = Prepared(rows, batch.cursor, len(batch.records) + len(batch.skips), skips)
    if context is not None:
        prepared.plan = _plan(rows, context)
    return prepared


def comments_ingest(*, source: Source, batch: Batch, enqueue: bool = True) -> IngestResult:
    """Store one batch and move the source's cursor, atomically. See the module docstring."""
    context = IngestContext.load(source)
    return comments_store(
        source=source, prepared=comments_prepare(batch, context), enqueue=enqueue, context=context
    )


# A stream checks every this many batches whether the planner's idea of the people and
# thread tables is far behind their size (see _refresh_planner_stats).
_STATS_EVERY = 4
_SWITCH_INTERVAL = 0.0002  # seconds
_ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF"
_SAVEPOINT = "earshot_ingest_new"
_UNIQUE_VIOLATION = "23505"
_RETRY_ON = frozenset({_UNIQUE_VIOLATION, "23503"})  # ... and foreign key violation


def comments_ingest_stream(
    *, source: Source, batches: Iterable[Batch], enqueue: bool = True
) -> Iterator[IngestResult]:
    """Store batches as comments_ingest does, one transaction each, in order, while a
    thread reads and prepares the next batch: the connector's and the cleaning's Python
    work overlaps the database's. An error in either side ends the stream with it.

    All the Python work of a batch (cleaning, hashing, the IT-staff directory, grouping
    comments into threads and matching their category, formatting what is sent) happens
    in the reading thread, so the storing side only talks to the database; the catalogue
    and the directory are read once for the run, before the thread starts."""
    context = IngestContext.load(source)
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
                if not put(comments_prepare(batch, context)):
                    return
            put(None)
        except BaseException as exc:  # handed to the storing side, raised there
            put(exc)
        finally:
            connections.close_all()  # fetch() must not use the database; if it did, tidy up

    worker = threading.Thread(target=produce, name=f"ingest-prepare-{source.pk}", daemon=True)
    # The storing side hands the GIL back at every round trip and wants it again when the
    # answer arrives; with the reading thread busy in Python it would wait a whole switch
    # interval (5 ms) each time, the database idle meanwhile. A short interval while the
    # two run lets it resume at once (a switch costs microseconds).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _SWITCH_INTERVAL))
    worker.start()
    try:
        stored = 0
        while True:
            item = ahead.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            result = comments_store(source=source, prepared=item, enqueue=enqueue, context=context)
            stored += 1
            if context.vendor == "postgresql" and stored % _STATS_EVERY == 1:
                _refresh_planner_stats()
            yield result
    finally:
        stop.set()
        worker.join(timeout=5)
        sys.setswitchinterval(interval)


def comments_store(
    *,
    source: Source,
    prepared: Prepared,
    enqueue: bool = True,
    context: IngestContext | None = None,
) -> IngestResult:
    """Write a prepared batch and its cursor in one transaction."""
    if context is None or context.source_id != source.pk:
        context = IngestContext.load(source)
    plan = prepared.plan
    if plan is None or plan.source_id != source.pk:
        plan = prepared.plan = _plan(prepared.rows, context)
    if connection.vendor != "postgresql":
        return _store(source, prepared, plan, context, enqueue, fast=False)
    try:
        return _store(source, prepared, plan, context, enqueue, fast=True)
    except IntegrityError as exc:
        # The fast path COPYs the comments the batch found new and trusts the run's
        # memory of its authors. A writer that stored one of those comments in between
        # makes the unique key refuse the COPY; an author deleted meanwhile fails the
        # foreign key. The batch, rolled back whole, is stored again through the upsert
        # alone, every author looked up.
        if getattr(exc.__cause__, "pgcode", None) not in _RETRY_ON:
            raise
        log.info("source %s: batch stored again through the upsert (%s)", source.pk, exc)
        context.people.clear()
        return _store(source, prepared, plan, context, enqueue, fast=False)


def _store(
    source: Source,
    prepared: Prepared,
    plan: _Plan,
    context: IngestContext,
    enqueue: bool,
    *,
    fast: bool,
) -> IngestResult:
    result = IngestResult(seen=prepared.seen, skips=list(prepared.skips))
    rows = prepared.rows
    learnt: dict[str, tuple[int, str, str, str]] = {}
    with transaction.atomic():
        if fast:
            created, updated, learnt = _store_pg_fast(source, prepared, plan, context)
        elif connection.vendor == "postgresql":
            # Rows and cursor commit together, so if PostgreSQL itself crashes within the
            # fraction of a second before this commit is flushed, both are lost together
            # and the next run re-fetches them from upstream: waiting for the flush buys
            # nothing here, and costs a disk sync per batch.
            with connection.cursor() as cur:
                cur.execute(_ASYNC_COMMIT)
            people = _upsert_people(source, plan)
            threads = _upsert_threads_pg(source, plan)
            created, updated = _upsert_comments_pg(source, rows, people, threads)
            # Same transaction as the rows it covers: a crash re-fetches, the unique key
            # absorbs it.
            _save_cursor(source, prepared.cursor)
        else:
            people = _upsert_people(source, plan)
            threads = _upsert_threads(source, plan)
            created, updated = _upsert_comments_orm(source, rows, people, threads)
            _save_cursor(source, prepared.cursor)
        result.created, result.updated = len(created), len(updated)
        result.unchanged = len(rows) - result.created - result.updated
        result.to_score = created + updated
        if enqueue and result.to_score:
            from sentiment.services import comments_enqueue_scoring

            ids = result.to_score

            def enqueue_scoring() -> None:
                comments_enqueue_scoring(ids)

            # robust: a broker hiccup must not undo stored comments; the sweep finds them.
            # (A named function: Django logs a robust callback's failure by __qualname__,
            # which a functools.partial lacks, and the AttributeError would end the run.)
            transaction.on_commit(enqueue_scoring, robust=True)
    context.people.update(learnt)  # committed (or part of the caller's transaction)
    return result


def _refresh_planner_stats() -> None:
    """ANALYZE the people and thread tables when they have grown far past what the planner
    last measured (a first large collection into an empty or freshly vacuumed table).

    Each comment's foreign-key checks at commit run a cached plan per session; planned
    while the thread table was a few pages, it is a sequential scan, and stays one as
    the table grows, so every commit gets slower with the table (seen: 7 s -> 90 s for
    100,000 comments). ANALYZE updates the statistics and invalidates those plans."""
    tables = [Thread._meta.db_table, Person._meta.db_table]
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT c.relname FROM pg_class c WHERE c.oid = ANY(%s::regclass[])"
                " AND pg_relation_size(c.oid) > (4 * c.relpages + 16) * 8192::bigint",
                [tables],
            )
            for (table,) in cur.fetchall():
                cur.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except DatabaseError as exc:  # e.g. a role that may not ANALYZE: only slower
        log.info("could not refresh planner statistics: %s", exc)


# --- preparing records ----------------------------------------------------------------


def _text(value: Any) -> str:
    """Text the database accepts: no NUL bytes, no lone surrogates."""
    if type(value) is str and value.isascii():  # the common case, one C-speed scan
        return value.replace("\x00", "") if "\x00" in value else value
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _rating(value: Any) -> float | None:
    """A survey rating as a number; anything else is dropped (the comment still lands)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _prepare(records: list[CommentRecord], skips: list[Skip]) -> list[_Row]:
    rows: dict[str, _Row] = {}
    tz = timezone.get_current_timezone()
    text, clean, digest, rating_of = _text, clean_text, content_hash, _rating
    for rec in records:
        ext = text(getattr(rec, "external_id", "")).strip()
        try:
            if not ext:
                raise ValueError("no external id")
            if len(ext) > MAX_ID:
                raise ValueError(f"external id longer than {MAX_ID} characters")
            thread_ext = text(rec.thread_external_id).strip()
            if not thread_ext or len(thread_ext) > MAX_ID:
                raise ValueError("missing or over-long thread id")
            created = rec.created_at
            if not isinstance(created, datetime):
                raise ValueError(f"timestamp is not a date-time: {created!r:.60}")
            if created.utcoffset() is None:  # naive
                created = timezone.make_aware(created, tz)
            try:  # stored in UTC, counted by day in the organization's zone
                created.astimezone(UTC), created.astimezone(tz)
            except OverflowError:
                raise ValueError(f"timestamp out of range: {created.isoformat()}") from None
            raw = text(rec.body)[:MAX_RAW]
            if not raw.strip():
                raise ValueError("empty text")
            scale = rec.rating_scale
            rows[ext] = _Row(
                rec,
                ext,
                thread_ext,
                text(rec.author_external_id).strip()[:MAX_ID],
                raw,
                clean(raw)[:MAX_CLEAN],
                digest(raw),
                created,
                rec.voice if rec.voice in _VOICES else None,
                None if rec.rating is None else rating_of(rec.rating),
                "" if scale is None else text(scale).strip()[:16],
            )
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            skips.append(Skip(item=(ext or "(no id)")[:MAX_ID], reason=str(exc)))
    return list(rows.values())


def _plan(rows: list[_Row], context: IngestContext) -> _Plan:
    """Voices, people, threads (with their category), and on PostgreSQL what is sent."""
    directory = context.directory
    for row in rows:
        rec = row.rec
        # The platform's own role signal wins; else the IT-staff directory (re-derived, so
        # a plan made again gives the same voices).
        row.voice = rec.voice if rec.voice in _VOICES else None
        if row.voice is None and directory:
            row.voice = directory.match(
                context.source_id,
                email=_text(rec.author_email),
                author_id=row.author_ext,
                name=_text(rec.author_name),
                groups=[_text(g) for g in rec.author_groups],
            )
    # The last record of an author wins, as it always did.
    last_of = {row.author_ext: row for row in rows if row.author_ext}
    people = {
        ext: (
            _text(row.rec.author_name)[:255],
            _text(row.rec.author_email)[:255],
            _text(row.rec.department)[:120],
            row.voice or Voice.BUSINESS,
        )
        for ext, row in last_of.items()
    }
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        groups.setdefault(row.thread_ext, []).append(row)
    threads = {}
    match = context.matcher.match
    for ext, members in groups.items():
        # One pass: the earliest comment (the first of equals), the latest date, and the
        # first non-empty title, url, department and category hint in delivery order.
        first = members[0]
        opened = last = first.created_at
        title = url = dept = hint = ""
        for r in members:
            at = r.created_at
            if at < opened:
                first, opened = r, at
            elif at > last:
                last = at
            rec = r.rec
            title = title or rec.thread_title
            url = url or rec.thread_url
            dept = dept or rec.department
            hint = hint or rec.category_hint
        title, url, dept, hint = title or "", url or "", dept or "", hint or ""
        if not dept:
            # The stored department of an author is the one upserted from this batch.
            dept = next((people[r.author_ext][2] for r in members if r.author_ext in people), "")
        # Used only if the thread is new: a known thread keeps its category.
        category_id = match(_text(hint), f"{title}\n{first.clean}")
        threads[ext] = (
            _text(title)[:500],
            _text(url)[:1000],
            category_id,
            _text(dept)[:120],
            opened,
            last,
        )
    plan = _Plan(context.source_id, people, threads)
    if context.vendor == "postgresql":
        if threads:
            plan.thread_cols = [
                _pg_array(col)
                for col in zip(*((ext, *t) for ext, t in threads.items()), strict=True)
            ]
        plan.ext_array = _pg_array(row.external_id for row in rows)
        esc = _copy_text
        plan.copy_tails = [
            # external_id, raw_body, clean_body, voice, created_at, content_hash, rating,
            # rating_scale, scorer_version ("": not scored yet)
            f"{esc(row.external_id)}\t{esc(row.raw)}\t{esc(row.clean)}\t"
            f"{row.voice or _BUSINESS}\t{row.created_at.isoformat()}\t{row.hash}\t"
            f"{_NULL if row.rating is None else repr(row.rating)}\t{esc(row.rating_scale)}\t"
            for row in rows
        ]
    return plan


# --- people and threads ---------------------------------------------------------------


def _upsert_people(source: Source, plan: _Plan) -> dict[str, int]:
    """author external id -> person id."""
    wanted = plan.people
    if not wanted:
        return {}
    # Most authors of a batch are known with the same details: rewriting them would only
    # churn rows and WAL. Only the new and the changed are upserted.
    people: dict[str, int] = {}
    stale: list[str] = []
    for ext, pk, name, email, dept in _people_known(source, list(wanted)):
        people[ext] = pk
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
    for ext, pk, _name, _email, _dept in _people_known(source, stale):
        people[ext] = pk
    return people


def _people_known(source: Source, exts: list[str]) -> list[tuple[str, int, str, str, str]]:
    """(external id, id, display name, email, department) of known authors."""
    if connection.vendor == "postgresql":
        # One array parameter instead of one placeholder per id; each found on the unique
        # key whatever the planner's statistics say.
        with connection.cursor() as cur:
            cur.execute(
                f"""
                SELECT x.ext, p.id, p.display_name, p.email, p.department
                FROM unnest(%s::text[]) AS x(ext)
                CROSS JOIN LATERAL (
                    SELECT id, display_name, email, department FROM {Person._meta.db_table}
                    WHERE source_id = %s AND external_id = x.ext
                    LIMIT 1  -- the key is unique; keeps this a look-up per id (no join)
                ) p
                """,
                [_pg_array(exts), source.pk],
            )
            return cur.fetchall()
    return list(
        Person.objects.filter(source=source, external_id__in=exts).values_list(
            "external_id", "id", "display_name", "email", "department"
        )
    )


def _upsert_threads(source: Source, plan: _Plan) -> dict[str, int]:
    """Portable path: thread external id -> thread id. New threads get a category; known
    ones keep theirs, widen their span and keep stored fields the batch leaves empty."""
    if not plan.threads:
        return {}
    existing = {
        ext: (opened, last, cat, title, url, dept)
        for ext, opened, last, cat, title, url, dept in Thread.objects.filter(
            source=source, external_id__in=list(plan.threads)
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
    for ext, (title, url, category_id, dept, opened, last) in plan.threads.items():
        if ext in existing:
            old_opened, old_last, category_id, old_title, old_url, old_dept = existing[ext]
            opened, last = min(opened, old_opened), max(last, old_last)
            title, url, dept = title or old_title, url or old_url, dept or old_dept
        threads.append(
            Thread(
                source=source,
                external_id=ext,
                title=title,
                url=url,
                category_id=category_id,
                department=dept,
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
        Thread.objects.filter(source=source, external_id__in=list(plan.threads)).values_list(
            "external_id", "id"
        )
    )


def _upsert_threads_pg(source: Source, plan: _Plan) -> dict[str, int]:
    """The same upsert in one statement: the merge with a known thread (span widened,
    empty fields keep the stored value, category kept) happens in the ON CONFLICT clause,
    and RETURNING gives every id. No lookup first: the unique index arbitrates, whatever
    the planner's statistics say (stale during a first large collection)."""
    if not plan.threads:
        return {}
    with connection.cursor() as cur:
        cur.execute(
            f"""
            {_THREAD_UPSERT}
            RETURNING t.external_id, t.id
            """,
            [source.pk, *plan.thread_cols],
        )
        return dict(cur.fetchall())


_THREAD_UPSERT = f"""
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
                last_activity_at = GREATEST(t.last_activity_at, EXCLUDED.last_activity_at)"""


def _pg_array(values: Any) -> str:
    """A PostgreSQL array literal ('{"a","b",NULL}') of text, ids or date-times, cast in
    the query (%s::text[]): parsed by one array_in call instead of one constant per value,
    which is several times cheaper to send and to parse for hundreds of values."""
    values = list(values)
    if not values:
        return "{}"
    try:
        joined = '","'.join(values)  # all text?
    except TypeError:
        joined = None
    if joined is not None:
        if "\\" not in joined and '"' not in joined:  # nothing to escape: one join
            return '{"' + joined + '"}'
    elif all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    elif all(isinstance(v, datetime) for v in values):  # ISO 8601 needs no quoting
        return "{" + ",".join(v.isoformat() for v in values) + "}"
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


def _voice(row: _Row) -> str:
    # The platform's signal, else the IT-staff directory (both set on the row by
    # _plan), else a business user. Never a voice cached on the person: a
    # directory entry removed must stop counting at the next collection.
    return row.voice or Voice.BUSINESS


# --- comments -------------------------------------------------------------------------


def _upsert_comments_orm(
    source: Source,
    rows: list[_Row],
    people: dict[str, int],
    threads: dict[str, int],
) -> tuple[list[int], list[int]]:
    """Portable path (SQLite): read what exists, insert the new, update the changed."""
    existing = {
        ext: (pk, h, voice, (rating, scale))
        for ext, pk, h, voice, rating, scale in Comment.objects.filter(
            source=source, external_id__in=[r.external_id for r in rows]
        ).values_list("external_id", "id", "content_hash", "voice", "rating", "rating_scale")
    }
    new, changed = [], []
    for row in rows:
        voice = _voice(row)
        obj = Comment(
            source=source,
            thread_id=threads[row.thread_ext],
            author_id=people.get(row.author_ext),
            external_id=row.external_id,
            raw_body=row.raw,
            clean_body=row.clean,
            voice=voice,
            created_at=row.created_at,
            content_hash=row.hash,
            rating=row.rating,
            rating_scale=row.rating_scale,
        )
        if row.external_id not in existing:
            new.append(obj)
            continue
        pk, old_hash, old_voice, old_rating = existing[row.external_id]
        if (
            old_hash != row.hash
            or old_voice != voice
            or old_rating != (row.rating, row.rating_scale)
        ):
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
                "rating",
                "rating_scale",
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


def _copy_text(text: str) -> str:
    """A text field for COPY: backslash, tab, newline and carriage return escaped."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_field(value: Any) -> str:
    if value is None:
        return r"\N"
    text = value if isinstance(value, str) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


_NULL = r"\N"  # NULL in COPY text
# Session-local; emptied at each commit without dropping a file (a TRUNCATE would, and a
# transaction that drops a file commits synchronously whatever synchronous_commit says).
_STAGE = "earshot_ingest_stage_v2"


def _upsert_comments_pg(
    source: Source,
    rows: list[_Row],
    people: dict[str, int],
    threads: dict[str, int],
) -> tuple[list[int], list[int]]:
    """PostgreSQL path: COPY into a session-local staging table, then one
    INSERT ... ON CONFLICT DO UPDATE ... WHERE changed, which tells created from updated."""
    if not rows:
        return [], []
    buf = io.StringIO()
    for row in rows:
        author_id = people.get(row.author_ext)
        buf.write(
            "\t".join(
                (
                    _copy_field(row.external_id),
                    str(threads[row.thread_ext]),
                    _NULL if author_id is None else str(author_id),
                    _copy_field(row.raw),
                    _copy_field(row.clean),
                    _voice(row),
                    row.created_at.isoformat(),
                    row.hash,
                    r"\N" if row.rating is None else repr(row.rating),
                    _copy_field(row.rating_scale),
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
            " clean_body text, voice varchar(10), created_at timestamptz, content_hash varchar(64),"
            " rating double precision, rating_scale varchar(16)) ON COMMIT DELETE ROWS"
        )
        # Emptied at each commit, but two batches may share a transaction (a caller's
        # atomic block): rows staged by the first would be upserted again, twice over.
        cur.execute(f"DELETE FROM {_STAGE}")
        cur.cursor.copy_expert(
            f"COPY {_STAGE} (external_id, thread_id, author_id, raw_body, clean_body, voice,"
            " created_at, content_hash, rating, rating_scale) FROM STDIN",
            buf,
        )
        cur.execute(
            f"""
            INSERT INTO {table} AS c (source_id, thread_id, author_id, external_id, raw_body,
                clean_body, voice, created_at, content_hash, rating, rating_scale, scorer_version,
                ingested_at, updated_at)
            SELECT %s, s.thread_id, s.author_id, s.external_id, s.raw_body, s.clean_body, s.voice,
                s.created_at, s.content_hash, s.rating, s.rating_scale, '', now(), now()
            FROM {_STAGE} s
            ON CONFLICT (source_id, external_id) DO UPDATE SET
                thread_id = EXCLUDED.thread_id, author_id = EXCLUDED.author_id,
                raw_body = EXCLUDED.raw_body, clean_body = EXCLUDED.clean_body,
                voice = EXCLUDED.voice, created_at = EXCLUDED.created_at,
                content_hash = EXCLUDED.content_hash,
                rating = EXCLUDED.rating, rating_scale = EXCLUDED.rating_scale,
                compound = NULL, pos = NULL, neu = NULL, neg = NULL,
                scorer_version = '', scored_at = NULL, updated_at = now()
            WHERE c.content_hash <> EXCLUDED.content_hash OR c.voice <> EXCLUDED.voice
                OR c.rating IS DISTINCT FROM EXCLUDED.rating
                OR c.rating_scale <> EXCLUDED.rating_scale
            RETURNING c.id, (c.xmax = 0)
            """,
            [source.pk],
        )
        returned = cur.fetchall()
    created = [pk for pk, inserted in returned if inserted]
    updated = [pk for pk, inserted in returned if not inserted]
    return created, updated


def _store_pg_fast(
    source: Source, prepared: Prepared, plan: _Plan, context: IngestContext
) -> tuple[list[int], list[int], dict[str, tuple[int, str, str, str]]]:
    """The PostgreSQL fast path (see _store_pg_once). While the run's batches come all new
    (a first collection, or one that resumes from its cursor), the next one is COPYed
    without looking its comments up first, behind a savepoint: if one was stored after
    all, the unique key refuses the COPY, and the batch is stored again from the
    savepoint with the look-up."""
    if context.all_new and prepared.rows:
        try:
            return _store_pg_once(source, prepared, plan, context, probe=False)
        except IntegrityError as exc:
            if getattr(exc.__cause__, "pgcode", None) != _UNIQUE_VIOLATION:
                raise
            with connection.cursor() as cur:
                cur.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            log.debug("source %s: a batch held known comments; stored with a look-up", source.pk)
    return _store_pg_once(source, prepared, plan, context, probe=True)


def _store_pg_once(
    source: Source, prepared: Prepared, plan: _Plan, context: IngestContext, *, probe: bool
) -> tuple[list[int], list[int], dict[str, tuple[int, str, str, str]]]:
    """PostgreSQL fast path, three round trips a batch: one statement writes the cursor,
    the people the run does not know yet and the threads, looks the batch's comments up on
    the unique key (with `probe`) and draws ids for the new ones; one COPY stores the new
    comments straight into the comment table; then the commit. Changed comments (rare)
    go through the upsert; unchanged ones cost nothing more. Without `probe` the statement
    opens a savepoint and draws an id for every comment (see _store_pg_fast).

    context.people is the run's memory of the authors its committed batches stored:
    (id, name, email, department) by external id. An author the run stored with the same
    details is not looked up again. Returns created ids, updated ids, and what to add to
    that memory once the batch is committed.

    A writer that inserted one of the "new" comments in between makes the unique key refuse
    the COPY, an author deleted meanwhile fails the foreign key: comments_store then
    rolls the batch back and stores it again through the upsert alone."""
    rows = prepared.rows
    sid = source.pk
    seen = context.people
    cursor_value = Source._meta.get_field("cursor").get_db_prep_save(prepared.cursor, connection)
    people: dict[str, int] = {}
    ask: list[str] = []
    for ext, details in plan.people.items():
        hit = seen.get(ext)
        if hit is not None and hit[1:] == details[:3]:
            people[ext] = hit[0]
        else:
            ask.append(ext)
    # Rows and cursor commit together, so if PostgreSQL itself crashes within the fraction
    # of a second before this commit is flushed, both are lost together and the next run
    # re-fetches them from upstream: waiting for the flush buys nothing here, and costs a
    # disk sync per batch.
    sql = [
        f"{_ASYNC_COMMIT};",
        *([] if probe else [f"SAVEPOINT {_SAVEPOINT};"]),
        # Same transaction as the rows it covers: a crash re-fetches, the unique key absorbs it.
        f"UPDATE {Source._meta.db_table} SET cursor = %s WHERE id = %s;",
    ]
    params: list[Any] = [cursor_value, sid]
    if not rows:
        with connection.cursor() as cur:
            cur.execute("\n".join(sql), params)
        source.cursor = prepared.cursor
        return [], [], {}
    ctes, parts = [], []
    if ask:
        wanted = plan.people
        cols = zip(
            *((ext, *wanted[ext], pseudonym(sid, ext)) for ext in ask),
            strict=True,
        )
        # New or changed authors are written (a person's voice is the one first seen,
        # informational: each comment's voice is decided afresh); unchanged ones are only
        # read, rewriting them would churn rows and WAL.
        ctes.append(
            f"""
            p_written AS (
                INSERT INTO {Person._meta.db_table} AS p (source_id, external_id,
                    display_name, email, department, voice, pseudonym)
                SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],
                    %s::text[], %s::text[])
                ON CONFLICT (source_id, external_id) DO UPDATE SET
                    display_name = EXCLUDED.display_name, email = EXCLUDED.email,
                    department = EXCLUDED.department
                WHERE (p.display_name, p.email, p.department)
                    IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.email, EXCLUDED.department)
                RETURNING p.external_id, p.id, p.display_name, p.email, p.department
            ),
            p_read AS (
                SELECT x.ext, p.id, p.display_name, p.email, p.department
                FROM unnest(%s::text[]) AS x(ext)
                CROSS JOIN LATERAL (
                    SELECT id, display_name, email, department FROM {Person._meta.db_table}
                    WHERE source_id = %s AND external_id = x.ext
                    LIMIT 1  -- the key is unique; keeps this a look-up per id (no join)
                ) p
            )"""
        )
        params += [sid, *(_pg_array(c) for c in cols), _pg_array(ask), sid]
        parts.append(
            "SELECT 'P', external_id, id, display_name, email, department, NULL::float8,"
            " NULL::bigint[]"
            " FROM p_written"
        )
        parts.append(
            "SELECT 'p', ext, id, display_name, email, department, NULL::float8, NULL::bigint[]"
            " FROM p_read"
        )
    ctes.append(f"threads AS ({_THREAD_UPSERT} RETURNING t.external_id, t.id)")
    params += [sid, *plan.thread_cols]
    parts.append(
        "SELECT 't', external_id, id, NULL::text, NULL::text, NULL::text, NULL::float8,"
        " NULL::bigint[] FROM threads"
    )
    # The batch's comments already stored, each found on the unique key whatever the
    # planner's statistics (stale during a first large collection, when a plan walking
    # all the source's comments looks cheap), and as many fresh ids as there are new ones.
    table = Comment._meta.db_table
    draw = (
        f"SELECT 'n', now()::text, NULL::bigint, NULL::text, NULL::text, NULL::text,"
        f" NULL::float8,"
        f" array_agg(nextval(pg_get_serial_sequence('{table}', 'id')::regclass))"
        f" FROM generate_series(1, %s"
    )
    if probe:
        ctes.append(
            f"""
            known AS (
                SELECT x.ext, c.content_hash, c.voice, c.rating, c.rating_scale
                FROM unnest(%s::text[]) AS x(ext)
                CROSS JOIN LATERAL (
                    SELECT content_hash, voice, rating, rating_scale FROM {table}
                    WHERE source_id = %s AND external_id = x.ext
                    LIMIT 1  -- the key is unique; keeps this a look-up per id (no join)
                ) c
            )"""
        )
        params += [plan.ext_array, sid]
        parts.append(
            "SELECT 'c', ext, NULL::bigint, content_hash, voice, rating_scale, rating,"
            " NULL::bigint[] FROM known"
        )
        parts.append(draw + " - (SELECT count(*) FROM known))")
    else:
        parts.append(draw + ")")
    params.append(len(rows))
    # Every branch: (tag, key, id, text, text, text, rating, ids).
    sql.append("WITH " + ",".join(ctes) + "\n" + "\nUNION ALL ".join(parts))

    threads: dict[str, int] = {}
    known: dict[str, list[Any]] = {}
    written: list[tuple[str, int, str, str, str]] = []
    read: list[tuple[str, int, str, str, str]] = []
    ids: list[int] = []
    now = ""
    with connection.cursor() as cur:
        cur.execute("\n".join(sql), params)
        for tag, key, pk, a, b, c, rating, drawn in cur.fetchall():
            if tag == "t":
                threads[key] = pk
            elif tag == "c":
                known[key] = [a, b, rating, c]
            elif tag == "n":
                ids, now = drawn or [], key  # NULL when nothing is new
            else:
                (written if tag == "P" else read).append((key, pk, a, b, c))
        source.cursor = prepared.cursor
        learnt: dict[str, tuple[int, str, str, str]] = {}
        for ext, pk, name, email, dept in read + written:  # written: the values now stored
            people[ext] = pk
            learnt[ext] = (pk, name, email, dept)
        missing = [ext for ext in ask if ext not in people]
        if missing:  # inserted by a concurrent run after this statement's snapshot
            for ext, pk, name, email, dept in _people_known(source, missing):
                people[ext] = pk
                learnt[ext] = (pk, name, email, dept)

        if probe:
            context.all_new = not known
        new: list[int] = []
        changed: list[_Row] = []
        for i, row in enumerate(rows):
            old = known.get(row.external_id)
            if old is None:
                new.append(i)
            elif old != [row.hash, _voice(row), row.rating, row.rating_scale]:
                changed.append(row)
        created: list[int] = ids
        if new:
            sid_text = str(sid)
            tails = plan.copy_tails
            out = []
            for pk, i in zip(created, new, strict=True):
                row = rows[i]
                out.append(
                    f"{pk}\t{sid_text}\t{threads[row.thread_ext]}\t"
                    f"{people.get(row.author_ext, _NULL)}\t{tails[i]}\t{now}\t{now}\n"
                )
            with connection.wrap_database_errors:
                cur.cursor.copy_expert(
                    f"COPY {table} (id, source_id, thread_id, author_id, external_id, raw_body,"
                    " clean_body, voice, created_at, content_hash, rating, rating_scale,"
                    " scorer_version, ingested_at, updated_at) FROM STDIN",
                    io.StringIO("".join(out)),
                    size=1 << 16,
                )
    updated: list[int] = []
    if changed:
        also_created, updated = _upsert_comments_pg(source, changed, people, threads)
        created = [*created, *also_created]  # deleted meanwhile: inserted again
    return created, updated, learnt


def _save_cursor(source: Source, cursor: dict[str, Any]) -> None:
    Source.objects.filter(pk=source.pk).update(cursor=cursor)
    source.cursor = cursor
