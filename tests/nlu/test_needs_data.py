"""The needs training data: labels are taxonomy ids, every need is taught broadly, nothing from the evaluation set."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import yaml

from bot.settings import PROJECT_ROOT
from bot.training import training_fingerprint

DATA = PROJECT_ROOT / "data" / "nlu"
EVAL = PROJECT_ROOT / "tests" / "nlu" / "eval"
MIN_EXAMPLES = 60  # per need, counting the messages that carry it among others


def _blocks():
    for path in sorted(DATA.rglob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" in block:
                yield block


def _texts(block) -> list[str]:
    return [re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line.strip()[2:]).strip()
            for line in (block.get("examples") or "").splitlines() if line.strip().startswith("- ")]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def test_situations_are_labelled_with_taxonomy_ids():
    from knowledge.vocab import load_vocabulary

    known = set(load_vocabulary().life_events)
    labels = Counter()
    for block in _blocks():
        if block["intent"] == "tell_life_event":
            needs = (block.get("metadata") or {}).get("needs")
            assert needs, f"a tell_life_event block without metadata.needs: {_texts(block)[:2]}"
            for need in needs:
                labels[need] += len(_texts(block))
    assert set(labels) <= known, sorted(set(labels) - known)
    assert set(labels) == known - {"out_of_scope"}, sorted(known - set(labels))  # every need is taught
    thin = {n: c for n, c in labels.items() if c < MIN_EXAMPLES}
    assert not thin, thin


def test_out_of_scope_is_taught_with_everyday_requests():
    out = [t for b in _blocks() if b["intent"] == "out_of_scope" for t in _texts(b)]
    assert len(out) >= 600


def test_no_evaluation_message_is_in_the_training_data():
    trained = {_norm(t) for b in _blocks() for t in _texts(b)}
    leaked = {"dev": 0, "test": 0}
    for half in leaked:
        for path in (EVAL / half).glob("*.yml"):
            for m in yaml.safe_load(path.read_text())["messages"]:
                # one- and two-word messages ("hi", "food bank") cannot differ from training data
                leaked[half] += len(m["text"].split()) > 2 and _norm(m["text"]) in trained
    assert leaked == {"dev": 0, "test": 0}  # counts only: the test half's texts are never printed


def test_retraining_fingerprint_covers_the_needs_files(tmp_path):
    for name in ("config.yml", "domain", "data"):
        source = PROJECT_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    before = training_fingerprint(tmp_path)
    needs_file = next((tmp_path / "data" / "nlu").rglob("needs_*.yml"))
    needs_file.write_text(needs_file.read_text() + "      - one more example of a need\n")
    assert training_fingerprint(tmp_path) != before
