"""Small catalogue files for tests (written to tmp directories)."""

from __future__ import annotations

from pathlib import Path

import yaml

SOURCE = {"id": "test-src", "name": "Test source", "licence": "CC0"}


def service(sid: str, areas: list[str], events: list[str], rules: list[dict] | None = None, **extra) -> dict:
    doc = {"id": sid, "name": extra.pop("name", {"en": f"Service {sid}", "fr": f"Service FR {sid}"}),
           "url": {"en": f"https://example.org/{sid}"}, "service_areas": areas, "life_events": events,
           "source": {"id": sid, "last_reviewed": "2026-01-01"}}
    if rules:
        doc["eligibility"] = rules
    doc.update(extra)
    return doc


def write_catalogue(root: Path, services: list[dict], name: str = "test.yml", source: dict | None = None,
                    navigators: list[dict] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    doc = {"source": source or SOURCE, "services": services}
    if navigators:
        doc["navigators"] = navigators
    path = root / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
