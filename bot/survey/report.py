"""The public quarterly report: one row per jurisdiction × service × channel × quarter, safe to publish.

Rows carry counts and percentages only — never a comment, a query, a conversation id or a citizen key.
Small cells are withheld with complementary suppression (see :mod:`bot.survey.suppression`).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db import session_factory
from bot.survey import quarters
from bot.survey.definition import (
    DRIVERS_LABELS,
    HANDOFF_ONLY_DRIVERS,
    LIKERT_LABELS,
    NEGATIVE,
    POSITIVE,
    QUESTION_VERSION,
    SATISFIED_FROM,
    WORDING,
    driver_polarity,
)
from bot.survey.failure_demand import (
    FALLBACK_LOOP,
    ContactFacts,
    Signals,
    behavioural_signals,
    is_failure_demand,
)
from bot.survey.index import CI_METHOD, headline_index, index_estimate, item_index, percent_satisfied
from bot.survey.models import ContactRecord, SurveyOffer, SurveyResponse
from bot.survey.suppression import ALL, THRESHOLD, suppress
from knowledge.clock import as_utc

NO_SERVICE = "(none)"
UNKNOWN_PLACE = "unknown"
LOW_BASE_MAX = 29
COMPLETED_END_POINTS = ("results", "handoff_closed")

KEY_COLUMNS = ["quarter", "jurisdiction", "service_id", "channel"]
REPORT_COLUMNS = KEY_COLUMNS + [
    "conversations", "surveys_offered", "responses", "response_rate",
    *[f"satisfaction_{p}" for p in LIKERT_LABELS],
    "satisfaction_index", "satisfaction_index_ci_low", "satisfaction_index_ci_high", "percent_satisfied",
    *[f"trust_{p}" for p in LIKERT_LABELS],
    "trust_index", "percent_trust",
    *[f"went_well_{k}_pct" for k in DRIVERS_LABELS],
    *[f"went_badly_{k}_pct" for k in DRIVERS_LABELS],
    "not_first_contact_pct",
    "completion_rate", "handoff_rate", "repeat_contact_7d_rate", "repeat_contact_28d_rate",
    "failure_demand_share",
    "base", "suppressed",
]


@dataclass
class _Cell:
    conversations: int = 0
    completed: int = 0
    handed_off: int = 0
    repeat_7d: int = 0
    repeat_28d: int = 0
    failure: int = 0
    offered: int = 0
    satisfaction: list[int] = field(default_factory=list)
    trust: list[int] = field(default_factory=list)
    branch: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    branch_handoff: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    drivers: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    first_time: list[str] = field(default_factory=list)


def _cell_keys(services: Iterable[str], channel: str) -> list[tuple[str, str]]:
    """A conversation counts once in each service it was shown, and once in every margin."""
    services = list(dict.fromkeys(services)) or [NO_SERVICE]
    keys = [(s, c) for s in services for c in (channel, ALL)]
    return keys + [(ALL, channel), (ALL, ALL)]


def contact_facts(row: ContactRecord) -> ContactFacts:
    return ContactFacts(
        conversation_id=row.conversation_id, started_at=as_utc(row.started_at), citizen_key=row.citizen_key,
        service_ids=tuple(row.service_ids or ()), topic=row.topic, handed_off=bool(row.handed_off),
        handoff_after_misunderstanding=bool(row.handoff_after_misunderstanding),
        max_consecutive_fallbacks=row.max_consecutive_fallbacks or 0, demand=row.demand,
        failure_type=row.failure_type, avoidable_contact_code=row.avoidable_contact_code,
    )


def _aggregate(engine: Engine, start: datetime, end: datetime) -> dict[str, dict[tuple[str, str], _Cell]]:
    Session = session_factory(engine)
    with Session() as session:
        contact_rows = session.execute(select(ContactRecord).where(
            ContactRecord.started_at >= start - timedelta(days=28), ContactRecord.started_at < end,
        )).scalars().all()
        offer_rows = session.execute(
            select(SurveyOffer, SurveyResponse)
            .outerjoin(SurveyResponse, SurveyResponse.offer_id == SurveyOffer.id)
            .where(SurveyOffer.offered_at >= start, SurveyOffer.offered_at < end)
        ).all()

    facts = [contact_facts(r) for r in contact_rows]
    signals = behavioural_signals(facts)
    tables: dict[str, dict[tuple[str, str], _Cell]] = defaultdict(lambda: defaultdict(_Cell))
    for row, fact in zip(contact_rows, facts, strict=True):
        if not start <= fact.started_at < end:
            continue
        signal = signals.get(fact.conversation_id, Signals())
        failure = is_failure_demand(fact, signal)
        table = tables[row.jurisdiction or UNKNOWN_PLACE]
        for key in _cell_keys(row.service_ids or (), row.channel):
            cell = table[key]
            cell.conversations += 1
            cell.completed += row.end_point in COMPLETED_END_POINTS
            cell.handed_off += bool(row.handed_off)
            cell.repeat_7d += signal.repeat_7d
            cell.repeat_28d += signal.repeat_28d
            cell.failure += failure

    for offer, response in offer_rows:
        table = tables[offer.jurisdiction or UNKNOWN_PLACE]
        for key in _cell_keys(offer.service_ids or (), offer.channel):
            cell = table[key]
            cell.offered += 1
            if response is None or response.satisfaction is None:
                continue  # a response counts once its headline (satisfaction) is answered
            cell.satisfaction.append(response.satisfaction)
            if response.trust is not None:
                cell.trust.append(response.trust)
            polarity = driver_polarity(response.satisfaction)
            cell.branch[polarity] += 1
            cell.branch_handoff[polarity] += bool(offer.handed_off)
            if response.drivers and response.drivers_polarity == polarity:
                for driver in response.drivers:
                    cell.drivers[(polarity, driver)] += 1
            if response.first_time:
                cell.first_time.append(response.first_time)
    return tables


def _pct(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _row(quarter: str, jurisdiction: str, key: tuple[str, str], cell: _Cell) -> dict[str, Any]:
    responses = len(cell.satisfaction)
    headline = headline_index(cell.satisfaction)
    trust = index_estimate([item_index(t, 1, 5) for t in cell.trust])
    row: dict[str, Any] = {
        "quarter": quarter, "jurisdiction": jurisdiction, "service_id": key[0], "channel": key[1],
        "conversations": cell.conversations, "surveys_offered": cell.offered, "responses": responses,
        "response_rate": _pct(responses, cell.offered),
    }
    for point in LIKERT_LABELS:
        row[f"satisfaction_{point}"] = cell.satisfaction.count(point)
    row.update({
        "satisfaction_index": _round(headline.index),
        "satisfaction_index_ci_low": _round(headline.ci_low),
        "satisfaction_index_ci_high": _round(headline.ci_high),
        "percent_satisfied": _round(percent_satisfied(cell.satisfaction, SATISFIED_FROM)),
    })
    for point in LIKERT_LABELS:
        row[f"trust_{point}"] = cell.trust.count(point)
    row["trust_index"] = _round(trust.index)
    row["percent_trust"] = _round(percent_satisfied(cell.trust, SATISFIED_FROM))
    for polarity, prefix in ((POSITIVE, "went_well"), (NEGATIVE, "went_badly")):
        for driver in DRIVERS_LABELS:
            base = cell.branch_handoff[polarity] if driver in HANDOFF_ONLY_DRIVERS else cell.branch[polarity]
            row[f"{prefix}_{driver}_pct"] = _pct(cell.drivers[(polarity, driver)], base)
    row["not_first_contact_pct"] = _pct(cell.first_time.count("no"), len(cell.first_time))
    row.update({
        "completion_rate": _pct(cell.completed, cell.conversations),
        "handoff_rate": _pct(cell.handed_off, cell.conversations),
        "repeat_contact_7d_rate": _pct(cell.repeat_7d, cell.conversations),
        "repeat_contact_28d_rate": _pct(cell.repeat_28d, cell.conversations),
        "failure_demand_share": _pct(cell.failure, cell.conversations),
    })
    row["base"] = "low base" if THRESHOLD <= responses <= LOW_BASE_MAX else ""
    row["suppressed"] = ""
    return row


def _withhold(row: dict[str, Any], reason: str) -> dict[str, Any]:
    withheld = {c: (row[c] if c in KEY_COLUMNS else None) for c in REPORT_COLUMNS}
    withheld["base"] = "suppressed"
    withheld["suppressed"] = reason
    return withheld


def _sort_key(row: dict[str, Any]) -> tuple[str, bool, str, bool, str]:
    return (row["jurisdiction"], row["service_id"] == ALL, row["service_id"], row["channel"] == ALL,
            row["channel"])


def build_report(engine: Engine, quarter: str = "2026Q3") -> list[dict[str, Any]]:
    """Every publishable row of the quarter, margins included (``service_id``/``channel`` = "all")."""
    start, end = quarters.quarter_bounds(quarter)
    label = quarters.parse_quarter(quarter)
    rows: list[dict[str, Any]] = []
    for jurisdiction, table in _aggregate(engine, start, end).items():
        withheld = suppress({k: (len(c.satisfaction), c.conversations) for k, c in table.items()})
        for key, cell in table.items():
            row = _row(label, jurisdiction, key, cell)
            rows.append(_withhold(row, withheld[key]) if key in withheld else row)
    return sorted(rows, key=_sort_key)


# --- writers ---------------------------------------------------------------------------------------------------

def write_csv(rows: list[dict[str, Any]], out: IO[str], columns: list[str] | None = None) -> None:
    """CSV with a header; empty cells for withheld or undefined values."""
    columns = columns or REPORT_COLUMNS
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})


def write_json(rows: list[dict[str, Any]], out: IO[str], quarter: str) -> None:
    """JSON document: the rows, their columns and the methodology that explains them."""
    json.dump({"quarter": quarter, "question_version": QUESTION_VERSION, "columns": REPORT_COLUMNS,
               "methodology": methodology(), "rows": rows}, out, indent=2, ensure_ascii=False)
    out.write("\n")


def methodology() -> str:
    """What a reader needs to interpret the report: wording, scales, formulae, suppression."""
    scale = "; ".join(f"{p} = {label}" for p, label in LIKERT_LABELS.items())
    drivers = "; ".join(f"{k} = \"{label}\"" for k, label in DRIVERS_LABELS.items())
    return f"""\
Signpost exit survey — methodology (question version {QUESTION_VERSION})

Who is asked. The survey is offered once per conversation, at the first end point reached (services shown,
caseworker handoff closed, nothing found, or the citizen says goodbye), on every channel. Every step can be
skipped. One response per conversation is counted, however many times it is submitted.

Items (OMB Circular A-11 Section 280):
1. "{WORDING['satisfaction']}" ({scale}). The headline.
2. "{WORDING['trust'].format(service='[the public service]')}" Same scale.
3. Drivers, branched on item 1: 4-5 are asked "{WORDING['drivers_positive']}", 1-3 "{WORDING['drivers_negative']}"
   Options: {drivers}. The caseworker option is shown only after a handoff.
4. "{WORDING['first_time']}" Yes / No, I've contacted you before / Not sure.
5. An optional comment. Comments are redacted of personal data before storage and are never published.

Scales and formula. Raw answers are stored with their scale minimum and maximum. Each answer becomes an item
index: index = 100 x (x - min) / (max - min), so on the 1-5 scale 1 -> 0, 2 -> 25, 3 -> 50, 4 -> 75, 5 -> 100.
Ratings collected elsewhere on other scales convert the same way (4 on 1-5 -> 75; 6 on 0-10 -> 60).
satisfaction_index is the mean item-1 index of the responses in the row. Its 95% confidence interval is a
{CI_METHOD}
percent_satisfied is the share answering 4 or 5 to item 1; percent_trust the same for item 2; trust_index the
mean item-2 index. A response counts in "responses" once item 1 is answered; response_rate = responses /
surveys_offered. satisfaction_1..5 and trust_1..5 count answers at each scale point.
Driver percentages: respondents choosing the driver / respondents in that branch (item 1 of 4-5 for went_well,
1-3 for went_badly), skips included in the base; for caseworker_helpful the base is respondents in the branch
whose conversation was handed off. not_first_contact_pct: "No" answers / answers to item 4.

Conversations. completion_rate: conversations that reached services shown or a closed handoff. handoff_rate:
conversations handed to a caseworker. repeat_contact_7d_rate / 28d_rate: conversations by the same
(pseudonymous) person about the same service (or topic) within 7 / 28 days of an earlier one.
failure_demand_share: conversations with any sign of failure demand — a failure intent or wording (chasing
progress, done wrong, explaining our letters, wrong jurisdiction, information that should have been online,
assistant-caused), a repeat contact within 28 days, {FALLBACK_LOOP} or more fallbacks in a row, a handoff after the
assistant misunderstood, or a caseworker's avoidable-contact code.

Rows. One row per jurisdiction x service x channel x calendar quarter (UTC), plus margins: service "all"
counts each conversation once; channel "all" sums the channels. A conversation that showed several services
counts in each of their rows; "{NO_SERVICE}" is conversations where no service was shown.

Suppression. A row with 1-{THRESHOLD - 1} responses or 1-{THRESHOLD - 1} conversations is withheld (suppressed =
primary). Further rows are withheld (suppressed = complementary) until, within each jurisdiction and quarter,
every row and column of the service x channel table, margins included, has no withheld cell or at least two,
and no withheld value can be recovered by any chain of subtractions from published totals. Rows with
{THRESHOLD}-{LOW_BASE_MAX} responses are published and flagged "low base": read them with care.
No totals across jurisdictions are published.
"""


# --- GSA Touchpoints / OMB A-11 layouts ---------------------------------------------------------------------------

TOUCHPOINTS_DRIVER = {
    "effectiveness": "effectiveness", "ease": "ease", "efficiency": "efficiency",
    "transparency": "transparency", "humanity": "humanity", "employee": "caseworker_helpful",
    "other": "assistant_understood",
}
TOUCHPOINTS_RESPONSE_COLUMNS = (
    ["external_id", "question_1"]
    + [f"positive_{k}" for k in TOUCHPOINTS_DRIVER]
    + [f"negative_{k}" for k in TOUCHPOINTS_DRIVER]
    + ["question_4"]
)
"""The 17-column CX Data Collection upload (one row per response). question_4 (open text) is always empty:
comments are never exported."""

TOUCHPOINTS_SUMMARY_COLUMNS = (
    ["quarter", "jurisdiction", "service_provided", "channel", "volume_of_customers",
     "volume_of_customers_provided_survey_opportunity", "volume_of_respondents",
     "q1_text", "q1_1", "q1_2", "q1_3", "q1_4", "q1_5", "q2_text", "q2_1", "q2_2", "q2_3", "q2_4", "q2_5"]
)
"""The quarterly OMB CX reporting summary per service and channel (Touchpoints ``omb_cx_reporting_collections``
fields), from the suppressed public rows."""


def touchpoints_responses(engine: Engine, quarter: str, jurisdiction_prefix: str = "US") -> list[dict[str, str]]:
    """Per-response rows in the Touchpoints CX Data Collection layout, for US services.

    ``external_id`` is an opaque id of the response row (not the conversation or the person). Driver columns:
    "1" chosen, "0" asked in that branch but not chosen, "" not asked. Not a public file: it goes to OMB.
    """
    start, end = quarters.quarter_bounds(quarter)
    with session_factory(engine)() as session:
        pairs = session.execute(
            select(SurveyOffer, SurveyResponse).join(SurveyResponse, SurveyResponse.offer_id == SurveyOffer.id)
            .where(SurveyOffer.offered_at >= start, SurveyOffer.offered_at < end,
                   SurveyResponse.satisfaction.is_not(None))
            .order_by(SurveyResponse.id)
        ).all()
    rows = []
    for offer, response in pairs:
        if not (offer.jurisdiction or "").startswith(jurisdiction_prefix):
            continue
        row = {c: "" for c in TOUCHPOINTS_RESPONSE_COLUMNS}
        row["external_id"] = f"signpost-{response.id}"
        row["question_1"] = str(response.satisfaction)
        polarity = driver_polarity(response.satisfaction)
        if response.drivers is not None and response.drivers_polarity == polarity:
            prefix = "positive" if polarity == POSITIVE else "negative"
            for column, driver in TOUCHPOINTS_DRIVER.items():
                if driver in HANDOFF_ONLY_DRIVERS and not offer.handed_off:
                    continue
                row[f"{prefix}_{column}"] = "1" if driver in response.drivers else "0"
        rows.append(row)
    return rows


def touchpoints_summary(rows: list[dict[str, Any]], jurisdiction_prefix: str = "US") -> list[dict[str, Any]]:
    """The OMB quarterly summary layout, from (already suppressed) report rows of US jurisdictions."""
    out = []
    for row in rows:
        if not str(row["jurisdiction"]).startswith(jurisdiction_prefix) or row["service_id"] == ALL:
            continue
        out.append({
            "quarter": row["quarter"], "jurisdiction": row["jurisdiction"],
            "service_provided": row["service_id"], "channel": row["channel"],
            "volume_of_customers": row["conversations"],
            "volume_of_customers_provided_survey_opportunity": row["surveys_offered"],
            "volume_of_respondents": row["responses"],
            "q1_text": WORDING["satisfaction"],
            **{f"q1_{p}": row[f"satisfaction_{p}"] for p in LIKERT_LABELS},
            "q2_text": WORDING["trust"].format(service="[the public service]"),
            **{f"q2_{p}": row[f"trust_{p}"] for p in LIKERT_LABELS},
        })
    return out
