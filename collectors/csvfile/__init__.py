"""csvfile: survey exports (Microsoft Forms, Google Forms, SurveyMonkey) as CSV or XLSX.

Each row is a response (a Thread); each non-empty free-text answer in it is a Comment.
External ids are stable across re-imports: the response id column when the export has
one (auto-detected), otherwise a hash of the row's other answers, so importing the same
file twice creates nothing new and an edited answer updates its comment. A numeric
answer in `rating_column` (CSAT 1-5, NPS 0-10) is stored with every comment of the row.

XLSX workbooks (Microsoft Forms' native export: ID, Start time, Completion time, Email,
Name, then one column per question; Google Forms and SurveyMonkey can save them too) are
read with openpyxl in read-only mode, values not formulas: the first sheet or `sheet`,
the same header rows and column mapping as a CSV, and date cells as real date-times (a
naive one is read in Earshot's time zone, as the exporting tool wrote it). The format is
chosen by the file's content (an XLSX is a zip), so an upload keeps working whatever its
name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings as django_settings
from django.utils import timezone
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import Field, field_validator

from ..base import (
    Batch,
    CheckResult,
    CommentRecord,
    Connector,
    ConnectorConfigError,
    Skip,
    StrictSettings,
)
from ..registry import register
from ..surveys import number

XLSX_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip archive

# Response-id headers of the common survey tools, tried when id_column is not set.
ID_HEADERS = (
    "ID",
    "Id",
    "Respondent ID",
    "Response ID",
    "ResponseId",
    "Response Id",
    "response_id",
)
TIMESTAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d %I:%M:%S %p",  # Google Forms (some locales)
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",  # Google Forms (US), SurveyMonkey
    "%m/%d/%Y %I:%M:%S %p",  # SurveyMonkey
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M:%S",  # Microsoft Forms
    "%m/%d/%y %H:%M",
    "%m/%d/%Y",
)
DAY_FIRST_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y",
)


class CsvSettings(StrictSettings):
    path: str = Field(
        description="Path of the CSV or XLSX file on the server (an upload is stored under "
        "MEDIA_ROOT)."
    )
    sheet: str = Field("", description="XLSX: the sheet to read; the first one when empty.")
    text_columns: list[str] = Field(
        min_length=1, description="Free-text question columns; each answer is a comment."
    )
    id_column: str = Field("", description="Response id column; auto-detected when empty.")
    timestamp_column: str = ""
    timestamp_format: str = Field(
        "", description="strptime format; common survey formats are tried when empty."
    )
    day_first: bool = Field(False, description="Read 03/04/2025 as 3 April (day first).")
    respondent_column: str = ""
    department_column: str = ""
    category_column: str = Field(
        "", description="Column naming the IT service; the question text is used when empty."
    )
    title_column: str = ""
    rating_column: str = Field(
        "", description="Column of a numeric answer (CSAT 1-5, NPS 0-10) stored with the comments."
    )
    rating_scale: str = Field("", description='Range of the rating column, e.g. "1-5" or "0-10".')
    delimiter: str = Field("", max_length=1, description="Field separator; sniffed when empty.")
    encoding: str = "utf-8-sig"
    header_rows: int = Field(
        1, ge=1, le=2, description="2 for SurveyMonkey's expanded export (question + sub-header)."
    )

    @field_validator("text_columns", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value:
            raise ValueError("give the path of the CSV or XLSX file")
        return value

    @field_validator("rating_scale")
    @classmethod
    def _scale(cls, value: str) -> str:
        parts = value.replace(" ", "").lstrip("-").split("-", 1)
        if value and not (len(parts) == 2 and all(number(p) is not None for p in parts)):
            raise ValueError('write the range as low-high, e.g. "1-5" or "0-10"')
        return value.replace(" ", "")


@register
class CsvFileConnector(Connector):
    kind = "csvfile"
    label = "Survey export (CSV or XLSX file)"
    settings_model = CsvSettings
    settings: CsvSettings

    # --- reading --------------------------------------------------------------------

    def _read(self) -> tuple[str, list[str], list[list[Any]]]:
        path = self._path()
        what = "XLSX file" if path.suffix.lower() in (".xlsx", ".xlsm") else "CSV file"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ConnectorConfigError(f"{what} {path} does not exist.") from None
        except IsADirectoryError:
            raise ConnectorConfigError(f"{path} is a folder, not a {what}.") from None
        except PermissionError:
            raise ConnectorConfigError(
                f"{what} {path} is not readable by Earshot (permissions)."
            ) from None
        digest = hashlib.sha256(data).hexdigest()
        if data[:4] == XLSX_MAGIC or path.suffix.lower() in (".xlsx", ".xlsm"):
            rows = self._workbook_rows(data, path)
            if len(rows) < self.settings.header_rows:
                raise ConnectorConfigError(f"{path.name} has no header row.")
            header = _header([[_text(c) for c in r] for r in rows[: self.settings.header_rows]])
            return digest, header, rows[self.settings.header_rows :]
        try:
            text = data.decode(self.settings.encoding)
        except LookupError:
            raise ConnectorConfigError(f"Unknown encoding {self.settings.encoding!r}.") from None
        except UnicodeDecodeError as exc:
            raise ConnectorConfigError(
                f"{path.name} is not valid {self.settings.encoding} (byte {exc.start}); "
                "set encoding (for example cp1252 or utf-16)."
            ) from None
        delimiter = self.settings.delimiter or _sniff(text)
        # A free-text answer may be longer than the csv module's default field limit
        # (128 KiB); no field is longer than the file (ingest keeps MAX_RAW characters).
        csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise ConnectorConfigError(
                f"{path.name} cannot be read as CSV (line {reader.line_num}: {exc})."
            ) from None
        if len(rows) < self.settings.header_rows:
            raise ConnectorConfigError(f"{path.name} has no header row.")
        header = _header(rows[: self.settings.header_rows])
        return digest, header, list(rows[self.settings.header_rows :])

    def _workbook_rows(self, data: bytes, path: Path) -> list[list[Any]]:
        try:
            # read_only streams the sheet; data_only reads the values Excel cached, never
            # formulas.
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
            raise ConnectorConfigError(
                f"{path.name} is not a readable XLSX workbook (save it again as .xlsx or CSV)."
            ) from None
        try:
            names = book.sheetnames
            if self.settings.sheet:
                if self.settings.sheet not in names:
                    shown = ", ".join(repr(n) for n in names)
                    raise ConnectorConfigError(
                        f"{path.name} has no sheet {self.settings.sheet!r}. Its sheets are: "
                        f"{shown}."
                    )
                sheet = book[self.settings.sheet]
            elif names:
                sheet = book[names[0]]
            else:
                raise ConnectorConfigError(f"{path.name} has no sheet.")
            try:
                rows = [[_value(c) for c in row] for row in sheet.iter_rows(values_only=True)]
            # The sheet's XML is read only now: broken XML (a SyntaxError, as ElementTree's
            # and lxml's parse errors are) or a damaged zip member.
            except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError):
                raise ConnectorConfigError(
                    f"{path.name} is not a readable XLSX workbook (its sheet is damaged; save "
                    "it again as .xlsx or CSV)."
                ) from None
        finally:
            book.close()
        while rows and not any(_text(c).strip() for c in rows[-1]):
            rows.pop()  # formatted but empty rows at the end of a sheet
        return rows

    def _columns(self, header: list[str]) -> dict[str, int | None]:
        lookup = {h.strip().lower(): i for i, h in reversed(list(enumerate(header)))}

        def find(name: str, what: str, required: bool = True) -> int | None:
            if not name:
                return None
            idx = lookup.get(name.strip().lower())
            if idx is None and required:
                shown = ", ".join(repr(h) for h in header[:40])
                raise ConnectorConfigError(
                    f"{what} column {name!r} is not in the file. Its columns are: {shown}."
                )
            return idx

        s = self.settings
        cols: dict[str, int | None] = {
            "id": find(s.id_column, "Id"),
            "timestamp": find(s.timestamp_column, "Timestamp"),
            "respondent": find(s.respondent_column, "Respondent"),
            "department": find(s.department_column, "Department"),
            "category": find(s.category_column, "Category"),
            "title": find(s.title_column, "Title"),
            "rating": find(s.rating_column, "Rating"),
        }
        if cols["id"] is None:
            cols["id"] = next((lookup[h.lower()] for h in ID_HEADERS if h.lower() in lookup), None)
        for i, name in enumerate(s.text_columns):
            cols[f"text:{i}"] = find(name, "Text")
        return cols

    def check(self) -> CheckResult:
        try:
            _, header, rows = self._read()
            self._columns(header)
        except ConnectorConfigError as exc:
            return CheckResult(False, str(exc))
        texts = ", ".join(repr(t) for t in self.settings.text_columns)
        return CheckResult(True, f"OK: {len(rows)} responses; text columns {texts} found.")

    def fetch(self, cursor: dict[str, Any], *, full: bool = False) -> Iterator[Batch]:
        digest, header, rows = self._read()
        cols = self._columns(header)
        start = 0
        if not full and cursor.get("sha256") == digest:
            start = int(cursor.get("row", 0))
            if start >= len(rows):
                return  # this exact file was imported completely already
        size = django_settings.EARSHOT_INGEST_BATCH
        seen_ids: dict[str, int] = {}
        # Ids of earlier rows are needed to number duplicates the same way on a resumed import.
        for row in rows[:start]:
            self._response_id(row, cols, seen_ids)
        fallback_time = datetime.fromtimestamp(Path(self._path()).stat().st_mtime, tz=UTC)
        for offset in range(start, len(rows), size):
            records: list[CommentRecord] = []
            skips: list[Skip] = []
            for n, row in enumerate(rows[offset : offset + size], start=offset):
                line = n + self.settings.header_rows + 1
                if not any(_text(cell).strip() for cell in row):
                    continue  # blank line
                response_id = self._response_id(row, cols, seen_ids)
                try:
                    records.extend(self._records(row, header, cols, response_id, fallback_time))
                except ValueError as exc:
                    skips.append(Skip(item=f"line {line}", reason=str(exc)))
            end = min(offset + size, len(rows))
            yield Batch(
                records=records,
                skips=skips,
                cursor={"sha256": digest, "row": end, "rows": len(rows)},
            )

    def _path(self) -> Path:
        path = Path(self.settings.path)
        return path if path.is_absolute() else Path(django_settings.MEDIA_ROOT) / path

    def _response_id(
        self, row: list[Any], cols: dict[str, int | None], seen: dict[str, int]
    ) -> str:
        idx = cols["id"]
        value = _cell(row, idx).strip() if idx is not None else ""
        if not value:
            text_idx = {cols[k] for k in cols if k.startswith("text:")}
            # Hash of the non-free-text answers: an edited comment keeps its id.
            basis = "\x1f".join(_text(c) for i, c in enumerate(row) if i not in text_idx)
            value = "h" + hashlib.sha256(basis.encode()).hexdigest()[:20]
        seen[value] = seen.get(value, 0) + 1
        return value if seen[value] == 1 else f"{value}#{seen[value]}"

    def _records(
        self,
        row: list[Any],
        header: list[str],
        cols: dict[str, int | None],
        response_id: str,
        fallback_time: datetime,
    ) -> list[CommentRecord]:
        created = fallback_time
        if cols["timestamp"] is not None:
            idx = cols["timestamp"]
            cell = row[idx] if idx < len(row) else None
            if isinstance(cell, datetime | date):
                created = _aware(cell)  # a real date cell in a workbook
            else:
                raw_time = _cell(row, idx).strip()
                if not raw_time:
                    raise ValueError("empty timestamp")
                created = _parse_time(
                    raw_time, self.settings.timestamp_format, self.settings.day_first
                )
        respondent = _cell(row, cols["respondent"]).strip()
        department = _cell(row, cols["department"]).strip()
        category = _cell(row, cols["category"]).strip()
        title = _cell(row, cols["title"]).strip() or f"Survey response {response_id}"
        rating = number(_cell(row, cols["rating"])) if cols["rating"] is not None else None
        records = []
        for i in range(len(self.settings.text_columns)):
            idx = cols[f"text:{i}"]
            body = _cell(row, idx).strip()
            if not body:
                continue
            records.append(
                CommentRecord(
                    external_id=f"{response_id}:{header[idx]}"[:255],
                    thread_external_id=response_id,
                    body=body,
                    created_at=created,
                    thread_title=title,
                    author_external_id=respondent,
                    author_name=respondent,
                    author_email=respondent if "@" in respondent else "",
                    department=department,
                    category_hint=category or header[idx],
                    rating=rating,
                    rating_scale=self.settings.rating_scale if rating is not None else "",
                )
            )
        return records


def _cell(row: list[Any], idx: int | None) -> str:
    if idx is None or idx >= len(row):
        return ""
    return _text(row[idx])


def _text(value: Any) -> str:
    """A cell as text: CSV cells are text already; workbook numbers lose a ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _value(value: Any) -> Any:
    """A workbook cell as the row holds it: date-times kept, everything else as is."""
    return "" if value is None else value


def _aware(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _sniff(text: str) -> str:
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _header(rows: list[list[str]]) -> list[str]:
    top = rows[0]
    if len(rows) == 1:
        return [h.strip() for h in top]
    # SurveyMonkey expanded: the question spans columns; the second row names the part.
    header, current = [], ""
    sub = rows[1]
    for i in range(max(len(top), len(sub))):
        current = (top[i].strip() if i < len(top) else "") or current
        part = sub[i].strip() if i < len(sub) else ""
        if part and part.lower() not in ("response", "open-ended response"):
            header.append(f"{current} / {part}" if current else part)
        else:
            header.append(current)
    return header


def _parse_time(value: str, fmt: str, day_first: bool) -> datetime:
    formats = [fmt] if fmt else [*(DAY_FIRST_FORMATS if day_first else ()), *TIMESTAMP_FORMATS]
    cleaned = value.replace("Z", "+00:00") if value.endswith("Z") else value
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        pass
    # Google Forms appends the zone as "GMT+1": drop it and read the time as the org's zone.
    if " GMT" in cleaned:
        cleaned = cleaned.split(" GMT")[0]
    for candidate in formats:
        try:
            parsed = datetime.strptime(cleaned, candidate)
        except ValueError:
            continue
        return (
            parsed
            if parsed.tzinfo
            else timezone.make_aware(parsed, timezone.get_current_timezone())
        )
    raise ValueError(
        f"timestamp {value[:60]!r} not understood (set timestamp_format, e.g. %d/%m/%Y %H:%M)"
    )
