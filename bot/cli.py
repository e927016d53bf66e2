"""The ``signpost`` command: one entry point for operators, tools and tests.

Each subcommand lives with the code it drives (``knowledge.cli`` registers ``knowledge`` and ``match``);
this module only builds the parser and turns known failures into a clear message and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CLIError(Exception):
    """A failure the user can fix; printed as one line, exit status 1."""


def build_parser() -> argparse.ArgumentParser:
    from bot import cli_db, cli_desk, cli_run, cli_understand
    from bot.survey import cli as survey_cli
    from knowledge import cli as knowledge_cli

    parser = argparse.ArgumentParser(
        prog="signpost",
        description="Signpost: find the public services that fit a citizen's situation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    cli_run.register(sub)
    cli_db.register(sub)
    cli_desk.register(sub)
    knowledge_cli.register(sub)
    survey_cli.register(sub)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
