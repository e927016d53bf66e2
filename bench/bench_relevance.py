"""Relevance of the first page: for scripted citizens written independently, is a key service in the top 3?

    .venv/bin/python bench/bench_relevance.py [--split dev|test|both] [--details] [--as-of 2026-12-01]

Loads the shipped catalogue into a temporary SQLite database, then for every citizen of
``tests/e2e/citizens/{dev,test}.yml`` builds the needs, place and stated facts as the dialogue would
(bot/dialogue/relevance.py), runs the match engine and the citizen-facing ranking, and prints the key-service-on-
page-1 (top 3) and top-5 rates. ``--details`` prints each dev citizen's first five services; the test half is only
ever reported as a total (it is never tuned on). Asserts nothing: tests/e2e/test_relevance.py holds the floor.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import make_engine, upgrade  # noqa: E402
from bot.dialogue.relevance import figures, read_citizens, run_citizen  # noqa: E402
from knowledge.loader import load_catalogue  # noqa: E402
from knowledge.match import match_profile  # noqa: E402
from knowledge.places import get_tree  # noqa: E402
from knowledge.vocab import load_vocabulary  # noqa: E402

CITIZENS = ROOT / "tests" / "e2e" / "citizens"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--details", action="store_true", help="each dev citizen's first five services")
    parser.add_argument("--as-of", default="2026-12-01")
    args = parser.parse_args()
    today = date.fromisoformat(args.as_of)
    vocab, tree = load_vocabulary(), get_tree()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'relevance.db'}"
        upgrade(url)
        engine = make_engine(url)
        report = load_catalogue(engine)
        if not report.ok:
            print("catalogue does not load:", *map(str, report.errors[:5]), sep="\n  ")
            return 1

        def match(profile: dict) -> dict:
            return match_profile(engine, profile, vocab=vocab, tree=tree, with_navigators=False)
        splits = ("dev", "test") if args.split == "both" else (args.split,)
        for split in splits:
            outcomes = [run_citizen(c, match, vocab, tree, today) for c in read_citizens(CITIZENS / f"{split}.yml")]
            if args.details and split == "dev":
                for o in outcomes:
                    mark = "HIT " if o.on_page else ("top5" if o.in_top else ("miss" if o.key_services else "n/a "))
                    print(f"{mark} {o.id} needs={o.needs} at={o.location} key@{o.rank_of_key()}")
                    for sid, title in list(zip(o.ranked, o.titles, strict=True))[:5]:
                        print(f"       {'*' if sid in o.key_services else ' '} {sid}: {title[:80]}")
            print(figures(outcomes).line(split))
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
