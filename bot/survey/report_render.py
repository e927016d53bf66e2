"""The report files as text: what ``signpost report`` writes and what the public report page serves, byte for byte.

Its own module (not the CLI's) so the web views and the CLI both import it and neither imports the other.
"""

from __future__ import annotations

import io
import json

from sqlalchemy.engine import Engine

from bot.survey.quarters import parse_quarter
from bot.survey.report import (
    TOUCHPOINTS_RESPONSE_COLUMNS,
    TOUCHPOINTS_SUMMARY_COLUMNS,
    build_report,
    touchpoints_responses,
    touchpoints_summary,
    write_csv,
    write_json,
)


def render_report(engine: Engine, quarter: str, fmt: str = "csv", touchpoints: bool = False) -> str:
    """The report (or the per-response Touchpoints upload) for ``quarter`` as CSV or JSON text."""
    quarter = parse_quarter(quarter)
    buffer = io.StringIO()
    if touchpoints:
        responses = touchpoints_responses(engine, quarter)
        if fmt == "csv":
            write_csv(responses, buffer, TOUCHPOINTS_RESPONSE_COLUMNS)
        else:
            json.dump(responses, buffer, indent=2)
            buffer.write("\n")
    else:
        rows = build_report(engine, quarter)
        if fmt == "csv":
            write_csv(rows, buffer)
        else:
            write_json(rows, buffer, quarter)
    return buffer.getvalue()


def render_touchpoints_summary(engine: Engine, quarter: str) -> str:
    """The OMB A-11 quarterly summary (GSA Touchpoints fields) of US services, from the suppressed rows, as CSV."""
    buffer = io.StringIO()
    write_csv(touchpoints_summary(build_report(engine, parse_quarter(quarter))), buffer, TOUCHPOINTS_SUMMARY_COLUMNS)
    return buffer.getvalue()
