"""``python -m bot.cli``: the ``signpost`` command without the console script."""

import sys

from bot.cli import main

sys.exit(main())
