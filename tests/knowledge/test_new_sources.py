"""Coverage from real data: UK councils and their pages, US unemployment insurance routers, provincial benefits.

Every URL these catalogue files carry is checked against the source file it came from (never typed by hand)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
import yaml

from knowledge import CATALOGUE_DIR, PACKAGE_DIR
from knowledge.catalogue import read_catalogue
from knowledge.importers import councils, default_data_dir, pe, run_import
from knowledge.places import get_tree

DATA = Path(default_data_dir())
needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"shared data not found at {DATA}")


def shipped(name: str) -> list[dict]:
    return read_catalogue(CATALOGUE_DIR / name).services


@needs_data
def test_every_uk_council_is_a_place_and_citizens_names_for_them_resolve():
    tree = get_tree()
    rows = councils.read_councils(DATA)
    codes, _ = councils.council_codes(rows)
    assert len(rows) == 382 and all(code in tree for code in codes.values())
    for place, code in {"Bradford": "GB-ENG-bradford", "Norwich": "GB-ENG-norwich", "Newry": "GB-NIR-newry-mourne-down",
                        "Stoke-on-Trent": "GB-ENG-stoke-on-trent", "Leeds": "GB-ENG-leeds", "Derry": "GB-NIR-derry",
                        "Camden": "GB-ENG-camden"}.items():
        assert tree.resolve(place).code == code, place
    assert tree.ancestors("GB-ENG-norwich")[:2] == ["GB-ENG-norwich", "GB-ENG-norfolk"]  # a district in its county
    assert tree.parent("GB-ENG-camden") == "GB-ENG-london"
    assert councils.place_names("Newry, Mourne and Down District Council") == ["Newry, Mourne and Down", "Newry"]
    assert councils.short_name("City of Bradford Metropolitan District Council") == "Bradford"


@needs_data
def test_council_pages_are_the_councils_own_links_for_their_own_area(tmp_path, monkeypatch):
    with (DATA / councils.FOLDER / "lgsl_lgil_fallback_links.csv").open(encoding="utf-8") as fh:
        links = {(r["la"], r["lgsl"]): r["link"] for r in csv.DictReader(fh)}
    codes, _ = councils.council_codes(councils.read_councils(DATA))
    services = shipped("gb_council_services.yml")
    assert len(services) > 1000
    for s in services:
        _, la, lgsl = s["id"].split(":")
        assert s["url"]["en"] == links[(la, lgsl)] and s["service_areas"] == [codes[la]]
        assert "2017" in s["description"]["en"]
    monkeypatch.setattr(councils, "COUNCILS_FILE", tmp_path / "councils.yml")
    result = run_import("councils", DATA, tmp_path)
    assert not result.errors
    assert yaml.safe_load((tmp_path / "councils.yml").read_text()) == yaml.safe_load(
        (PACKAGE_DIR / "jurisdictions_gb_councils.yml").read_text())
    assert read_catalogue(tmp_path).services == services  # shipped = what the importer writes


@needs_data
def test_every_state_has_its_unemployment_insurance_router_from_the_federal_finder():
    with (DATA / "us_national_routers" / "routers.csv").open(encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    tree = get_tree()
    states = {c for c, n in tree.nodes.items() if n.parent == "US" and not n.outside}
    services = {s["id"]: s for s in shipped("us_national_routers.yml")}
    per_state = rows["us-ui-careeronestop"]["per_state_url"]
    for code in states:
        s = services[f"router:us-ui:{code.split('-')[1].lower()}"]
        assert s["service_areas"] == [code] and s["kind"] == "router" and s["life_events"] == ["job_loss"]
        assert s["url"]["en"] == per_state.replace("{STATE}", code.split("-")[1])
    assert services["router:us-ui-usagov"]["url"]["en"] == rows["us-ui-usagov"]["url"]
    assert len(services) == len(states) + 1


def test_provincial_benefits_cite_the_page_policyengine_cites():
    services = shipped("ca_provincial_benefits_policyengine.yml")
    assert {s["service_areas"][0] for s in services} >= {"CA-AB", "CA-BC"}
    for s in services:
        assert s["source"]["url"].startswith(s["url"]["en"])  # the cited address, text highlight removed
        assert s["source"]["id"].startswith("parameters/gov/provinces/")
    wheel = os.environ.get("SIGNPOST_POLICYENGINE_CANADA")
    if not wheel:
        pytest.skip("set SIGNPOST_POLICYENGINE_CANADA to the policyengine-canada 0.99.1 wheel to re-check each link")
    import zipfile
    with zipfile.ZipFile(wheel) as archive:
        for s in services:
            text = archive.read("policyengine_canada/" + s["source"]["id"]).decode("utf-8")
            assert s["source"]["url"] in text, s["id"]


def test_the_policyengine_importer_says_how_to_get_its_wheel(tmp_path, monkeypatch):
    monkeypatch.delenv("SIGNPOST_POLICYENGINE_CANADA", raising=False)
    with pytest.raises(FileNotFoundError, match="pip download --no-deps policyengine-canada"):
        pe.wheel_path(tmp_path)


def test_the_policyengine_wheel_may_be_named_directly(tmp_path):
    wheel = tmp_path / "any-name.whl"
    wheel.write_bytes(b"")
    assert pe.wheel_path(wheel) == wheel  # --data-dir (or $SIGNPOST_POLICYENGINE_CANADA) naming the file itself
    (tmp_path / pe.WHEEL).write_bytes(b"")
    assert pe.wheel_path(tmp_path) == tmp_path / pe.WHEEL  # a directory holding it
