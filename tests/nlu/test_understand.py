"""`signpost understand`: the pure summary, and the command on the trained model (one process, many lines)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT
from bot.understand import summarise

KEYS = {"life_events", "location", "answers", "intent", "confidence", "out_of_scope", "wants_person"}


def parse(text, intent, entities=(), confidence=0.9):
    return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": list(entities)}


def test_summary_of_a_rich_message():
    out = summarise(parse("my husband died, I'm 67, Halifax", "tell_life_event", [
        {"entity": "relation", "value": "spouse"}, {"entity": "life_event", "value": "death"},
        {"entity": "age", "value": 67}, {"entity": "place", "value": "Halifax"}]))
    assert set(out) == KEYS
    assert out["life_events"] == ["death"] and out["location"] == "CA-NS-halifax"
    assert out["answers"] == {"applicant_age": 67, "applicant_relationship_to_the_deceased": "spouse",
                              "applicant_marital_status": "widowed"}  # a woman whose husband died is widowed
    assert not out["out_of_scope"] and not out["wants_person"]


def test_summary_flags():
    assert summarise(parse("book a flight", "out_of_scope"))["out_of_scope"] is True
    assert summarise(parse("x", "nlu_fallback", confidence=0.2))["out_of_scope"] is True
    assert summarise(parse("a person please", "ask_person"))["wants_person"] is True
    assert summarise(parse("London", "inform_location", [{"entity": "place", "value": "London"}]))["location"] \
        is None  # ambiguous: not a code


@pytest.mark.integration
def test_command_reads_stdin_lines_and_writes_one_json_per_line(trained_model):
    lines = ["my dad died and I live in Halifax", "what's the weather", "can I talk to a real person", "Nova Scotia"]
    result = subprocess.run([sys.executable, "-m", "bot.cli", "understand", "--model", str(trained_model)],
                            input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4 and all(set(r) == KEYS for r in rows)
    assert rows[0]["life_events"] == ["death"] and rows[0]["location"] == "CA-NS-halifax"
    assert rows[1]["out_of_scope"] is True
    assert rows[2]["wants_person"] is True
    assert rows[3]["location"] == "CA-NS"


@pytest.mark.integration
def test_command_with_text(trained_model):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "understand", "--model", str(trained_model),
                             "got laid off in Toronto"], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert out["life_events"] == ["job_loss"] and out["location"] == "CA-ON-toronto"
    assert out["intent"] == "tell_life_event"


def test_missing_model_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "understand", "--model", str(tmp_path / "no.tar.gz"),
                             "hi"], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 1 and "no trained model" in result.stderr
