"""Who a catalogue service is for (``audience``): individuals and families see it; offices and organisations' services
are kept out of citizens' lists (knowledge/match.py).

Every importer's output passes through :func:`set_audiences` (called by ``common.write``). The audience comes from
the editors' per-service decisions in ``knowledge/need_tags.yml`` (``answers_no_need.<id>.audience``) when that file
exists, else from the service's name: an access-to-information or privacy office, a complaints channel, a service
for employers or licensed businesses. Only audiences other than ``individuals`` (the default) are written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge import PACKAGE_DIR
from knowledge.text import fold

NEED_TAGS_FILE = PACKAGE_DIR / "need_tags.yml"
INTERNAL = ("access to information", "privacy", "complaint", "compliment", "feedback mechanism",
            "client satisfaction", "validation portal", "web services centre")
ORGANISATIONS = ("for employers", "labour market impact assessment", "non profit", "licence renewal",
                 "trust income tax", "income tax rulings", "collective bargaining", "broadcasting certificates",
                 "spectrum licen", "commercial driver", "free and secure trade", "canpass")


def editors_audiences(path: Path = NEED_TAGS_FILE) -> dict[str, str]:
    """Per-service audiences the editors recorded (``answers_no_need`` in need_tags.yml), if the file exists."""
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {sid: entry["audience"] for sid, entry in (doc.get("answers_no_need") or {}).items()
            if isinstance(entry, dict) and entry.get("audience")}


def audience_of(service: dict[str, Any], editors: dict[str, str]) -> str:
    if service["id"] in editors:
        return editors[service["id"]]
    name = f" {fold((service.get('name') or {}).get('en') or '')} "
    if any(w in name for w in INTERNAL):
        return "internal"
    if any(w in name for w in ORGANISATIONS):
        return "organisations"
    return service.get("audience") or "individuals"


def set_audiences(doc: dict[str, Any], editors: dict[str, str] | None = None) -> dict[str, Any]:
    """``doc`` (a catalogue file) with ``audience`` on every service that is not for individuals."""
    editors = editors_audiences() if editors is None else editors
    for service in doc.get("services") or []:
        audience = audience_of(service, editors)
        if audience != "individuals":
            service["audience"] = audience
        else:
            service.pop("audience", None)
    return doc
