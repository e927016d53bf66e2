"""What every subcommand may raise: a failure the user can fix, and the exit statuses.

Its own module (importing nothing of Signpost) so the subcommands and ``bot.cli`` can all import it without a circle.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CLIError(Exception):
    """A failure the user can fix; printed as one line, exit status 1."""
