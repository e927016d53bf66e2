"""GSA Benefit finder golden scenarios against the imported px-benefit-finder catalogue, as of the data's date.

The finder's own Cypress tests check, for the scenarios that state results, the number of eligible benefits and
that every listed title is shown (a listed title may be the start of the full title). Dates come either as
{"month", "day", "year"} or split into ``<key>_month/_day/_year`` fields.
"""

import json
from pathlib import Path

import pytest

from bot.db import make_engine
from knowledge import CATALOGUE_DIR
from knowledge.importers import default_data_dir
from knowledge.loader import load_catalogue
from knowledge.match import match_profile

FIXTURE = Path(default_data_dir()) / "us_usagov_benefits_eligibility/successor_px_benefit_finder/benefits-eligibility.cypress-fixture.json"
PX_FILE = Path(CATALOGUE_DIR) / "us_px_benefit_finder.yml"
AS_OF = "2025-01-29"  # current.json's date: relative rules such as <2years depend on it


def scenarios():
    if not FIXTURE.exists():
        pytest.skip(f"shared data not found at {FIXTURE}")
    data = json.loads(FIXTURE.read_text())
    return {name: s["en"] for name, s in data.items() if "results" in s.get("en", {})}


def test_four_scenarios_state_results():
    assert sorted(scenarios()) == ["scenario_1_covid", "scenario_2_veteran", "scenario_3_coal_miner", "zero_benefit_view"]


@pytest.fixture
def px_engine(migrated_url):
    engine = make_engine(migrated_url)
    report = load_catalogue(engine, PX_FILE)
    assert report.ok and report.services == 30
    yield engine
    engine.dispose()


def test_golden_scenarios(px_engine):
    for name, scenario in scenarios().items():
        answers = {k: v for k, v in scenario["param"].items() if k != "shared"}
        out = match_profile(px_engine, {"life_events": ["death"], "location": "US", "answers": answers, "as_of": AS_OF})
        assert not out.get("problems"), (name, out.get("problems"))
        assert len(out["services"]) == scenario["results"]["total_benefits"]
        likely = [s["title"] for s in out["services"] if s["status"] == "likely"]
        expected = scenario["results"]["eligible"]
        assert len(likely) == expected["length"], (name, likely)
        for title in expected.get("eligible_benefits", []):
            assert any(t.startswith(title) for t in likely), (name, title, likely)
        more = scenario["results"].get("moreInformationNeeded")
        if name == "scenario_1_covid":  # the one "more information" count that follows the same rule semantics
            assert sum(s["status"] == "maybe" for s in out["services"]) == more["length"]


def test_the_as_of_date_changes_the_answer(px_engine):
    scenario = scenarios()["scenario_3_coal_miner"]
    answers = {k: v for k, v in scenario["param"].items() if k != "shared"}
    lump_sum = "Lump-sum death benefit"

    def status(as_of):
        out = match_profile(px_engine, {"life_events": ["death"], "location": "US", "answers": answers, "as_of": as_of})
        return next(s["status"] for s in out["services"] if s["title"] == lump_sum)

    assert status("2025-01-29") == "likely"  # died 2023-05-05: within two years
    assert status("2026-11-23") == "unlikely"  # more than two years later
