"""Schema and loading on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from knowledge_helpers import service, write_catalogue
from sqlalchemy import func, select

from bot.db import make_engine
from knowledge import models as m
from knowledge.loader import catalogue_status, load_catalogue

CATALOGUE_TABLES = {t.name for t in m.TABLES_IN_LOAD_ORDER} | {"catalogue_version"}


def test_migration_creates_exactly_the_model_tables(migrated_url):
    engine = make_engine(migrated_url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), m.CatalogueBase.metadata)
    mine = [d for d in diffs if any(getattr(x, "name", None) in CATALOGUE_TABLES or
                                    getattr(getattr(x, "table", None), "name", None) in CATALOGUE_TABLES
                                    for x in (d if isinstance(d, tuple) else (d,)))]
    assert mine == []
    engine.dispose()


def counts(engine):
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in m.TABLES_IN_LOAD_ORDER}


def test_load_is_idempotent_and_versioned(migrated_url, tmp_path):
    engine = make_engine(migrated_url)
    nav = {"id": "nav-1", "name": "Helper", "service_areas": ["CA-NS-halifax"], "services": ["svc-a"], "languages": ["en", "fr"],
           "source": {"id": "n1", "last_reviewed": "2026-01-01"}}
    write_catalogue(tmp_path, [
        service("svc-a", ["CA-NS", "CA-NS-halifax"], ["death", "low_income"],
                [{"criterion": "applicant_income", "values": [True]}],
                required_documents=[{"document": {"en": "ID"}}], phones=[{"number": "311"}], languages=["en"],
                locations=[{"name": {"en": "Office"}, "jurisdiction": "CA-NS-halifax", "postal_code": "B3J 3A5"}],
                schedules=[{"byday": "MO,TU", "opens_at": "08:30", "closes_at": "16:30"}]),
        service("svc-b", ["CA"], []),
    ], navigators=[nav])
    assert catalogue_status(engine) is None
    first = load_catalogue(engine, tmp_path)
    after_first = counts(engine)
    second = load_catalogue(engine, tmp_path)
    assert first.ok and second.ok
    assert counts(engine) == after_first  # replaced, not duplicated
    assert (first.version, second.version) == (1, 2) and first.changed and not second.changed
    assert after_first["service"] == 2 and after_first["navigator"] == 1 and after_first["service_area"] == 3
    # index rows: a × 2 areas × (2 events + "*"), b × 1 area × "*"
    assert after_first["service_match_index"] == 7
    assert after_first["eligibility_rule"] == 1 and after_first["required_document"] == 1 and after_first["location"] == 1
    status = catalogue_status(engine)
    assert status["version"] == 2 and status["services"] == 2
    engine.dispose()
