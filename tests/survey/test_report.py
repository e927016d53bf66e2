"""The quarterly report from a seeded month, checked against numbers worked out by hand from bot.survey.seed.

Cell US-CO × us-snap × web (cohort "co-snap-web"): 50 conversations k = 0…49; k < 48 offered, k < 5 handed off,
k < 40 answer. Satisfaction cycles 5,5,5,4,4,4,4,3,2,1 (four times): counts 1:4 2:4 3:4 4:16 5:12; indexes per
cycle 3×100 + 4×75 + 50 + 25 + 0 = 675 → mean 67.5; squared deviations per cycle 10062.5, s² = 4×10062.5/39,
half-width t(.975, 39) 2.0227 × s/√40 = 10.27 → CI 57.2–77.8; % satisfied 28/40 = 70.0.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math

import pytest
from sqlalchemy import select

from bot.cli import report as report_cli
from bot.db import session_factory
from bot.survey.models import SurveyResponse, UnmetDemand
from bot.survey.quarters import quarter_bounds
from bot.survey.report import (
    REPORT_COLUMNS,
    TOUCHPOINTS_RESPONSE_COLUMNS,
    build_report,
    methodology,
    touchpoints_responses,
    touchpoints_summary,
    write_csv,
    write_json,
)
from bot.survey.seed import PII_COMMENTS, UNMET_QUERIES, seed_month


def cell(rows, jurisdiction, service, channel):
    (row,) = [r for r in rows if (r["jurisdiction"], r["service_id"], r["channel"]) == (jurisdiction, service, channel)]
    return row


def test_seeded_month_matches_the_hand_computed_report(seeded):
    rows = build_report(seeded, "2026Q3")
    snap_web = cell(rows, "US-CO", "us-snap", "web")
    half = 2.0227 * math.sqrt(4 * 10062.5 / 39 / 40)
    assert snap_web == {
        **snap_web,
        "quarter": "2026Q3", "conversations": 50, "surveys_offered": 48, "responses": 40,
        "response_rate": round(100 * 40 / 48, 1),  # 83.3
        "satisfaction_1": 4, "satisfaction_2": 4, "satisfaction_3": 4, "satisfaction_4": 16, "satisfaction_5": 12,
        "satisfaction_index": 67.5, "satisfaction_index_ci_low": round(67.5 - half, 1),  # 57.2
        "satisfaction_index_ci_high": round(67.5 + half, 1),  # 77.8
        "percent_satisfied": 70.0,
        # trust cycles 5,4,skip,3,4 over k < 40: 8×5, 16×4, 8×3 → (800 + 1200 + 400) / 32
        "trust_3": 8, "trust_4": 16, "trust_5": 8, "trust_index": 75.0, "percent_trust": 75.0,
        # drivers cycle by k mod 4; 28 satisfied respondents, 8 of them with k ≡ 0 (mod 4) chose effectiveness
        "went_well_effectiveness_pct": round(100 * 8 / 28, 1),
        # caseworker driver: k = 0, 2, 4 of the 5 handed-off (all satisfied) respondents
        "went_well_caseworker_helpful_pct": 60.0,
        # 12 dissatisfied (k ≡ 7, 8, 9 mod 10); efficiency for k ≡ 1 (mod 4): k = 9, 17, 29, 37
        "went_badly_efficiency_pct": round(100 * 4 / 12, 1),
        "went_badly_caseworker_helpful_pct": None,  # nobody handed off was dissatisfied
        "not_first_contact_pct": 25.0,  # "no" for k ≡ 2 (mod 4): 10 of 40
        "completion_rate": 96.0,  # 48 of 50 reached results or a closed handoff
        "handoff_rate": 10.0,
        "repeat_contact_7d_rate": 10.0,  # k ≡ 1 (mod 10): 3 days after k − 1
        "repeat_contact_28d_rate": 20.0,  # … and k ≡ 3 (mod 10): 20 days after k − 1
        # failure: k ≡ 0 (intent), 1 and 3 (repeat), 5 (fallback loop) → 20; + k = 2 (handoff after
        # misunderstanding) + k = 4 (caseworker: explaining letters) → 22 of 50
        "failure_demand_share": 44.0,
        "base": "", "suppressed": "",
    }
    # 4 responses on Telegram: withheld; the complements keep it from being derived from the totals
    assert cell(rows, "US-CO", "us-snap", "telegram")["suppressed"] == "primary"
    assert cell(rows, "US-CO", "us-snap", "telegram")["responses"] is None
    for service, channel in (("us-snap", "sms"), ("us-liheap", "telegram"), ("us-liheap", "sms")):
        assert cell(rows, "US-CO", service, channel)["suppressed"] == "complementary"
    # margins: each conversation once; 12–29 responses is a low base
    everything = cell(rows, "US-CO", "all", "all")
    assert (everything["conversations"], everything["surveys_offered"], everything["responses"]) == (
        50 + 25 + 6 + 35 + 14 + 18, 48 + 24 + 6 + 32 + 13 + 16, 40 + 20 + 4 + 30 + 12 + 15)
    assert cell(rows, "US-CO", "all", "telegram")["base"] == "low base"  # 4 + 15 = 19 responses
    # nothing found in Nova Scotia: 3 responses, withheld
    assert cell(rows, "CA-NS", "(none)", "web")["suppressed"] == "primary"
    assert {r["quarter"] for r in rows} == {"2026Q3"}
    assert all(list(r) == REPORT_COLUMNS for r in rows)


def test_seeding_twice_changes_nothing(seeded):
    before = build_report(seeded, "2026Q3")
    seed_month(seeded, "2026-07")
    assert build_report(seeded, "2026Q3") == before
    assert build_report(seeded, "2026Q2") == []


def test_no_personal_datum_or_comment_reaches_storage_or_any_export(seeded, monkeypatch, tmp_path):
    fragments = [f for _, fs in PII_COMMENTS + UNMET_QUERIES for f in fs]
    with session_factory(seeded)() as session:
        stored = list(session.execute(select(SurveyResponse.comment_redacted)).scalars())
        stored += list(session.execute(select(UnmetDemand.query_redacted)).scalars())
    stored_text = "\n".join(s for s in stored if s)
    assert "[NAME]" in stored_text and "[PHONE]" in stored_text  # the comments were stored, redacted
    for fragment in fragments:
        assert fragment.lower() not in stored_text.lower(), fragment

    rows = build_report(seeded, "2026Q3")
    exports = {}
    buffer = io.StringIO()
    write_csv(rows, buffer)
    exports["csv"] = buffer.getvalue()
    buffer = io.StringIO()
    write_json(rows, buffer, "2026Q3")
    exports["json"] = buffer.getvalue()
    buffer = io.StringIO()
    write_csv(touchpoints_responses(seeded, "2026Q3"), buffer, TOUCHPOINTS_RESPONSE_COLUMNS)
    exports["touchpoints"] = buffer.getvalue()
    exports["touchpoints_summary"] = json.dumps(touchpoints_summary(rows))
    exports["methodology"] = methodology()
    monkeypatch.setenv("DATABASE_URL", str(seeded.url.render_as_string(hide_password=False)))
    for fmt in ("csv", "json"):
        for touchpoints in (False, True):
            exports[f"cli-{fmt}-{touchpoints}"] = run_cli(tmp_path, fmt, touchpoints)

    stored_comments = [s for s in stored if s]
    for name, text in exports.items():
        lowered = text.lower()
        for fragment in fragments:
            assert fragment.lower() not in lowered, (name, fragment)
        for comment in stored_comments:  # not even the redacted comments are published
            assert comment.lower() not in lowered, (name, comment)
        for marker in ("[name]", "[phone]", "[email]", "seed-co-", "-citizen-"):
            assert marker not in lowered, (name, marker)


def run_cli(tmp_path, fmt: str, touchpoints: bool) -> str:
    parser = argparse.ArgumentParser(prog="signpost")
    report_cli.register(parser.add_subparsers(dest="command"))
    output = tmp_path / f"report-{fmt}-{touchpoints}.{fmt}"
    argv = ["report", "--quarter", "2026Q3", "--format", fmt, "--output", str(output)]
    args = parser.parse_args(argv + (["--touchpoints"] if touchpoints else []))
    assert args.handler(args) == 0
    return output.read_text(encoding="utf-8")


def test_cli_writes_csv_json_and_touchpoints_layouts(seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", seeded.url.render_as_string(hide_password=False))
    table = list(csv.DictReader(io.StringIO(run_cli(tmp_path, "csv", False))))
    assert list(table[0]) == REPORT_COLUMNS
    assert cell(table, "US-CO", "us-snap", "web")["satisfaction_index"] == "67.5"
    assert cell(table, "US-CO", "us-snap", "telegram")["satisfaction_index"] == ""
    document = json.loads(run_cli(tmp_path, "json", False))
    assert document["quarter"] == "2026Q3" and "100 x (x - min) / (max - min)" in document["methodology"]
    assert cell(document["rows"], "US-CO", "us-snap", "web")["responses"] == 40

    upload = list(csv.DictReader(io.StringIO(run_cli(tmp_path, "csv", True))))
    assert list(upload[0]) == TOUCHPOINTS_RESPONSE_COLUMNS and len(TOUCHPOINTS_RESPONSE_COLUMNS) == 17
    # US services only: 40 + 20 + 4 + 30 + 12 + 15 responses; never the free text
    assert len(upload) == 121
    assert {r["question_4"] for r in upload} == {""}
    first = upload[0]  # co-snap-web k = 0: satisfied, chose effectiveness + ease + caseworker after a handoff
    assert (first["question_1"], first["positive_effectiveness"], first["positive_ease"],
            first["positive_efficiency"], first["positive_employee"], first["negative_ease"]) == (
        "5", "1", "1", "0", "1", "")

    # the quarterly OMB summary layout takes its suppression from the public rows
    summary = touchpoints_summary(build_report(seeded, "2026Q3"))
    snap_web = cell([{**r, "service_id": r["service_provided"]} for r in summary], "US-CO", "us-snap", "web")
    assert (snap_web["volume_of_customers"], snap_web["volume_of_respondents"], snap_web["q1_5"],
            snap_web["q2_4"]) == (50, 40, 12, 16)
    telegram = [r for r in summary if (r["service_provided"], r["channel"]) == ("us-snap", "telegram")][0]
    assert telegram["volume_of_respondents"] is None and telegram["q1_1"] is None
    assert {r["jurisdiction"] for r in summary} == {"US-CO"}


def test_cli_refuses_a_malformed_quarter(monkeypatch, tmp_path):
    from bot.cli.errors import CLIError

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    parser = argparse.ArgumentParser()
    report_cli.register(parser.add_subparsers())
    args = parser.parse_args(["report", "--quarter", "2026-09"])
    with pytest.raises(CLIError, match="2026Q3"):
        args.handler(args)


def test_cli_explains_missing_tables(monkeypatch, tmp_path):
    from bot.cli.errors import CLIError

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    parser = argparse.ArgumentParser()
    report_cli.register(parser.add_subparsers())
    args = parser.parse_args(["report", "--quarter", "2026Q3"])
    with pytest.raises(CLIError, match="db upgrade"):
        args.handler(args)


@pytest.mark.parametrize(("quarter", "start", "end"), [
    ("2026Q3", "2026-07-01", "2026-10-01"), ("2026q4", "2026-10-01", "2027-01-01"), ("2027-Q1", "2027-01-01",
                                                                                   "2027-04-01"),
])
def test_quarter_bounds(quarter, start, end):
    lo, hi = quarter_bounds(quarter)
    assert (lo.date().isoformat(), hi.date().isoformat()) == (start, end)
