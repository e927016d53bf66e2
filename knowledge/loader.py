"""``load_catalogue(engine)``: validate every catalogue file, then replace the catalogue in one transaction.

Nothing is written when any file has an error. A load deletes the previous catalogue rows and inserts the new
ones in the same transaction (so readers see either the old or the new catalogue, never a mix, and re-loading
never duplicates), then adds a ``catalogue_version`` row: running processes compare that number to notice a reload.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from knowledge import models as m
from knowledge.catalogue import Catalogue, CatalogueError, read_catalogue
from knowledge.places import JurisdictionTree, get_tree
from knowledge.text import pick
from knowledge.vocab import Vocabulary

CHUNK = 5000


@dataclass
class LoadReport:
    ok: bool
    version: int | None = None
    checksum: str | None = None
    changed: bool = False
    services: int = 0
    navigators: int = 0
    organizations: int = 0
    files: list[str] = field(default_factory=list)
    errors: list[CatalogueError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "version": self.version, "checksum": self.checksum, "changed": self.changed,
            "services": self.services, "navigators": self.navigators, "organizations": self.organizations,
            "files": self.files, "errors": [str(e) for e in self.errors],
        }


def checksum_of(catalogue: Catalogue) -> str:
    payload = json.dumps([catalogue.sources, catalogue.organizations, catalogue.services, catalogue.navigators],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _text(value: Any) -> str | None:
    return pick(value, "en")


def build_rows(catalogue: Catalogue, tree: JurisdictionTree) -> dict[str, list[dict[str, Any]]]:
    """Rows for every catalogue table, keyed by table name."""
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in m.TABLES_IN_LOAD_ORDER}
    sources: dict[str, dict[str, Any]] = {}
    for f in catalogue.files:
        src = f.source
        sources[src["id"]] = src
        rows["catalogue_source"].append({
            "id": src["id"], "name": src["name"], "url": src.get("url"), "licence": src["licence"],
            "attribution": src.get("attribution"), "retrieved": src.get("retrieved"), "file": Path(f.path).name,
        })
    codes_used: set[str] = set()
    org_names: dict[str, dict[str, Any]] = {}
    org_urls: dict[str, str] = {}
    for f in catalogue.files:
        for org in f.organizations:
            org_names[org["id"]] = org["name"]
            if org.get("url"):
                org_urls[org["id"]] = org["url"]
            rows["organization"].append({
                "id": org["id"], "source_id": f.source["id"], "name": org["name"]["en"], "names": org["name"],
                "url": org.get("url"), "email": org.get("email"),
            })
            for ph in org.get("phones", []):
                rows["phone"].append({"service_id": None, "organization_id": org["id"], "number": ph["number"],
                                      "description": ph.get("description"), "languages": ph.get("languages", [])})
    for f in catalogue.files:
        src = f.source
        for s in f.services:
            sid = s["id"]
            doc = dict(s)
            doc["_source"] = {"id": src["id"], "name": src["name"], "licence": src["licence"],
                              "attribution": src.get("attribution")}
            if s.get("organization"):
                doc["_organization"] = org_names.get(s["organization"])
                doc["_organization_url"] = org_urls.get(s["organization"])
            rows["service"].append({
                "id": sid, "source_id": src["id"], "organization_id": s.get("organization"),
                "name": s["name"]["en"], "url": _text(s.get("url")), "status": s.get("status", "active"),
                "last_reviewed": date.fromisoformat(s["source"]["last_reviewed"]),
                "source_url": s["source"].get("url"), "source_record_id": s["source"]["id"], "doc": doc,
            })
            events = list(dict.fromkeys(s.get("life_events", [])))
            # notify_on events are indexed too, so the who-to-tell checklist finds the agency
            indexed = list(dict.fromkeys([*events, *s.get("notify_on", []), m.ALL_EVENTS]))
            for code in dict.fromkeys(s["service_areas"]):
                codes_used.add(code)
                rows["service_area"].append({"service_id": sid, "jurisdiction_code": code})
                for event in indexed:
                    rows["service_match_index"].append({"jurisdiction_code": code, "life_event": event, "service_id": sid})
            for event in events:
                rows["service_life_event"].append({"service_id": sid, "life_event": event})
            for i, rule in enumerate(s.get("eligibility", [])):
                rows["eligibility_rule"].append({
                    "service_id": sid, "position": i, "criterion": rule.get("criterion"), "op": rule.get("op", "in"),
                    "values": rule.get("values", []), "label": rule.get("label"), "any_of": rule.get("any_of"),
                })
            for i, doc_req in enumerate(s.get("required_documents", [])):
                rows["required_document"].append({"service_id": sid, "position": i, "document": doc_req["document"]["en"],
                                                  "documents": doc_req["document"], "url": doc_req.get("url")})
            for ph in s.get("phones", []):
                rows["phone"].append({"service_id": sid, "organization_id": None, "number": ph["number"],
                                      "description": ph.get("description"), "languages": ph.get("languages", [])})
            for lang in dict.fromkeys(s.get("languages", [])):
                rows["service_language"].append({"service_id": sid, "language": lang})
            for loc in s.get("locations", []):
                rows["location"].append({
                    "service_id": sid, "name": loc["name"]["en"], "address": loc.get("address"), "city": loc.get("city"),
                    "region": loc.get("region"), "postal_code": loc.get("postal_code"), "country": loc.get("country"),
                    "jurisdiction_code": loc.get("jurisdiction"), "latitude": loc.get("latitude"),
                    "longitude": loc.get("longitude"),
                })
            for sch in s.get("schedules", []):
                rows["schedule"].append({"service_id": sid, "description": sch.get("description"), "byday": sch.get("byday"),
                                         "opens_at": sch.get("opens_at"), "closes_at": sch.get("closes_at")})
        for n in f.navigators:
            nid = n["id"]
            rows["navigator"].append({
                "id": nid, "source_id": src["id"], "name": n["name"], "email": n.get("email"), "phone": n.get("phone"),
                "url": n.get("url"), "languages": n.get("languages", []),
                "doc": dict(n, _source={"id": src["id"], "name": src["name"], "licence": src["licence"]}),
            })
            for code in dict.fromkeys(n["service_areas"]):
                codes_used.add(code)
                rows["navigator_area"].append({"navigator_id": nid, "jurisdiction_code": code})
            for service_id in dict.fromkeys(n.get("services", [])):
                rows["navigator_service"].append({"navigator_id": nid, "service_id": service_id})
    # the jurisdiction tree, plus any code a (synthetic) catalogue uses that the tree derives from its shape
    codes = {c for c, node in tree.nodes.items() if not node.outside}
    for code in list(codes_used):
        codes.update(tree.ancestors(code))
    for code in sorted(codes):
        node = tree.node(code)
        rows["jurisdiction"].append({
            "code": code, "parent_code": tree.parent(code), "kind": node.kind if node else "derived",
            "name": node.name("en") if node else code, "names": node.names if node else {"en": code},
        })
    return rows


def write_catalogue(engine: Engine, catalogue: Catalogue, tree: JurisdictionTree | None = None) -> LoadReport:
    """Replace the catalogue in the database with ``catalogue`` (already validated) and add a version row."""
    tree = tree or get_tree()
    rows = build_rows(catalogue, tree)
    checksum = checksum_of(catalogue)
    with engine.begin() as conn:
        for table in reversed(m.TABLES_IN_LOAD_ORDER):
            conn.execute(table.delete())
        for table in m.TABLES_IN_LOAD_ORDER:
            data = rows[table.name]
            for start in range(0, len(data), CHUNK):
                conn.execute(table.insert(), data[start:start + CHUNK])
        versions = m.CatalogueVersion.__table__
        last = conn.execute(select(versions.c.version, versions.c.checksum).order_by(versions.c.version.desc()).limit(1)).first()
        version = (last.version if last else 0) + 1
        conn.execute(versions.insert(), [{
            "version": version, "checksum": checksum, "loaded_at": datetime.now(UTC),
            "services": len(rows["service"]), "navigators": len(rows["navigator"]),
            "sources": [dict(s) for s in rows["catalogue_source"]],
        }])
    return LoadReport(
        ok=True, version=version, checksum=checksum, changed=(last is None or last.checksum != checksum),
        services=len(rows["service"]), navigators=len(rows["navigator"]), organizations=len(rows["organization"]),
        files=[f.path for f in catalogue.files],
    )


def load_catalogue(engine: Engine, root: Path | str | None = None, *, vocab: Vocabulary | None = None,
                   tree: JurisdictionTree | None = None) -> LoadReport:
    """Validate the catalogue under ``root`` (default ``knowledge/catalogue``) and load it; nothing on any error."""
    catalogue = read_catalogue(root, vocab=vocab, tree=tree)
    if not catalogue.ok:
        return LoadReport(ok=False, errors=catalogue.errors, files=[f.path for f in catalogue.files])
    return write_catalogue(engine, catalogue, tree)


def catalogue_status(engine: Engine) -> dict[str, Any] | None:
    """The latest version row (or None when nothing was loaded) and the row counts."""
    versions = m.CatalogueVersion.__table__
    with engine.connect() as conn:
        row = conn.execute(select(versions).order_by(versions.c.version.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        count = conn.execute(select(func.count()).select_from(m.Service.__table__)).scalar_one()
    return {"version": row["version"], "checksum": row["checksum"], "loaded_at": row["loaded_at"].isoformat()
            if hasattr(row["loaded_at"], "isoformat") else str(row["loaded_at"]), "services": count,
            "navigators": row["navigators"]}


def ensure_catalogue_loaded(engine: Engine, root: Path | str | None = None) -> LoadReport:
    """Load the catalogue only when its files differ from what the database holds (``signpost run`` at start)."""
    catalogue = read_catalogue(root)
    files = [f.path for f in catalogue.files]
    if not catalogue.ok:
        return LoadReport(ok=False, errors=catalogue.errors, files=files)
    checksum = checksum_of(catalogue)
    status = catalogue_status(engine)
    if status and status["checksum"] == checksum:
        return LoadReport(ok=True, version=status["version"], checksum=checksum, changed=False,
                          services=status["services"], navigators=status["navigators"] or 0, files=files)
    return write_catalogue(engine, catalogue)
