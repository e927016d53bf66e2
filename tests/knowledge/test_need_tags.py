"""Every catalogue service is tagged with the needs it answers (knowledge/need_tags.yml, applied by the importers)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from knowledge.catalogue import read_catalogue
from knowledge.importers import SOURCES, default_data_dir, run_import
from knowledge.importers.common import NeedTags, need_tags
from knowledge.vocab import load_vocabulary

COUNTRIES = ("US", "CA", "GB")
NEW_NEEDS = ("utilities", "phone_internet", "legal", "separation")
# What the imported sources (../shared/data) and the curated file hold no service for. A country listed here must
# have none (so this table stays true); when a source gains one, move the pair out.
LACKING = {
    ("phone_internet", "CA"): "GC inventory: the Broadband Program funds communities and has no page; no phone help",
    ("phone_internet", "GB"): "GOV.UK check-benefits lists no social tariff or phone scheme",
    ("legal", "US"): "legal aid exists only as MyFriendBen navigators (Lone Star Legal Aid, NJP CLEAR), not services",
    ("separation", "CA"): "no child-support, family-law or separation service in the GC inventory or VAC",
    ("separation", "GB"): "GOV.UK check-benefits lists no Child Maintenance Service",
}


@pytest.fixture(scope="module")
def catalogue():
    cat = read_catalogue()
    assert cat.ok, [str(e) for e in cat.errors[:5]]
    return cat


@pytest.fixture(scope="module")
def rules():
    return need_tags()


def countries(service: dict) -> set[str]:
    return {area.split("-")[0] for area in service["service_areas"]}


def need_counts(services: list[dict]) -> Counter:
    """(need, country) → number of services answering it there."""
    return Counter((need, c) for s in services for need in s.get("life_events") or [] for c in countries(s))


def test_every_service_answers_a_need_or_the_rules_say_why_not(catalogue, rules):
    without = {s["id"] for s in catalogue.services if not s.get("life_events")}
    assert without == set(rules.no_need), "tag these services in knowledge/need_tags.yml or list them in answers_no_need"
    by_audience = Counter(entry["audience"] for entry in rules.no_need.values())
    assert by_audience["individuals"] <= 12  # outside the taxonomy on purpose; more would mean a need is missing
    print(f"\nservices with no need: {dict(by_audience)}")


def test_need_tags_name_only_services_that_exist(catalogue, rules):
    ids = {s["id"] for s in catalogue.services}
    assert set(rules.services) - ids == set() and set(rules.no_need) - ids == set()


@pytest.mark.parametrize("need", NEW_NEEDS)
def test_each_country_has_a_service_for_the_new_needs_where_the_sources_have_one(catalogue, need):
    counts = need_counts(catalogue.services)
    for country in COUNTRIES:
        if (need, country) in LACKING:
            assert counts[(need, country)] == 0, f"a source now answers {need} in {country}: update LACKING"
        else:
            assert counts[(need, country)] >= 1, (need, country)


def test_print_services_per_need_and_country(catalogue):
    counts = need_counts(catalogue.services)
    lines = [f"{'need':16}" + "".join(f"{c:>5}" for c in COUNTRIES)]
    for need in load_vocabulary().life_events:
        lines.append(f"{need:16}" + "".join(f"{counts[(need, c)]:5}" for c in COUNTRIES))
    print("\n" + "\n".join(lines))
    assert all(counts[(need, c)] for need in ("food", "housing", "health", "low_income", "transport") for c in COUNTRIES)


@pytest.mark.parametrize("sid, needs", [
    ("mfb:tx_liheap", {"utilities", "low_income"}), ("mfb:wa_wap", {"utilities"}), ("mfb:wa_udp", {"utilities"}),
    ("govuk:winter_fuel_payment", {"utilities", "retirement"}), ("govuk:warm_home_discount_scheme", {"utilities"}),
    ("govuk:winter_heating_payment", {"utilities"}), ("cur:ns-income-assistance", {"utilities", "food"}),
    ("mfb:tx_lifeline", {"phone_internet"}), ("mfb:wa_snap", {"food"}), ("mfb:tx_wic", {"food", "new_child"}),
    ("govuk:free_school_meals_england", {"food"}), ("mfb:ks_nslp", {"food"}),
    ("usagov:ed-free-federal-application-for-federal-student-aid", {"education"}),
    ("gc:esdc-edsc-21", {"education"}), ("mfb:ks_promise_act", {"education"}), ("gc:vac-acc-26", {"legal"}),
    ("gc:cra-arc-16", {"legal"}), ("usagov:ssa-retirement-benefits-spouse", {"separation", "retirement"}),
    ("mfb:wa_orca_lift", {"transport"}), ("cur:toronto-fair-pass", {"transport"}),
    ("govuk:apply_for_an_older_persons_bus_pass_england", {"transport", "retirement"}),
    ("vac:health-related-travel-expenses", {"transport", "health"}), ("vac:critical-injury-benefit", {"disability"}),
    ("govuk:carers_allowance", {"caregiving"}),
])
def test_named_services_carry_their_needs(catalogue, sid, needs):
    by_id = {s["id"]: s for s in catalogue.services}
    assert needs <= set(by_id[sid]["life_events"]), by_id[sid]["life_events"]


@pytest.mark.parametrize("sid, wrong", [
    ("mfb:tx_lifeline", "housing"),  # MyFriendBen's "housing" category, corrected by instead_of
    ("mfb:tx_liheap", "housing"),
    ("mfb:tx_snap", "disability"),  # "ssi" is a word, not the middle of "assistance"
    ("govuk:winter_heating_payment", "housing"),
    ("usagov:va-burial-flag", "low_income"),
    ("gc:cic-74", "immigration"),  # an Access to Information office answers no citizen need
])
def test_wrong_tags_are_gone(catalogue, sid, wrong):
    by_id = {s["id"]: s for s in catalogue.services}
    assert wrong not in by_id[sid]["life_events"]


def test_the_shipped_catalogue_is_what_the_importers_write(tmp_path, monkeypatch):
    """The catalogue is regenerated from the rules, never hand-edited: re-importing changes no service's needs."""
    from knowledge import CATALOGUE_DIR
    from knowledge.importers import mfb

    data = Path(default_data_dir())
    if not data.exists():
        pytest.skip(f"shared data not found at {data}")
    monkeypatch.setattr(mfb, "COUNTIES_FILE", tmp_path / "counties.yml")  # keep the package's county file untouched
    for source in SOURCES:
        result = run_import(source, data, tmp_path)
        assert not result.errors, result.errors[:3]
    fresh = {s["id"]: s["life_events"] for s in read_catalogue(tmp_path).services}
    shipped = {s["id"]: s["life_events"] for s in read_catalogue(CATALOGUE_DIR).services if s["id"] in fresh}
    assert shipped == fresh


# --- the rules themselves, on small documents ---

def tagger(doc: dict) -> NeedTags:
    return NeedTags(doc, load_vocabulary(), SOURCES)


def test_words_match_whole_words_and_star_matches_any_ending():
    t = tagger({"needs": {"disability": [{"sources": ["mfb"], "in": ["name", "description"], "words": ["ssi", "disab*"]}]}})
    assert t.needs("mfb", "a", [], name="Food Assistance (SNAP)") == []
    assert t.needs("mfb", "b", [], name="Supplemental Security Income (SSI)") == ["disability"]
    assert t.needs("mfb", "c", ["food"], name="Meals", description="for Disabled adults") == ["food", "disability"]
    assert t.needs("gc", "d", [], name="SSI") == []  # the rule is for MyFriendBen only


def test_fields_unless_and_instead_of():
    t = tagger({"needs": {
        "utilities": [{"sources": ["mfb"], "in": ["name"], "words": ["energy"], "instead_of": ["housing"]}],
        "disability": [{"sources": ["vac"], "in": ["description"], "words": ["injury"], "unless": ["survivor*"]}],
    }})
    assert t.needs("mfb", "a", ["housing", "low_income"], name="Energy Assistance") == ["low_income", "utilities"]
    assert t.needs("mfb", "b", ["housing"], name="Rent help", description="energy") == ["housing"]
    assert t.needs("vac", "c", [], name="Benefit", description="for an injury") == ["disability"]
    assert t.needs("vac", "d", [], name="Benefit", description="survivors of an injury") == []


def test_editor_decisions_per_service():
    t = tagger({"services": {"x:1": {"add": ["legal"], "drop": ["low_income"], "why": "advice"}},
                "answers_no_need": {"x:2": {"audience": "internal", "why": "privacy office"}}})
    assert t.needs("gc", "x:1", ["low_income", "veteran"], name="BPA") == ["veteran", "legal"]
    assert t.needs("gc", "x:2", ["immigration"], name="Privacy") == []


@pytest.mark.parametrize("doc", [
    {"needs": {"heating": [{"sources": ["mfb"], "words": ["heat"]}]}},  # not a need of the taxonomy
    {"needs": {"utilities": [{"words": ["heat"]}]}},  # sources are required
    {"needs": {"utilities": [{"sources": ["nowhere"], "words": ["heat"]}]}},
    {"needs": {"utilities": [{"sources": ["mfb"], "in": ["title"], "words": ["heat"]}]}},
    {"needs": {"utilities": [{"sources": ["mfb"], "words": ["heat"], "instead_of": ["rent"]}]}},
    {"services": {"x:1": {"add": ["legal"]}}},  # no why
    {"answers_no_need": {"x:1": {"audience": "robots", "why": "?"}}},
    {"answers_no_need": {"x:1": {"audience": "internal", "why": "an office", "not a need": None}}},  # unquoted comma
])
def test_bad_rules_are_refused(doc):
    with pytest.raises(ValueError):
        tagger(doc)
