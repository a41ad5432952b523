"""Every HTTP source kind, fed upstream records mutated by Hypothesis (missing fields, wrong
types, null, huge strings, NUL, lone surrogates, deep nesting) through its fake server and
a real collection: the run never crashes, each record is stored or skipped with a reason,
the rest lands, and what is stored is text both databases keep."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from collectors.models import SyncRun
from collectors.services import source_collect
from sentiment.cleaning import MAX_CLEAN
from sentiment.models import Comment, Thread

from .scenarios import CONTROL, KINDS, Scenario
from .strategies import mutate

pytestmark = pytest.mark.django_db

MARK = CONTROL.split(":")[0]


def collect(scenario: Scenario, capture: Any) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=scenario.source)
    assert run is not None
    return run


def storable(text: str) -> bool:
    """What PostgreSQL's text type and SQLite both keep as is: UTF-8, no NUL."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def assert_run_held(run: SyncRun, scenario: Scenario) -> None:
    source = scenario.source
    assert run.status in (SyncRun.Status.OK, SyncRun.Status.PARTIAL), run.error
    assert run.error == ""
    for skip in run.skips:
        assert isinstance(skip["reason"], str) and skip["reason"].strip(), skip
        assert isinstance(skip["item"], str) and skip["item"], skip
    stored = Comment.objects.filter(source=source)
    assert stored.filter(raw_body__contains=MARK).exists(), "the control comment did not land"
    assert run.created + run.updated + run.unchanged <= run.seen
    assert stored.count() == run.created
    for raw, clean in stored.values_list("raw_body", "clean_body"):
        assert storable(raw) and storable(clean)
        assert len(clean) <= MAX_CLEAN
    for title, url, dept in Thread.objects.filter(source=source).values_list(
        "title", "url", "department"
    ):
        assert storable(title) and storable(url) and storable(dept)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_well_formed_records_of_every_kind_land(
    kind: str, httpserver: HTTPServer, catalogue: None, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = KINDS[kind](httpserver)

    run = collect(scenario, django_capture_on_commit_callbacks)

    assert (run.status, run.skipped, run.error) == ("ok", 0, "")
    assert_run_held(run, scenario)
    assert Comment.objects.filter(source=scenario.source, raw_body__contains="VPN").exists()


@pytest.mark.parametrize("kind", sorted(KINDS))
# Each example is a whole collection over HTTP: fewer of them than the profile's default.
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(data=st.data())
def test_mutated_records_are_stored_or_skipped_with_a_reason_and_the_run_goes_on(
    kind: str,
    data: st.DataObject,
    httpserver: HTTPServer,
    catalogue: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    httpserver.clear()
    scenario = KINDS[kind](httpserver)
    for victim, protected in scenario.victims:
        note(f"{kind}: {data.draw(mutate(victim, protected=protected))}")

    run = collect(scenario, django_capture_on_commit_callbacks)

    # A mutation the fake server itself cannot serve (it reads that field) proves nothing.
    assume(not httpserver.handler_errors)
    note(f"run: {run.status} {run.error!r} skips={run.skips}")
    assert_run_held(run, scenario)
