"""Deterministic group split of independently written evaluation messages into ``dev`` and ``test`` halves.

A group (one writer's family of related messages) goes wholly to one half, chosen by a hash of its id, so no
phrasing family crosses the split. Tune on ``dev`` only; ``test`` is for the final figures, never read by eye.
``python -m bot.nlu.eval_split /work/helpers/out/en_w1.yml ...`` writes ``tests/nlu/eval/{dev,test}/<name>``
and prints only counts.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

EVAL_DIR = PROJECT_ROOT / "tests" / "nlu" / "eval"
HALVES = ("dev", "test")


def half_of(group: str) -> str:
    """``dev`` or ``test`` for a group id: the low bit of its SHA-256."""
    return HALVES[hashlib.sha256(str(group).encode("utf-8")).digest()[0] & 1]


def split(document: dict) -> dict[str, dict]:
    """The writer's document as two documents of the same shape, one per half."""
    halves: dict[str, dict] = {h: {"writer": document.get("writer"), "messages": []} for h in HALVES}
    for message in document.get("messages") or []:
        halves[half_of(message["group"])]["messages"].append(message)
    return halves


def write_split(source: Path, out_dir: Path = EVAL_DIR) -> dict[str, tuple[int, int]]:
    """Write ``out_dir/{dev,test}/<source name>``; returns (groups, messages) per half."""
    halves = split(yaml.safe_load(source.read_text(encoding="utf-8")))
    counts = {}
    for half, doc in halves.items():
        target = out_dir / half / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        counts[half] = (len({m["group"] for m in doc["messages"]}), len(doc["messages"]))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=EVAL_DIR)
    args = parser.parse_args(argv)
    for source in args.files:
        for half, (groups, messages) in write_split(source, args.out).items():
            print(f"{source.name}: {half}: {groups} groups, {messages} messages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
