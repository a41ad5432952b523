"""Ingest guarantees: nothing lost, nothing counted twice, bad input skipped with a reason."""

from __future__ import annotations

import pytest

from collectors.base import Batch
from collectors.ingest import comments_ingest
from collectors.models import Source
from sentiment.models import Comment, DailySentiment, Person, Thread
from sentiment.scoring import SCORER_VERSION
from tests.conftest import T0, days, record

pytestmark = pytest.mark.django_db


def ingest(source, records, cursor=None, capture=None):
    batch = Batch(records=records, cursor=cursor or {"n": len(records)})
    if capture is None:
        return comments_ingest(source=source, batch=batch)
    with capture(execute=True):
        return comments_ingest(source=source, batch=batch)


def test_reingesting_the_same_records_creates_no_duplicates(make_source):
    source = make_source()
    recs = [record("c1"), record("c2", "Thanks, fixed quickly!"), record("c3", thread="T2")]
    first = ingest(source, recs)
    again = ingest(source, recs)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.to_score == []
    assert Comment.objects.count() == 3
    assert Thread.objects.count() == 2
    assert Person.objects.count() == 1


def test_duplicate_ids_within_one_batch_store_one_comment(make_source):
    source = make_source()
    result = ingest(source, [record("c1", "first"), record("c1", "second version")])
    assert result.created == 1
    assert Comment.objects.get().raw_body == "second version"


def test_edited_comment_is_updated_and_rescored_once(
    make_source, django_capture_on_commit_callbacks
):
    from sentiment.services import comments_score

    source = make_source()
    ingest(source, [record("c1", "Great job, thanks!")], capture=django_capture_on_commit_callbacks)
    before = Comment.objects.get()
    assert before.compound > 0.05

    result = ingest(
        source,
        [record("c1", "Still broken. Awful service.")],
        capture=django_capture_on_commit_callbacks,
    )
    assert (result.created, result.updated) == (0, 1)
    after = Comment.objects.get()
    assert after.pk == before.pk
    assert after.compound < -0.05
    assert after.scorer_version == SCORER_VERSION
    # Scored once: a second delivery of the same task finds nothing to do.
    assert comments_score(comment_ids=[after.pk]) == 0
    assert DailySentiment.objects.get().n_negative == 1


def test_malformed_records_are_skipped_with_a_reason_and_the_rest_lands(make_source):
    source = make_source()
    good = record("ok1")
    bad = [
        record("", "no id"),
        record("e1", "   "),
        record("t1", at="yesterday"),  # not a datetime
        record("x" * 300),
        record("th", thread=""),
    ]
    result = ingest(source, [*bad, good])
    assert result.created == 1
    reasons = {s.item: s.reason for s in result.skips}
    assert reasons["(no id)"] == "no external id"
    assert reasons["e1"] == "empty text"
    assert "not a date-time" in reasons["t1"]
    assert "longer than 255" in reasons["x" * 255]
    assert "thread id" in reasons["th"]
    assert list(Comment.objects.values_list("external_id", flat=True)) == ["ok1"]


def test_nul_bytes_and_lone_surrogates_are_stored_as_safe_text(make_source):
    source = make_source()
    result = ingest(source, [record("n1", "bad\x00byte and \ud800 surrogate <b>bold</b>")])
    assert result.created == 1
    c = Comment.objects.get()
    assert "\x00" not in c.raw_body
    assert "\ud800" not in c.raw_body
    assert c.clean_body == "badbyte and ? surrogate bold"


def test_cursor_is_saved_with_the_batch(make_source):
    source = make_source()
    ingest(source, [record("c1")], cursor={"page": 7})
    assert Source.objects.get(pk=source.pk).cursor == {"page": 7}


def test_cursor_does_not_move_and_nothing_is_stored_when_the_batch_transaction_fails(make_source):
    source = make_source()
    ingest(source, [record("c1")], cursor={"page": 1})
    # A cursor the database cannot store fails the transaction after the comments were
    # written: the whole batch must roll back with it.
    with pytest.raises(TypeError):
        ingest(source, [record("c2"), record("c3")], cursor={"page": object()})
    source.refresh_from_db()
    assert source.cursor == {"page": 1}
    assert list(Comment.objects.values_list("external_id", flat=True)) == ["c1"]


def test_it_staff_and_bot_comments_are_stored_but_never_counted(
    make_source, django_capture_on_commit_callbacks
):
    source = make_source()
    recs = [
        record("b1", "This outage is terrible and nobody tells us anything.", author="user"),
        record(
            "s1",
            "Thanks for your patience! Great news, it is fixed.",
            voice="it_staff",
            author="agent",
        ),
        record(
            "s2", "Wonderful, excellent, amazing automatic reminder!", voice="bot", author="bot"
        ),
    ]
    ingest(source, recs, capture=django_capture_on_commit_callbacks)
    assert Comment.objects.count() == 3
    assert Comment.objects.scored().count() == 3
    row = DailySentiment.objects.get()
    assert (row.n, row.n_negative, row.n_positive) == (1, 1, 0)


def test_a_comment_whose_voice_changes_leaves_the_metrics(
    make_source, django_capture_on_commit_callbacks
):
    source = make_source()
    ingest(
        source, [record("c1", "Awful, broken again.")], capture=django_capture_on_commit_callbacks
    )
    assert DailySentiment.objects.get().n == 1
    result = ingest(
        source,
        [record("c1", "Awful, broken again.", voice="it_staff")],
        capture=django_capture_on_commit_callbacks,
    )
    assert result.updated == 1
    assert not DailySentiment.objects.exists()


def test_thread_spans_first_to_last_comment_and_keeps_its_category(make_source):
    source = make_source()
    ingest(source, [record("c2", "My VPN is down", at=T0 + days(2))])
    ingest(source, [record("c1", "printer", at=T0), record("c3", "x", at=T0 + days(5))])
    t = Thread.objects.get()
    assert (t.opened_at, t.last_activity_at) == (T0, T0 + days(5))
    assert t.category.slug == "network"


def test_category_comes_from_the_source_field_before_keywords(make_source):
    source = make_source()
    ingest(source, [record("c1", "the VPN is slow", category_hint="Printer")])
    assert Thread.objects.get().category.slug == "printing"


def test_streamed_batches_are_stored_in_order_each_with_its_cursor(make_source):
    from collectors.ingest import comments_ingest_stream

    source = make_source()
    batches = (
        Batch(records=[record(f"c{i}", thread=f"T{i}")], cursor={"page": i}) for i in range(5)
    )
    seen_cursors = []
    for result in comments_ingest_stream(source=source, batches=batches):
        source.refresh_from_db()
        seen_cursors.append(source.cursor["page"])
        assert result.created == 1
    assert seen_cursors == [0, 1, 2, 3, 4]
    assert Comment.objects.count() == 5


def test_an_upstream_error_mid_stream_keeps_what_was_committed_and_the_cursor_there(make_source):
    from collectors.base import ConnectorError
    from collectors.ingest import comments_ingest_stream

    source = make_source()

    def fetch():
        yield Batch(records=[record("c1")], cursor={"page": 1})
        yield Batch(records=[record("c2")], cursor={"page": 2})
        raise ConnectorError("upstream went away")

    with pytest.raises(ConnectorError, match="went away"):
        for _ in comments_ingest_stream(source=source, batches=fetch()):
            pass
    source.refresh_from_db()
    assert source.cursor == {"page": 2}
    assert sorted(Comment.objects.values_list("external_id", flat=True)) == ["c1", "c2"]


def test_a_storing_error_stops_the_reading_thread(make_source):
    import threading

    from collectors.ingest import comments_ingest_stream

    source = make_source()
    produced = []

    def fetch():
        for i in range(100):
            produced.append(i)
            yield Batch(
                records=[record(f"c{i}")], cursor={"page": object()} if i == 1 else {"page": i}
            )

    with pytest.raises(TypeError):
        for _ in comments_ingest_stream(source=source, batches=fetch()):
            pass
    assert not any(t.name.startswith("ingest-prepare") for t in threading.enumerate())
    assert len(produced) < 10  # read ahead by a bounded queue, not to the end
    assert list(Comment.objects.values_list("external_id", flat=True)) == ["c0"]


def test_a_survey_rating_is_stored_beside_its_comment_and_a_changed_rating_updates_it(make_source):
    source = make_source()
    comments_ingest(source=source, batch=Batch([record("r1:q1", rating=4, rating_scale="1-5")], {}))
    c = Comment.objects.get(external_id="r1:q1")
    assert (c.rating, c.rating_scale) == (4.0, "1-5")

    result = comments_ingest(
        source=source, batch=Batch([record("r1:q1", rating=2, rating_scale="1-5")], {})
    )
    c.refresh_from_db()
    assert (result.created, result.updated) == (0, 1)
    assert c.rating == 2.0
    assert Comment.objects.count() == 1


def test_a_rating_that_is_not_a_number_is_dropped_and_the_comment_still_lands(make_source):
    source = make_source()
    result = comments_ingest(
        source=source,
        batch=Batch(
            [record("a", rating="very good"), record("b", rating=float("nan")), record("c")], {}
        ),
    )
    assert result.created == 3
    assert list(Comment.objects.order_by("external_id").values_list("rating", flat=True)) == [
        None,
        None,
        None,
    ]


# --- the PostgreSQL fast path (the same guarantees hold on SQLite's portable path) --------


def _stream(source, batches):
    from collectors.ingest import comments_ingest_stream

    return comments_ingest_stream(source=source, batches=iter(batches), enqueue=False)


def _fell_back(caplog) -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return True  # the portable path always looks up first
    return any("stored with a look-up" in r.getMessage() for r in caplog.records)


def test_new_batches_then_a_mixed_one_count_created_updated_unchanged_exactly(make_source, caplog):
    # Batches 1 and 2 are all new: on PostgreSQL the third is COPYed without a look-up
    # first, its known comments make the unique key refuse the COPY, and it is stored
    # again with the look-up, from a savepoint: nothing is duplicated or lost.
    source = make_source()
    batches = [
        Batch([record("c1", "The VPN is down"), record("c2", "Printer jams")], {"page": 1}),
        Batch([record("c3", "Wi-Fi drops", thread="T2")], {"page": 2}),
        Batch(
            [
                record("c4", "New one", thread="T3"),
                record("c1", "The VPN is down again, edited"),
                record("c2", "Printer jams"),
                record("bad", "   "),
            ],
            {"page": 3},
        ),
    ]
    with caplog.at_level("DEBUG", logger="collectors.ingest"):
        results = list(_stream(source, batches))
    assert _fell_back(caplog)
    assert [(r.created, r.updated, r.unchanged) for r in results] == [
        (2, 0, 0),
        (1, 0, 0),
        (1, 1, 1),
    ]
    assert [(s.item, s.reason) for s in results[2].skips] == [("bad", "empty text")]
    assert results[2].seen == 4
    ids = dict(Comment.objects.values_list("external_id", "id"))
    assert sorted(ids) == ["c1", "c2", "c3", "c4"]
    assert sorted(results[2].to_score) == sorted([ids["c4"], ids["c1"]])
    assert Comment.objects.get(external_id="c1").raw_body == "The VPN is down again, edited"
    source.refresh_from_db()
    assert source.cursor == {"page": 3}
    assert Thread.objects.count() == 3
    assert Person.objects.count() == 1


def test_a_comment_stored_meanwhile_by_another_writer_is_absorbed_not_duplicated(
    make_source, caplog
):
    source = make_source()
    batches = [
        Batch([record("a1")], {"page": 1}),
        Batch([record("a2", "Written twice"), record("a3", thread="T2")], {"page": 2}),
    ]
    stream = _stream(source, batches)
    first = next(stream)
    assert first.created == 1
    # Another writer (a webhook, a racing run) stores a2 before the stream gets to it.
    comments_ingest(
        source=source, batch=Batch([record("a2", "Written twice")], {"page": 9}), enqueue=False
    )
    with caplog.at_level("DEBUG", logger="collectors.ingest"):
        second = next(stream)
    assert _fell_back(caplog)
    assert (second.created, second.updated, second.unchanged) == (1, 0, 1)
    assert list(stream) == []
    assert Comment.objects.filter(external_id="a2").count() == 1
    assert Comment.objects.count() == 3
    source.refresh_from_db()
    assert source.cursor == {"page": 2}


def test_the_cursor_rolls_back_with_a_fast_path_batch_that_fails(make_source):
    source = make_source()
    batches = (
        Batch([record(f"c{i}", thread=f"T{i}")], {"page": object()} if i == 2 else {"page": i})
        for i in range(4)
    )
    seen = []
    with pytest.raises(TypeError):
        for result in _stream(source, batches):
            seen.append(result.created)
    assert seen == [1, 1]
    source.refresh_from_db()
    assert source.cursor == {"page": 1}
    assert sorted(Comment.objects.values_list("external_id", flat=True)) == ["c0", "c1"]


def test_an_author_changed_between_batches_of_a_run_is_updated(make_source):
    source = make_source()
    batches = [
        Batch([record("c1", author="u1", author_name="Ana", department="Sales")], {}),
        Batch(
            [record("c2", author="u1", author_name="Ana B.", department="Finance", thread="T2")], {}
        ),
        Batch(
            [record("c3", author="u1", author_name="Ana B.", department="Finance", thread="T3")], {}
        ),
    ]
    assert [r.created for r in _stream(source, batches)] == [1, 1, 1]
    person = Person.objects.get()
    assert (person.display_name, person.department) == ("Ana B.", "Finance")
    assert set(Comment.objects.values_list("author_id", flat=True)) == {person.pk}


@pytest.mark.django_db(transaction=True)
def test_an_author_deleted_during_a_run_is_stored_again_not_lost(make_source, caplog):
    # The run remembers the authors it stored; if one is deleted meanwhile, the foreign
    # key fails that batch at commit and it is stored again with every author looked up.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the run's memory of authors is the PostgreSQL path's")
    source = make_source()
    batches = [
        Batch([record("c1", author="u1")], {"page": 1}),
        Batch([record("c2", author="u1", thread="T2")], {"page": 2}),
    ]
    stream = _stream(source, batches)
    assert next(stream).created == 1
    Person.objects.filter(external_id="u1").delete()
    with caplog.at_level("INFO", logger="collectors.ingest"):
        second = next(stream)
    assert any("stored again through the upsert" in r.getMessage() for r in caplog.records)
    assert second.created == 1
    person = Person.objects.get(external_id="u1")
    assert Comment.objects.get(external_id="c2").author_id == person.pk
    source.refresh_from_db()
    assert source.cursor == {"page": 2}


def test_planner_statistics_refresh_is_harmless(make_source):
    from django.db import connection

    from collectors.ingest import _refresh_planner_stats

    source = make_source()
    ingest(source, [record(f"c{i}", thread=f"T{i}", author=f"u{i}") for i in range(50)])
    if connection.vendor == "postgresql":
        _refresh_planner_stats()
    assert Comment.objects.count() == 50
