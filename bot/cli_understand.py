"""``signpost understand ["TEXT"]``: what the NLU understood, as JSON (one object per stdin line without TEXT)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bot.cli.errors import CLIError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("understand", help="show what Signpost understood from a message, as JSON",
                       description="Print what the trained model understood from TEXT as JSON: life_events, location, "
                                   "answers, intent, confidence, out_of_scope, wants_person. Without TEXT, read one "
                                   "message per line on stdin and write one JSON object per line.")
    p.add_argument("text", nargs="?", help="the message (default: read lines from stdin)")
    p.add_argument("--model", help="model file (default: the model for the current training data)")
    p.add_argument("--evaluate", nargs="+", metavar="FILE", type=Path,
                   help="score the model on labelled message files ({messages: [{text, needs}]}): per-need "
                        "precision/recall/F1, macro-F1, out-of-scope precision/recall, in-scope recall, misses")
    p.add_argument("--json", action="store_true", help="with --evaluate: print the figures as JSON")
    p.add_argument("--hide-texts", action="store_true", help="with --evaluate: never print message texts")
    p.set_defaults(handler=_understand)


def _understand(args: argparse.Namespace) -> int:
    from bot.training import model_path

    if args.evaluate and args.text is not None:
        raise CLIError("give either TEXT or --evaluate FILE..., not both")
    for path in args.evaluate or []:
        if not path.is_file():
            raise CLIError(f"no such file: {path}")
    model = Path(args.model) if args.model else model_path()
    if not model.is_file():
        raise CLIError(f"no trained model at {model}; run `signpost train` first")
    if args.text is not None and not args.text.strip():
        raise CLIError("TEXT is empty")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from bot.understand import Understander

    understander = Understander(model)
    try:
        if args.evaluate:
            from bot.nlu.evaluate import run

            print(run(args.evaluate, understander.parse, as_json=args.json, show_texts=not args.hide_texts))
            return 0
        if args.text is not None:
            print(json.dumps(understander.understand(args.text), ensure_ascii=False))
            return 0
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(understander.understand(line.strip()), ensure_ascii=False), flush=True)
    finally:
        understander.close()
    return 0
