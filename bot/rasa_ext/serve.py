"""``python -m bot.rasa_ext.serve ARGS``: ``rasa run ARGS`` with the HTTP API token taken from the environment.

Passing ``--auth-token`` on the command line would show the token to anyone who can list processes.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = ["rasa", "run", *sys.argv[1:]]
    token = os.environ.get("SIGNPOST_RASA_TOKEN")
    if token:
        args += ["--auth-token", token]
    sys.argv = args  # rasa parses sys.argv; /proc/<pid>/cmdline keeps the original, token-free arguments
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
