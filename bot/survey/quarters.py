"""Calendar quarters, parsed in one place so the CLI, the report files and the web pages carry one label: "2026Q3".

People type "2026Q3", "2026q3", "2026-Q3" or "2026-q3"; every one becomes "2026Q3". Quarters are UTC calendar
quarters: 2026Q3 is [2026-07-01, 2026-10-01).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)
MAX_CHARS = 16  # longer input is refused before the pattern is tried
QUARTER_MONTHS = {1: "January to March", 2: "April to June", 3: "July to September", 4: "October to December"}


class QuarterError(ValueError):
    """Not a quarter (or not one that can be shown); the message says why and what to type instead."""


def _bounds(year: int, q: int) -> tuple[datetime, datetime]:
    start = datetime(year, 3 * q - 2, 1, tzinfo=UTC)
    end = datetime(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1, tzinfo=UTC)
    return start, end


def parse_quarter(raw: str) -> str:
    """``raw`` as the canonical label ("2026-q3" → "2026Q3"); else :class:`QuarterError`."""
    text = (raw or "").strip()
    match = QUARTER.fullmatch(text) if len(text) <= MAX_CHARS else None
    if match is None:
        raise QuarterError("The quarter must look like 2026Q3: a year, the letter Q and a quarter from 1 to 4.")
    label = f"{match[1]}Q{match[2]}"
    try:
        _bounds(int(match[1]), int(match[2]))
    except ValueError as exc:  # a year datetime cannot hold (0000, or the end of 9999Q4)
        raise QuarterError(f"There is no report for {label}: that year is out of range.") from exc
    return label


def quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    """Calendar quarter "2026Q3" (any form :func:`parse_quarter` reads) → [2026-07-01, 2026-10-01) in UTC."""
    label = parse_quarter(quarter)
    return _bounds(int(label[:4]), int(label[5]))


def quarter_of(moment: datetime) -> str:
    return f"{moment.year:04d}Q{(moment.month - 1) // 3 + 1}"


def quarter_name(label: str) -> str:
    """"2026Q3" → "2026 Q3 (July to September)"."""
    year, q = label.split("Q")
    return f"{year} Q{q} ({QUARTER_MONTHS[int(q)]})"


def latest_complete_quarter(now: datetime) -> str:
    current_start = datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)
    return quarter_of(current_start - timedelta(days=1))


def complete_quarter(raw: str, now: datetime) -> str:
    """``raw`` as its label if that quarter is over (only complete quarters are published); else
    :class:`QuarterError`."""
    label = parse_quarter(raw)
    if quarter_bounds(label)[1] > now:
        raise QuarterError(f"{label} is not over yet. The public report covers complete quarters only; the "
                           f"latest is {latest_complete_quarter(now)}.")
    return label
