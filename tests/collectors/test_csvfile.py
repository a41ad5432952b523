"""csvfile: survey exports imported idempotently, columns mapped, bad rows skipped."""

from __future__ import annotations

import json
from datetime import datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collectors.base import ConnectorConfigError
from collectors.models import Source, SyncRun
from collectors.services import source_check, source_collect, source_create
from sentiment.models import Comment, Thread

pytestmark = pytest.mark.django_db

MS_FORMS = [
    [
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Department",
        "Which IT service?",
        "What should IT do better?",
        "Anything else?",
    ],
    [
        "1",
        "11/2/25 9:01:02",
        "11/2/25 9:05:00",
        "anna@corp.example",
        "Anna",
        "Finance",
        "VPN",
        "The VPN is slow and keeps dropping. Terrible.",
        "",
    ],
    [
        "2",
        "11/3/25 10:11:02",
        "11/3/25 10:15:00",
        "bob@corp.example",
        "Bob",
        "Sales",
        "Laptops",
        "Great support, fixed my laptop in an hour!",
        "Thanks a lot",
    ],
    ["3", "11/4/25 08:00:00", "11/4/25 08:02:00", "cy@corp.example", "Cy", "HR", "Email", "", ""],
]
MS_SETTINGS = {
    "text_columns": ["What should IT do better?", "Anything else?"],
    "timestamp_column": "Completion time",
    "respondent_column": "Email",
    "department_column": "Department",
    "category_column": "Which IT service?",
}


def collect(source, capture, **kw) -> SyncRun:
    with capture(execute=True):
        run = source_collect(source=source, **kw)
    source.refresh_from_db()
    return run


@pytest.fixture
def ms_source(catalogue, write_csv):
    path = write_csv(MS_FORMS)
    return source_create(
        name="pulse", kind="csvfile", settings={"path": str(path), **MS_SETTINGS}
    ), path


def test_every_free_text_answer_becomes_a_comment_in_a_thread_per_response(
    ms_source, django_capture_on_commit_callbacks
):
    source, _ = ms_source
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("ok", 3, 0)
    assert Thread.objects.count() == 2  # response 3 answered no free text
    t = Thread.objects.get(external_id="1")
    assert (t.department, t.category.slug) == ("Finance", "network")
    c = Comment.objects.get(external_id="2:Anything else?")
    assert c.author.email == "bob@corp.example"
    assert c.created_at.isoformat() == "2025-11-03T10:15:00+00:00"
    assert Comment.objects.scored().count() == 3


def test_reimporting_the_same_file_creates_nothing_new(
    ms_source, django_capture_on_commit_callbacks
):
    source, _ = ms_source
    collect(source, django_capture_on_commit_callbacks)
    again = collect(source, django_capture_on_commit_callbacks)
    full = collect(source, django_capture_on_commit_callbacks, full=True)
    assert again.created == 0 and again.seen == 0  # unchanged file: nothing read
    assert (full.created, full.updated, full.unchanged) == (0, 0, 3)
    assert Comment.objects.count() == 3


def test_a_new_export_with_an_edited_answer_and_a_new_response(
    ms_source, write_csv, django_capture_on_commit_callbacks
):
    source, _ = ms_source
    collect(source, django_capture_on_commit_callbacks)
    rows = [list(r) for r in MS_FORMS]
    rows[1][7] = "The VPN works perfectly now, thank you!"
    rows.append(
        [
            "4",
            "11/5/25 9:00:00",
            "11/5/25 9:01:00",
            "di@corp.example",
            "Di",
            "Legal",
            "Printer",
            "Printer jammed all week.",
            "",
        ]
    )
    write_csv(rows)  # same path, new content
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.unchanged) == (1, 1, 2)
    edited = Comment.objects.get(external_id="1:What should IT do better?")
    assert edited.compound > 0.05
    assert Comment.objects.count() == 4


def test_ids_are_stable_without_an_id_column(
    catalogue, write_csv, django_capture_on_commit_callbacks
):
    rows = [
        ["Timestamp", "Email Address", "Comments"],
        ["2025/11/02 2:05:31 PM GMT+1", "a@x.example", "VPN is awful"],
        ["2025/11/02 3:05:31 PM GMT+1", "b@x.example", "Love the new laptops"],
    ]
    path = write_csv(rows)
    source = source_create(
        name="gforms",
        kind="csvfile",
        settings={
            "path": str(path),
            "text_columns": "Comments",
            "timestamp_column": "Timestamp",
            "respondent_column": "Email Address",
        },
    )
    collect(source, django_capture_on_commit_callbacks)
    ids = set(Comment.objects.values_list("external_id", flat=True))
    rows[1][2] = "VPN is fine now"
    write_csv(rows)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated) == (0, 1)
    assert set(Comment.objects.values_list("external_id", flat=True)) == ids


def test_surveymonkey_two_row_header_is_understood(
    catalogue, write_csv, django_capture_on_commit_callbacks
):
    rows = [
        ["Respondent ID", "Start Date", "What do you think of IT?", "Department"],
        ["", "", "Open-Ended Response", "Response"],
        ["11400", "11/02/2025 09:01:02 AM", "Service desk never answers.", "Ops"],
    ]
    path = write_csv(rows)
    source = source_create(
        name="sm",
        kind="csvfile",
        settings={
            "path": str(path),
            "text_columns": ["What do you think of IT?"],
            "timestamp_column": "Start Date",
            "department_column": "Department",
            "header_rows": 2,
        },
    )
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.created == 1
    assert Comment.objects.get().external_id == "11400:What do you think of IT?"


def test_a_row_with_a_bad_timestamp_is_skipped_with_a_reason_and_the_rest_lands(
    ms_source, write_csv, django_capture_on_commit_callbacks
):
    source, _ = ms_source
    rows = [list(r) for r in MS_FORMS]
    rows[2][2] = "next tuesday"
    write_csv(rows)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped) == ("partial", 1, 1)
    assert run.skips == [
        {
            "item": "line 3",
            "reason": "timestamp 'next tuesday' not understood "
            "(set timestamp_format, e.g. %d/%m/%Y %H:%M)",
        }
    ]


def test_a_missing_column_fails_the_run_with_the_columns_listed(
    catalogue, write_csv, django_capture_on_commit_callbacks
):
    path = write_csv(MS_FORMS)
    source = source_create(
        name="bad", kind="csvfile", settings={"path": str(path), "text_columns": "Feedback"}
    )
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "Text column 'Feedback' is not in the file" in run.error
    assert "'What should IT do better?'" in run.error
    assert source.last_status == "failed" and source.last_error == run.error
    assert not source_check(source=source).ok


def test_settings_are_validated_with_readable_messages(catalogue):
    with pytest.raises(ConnectorConfigError, match="text_columns: Field required"):
        source_create(name="x", kind="csvfile", settings={"path": "/tmp/x.csv"})
    with pytest.raises(
        ConnectorConfigError, match="header_rows: Input should be less than or equal to 2"
    ):
        source_create(
            name="x", kind="csvfile", settings={"path": "/x", "text_columns": "a", "header_rows": 5}
        )


def test_a_file_in_another_encoding_says_so(
    catalogue, write_csv, django_capture_on_commit_callbacks
):
    path = write_csv([["ID", "Comment"], ["1", "Très lent, café renversé"]], encoding="latin-1")
    source = source_create(
        name="enc", kind="csvfile", settings={"path": str(path), "text_columns": "Comment"}
    )
    run = collect(source, django_capture_on_commit_callbacks)
    assert "is not valid utf-8-sig" in run.error
    source.settings["encoding"] = "latin-1"
    source.save()
    assert collect(source, django_capture_on_commit_callbacks).created == 1


def test_an_interrupted_import_resumes_from_its_cursor(
    ms_source, settings, django_capture_on_commit_callbacks
):
    from collectors.registry import connector_for

    source, _ = ms_source
    settings.EARSHOT_INGEST_BATCH = 1
    batches = list(connector_for(source).fetch({}))
    assert [b.cursor["row"] for b in batches] == [1, 2, 3]
    resumed = list(connector_for(source).fetch(batches[0].cursor))
    assert [r.external_id for b in resumed for r in b.records] == [
        "2:What should IT do better?",
        "2:Anything else?",
    ]


# --- XLSX workbooks and ratings ----------------------------------------------------------

FORMS_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Which department?",
    "Which IT service?",
    "How satisfied are you with IT?",
    "What should IT do better?",
    "Anything else?",
]
FORMS_ROWS = [
    [
        1,
        datetime(2025, 11, 2, 9, 1, 2),
        datetime(2025, 11, 2, 9, 5),
        "anna@corp.example",
        "Anna",
        "Finance",
        "VPN",
        1,
        "The VPN is slow and keeps dropping. Terrible.",
        None,
    ],
    [
        2,
        datetime(2025, 11, 3, 10, 11, 2),
        datetime(2025, 11, 3, 10, 15),
        "bob@corp.example",
        "Bob",
        "Sales",
        "Laptops",
        5,
        "Great support, fixed my laptop in an hour!",
        "Thanks a lot",
    ],
    [
        3,
        datetime(2025, 11, 4, 8, 0),
        datetime(2025, 11, 4, 8, 2),
        "cy@corp.example",
        "Cy",
        "HR",
        "Email",
        3,
        None,
        None,
    ],
]
FORMS_SETTINGS = {
    "text_columns": ["What should IT do better?", "Anything else?"],
    "timestamp_column": "Completion time",
    "respondent_column": "Email",
    "department_column": "Which department?",
    "category_column": "Which IT service?",
    "rating_column": "How satisfied are you with IT?",
    "rating_scale": "1-5",
}


def forms_workbook(path, rows=FORMS_ROWS, sheet="Sheet1", extra_sheets=()):
    """A workbook in the shape Microsoft Forms' "Open results in Excel" download has."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(FORMS_HEADER)
    for row in rows:
        ws.append(row)
    for column in ("B", "C"):
        for cell in ws[column][1:]:
            cell.number_format = "m/d/yy h:mm:ss"
    for name in extra_sheets:
        book.create_sheet(name).append(["unrelated"])
    book.save(path)
    return path


@pytest.fixture
def forms_source(catalogue, tmp_path):
    path = forms_workbook(tmp_path / "IT pulse(1-3).xlsx")
    source = source_create(
        name="forms", kind="csvfile", settings={"path": str(path), **FORMS_SETTINGS}
    )
    return source, path


def test_a_microsoft_forms_workbook_is_imported_with_real_dates_and_ratings(
    forms_source, django_capture_on_commit_callbacks
):
    source, _ = forms_source
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created, run.skipped, run.error) == ("ok", 3, 0, "")
    t = Thread.objects.get(external_id="1")  # the numeric ID cell, not "1.0"
    assert (t.department, t.category.slug) == ("Finance", "network")
    c = Comment.objects.get(external_id="2:Anything else?")
    assert c.author.email == "bob@corp.example"
    assert c.created_at.isoformat() == "2025-11-03T10:15:00+00:00"  # a date cell, not text
    assert (c.rating, c.rating_scale) == (5.0, "1-5")
    assert Comment.objects.get(external_id="1:What should IT do better?").rating == 1.0
    assert Comment.objects.scored().count() == 3
    assert source_check(source=source).ok


def test_reimporting_a_workbook_creates_nothing_and_an_edited_one_updates_in_place(
    forms_source, django_capture_on_commit_callbacks
):
    source, path = forms_source
    collect(source, django_capture_on_commit_callbacks)
    assert collect(source, django_capture_on_commit_callbacks).seen == 0  # same file: nothing read
    rows = [list(r) for r in FORMS_ROWS]
    rows[0][8] = "The VPN works perfectly now, thank you!"
    rows[0][7] = 5
    rows.append(
        [
            4,
            datetime(2025, 11, 5, 9),
            datetime(2025, 11, 5, 9, 1),
            "di@corp.example",
            "Di",
            "Legal",
            "Printer",
            2,
            "Printer jammed all week.",
            None,
        ]
    )
    forms_workbook(path, rows)
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.created, run.updated, run.unchanged) == (1, 1, 2)
    edited = Comment.objects.get(external_id="1:What should IT do better?")
    assert edited.compound > 0.05 and edited.rating == 5.0
    assert Comment.objects.count() == 4


def test_a_workbook_is_recognised_by_its_content_whatever_its_name(
    catalogue, tmp_path, django_capture_on_commit_callbacks
):
    path = forms_workbook(tmp_path / "download")
    source = source_create(
        name="noext", kind="csvfile", settings={"path": str(path), **FORMS_SETTINGS}
    )
    assert collect(source, django_capture_on_commit_callbacks).created == 3


def test_the_sheet_setting_picks_a_sheet_and_an_unknown_one_lists_them(
    catalogue, tmp_path, django_capture_on_commit_callbacks
):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    ws = book.create_sheet("Form1")
    ws.append(FORMS_HEADER)
    for row in FORMS_ROWS:
        ws.append(row)
    path = tmp_path / "multi.xlsx"
    book.save(path)
    source = source_create(
        name="sheet",
        kind="csvfile",
        settings={"path": str(path), "sheet": "Form1", **FORMS_SETTINGS},
    )
    assert collect(source, django_capture_on_commit_callbacks).created == 3
    source.settings["sheet"] = "Responses"
    source.save()
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert "has no sheet 'Responses'. Its sheets are: 'Notes', 'Form1'." in run.error


def test_a_broken_workbook_says_so(catalogue, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    source = source_create(
        name="broken", kind="csvfile", settings={"path": str(path), "text_columns": "x"}
    )
    run = collect(source, django_capture_on_commit_callbacks)
    assert run.status == "failed" and "broken.xlsx is not a readable XLSX workbook" in run.error
    assert not source_check(source=source).ok


def test_a_workbook_import_resumes_from_its_cursor(forms_source, settings):
    from collectors.registry import connector_for

    source, _ = forms_source
    settings.EARSHOT_INGEST_BATCH = 1
    batches = list(connector_for(source).fetch({}))
    assert [b.cursor["row"] for b in batches] == [1, 2, 3]
    resumed = list(connector_for(source).fetch(batches[0].cursor))
    assert [r.external_id for b in resumed for r in b.records] == [
        "2:What should IT do better?",
        "2:Anything else?",
    ]


def test_a_rating_column_in_a_csv_is_stored_and_a_non_number_is_left_out(
    catalogue, write_csv, django_capture_on_commit_callbacks
):
    rows = [
        ["Respondent ID", "NPS", "Comments"],
        ["a1", "9", "Great service desk"],
        ["a2", "n/a", "VPN is awful"],
        ["a3", "", "Printers are fine"],
    ]
    path = write_csv(rows)
    source = source_create(
        name="nps",
        kind="csvfile",
        settings={
            "path": str(path),
            "text_columns": "Comments",
            "rating_column": "NPS",
            "rating_scale": "0-10",
        },
    )
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
    ratings = dict(Comment.objects.values_list("external_id", "rating"))
    assert ratings == {"a1:Comments": 9.0, "a2:Comments": None, "a3:Comments": None}
    scales = set(Comment.objects.values_list("external_id", "rating_scale"))
    assert ("a1:Comments", "0-10") in scales and ("a2:Comments", "") in scales


def test_rating_settings_are_validated(catalogue, write_csv):
    path = write_csv(MS_FORMS)
    with pytest.raises(ConnectorConfigError, match="rating_scale: Value error, write the range"):
        source_create(
            name="x",
            kind="csvfile",
            settings={"path": str(path), "text_columns": "a", "rating_scale": "five"},
        )
    source = source_create(
        name="y",
        kind="csvfile",
        settings={"path": str(path), "text_columns": "Anything else?", "rating_column": "Score"},
    )
    result = source_check(source=source)
    assert not result.ok and "Rating column 'Score' is not in the file" in result.message


def test_an_admin_uploads_a_forms_workbook(
    admin_client, catalogue, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    data = forms_workbook(tmp_path / "src.xlsx").read_bytes()
    response = admin_client.post(
        "/admin/collectors/source/add/",
        {
            "name": "Forms upload",
            "kind": "csvfile",
            "enabled": "on",
            "schedule": "1d",
            "settings": json.dumps({"path": "placeholder", **FORMS_SETTINGS}),
            "upload": SimpleUploadedFile(
                "IT pulse.xlsx",
                data,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(name="Forms upload")
    assert source.settings["path"].endswith("IT pulse.xlsx")
    run = collect(source, django_capture_on_commit_callbacks)
    assert (run.status, run.created) == ("ok", 3)
