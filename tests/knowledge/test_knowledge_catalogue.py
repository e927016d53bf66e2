"""Catalogue validation: every error with file, line and field; nothing loaded from a broken catalogue."""

from pathlib import Path

from knowledge_helpers import service, write_catalogue
from sqlalchemy import func, select

from bot.db import make_engine
from knowledge import CATALOGUE_DIR
from knowledge import models as m
from knowledge.catalogue import read_catalogue
from knowledge.loader import load_catalogue


def test_shipped_catalogue_is_valid():
    catalogue = read_catalogue()
    assert catalogue.ok, [str(e) for e in catalogue.errors[:5]]
    ids = {s["id"] for s in catalogue.services}
    assert len(ids) == len(catalogue.services) > 500
    sources = {f.source["id"] for f in catalogue.files}
    assert {"usagov", "px", "govuk", "gc", "vac", "mfb", "signpost-curated-ca"} <= sources
    for f in catalogue.files:
        assert f.source["licence"]
    for s in catalogue.services:
        assert s["source"]["last_reviewed"] and s["source"]["id"]
    assert len(catalogue.navigators) > 50
    total = sum(p.stat().st_size for p in Path(CATALOGUE_DIR).rglob("*.yml"))
    assert total < 5_000_000


BROKEN = """source:
  id: broken-src
  name: Broken
  licence: CC0
services:
- id: ok-service
  name: {en: Fine}
  service_areas: [CA-NS]
  life_events: [death]
  source: {id: '1', last_reviewed: 2026-01-01}
- id: bad-service
  name: {en: Broken}
  service_areas: [CA-XX]
  life_events: [dying]
  eligibility:
  - criterion: applicant_relationship_to_the_deceased
    values: [Spouse]
  - criterion: applicant_favourite_colour
    values: [blue]
  - criterion: applicant_date_of_birth
    op: date
    values: [sometime]
  - criterion: applicant_citizen_status
    op: lt
    values: [3]
  colour: red
  source: {id: '2', last_reviewed: 2026-01-01}
- id: Not An Id
  service_areas: [CA]
  source: {id: '3', last_reviewed: not-a-date}
"""


def test_every_error_has_file_line_and_field(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN)
    catalogue = read_catalogue(tmp_path)
    assert not catalogue.ok and not catalogue.files  # nothing from the broken file
    found = {(e.line, e.field) for e in catalogue.errors}
    # structure (pydantic): unknown field, bad id, missing name, bad date — all reported at once
    assert (26, "services[1].colour") in found
    assert (28, "services[2].id") in found
    assert any(f == "services[2].name" for _, f in found)
    assert (30, "services[2].source.last_reviewed") in found
    text = "\n".join(str(e) for e in catalogue.errors)
    assert all(str(e).startswith(str(path.name)) or str(path) in str(e) for e in catalogue.errors)
    assert "extra fields not permitted" in text


def test_semantic_errors_name_the_line_and_the_fix(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN.split("- id: Not An Id")[0].replace("  colour: red\n", ""))
    catalogue = read_catalogue(tmp_path)
    by_field = {e.field: e for e in catalogue.errors}
    assert by_field["services[1].service_areas[0]"].line == 13
    assert "unknown jurisdiction code 'CA-XX'" in by_field["services[1].service_areas[0]"].message
    assert by_field["services[1].life_events[0]"].line == 14
    assert "'Spouse'" in by_field["services[1].eligibility[0].values[0]"].message
    assert "use 'spouse'" in by_field["services[1].eligibility[0].values[0]"].message
    assert by_field["services[1].eligibility[0].values[0]"].line == 17
    assert by_field["services[1].eligibility[1].criterion"].line == 18
    assert by_field["services[1].eligibility[2].values[0]"].line == 22
    assert "does not fit boolean" in by_field["services[1].eligibility[3].op"].message
    assert len(catalogue.errors) == 6
    line = str(by_field["services[1].service_areas[0]"])
    assert line.endswith("broken.yml:13: services[1].service_areas[0]: unknown jurisdiction code 'CA-XX' (see knowledge/jurisdictions.yml)")


def test_yaml_syntax_error_and_duplicate_keys(tmp_path):
    (tmp_path / "a.yml").write_text("source:\n  id: a\n  name: A\n  licence: x\nservices:\n- id: s\n  name: [unclosed\n")
    (tmp_path / "b.yml").write_text("source:\n  id: bb\n  name: B\n  licence: x\n  name: again\nservices: []\n")
    catalogue = read_catalogue(tmp_path)
    errors = {Path(e.file).name: e for e in catalogue.errors}
    assert errors["a.yml"].message.startswith("invalid YAML") and errors["a.yml"].line >= 7
    assert "duplicate key 'name'" in errors["b.yml"].message and errors["b.yml"].line == 5


def test_duplicate_ids_across_files_and_unknown_navigator_services(tmp_path):
    write_catalogue(tmp_path, [service("dup", ["CA"], ["death"])], "one.yml")
    write_catalogue(tmp_path, [service("dup", ["CA"], ["death"])], "two.yml", source={"id": "src2", "name": "S2", "licence": "x"},
                    navigators=[{"id": "nav-1", "name": "N", "service_areas": ["CA"], "services": ["nope"],
                                 "source": {"id": "n", "last_reviewed": "2026-01-01"}}])
    catalogue = read_catalogue(tmp_path)
    dup = [e for e in catalogue.errors if "duplicate id 'dup'" in e.message]
    assert len(dup) == 1 and dup[0].file.endswith("two.yml") and "one.yml:" in dup[0].message
    assert dup[0].field == "services[0].id"


def test_broken_catalogue_loads_nothing_and_keeps_the_previous_one(migrated_url, tmp_path):
    engine = make_engine(migrated_url)
    good = tmp_path / "good"
    write_catalogue(good, [service("svc-a", ["CA-NS"], ["death"]), service("svc-b", ["CA"], ["job_loss"])])
    assert load_catalogue(engine, good).ok
    broken = tmp_path / "broken"
    write_catalogue(broken, [service("svc-c", ["CA"], ["death"])], "fine.yml")
    (broken / "bad.yml").write_text(BROKEN)
    report = load_catalogue(engine, broken)
    assert not report.ok and report.errors and report.version is None
    with engine.connect() as conn:
        ids = set(conn.execute(select(m.Service.id)).scalars())
        versions = conn.execute(select(func.count()).select_from(m.CatalogueVersion)).scalar_one()
    assert ids == {"svc-a", "svc-b"} and versions == 1
    engine.dispose()
