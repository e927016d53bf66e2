"""The service catalogue as data, its importers, the jurisdiction tree and the match engine.

Plain Python (no Rasa imports): the action server, the desk and the ``signpost`` CLI all call in here.

- :mod:`knowledge.places` — jurisdiction tree and ``resolve_place``
- :mod:`knowledge.vocab` — life-event taxonomy and criteria vocabulary (``life_events.yml``, ``criteria.yml``)
- :mod:`knowledge.catalogue` — reading and validating catalogue YAML (every error with file, line and field)
- :mod:`knowledge.loader` — ``load_catalogue(engine)``: validate, then replace the catalogue in the database
- :mod:`knowledge.match` — ``match_profile(engine, profile)``: the ``signpost match`` contract
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CATALOGUE_DIR = PACKAGE_DIR / "catalogue"
JURISDICTION_FILES = (PACKAGE_DIR / "jurisdictions.yml", PACKAGE_DIR / "jurisdictions_us_counties.yml",
                      PACKAGE_DIR / "jurisdictions_gb_councils.yml", PACKAGE_DIR / "jurisdictions_cities.yml")
CRITERIA_FILE = PACKAGE_DIR / "criteria.yml"
LIFE_EVENTS_FILE = PACKAGE_DIR / "life_events.yml"
LANGUAGES = ("en", "fr", "es")
