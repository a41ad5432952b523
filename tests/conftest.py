from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collectors.base import CommentRecord


@pytest.fixture(autouse=True)
def _tasks_inline_unless_worker_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test runs tasks inline, as the embedded mode does, except the ones that drive
    a real Celery worker over Redis (marked `worker`)."""
    from sentiment.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("worker") is None
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _forget_remembered_secrets() -> Iterator[None]:
    """Secrets are remembered per process to be masked in logs; one test's token (often a
    short word such as "expired") must not mask another test's messages."""
    yield
    from collectors.secrets import forget_secrets

    forget_secrets()


@pytest.fixture
def catalogue(db: None) -> None:
    """The default categories (a transactional test's flush removes the migration's rows)."""
    from sentiment.catalogue import ensure_catalogue
    from sentiment.models import Category

    ensure_catalogue(Category)


@pytest.fixture
def make_source(catalogue: None) -> Callable[..., Any]:
    from collectors.models import Source

    def make(name: str = "src", kind: str = "csvfile", **settings: Any) -> Source:
        return Source.objects.create(name=name, kind=kind, settings=settings)

    return make


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def record(
    ext: str,
    body: str = "The VPN keeps dropping, this is terrible.",
    *,
    thread: str = "T1",
    at: datetime | None = None,
    voice: str | None = None,
    author: str = "u1",
    **extra: Any,
) -> CommentRecord:
    return CommentRecord(
        external_id=ext,
        thread_external_id=thread,
        body=body,
        created_at=at or T0,
        author_external_id=author,
        voice=voice,
        **extra,
    )


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[list[str]], name: str = "survey.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding=encoding) as fh:
            csv.writer(fh).writerows(rows)
        return path

    return write


def days(n: int) -> timedelta:
    return timedelta(days=n)


def give_role(user: Any, role: str) -> Any:
    """Put a user in one of the roles (sentiment/roles.py). The groups are re-created
    first: a transactional test before may have flushed what the migration made."""
    from django.contrib.auth.models import Group, Permission

    from sentiment.roles import sync_roles

    sync_roles(Group, Permission)
    user.groups.add(Group.objects.get(name=role))
    return user
