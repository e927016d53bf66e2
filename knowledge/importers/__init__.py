"""Importers: build catalogue YAML under ``knowledge/catalogue/`` from the real data in ``../shared/data``.

Each importer keeps the source's record id, URL, a last-reviewed date (the date of the source data) and the
licence attribution the source asks for, and maps the source's tags to the one needs taxonomy
(``knowledge/life_events.yml``) and its questions to the criteria vocabulary (``knowledge/criteria.yml``). The needs a
source's tags miss come from the rules in ``knowledge/need_tags.yml``, shared by every importer.

    run_import("usagov", data_dir) → ImportResult
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from knowledge import CATALOGUE_DIR, PACKAGE_DIR
from knowledge.catalogue import read_catalogue

SOURCES = ("usagov", "px", "govuk", "gc", "vac", "mfb", "councils", "routers")
PACKAGE_SOURCES = ("pe",)
"""Importers whose data is a PyPI package's files, not ../shared/data: run one by one with ``--data-dir``."""


@dataclass
class ImportResult:
    source: str
    path: str
    services: int = 0
    navigators: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def default_data_dir() -> Path:
    """``../shared/data`` beside the project (``signpost knowledge import`` passes ``$SIGNPOST_SHARED_DATA`` instead,
    when set)."""
    return (PACKAGE_DIR.parent.parent / "shared" / "data").resolve()


def run_import(source: str, data_dir: Path | str | None = None, out_dir: Path | str | None = None) -> ImportResult:
    """Run one importer, write its YAML file and validate it (errors are reported in the result)."""
    if source not in SOURCES + PACKAGE_SOURCES:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES + PACKAGE_SOURCES)}")
    module = importlib.import_module(f"knowledge.importers.{source}")
    data_dir = Path(data_dir or default_data_dir())
    out_dir = Path(out_dir or CATALOGUE_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    result: ImportResult = module.run(data_dir, out_dir)
    checked = read_catalogue(Path(result.path))
    result.errors = [str(e) for e in checked.errors]
    return result
