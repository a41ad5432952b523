"""The organisation's own lexicon and rules: validated, versioned, rescored, exported."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from collectors.base import Batch
from collectors.ingest import comments_ingest
from sentiment import custom, scoring
from sentiment.models import Comment, LexiconEntry, PhraseRule
from tests.conftest import record

pytestmark = pytest.mark.django_db


def ingest(source, *records):
    return comments_ingest(source=source, batch=Batch(list(records), {}))


def test_a_new_lexicon_entry_changes_the_score_and_the_version(catalogue):
    before = scoring.current_version()
    assert scoring.score_text("Citrix again.").label == "neu"

    LexiconEntry.objects.create(token="citrix", valence=-2.0, note="our remote desktop")

    assert scoring.current_version() != before
    assert scoring.current_version().startswith(scoring.SCORER_VERSION + "+c")
    assert scoring.score_text("Citrix again.").label == "neg"
    why = scoring.explain("Citrix again.")
    assert {"source": "custom", "word": "Citrix", "valence": pytest.approx(-2.0)} in why[
        "contributions"
    ]


def test_every_change_bumps_the_version_including_deletes(catalogue):
    versions = [scoring.current_version()]
    entry = LexiconEntry.objects.create(token="sap", valence=-1.0)
    versions.append(scoring.current_version())
    entry.valence = -1.5
    entry.save()
    versions.append(scoring.current_version())
    entry.delete()
    versions.append(scoring.current_version())
    assert len(set(versions)) == 4


def test_changing_the_rules_rescores_comments_scored_before(
    make_source, django_capture_on_commit_callbacks
):
    source = make_source()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, record("c1", "Citrix again."), record("c2", "Printer works again, thanks!"))
    c1 = Comment.objects.get(external_id="c1")
    assert scoring.label_for(c1.compound) == "neu"

    # the save queues a rescore of everything scored at an older version (inline here)
    with django_capture_on_commit_callbacks(execute=True):
        LexiconEntry.objects.create(token="citrix", valence=-2.0)

    version = scoring.current_version()
    assert set(Comment.objects.values_list("scorer_version", flat=True)) == {version}
    c1.refresh_from_db()
    assert scoring.label_for(c1.compound) == "neg"


def test_a_rescore_cleans_old_comments_again_from_their_raw_text(
    make_source, django_capture_on_commit_callbacks
):
    source = make_source()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, record("c1", "VPN down again.\n\nKind regards,\nMaria"))
    # as if stored by an older cleaning that kept the sign-off
    Comment.objects.update(clean_body="VPN down again. Kind regards, Maria", scorer_version="old")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("rescore", stdout=open("/dev/null", "w"))

    c = Comment.objects.get()
    assert c.clean_body == "VPN down again."
    assert c.scorer_version == scoring.current_version()


def test_phrase_rules_use_words_wildcards_and_alternatives(catalogue):
    PhraseRule.objects.create(name="sap slow", pattern="sap is [slow|sluggish]", valence=-2.5)
    PhraseRule.objects.create(name="new * rocks", pattern="the new * rocks", valence=2.5)

    assert scoring.score_text("Honestly SAP is sluggish.").label == "neg"
    assert scoring.score_text("The new laptop rocks.").label == "pos"
    why = scoring.explain("SAP is slow")
    assert [c.get("rule") for c in why["contributions"]] == ["sap slow"]
    # whole words only
    assert scoring.explain("sapis slow")["contributions"] != why["contributions"]


def test_a_disabled_rule_does_not_apply(catalogue):
    PhraseRule.objects.create(name="r", pattern="blue screen", valence=-3.0, enabled=False)
    assert all(c.get("rule") != "r" for c in scoring.explain("blue screen")["contributions"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pattern": "(unclosed", "is_regex": True}, "does not compile"),
        ({"pattern": "x*", "is_regex": True}, "matches empty text"),
        ({"pattern": "* *"}, "at least one word"),
        ({"pattern": "vpn <down>"}, "is not a word"),
        ({"pattern": "vpn down", "valence": 9}, "between -4 and +4"),
    ],
)
def test_a_bad_rule_is_refused_with_a_clear_message(fields, message):
    rule = PhraseRule(name="bad", **{"valence": -1.0, **fields})
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert message in " ".join(exc.value.messages)


def test_a_bad_lexicon_entry_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="one word"):
        LexiconEntry(token="two words", valence=1).full_clean()
    entry = LexiconEntry(token="  Citrix ", valence=-1)
    entry.full_clean()
    assert entry.token == "citrix"


def test_rules_round_trip_through_a_data_file(tmp_path, catalogue):
    LexiconEntry.objects.create(token="citrix", valence=-2.0, note="remote desktop")
    PhraseRule.objects.create(name="sap slow", pattern="sap is slow", valence=-2.5)
    path = tmp_path / "rules.json"
    call_command("scoring_rules", "export", str(path), stderr=open("/dev/null", "w"))
    LexiconEntry.objects.all().delete()
    PhraseRule.objects.all().delete()

    call_command("scoring_rules", "import", str(path), stdout=open("/dev/null", "w"))

    assert custom.export_data() == json.loads(path.read_text())
    assert LexiconEntry.objects.get().note == "remote desktop"


def test_an_invalid_data_file_changes_nothing_and_names_the_bad_item(tmp_path, catalogue):
    LexiconEntry.objects.create(token="keep", valence=1.0)
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps(
            {
                "lexicon": [{"token": "fine", "valence": -1}],
                "rules": [{"name": "broken", "pattern": "(", "is_regex": True, "valence": -1}],
            }
        )
    )
    with pytest.raises(CommandError, match=r"rule item 1 \('broken'\).*does not compile"):
        call_command("scoring_rules", "import", str(path))
    assert list(LexiconEntry.objects.values_list("token", flat=True)) == ["keep"]

    path.write_text("not json")
    with pytest.raises(CommandError, match="not a JSON file"):
        call_command("scoring_rules", "import", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("scoring_rules", "import", str(tmp_path / "missing.json"))


def test_import_with_replace_removes_what_the_file_does_not_list(tmp_path, catalogue):
    LexiconEntry.objects.create(token="old", valence=1.0)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"lexicon": [{"token": "new", "valence": 1}]}))
    call_command("scoring_rules", "import", str(path), "--replace", stdout=open("/dev/null", "w"))
    assert list(LexiconEntry.objects.values_list("token", flat=True)) == ["new"]


def test_a_worker_picks_up_a_change_at_its_next_batch(catalogue):
    an = scoring.analyzer()
    assert scoring.analyzer() is an
    LexiconEntry.objects.create(token="citrix", valence=-2.0)
    assert scoring.analyzer() is not an
    assert scoring.analyzer().lexicon["citrix"] == -2.0


def test_an_import_of_many_entries_queues_one_rescore(
    tmp_path, catalogue, django_capture_on_commit_callbacks
):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"lexicon": [{"token": f"w{i}", "valence": -1} for i in range(30)]}))
    with django_capture_on_commit_callbacks() as callbacks:
        custom.import_data(path)
    assert [c for c in callbacks if c is custom._queue_rescore] == [custom._queue_rescore]


def test_the_sweep_rescores_comments_left_at_an_older_version(
    make_source, django_capture_on_commit_callbacks
):
    from sentiment.tasks import sweep

    source = make_source()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, record("c1", "Citrix again."), record("c2", "Thanks!"))
    Comment.objects.filter(external_id="c1").update(scorer_version="vader3.3.2-it0.0")  # an upgrade

    with django_capture_on_commit_callbacks(execute=True):
        result = sweep.apply().get()

    assert result["outdated"] == 1
    assert set(Comment.objects.values_list("scorer_version", flat=True)) == {
        scoring.current_version()
    }
