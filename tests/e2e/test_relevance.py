"""The first page a citizen reads, on the shipped catalogue: independently written citizens and the issue's cases.

The dev half of the scripted citizens (tests/e2e/citizens/dev.yml) holds a floor that the ranking must not fall below
(bench/bench_relevance.py prints the figures; the test half is never tuned on and is not asserted per citizen). The
golden situations are the ones issue 13 saw go wrong, each with what a navigator names first and what must not lead.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.dialogue.facts import implied_by_needs, stated_facts
from bot.dialogue.ranking import rank_for_citizen
from bot.dialogue.relevance import figures, read_citizens, run_citizen, split_of
from knowledge.match import match_profile
from knowledge.places import get_tree
from knowledge.vocab import load_vocabulary

CITIZENS = Path(__file__).parent / "citizens"
TODAY = date(2026, 12, 1)
DEV_ON_PAGE = 21  # of 22 dev citizens with a key service (15 with the ranking and places before issue 13)
DEV_IN_TOP5 = 21


@pytest.fixture(scope="module")
def match(catalogue_engine):
    """The match engine on the session's shared catalogue database (tests/conftest.py)."""
    vocab, tree = load_vocabulary(), get_tree()
    return lambda profile: match_profile(catalogue_engine, profile, vocab=vocab, tree=tree, with_navigators=False)


def test_citizens_are_split_by_id_hash_into_disjoint_halves():
    dev, test = read_citizens(CITIZENS / "dev.yml"), read_citizens(CITIZENS / "test.yml")
    assert len(dev) + len(test) == 48
    assert {c["id"] for c in dev}.isdisjoint({c["id"] for c in test})
    assert all(split_of(c["id"]) == "dev" for c in dev) and all(split_of(c["id"]) == "test" for c in test)


def test_dev_citizens_find_their_key_service_on_the_first_page(match):
    outcomes = [run_citizen(c, match, today=TODAY) for c in read_citizens(CITIZENS / "dev.yml")]
    got = figures(outcomes)
    print("\n" + got.line("dev"))
    assert got.with_key == 22
    assert got.on_page >= DEV_ON_PAGE, [(o.id, o.rank_of_key()) for o in outcomes if o.key_services and not o.on_page]
    assert got.in_top >= DEV_IN_TOP5


def first_page(match, needs: list[str], place: str, says: str, n: int = 3) -> list[str]:
    answers = stated_facts(says, needs, TODAY)
    for key, value in implied_by_needs(needs).items():
        answers.setdefault(key, value)
    result = match({"life_events": needs, "location": place, "answers": answers, "as_of": TODAY.isoformat()})
    return [s["id"] for s in rank_for_citizen(result["services"], load_vocabulary(), needs)][:n]


# (needs, place, what the citizen says, any of these on the first page, none of these on it)
GOLDEN = {
    "army widow, Denver": (
        ["death"], "Denver, Colorado", "My husband passed away last week. He was in the Army for 20 years.",
        {"px:survivors-benefits-for-spouse", "px:lump-sum-death-benefit", "px:dependency-and-indemnity-compensation-dic"},
        {"px:burial-flag", "px:coal-mine-workers-compensation-black-lung-benefits-for-surviving-spouse",
         "px:financial-assistance-and-social-services-fass-for-deceased", "px:public-safety-officers-death-benefits"}),
    "injured, can't work for a year, Wichita": (
        ["disability"], "Wichita, Kansas", "I was injured in a car wreck and I can't work for a year",
        {"mfb:ks_ssdi", "usagov:ssa-disability-insurance"},
        {"usagov:nls-braille-and-audio-reading-materials", "usagov:dol-division-of-coal-mine-workers-compensation",
         "usagov:doj-public-safety-officers-disability-benefits"}),
    "multiple sclerosis, can't work, Leeds": (
        ["disability"], "Leeds", "I have multiple sclerosis and I can't work anymore",
        {"govuk:personal_independence_payment", "govuk:employment_and_support_allowance", "govuk:universal_credit"},
        {"govuk:disability_living_allowance_for_children"}),
    "Canadian Armed Forces widow, Ottawa": (
        ["death", "veteran"], "Ottawa", "My husband died. He served in the Canadian Armed Forces.",
        {"vac:survivor-s-pension", "vac:death-benefit", "cur:ca-cpp-survivors-pension"},
        {"gc:vac-acc-25", "gc:vac-acc-26", "vac:grave-marker-maintenance"}),
    "my dad died, Halifax": (
        ["death"], "Halifax", "my dad died",
        {"cur:ca-cpp-death-benefit", "cur:ns-death-certificate", "cur:ca-notify-government-death"},
        {"gc:esdc-edsc-20"}),
    "job loss, Houston": (
        ["job_loss"], "Houston", "I lost my job", {"router:us-ui:tx"}, set()),
    "job loss, Calgary": (
        ["job_loss"], "Calgary", "I was laid off", {"gc:esdc-edsc-03"}, set()),
    "new baby, Vancouver": (
        ["new_child"], "Vancouver", "we just had a baby", {"gc:cra-arc-10", "pe:bc-family-benefit"}, set()),
}


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_golden_situations_lead_with_what_a_navigator_names(match, case):
    needs, place, says, wanted, never = GOLDEN[case]
    page = first_page(match, needs, place, says)
    assert wanted & set(page), page
    assert not never & set(page), page


def test_offices_never_reach_a_citizen_list(match):
    result = match({"life_events": ["veteran", "death", "immigration"], "location": "Ottawa", "answers": {}})
    assert {"gc:vac-acc-25", "gc:cic-74", "gc:cic-75"}.isdisjoint(s["id"] for s in result["services"])
    assert all(s["audience"] in ("individuals", "families") for s in result["services"])


def test_every_us_state_reaches_its_unemployment_insurance(match):
    tree = get_tree()
    for state in (c for c, n in tree.nodes.items() if n.parent == "US" and not n.outside):
        ids = {s["id"] for s in match({"life_events": ["job_loss"], "location": state,
                                       "answers": {"applicant_lost_job": True}})["services"]}
        assert f"router:us-ui:{state.split('-')[1].lower()}" in ids, state
