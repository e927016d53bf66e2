"""`signpost understand --evaluate`: the scores (pure), the held-back rule, the split, and the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.nlu.eval_split import half_of, split, write_split
from bot.nlu.evaluate import (
    Row,
    format_report,
    is_held_back,
    load_messages,
    predicted_needs,
    rows_for,
    run,
    score,
)
from bot.settings import PROJECT_ROOT

FIXTURE = Path(__file__).parent / "fixtures" / "eval_small.yml"
# what a model might answer for the fixture: one miss (housing), one false alarm (the hockey score)
PARSES = {
    "my gran died on tuesday": {"intent": {"name": "tell_life_event"}, "entities": [
        {"entity": "life_event", "value": "death"}, {"entity": "relation", "value": "grandparent"}]},
    "lost my job and the rent is due": {"intent": {"name": "tell_life_event"}, "entities": [
        {"entity": "life_event", "value": "job_loss"}]},
    "they're switching our power off friday": {"intent": {"name": "tell_life_event"}, "entities": [
        {"entity": "life_event", "value": "utilities", "extractor": "SignpostNeeds"}]},
    "whats the score in the hockey": {"intent": {"name": "tell_life_event"}, "entities": [
        {"entity": "life_event", "value": "disaster"}]},
    "best lasagne recipe": {"intent": {"name": "out_of_scope"}, "entities": [
        {"entity": "life_event", "value": "food"}]},  # dropped: the dialogue ignores entities out of scope
}


def test_predicted_needs_are_what_the_dialogue_gets():
    assert predicted_needs(PARSES["my gran died on tuesday"]) == {"death"}
    assert predicted_needs(PARSES["best lasagne recipe"]) == frozenset()


def test_scores_on_the_fixture():
    report = score(rows_for([FIXTURE], PARSES.__getitem__))
    assert report.messages == 5
    assert report.per_need["housing"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert report.per_need["disaster"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert report.per_need["death"]["f1"] == 1.0 and report.per_need["job_loss"]["f1"] == 1.0
    # death, job_loss, utilities 1.0; housing, disaster 0.0
    assert report.macro_f1 == pytest.approx(0.6)
    assert report.out_of_scope == {"precision": 1.0, "recall": 0.5, "support": 2}
    assert report.in_scope_recall == 1.0
    assert report.exact == pytest.approx(0.6)
    assert {r.text for r in report.misses} == {"lost my job and the rent is due", "whats the score in the hockey"}


def test_in_scope_recall_counts_messages_given_no_need():
    rows = [Row("a", frozenset({"food"}), frozenset()), Row("b", frozenset({"food"}), frozenset({"housing"}))]
    report = score(rows)
    assert report.in_scope_recall == 0.5 and report.out_of_scope["precision"] == 0.0


def test_held_back_files_never_show_texts(tmp_path):
    held = tmp_path / "eval" / "test" / "x.yml"
    held.parent.mkdir(parents=True)
    held.write_text(FIXTURE.read_text())
    assert is_held_back(held) and not is_held_back(FIXTURE) and not is_held_back(Path("tests/nlu/x.yml"))
    text = run([held], PARSES.__getitem__)
    assert "need macro-F1" in text and "0.600" in text
    assert not any(m["text"] in text for m in load_messages(FIXTURE))
    as_json = json.loads(run([held], PARSES.__getitem__, as_json=True))
    assert as_json["misses"] == [] and as_json["misses_not_listed"] == 2
    shown = run([FIXTURE], PARSES.__getitem__)
    assert "whats the score in the hockey" in shown
    assert "whats the score in the hockey" not in format_report(score(rows_for([FIXTURE], PARSES.__getitem__)),
                                                               show_texts=False)


def test_malformed_files_fail_clearly(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("messages:\n  - {text: 3}\n")
    with pytest.raises(ValueError, match="message 0"):
        load_messages(bad)


def test_split_keeps_groups_whole_and_is_deterministic(tmp_path):
    doc = {"writer": "w", "messages": [{"group": f"g{i // 3}", "text": f"t{i}", "needs": []} for i in range(300)]}
    halves = split(doc)
    assert sum(len(h["messages"]) for h in halves.values()) == 300
    dev_groups = {m["group"] for m in halves["dev"]["messages"]}
    test_groups = {m["group"] for m in halves["test"]["messages"]}
    assert not dev_groups & test_groups and 30 < len(dev_groups) < 70  # about half of 100 groups
    assert all(half_of(m["group"]) == "dev" for m in halves["dev"]["messages"])
    source = tmp_path / "w.yml"
    source.write_text(yaml.safe_dump(doc))
    counts = write_split(source, tmp_path / "out")
    assert counts["dev"][1] + counts["test"][1] == 300
    assert yaml.safe_load((tmp_path / "out" / "dev" / "w.yml").read_text()) == halves["dev"]


@pytest.mark.integration
def test_command_evaluates_a_file_with_the_trained_model(trained_model):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "understand", "--model", str(trained_model),
                             "--evaluate", str(FIXTURE), "--json"], capture_output=True, text=True, cwd=PROJECT_ROOT,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["messages"] == 5 and set(report) >= {"per_need", "macro_f1", "out_of_scope", "in_scope_recall"}
    assert report["per_need"]["death"]["recall"] == 1.0 and report["per_need"]["utilities"]["recall"] == 1.0
    assert report["out_of_scope"]["recall"] == 1.0


def test_command_refuses_text_and_evaluate_together(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "understand", "--model", str(tmp_path / "m.tar.gz"),
                             "hi", "--evaluate", str(FIXTURE)], capture_output=True, text=True, cwd=PROJECT_ROOT,
                            timeout=120)
    assert result.returncode == 1 and "not both" in result.stderr
    missing = subprocess.run([sys.executable, "-m", "bot.cli", "understand", "--evaluate", str(tmp_path / "no.yml")],
                             capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert missing.returncode == 1 and "no such file" in missing.stderr
