"""Reading and validating catalogue YAML: every error with file, line and field; nothing from a broken file.

``read_catalogue()`` parses every ``*.yml`` under ``knowledge/catalogue/`` (or ``root``), checks the structure with
the pydantic models of :mod:`knowledge.schema`, then the meaning: jurisdiction codes exist in the tree, life events
and criteria exist in the vocabulary, rule operators fit the criterion type and values are valid options, ids are
unique across files, organisations and services referred to exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from knowledge import CATALOGUE_DIR
from knowledge.places import JurisdictionTree, get_tree
from knowledge.rules import parse_date_expr
from knowledge.schema import CatalogueFile
from knowledge.vocab import Vocabulary, load_vocabulary
from knowledge.yamlio import Located, Path_, YAMLFileError, read_located

CHOICE_OPS = ("in", "not_in", "eq", "ne")
NUMBER_OPS = ("in", "not_in", "eq", "ne", "lt", "le", "gt", "ge", "between")


@dataclass(frozen=True)
class CatalogueError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass
class CatalogueFileData:
    path: str
    source: dict[str, Any]
    organizations: list[dict[str, Any]]
    services: list[dict[str, Any]]
    navigators: list[dict[str, Any]]


@dataclass
class Catalogue:
    files: list[CatalogueFileData] = field(default_factory=list)
    errors: list[CatalogueError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def services(self) -> list[dict[str, Any]]:
        return [s for f in self.files for s in f.services]

    @property
    def navigators(self) -> list[dict[str, Any]]:
        return [n for f in self.files for n in f.navigators]

    @property
    def organizations(self) -> list[dict[str, Any]]:
        return [o for f in self.files for o in f.organizations]

    @property
    def sources(self) -> list[dict[str, Any]]:
        return [dict(f.source, file=Path(f.path).name) for f in self.files]


def field_name(path: Path_) -> str:
    """``("services", 3, "eligibility", 0, "values")`` → ``services[3].eligibility[0].values``."""
    out = ""
    for part in path:
        if part == "__root__":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(file)"


class _Checker:
    """Semantic checks of one parsed file; collects errors with their YAML lines."""

    def __init__(self, located: Located, vocab: Vocabulary, tree: JurisdictionTree, display: str):
        self.located, self.vocab, self.tree, self.display = located, vocab, tree, display
        self.errors: list[CatalogueError] = []

    def error(self, path: Path_, message: str) -> None:
        self.errors.append(CatalogueError(self.display, self.located.line(path), field_name(path), message))

    def jurisdiction(self, code: Any, path: Path_) -> None:
        if code not in self.tree:
            self.error(path, f"unknown jurisdiction code {code!r} (see knowledge/jurisdictions.yml)")

    def life_event(self, event: Any, path: Path_) -> None:
        if event not in self.vocab.life_events:
            hint = self.vocab.life_event_id(str(event))
            extra = f" (did you mean {hint!r}?)" if hint else ""
            self.error(path, f"unknown life event {event!r}{extra}; see knowledge/life_events.yml")

    def rule(self, rule: dict[str, Any], path: Path_) -> None:
        if rule.get("any_of") is not None:
            for p, alternative in enumerate(rule["any_of"]):
                for r, sub in enumerate(alternative):
                    self.rule(sub, path + ("any_of", p, r))
            return
        key = rule.get("criterion")
        crit = self.vocab.criteria.get(key) if isinstance(key, str) else None
        if crit is None:
            canonical = self.vocab.canonical_key(key) if isinstance(key, str) else None
            hint = f" (use the canonical key {canonical!r})" if canonical else "; see knowledge/criteria.yml"
            self.error(path + ("criterion",), f"unknown criterion {key!r}{hint}")
            return
        op, values = rule.get("op") or "in", rule.get("values") or []
        if crit.type == "date":
            if op != "date":
                self.error(path + ("op",), f"criterion {key!r} is a date: use op 'date' with values like '<2years'")
                return
            for i, value in enumerate(values):
                try:
                    parse_date_expr(value)
                except ValueError as exc:
                    self.error(path + ("values", i), str(exc))
            return
        if op == "date":
            self.error(path + ("op",), f"op 'date' needs a date criterion; {key!r} is {crit.type}")
            return
        if crit.type in ("boolean", "select", "multiselect"):
            if op not in CHOICE_OPS:
                self.error(path + ("op",), f"op {op!r} does not fit {crit.type} criterion {key!r} (use one of {', '.join(CHOICE_OPS)})")
                return
            allowed = crit.values
            for i, value in enumerate(values):
                if crit.type == "boolean":
                    ok = isinstance(value, bool)
                else:
                    ok = value in allowed
                if not ok:
                    suggestion = crit.canonical_option(value)
                    hint = f" (use {suggestion!r})" if suggestion is not None and suggestion != value else ""
                    self.error(path + ("values", i),
                               f"{value!r} is not a value of {key!r}{hint}; allowed: {', '.join(map(repr, allowed))}")
            return
        if crit.type == "number":
            if op not in NUMBER_OPS:
                self.error(path + ("op",), f"op {op!r} does not fit number criterion {key!r}")
                return
            for i, value in enumerate(values):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    self.error(path + ("values", i), f"{value!r} is not a number")
            if op == "between" and len(values) != 2:
                self.error(path + ("values",), "op 'between' needs exactly two values [low, high]")
            return
        self.error(path + ("criterion",), f"criterion {key!r} of type {crit.type} cannot be used in a rule")

    def check(self, model: CatalogueFile) -> None:
        org_ids = {o.id for o in model.organizations}
        for i, service in enumerate(model.services):
            base = ("services", i)
            if service.organization and service.organization not in org_ids:
                self.error(base + ("organization",), f"organization {service.organization!r} is not defined in this file")
            for j, code in enumerate(service.service_areas):
                self.jurisdiction(code, base + ("service_areas", j))
            for j, event in enumerate(service.life_events):
                self.life_event(event, base + ("life_events", j))
            for j, event in enumerate(service.notify_on):
                self.life_event(event, base + ("notify_on", j))
            for j, loc in enumerate(service.locations):
                if loc.jurisdiction:
                    self.jurisdiction(loc.jurisdiction, base + ("locations", j, "jurisdiction"))
            for j, rule in enumerate(service.eligibility):
                self.rule(rule.dict(), base + ("eligibility", j))
        for i, navigator in enumerate(model.navigators):
            for j, code in enumerate(navigator.service_areas):
                self.jurisdiction(code, ("navigators", i, "service_areas", j))


def _jsonable(model: BaseModel) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(model.json(exclude_none=True))
    return data


def validate_file(path: Path, vocab: Vocabulary, tree: JurisdictionTree, display: str | None = None
                  ) -> tuple[CatalogueFileData | None, list[CatalogueError], Located | None]:
    display = display or str(path)
    try:
        located = read_located(path)
    except YAMLFileError as exc:
        return None, [CatalogueError(display, exc.line, "(file)", exc.message)], None
    except (OSError, UnicodeDecodeError) as exc:
        return None, [CatalogueError(display, 1, "(file)", f"cannot read: {exc}")], None
    errors = [CatalogueError(display, line, field_name(p), msg) for p, line, msg in located.problems]
    if not isinstance(located.data, dict):
        return None, errors + [CatalogueError(display, 1, "(file)", "a catalogue file is a mapping with `source` and `services`")], located
    try:
        model = CatalogueFile.parse_obj(located.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            errors.append(CatalogueError(display, located.line(loc), field_name(loc), err["msg"]))
        return None, errors, located
    checker = _Checker(located, vocab, tree, display)
    checker.check(model)
    errors += checker.errors
    if errors:
        return None, errors, located
    source = _jsonable(model.source)
    data = CatalogueFileData(
        path=display, source=source,
        organizations=[_jsonable(o) for o in model.organizations],
        services=[_jsonable(s) for s in model.services],
        navigators=[_jsonable(n) for n in model.navigators],
    )
    return data, [], located


def catalogue_files(root: Path | None = None) -> list[Path]:
    root = Path(root or CATALOGUE_DIR)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def read_catalogue(root: Path | str | None = None, *, vocab: Vocabulary | None = None,
                   tree: JurisdictionTree | None = None) -> Catalogue:
    """Parse and validate every catalogue file under ``root`` (a directory or one file)."""
    vocab = vocab or load_vocabulary()
    tree = tree or get_tree()
    root_path = Path(root or CATALOGUE_DIR)
    base = root_path if root_path.is_dir() else root_path.parent
    catalogue = Catalogue()
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    located_by_file: dict[str, Located] = {}
    for path in catalogue_files(root_path):
        try:
            display = str(path.relative_to(Path.cwd()))
        except ValueError:
            display = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
        data, errors, located = validate_file(path, vocab, tree, display)
        catalogue.errors += errors
        if data is None or located is None:  # a file with data was parsed, so it is located
            continue
        located_by_file[data.path] = located
        dup_errors = []
        for kind in ("services", "navigators", "organizations"):
            for i, record in enumerate(getattr(data, kind)):
                key = (kind, record["id"])
                line = located.line((kind, i, "id"))
                if key in seen:
                    other_file, other_line = seen[key]
                    dup_errors.append(CatalogueError(display, line, field_name((kind, i, "id")),
                                                     f"duplicate id {record['id']!r} (also in {other_file}:{other_line})"))
                else:
                    seen[key] = (display, line)
        if dup_errors:
            catalogue.errors += dup_errors
            continue
        catalogue.files.append(data)
    known_services = {s["id"] for s in catalogue.services}
    for data in catalogue.files:
        located = located_by_file[data.path]
        for i, navigator in enumerate(data.navigators):
            for j, sid in enumerate(navigator.get("services", [])):
                if sid not in known_services:
                    catalogue.errors.append(CatalogueError(
                        data.path, located.line(("navigators", i, "services", j)),
                        field_name(("navigators", i, "services", j)), f"unknown service id {sid!r}"))
    return catalogue
