"""The ``signpost`` command: one entry point for operators, tools and tests.

One module per subcommand group in this package (``run``, ``db``, ``desk``, ``knowledge``, ``report``; ``understand``
is ``bot.cli_understand``); each only parses arguments and calls the code it drives. This module builds the parser
and turns a :class:`~bot.cli.errors.CLIError` into one clear line and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import cli_understand
from bot.cli import db, desk, knowledge, report, run
from bot.cli.errors import EXIT_FAILURE, EXIT_OK, CLIError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signpost",
        description="Signpost: find the public services that fit a citizen's situation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    run.register(sub)
    db.register(sub)
    desk.register(sub)
    knowledge.register(sub)
    report.register(sub)
    cli_understand.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or EXIT_OK)
    except CLIError as exc:
        print(f"signpost {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
