"""score_file (any CSV) and export_labels (analysts' corrections as an evaluation set)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from sentiment.models import Comment, LabelCorrection
from sentiment.scoring import score_csv, score_text


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.django_db
def test_score_file_adds_compound_and_label_and_keeps_every_column(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,comment,team\n1,The VPN is down again.,Sales\n2,Please install Visio.,HR\n"
        '3,"Fixed in minutes, thank you so much!",Ops\n4,,Ops\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    stdout = io.StringIO()
    call_command(
        "score_file", str(src), "--out", str(out), "--text-column", "comment", stdout=stdout
    )
    rows = read(out)
    assert [r["label"] for r in rows] == ["neg", "neu", "pos", "neu"]
    assert [r["team"] for r in rows] == ["Sales", "HR", "Ops", "Ops"]
    assert float(rows[0]["compound"]) == pytest.approx(
        score_text("The VPN is down again.").compound, abs=1e-4
    )
    assert "4 rows scored" in stdout.getvalue()


@pytest.mark.django_db
def test_score_file_reads_excel_style_utf8_with_bom(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes('text\n"Thanks, works now 👍"\n'.encode("utf-8-sig"))
    out = tmp_path / "out.csv"
    assert score_csv(src, out) == 1
    assert read(out)[0]["label"] == "pos"


@pytest.mark.django_db
def test_score_file_explains_bad_input_and_writes_nothing(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("body\nhello\n")
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="no column 'text'. Columns: body"):
        call_command("score_file", str(src), "--out", str(out))
    with pytest.raises(CommandError, match="no such file"):
        call_command("score_file", str(tmp_path / "missing.csv"), "--out", str(out))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text\ncaf\xe9 down\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("score_file", str(latin), "--out", str(out))
    with pytest.raises(CommandError, match="must differ"):
        call_command("score_file", str(src), "--out", str(src))
    assert not out.exists()
    assert src.read_text() == "body\nhello\n"


@pytest.mark.django_db
def test_export_labels_writes_each_corrected_comment_once_with_its_latest_label(
    make_source, tmp_path
):
    from collectors.base import Batch
    from collectors.ingest import comments_ingest
    from tests.conftest import record

    source = make_source()
    comments_ingest(
        source=source,
        batch=Batch(
            [record("a", "Great, another outage."), record("b", "New laptop, lovely.")], {}
        ),
    )
    a, b = Comment.objects.order_by("external_id")
    LabelCorrection.objects.create(comment=a, label="pos", text=a.clean_body)
    LabelCorrection.objects.create(comment=a, label="neg", text=a.clean_body)  # changed mind
    LabelCorrection.objects.create(comment=b, label="pos", text=b.clean_body, compound=0.5)

    out = tmp_path / "labels.csv"
    call_command("export_labels", "--out", str(out), stderr=io.StringIO())

    rows = read(out)
    assert sorted((r["text"], r["label"]) for r in rows) == [
        ("Great, another outage.", "neg"),
        ("New laptop, lovely.", "pos"),
    ]
    assert list(rows[0]) == ["text", "label"]
