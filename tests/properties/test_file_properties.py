"""Survey files (collectors/csvfile) with hostile content: cells with NUL, lone surrogates,
control characters or a megabyte of text, bytes that are not UTF-8, broken workbooks.
A collection either lands the readable rows (skipping the others with their line) or
fails with a message saying what is wrong with the file; it never crashes, and a file
that cannot be read loses nothing imported before."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from collectors.models import Source, SyncRun
from collectors.services import source_collect, source_create
from sentiment.models import Comment

from .strategies import MB, huge_text, nasty_text, not_utf8

pytestmark = pytest.mark.django_db

HEADER = ["ID", "Submitted", "What should IT do better?", "Department"]
GOOD = [
    "r-1",
    "2026-03-02 09:05:00",
    "Zebracontrol: the new laptop works well, thank you.",
    "Sales",
]
SETTINGS = {
    "text_columns": "What should IT do better?",
    "timestamp_column": "Submitted",
    "department_column": "Department",
}
_NAMES = itertools.count(1)

cells = st.one_of(
    nasty_text,
    st.sampled_from(["", " ", "2026-03-02", "not a time", "=cmd|' /C calc'!A0", "\x00"]),
    huge_text(200_000),
    st.integers().map(str),
)
rows = st.lists(st.lists(cells, min_size=0, max_size=6), min_size=1, max_size=5)


def csv_bytes(table: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(table)
    # Lone surrogates cannot be UTF-8: written as the bytes a broken exporter would write.
    return out.getvalue().encode("utf-8", "surrogatepass")


def imported_before(tmp: Path) -> tuple[Source, Path]:
    """A source whose first import landed one comment: whatever comes next keeps it."""
    path = tmp / f"survey-{next(_NAMES)}.csv"
    path.write_bytes(csv_bytes([HEADER, GOOD]))
    source = source_create(
        name=f"file property {next(_NAMES)}",
        kind="csvfile",
        settings={"path": str(path), **SETTINGS},
    )
    run = source_collect(source=source)
    assert run is not None and run.created == 1
    return source, path


def assert_run_held(run: SyncRun | None, source: Source) -> None:
    assert run is not None
    note(f"run: {run.status} {run.error!r} {run.skips[:5]}")
    if run.status == SyncRun.Status.FAILED:
        assert run.error.strip()
        assert not run.error.startswith("Unexpected error"), run.error
    for skip in run.skips:
        # A row the file reader refuses names its line; a record ingest refuses, its id.
        assert skip["reason"].strip() and skip["item"].strip(), skip
    bodies = list(Comment.objects.filter(source=source).values_list("raw_body", "clean_body"))
    assert any("Zebracontrol" in raw for raw, _ in bodies), "an imported comment was lost"
    for raw, clean in bodies:
        assert "\x00" not in raw + clean
        (raw + clean).encode("utf-8")


@given(table=rows, bad=st.none() | not_utf8())
@example(table=[["r-2", "2026-03-02 10:00", "x" * MB, "Sales"]], bad=None)  # a 1 MB cell
@example(table=[["r-3", "2026-03-02 10:00", "VPN \x00 down \ud800", "Sales"]], bad=None)
@example(table=[["r-4", "2026-03-02 10:00", "caf", "Sales"]], bad=b"caf\xe9")
def test_a_csv_with_hostile_cells_lands_its_readable_rows_or_says_what_is_wrong(
    tmp_path: Path, catalogue: None, table: list[list[str]], bad: bytes | None
) -> None:
    source, path = imported_before(tmp_path)
    data = csv_bytes([HEADER, GOOD, *table])
    if bad is not None:
        cut = len(data) // 2
        data = data[:cut] + bad + data[cut:]
    path.write_bytes(data)

    run = source_collect(source=source)

    assert_run_held(run, source)
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        assert run.status == SyncRun.Status.FAILED
        assert "is not valid utf-8-sig" in run.error and "set encoding" in run.error


def workbook_bytes(table: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, GOOD, *table]:
        # openpyxl refuses control characters; a real export has none either.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def corrupt_sheet(data: bytes, garbage: bytes) -> bytes:
    """The workbook with `garbage` spliced into its first sheet's XML."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                cut = len(content) // 2
                content = content[:cut] + garbage + content[cut:]
            dst.writestr(info, content)
    return out.getvalue()


@given(
    table=rows,
    damage=st.sampled_from(["none", "sheet", "truncate", "magic"]),
    garbage=st.binary(min_size=1, max_size=40) | not_utf8(),
)
@example(table=[["r-2", "2026-03-02 10:00", "ok", "Sales"]], damage="sheet", garbage=b"\xff\xfe")
@example(table=[["r-2", "2026-03-02 10:00", "ok", "Sales"]], damage="magic", garbage=b"\x00")
def test_an_xlsx_with_hostile_cells_or_broken_bytes_never_crashes_the_import(
    tmp_path: Path, catalogue: None, table: list[list[str]], damage: str, garbage: bytes
) -> None:
    source, _ = imported_before(tmp_path)
    data = workbook_bytes(table)
    if damage == "sheet":
        data = corrupt_sheet(data, garbage)
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "magic":
        data = b"PK\x03\x04" + garbage
    path = tmp_path / f"survey-{next(_NAMES)}.xlsx"
    path.write_bytes(data)
    source.settings = {**source.settings, "path": str(path)}
    source.save(update_fields=["settings"])

    run = source_collect(source=source)

    assert_run_held(run, source)
    if damage in ("truncate", "magic"):
        assert run.status == SyncRun.Status.FAILED
        assert "is not a readable XLSX workbook" in run.error
