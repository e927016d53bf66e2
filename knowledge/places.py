"""The jurisdiction tree (``jurisdictions.yml`` + generated counties) and the place resolver.

    >>> resolve_place("Halifax, Nova Scotia").code
    'CA-NS-halifax'
    >>> resolve_place("London").candidates        # ambiguous: GB-ENG-london and CA-ON-london → ask which
    >>> ancestors("US-WA-seattle")
    ['US-WA-seattle', 'US-WA-king-county', 'US-WA', 'US']

Unknown codes that follow the code pattern (``US-WA-anything``) still get ancestors from the code itself, so a
catalogue may name a municipality before the tree lists it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import JURISDICTION_FILES
from knowledge.text import fold

LEVELS = {0: "federal", 1: "provincial", 2: "municipal"}  # tiers: country / subdivision / local

_CA_POSTAL = re.compile(r"\b([A-Za-z]\d[A-Za-z])[ -]?(\d[A-Za-z]\d)?\b")
_US_ZIP = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?!\d)")
_UK_POSTCODE = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})\b")
_ABBR = re.compile(r"(?<![\w.])((?:[A-Z]\.){2,3}|[A-Z]{2,4})(?![\w])")
_MAX_NGRAM = 7


@dataclass
class Node:
    code: str
    kind: str
    names: dict[str, str]
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)
    abbr: list[str] = field(default_factory=list)
    postal: list[str] = field(default_factory=list)
    outside: bool = False  # a known place outside Signpost's coverage (Kingston, Jamaica)
    generated: bool = False  # from a generated file: yields to a hand-made node of the same name

    def name(self, language: str = "en") -> str:
        return self.names.get(language) or self.names["en"]


@dataclass
class Candidate:
    code: str | None
    name: str
    kind: str
    path: list[str]  # display names from the node up to the country, e.g. ["London", "Ontario", "Canada"]

    def label(self) -> str:
        return ", ".join(self.path)


@dataclass
class PlaceResult:
    """What :func:`resolve_place` understood.

    ``code`` is set when one covered node fits. When several fit (``ambiguous``), ``candidates`` lists them so the
    bot can ask which; ``outside_coverage`` names matching places Signpost does not cover (e.g. "Kingston, Jamaica").
    """

    text: str
    code: str | None = None
    name: str | None = None
    kind: str | None = None
    via: str | None = None  # "code" | "postal" | "name"
    candidates: list[Candidate] = field(default_factory=list)
    outside_coverage: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.code is not None

    @property
    def ambiguous(self) -> bool:
        return self.code is None and len(self.candidates) + len(self.outside_coverage) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "via": self.via,
            "ambiguous": [asdict(c) for c in self.candidates] if self.ambiguous else [],
            "outside_coverage": self.outside_coverage,
        }


_ON_TOWN = re.compile(r"^([a-z]{4,}) (?:on|upon|under|in|by) [a-z]+")


class JurisdictionTree:
    def __init__(self, documents: list[dict[str, Any]]):
        self.nodes: dict[str, Node] = {}
        self._names: dict[str, set[str]] = {}  # folded name → codes
        self._abbr: dict[str, set[str]] = {}
        self._postal: dict[str, dict[str, str]] = {"CA": {}, "US": {}, "GB": {}}
        for doc in documents:
            for raw in (doc or {}).get("jurisdictions") or []:
                self._add(Node(code=raw["code"], kind=raw["kind"], names=raw["names"], parent=raw.get("parent"),
                               aliases=raw.get("aliases") or [], abbr=raw.get("abbr") or [],
                               postal=[str(p) for p in raw.get("postal") or []],
                               generated=bool(raw.get("generated"))))
            for raw in (doc or {}).get("outside_coverage") or []:
                self._add_outside(raw)
        self._add_short_town_names()
        self._codes = {c.upper(): c for c, n in self.nodes.items() if not n.outside}
        self.children: dict[str, list[str]] = {}
        for node in self.nodes.values():
            if node.parent:
                self.children.setdefault(node.parent, []).append(node.code)

    # --- building ---
    def _add(self, node: Node) -> None:
        self.nodes[node.code] = node
        for name in [*node.names.values(), *node.aliases]:
            self._names.setdefault(fold(name), set()).add(node.code)
        for abbr in node.abbr:
            self._abbr.setdefault(abbr.replace(".", "").upper(), set()).add(node.code)
        if node.outside:
            return
        country = node.code.split("-")[0]
        table = self._postal.get(country)
        if table is None:
            return
        for prefix in node.postal:
            if country == "US" and re.fullmatch(r"\d{3}-\d{3}", prefix):
                lo, hi = (int(x) for x in prefix.split("-"))
                for n in range(lo, hi + 1):
                    table[f"{n:03d}"] = node.code
            else:
                table[prefix.upper()] = node.code

    def _add_short_town_names(self) -> None:
        """"Stoke" for Stoke-on-Trent, "Newcastle" for Newcastle upon Tyne: the first word of a "X-on-Y" town, when
        no other place has that name and only one town shortens to it."""
        shorts: dict[str, set[str]] = {}
        for node in self.nodes.values():
            for name in node.names.values():
                if m := _ON_TOWN.match(fold(name)):
                    shorts.setdefault(m[1], set()).add(node.code)
        for short, codes in shorts.items():
            if len(codes) == 1 and short not in self._names:
                self._names[short] = set(codes)

    def _add_outside(self, raw: dict[str, Any]) -> None:
        country = raw.get("country")
        code = "~" + fold(raw["name"]).replace(" ", "-")
        parent = "~" + fold(country).replace(" ", "-") if country else None
        aliases = list(raw.get("aliases") or [])
        if raw.get("place"):
            aliases.append(raw["place"])
        self._add(Node(code=code, kind="outside", names={"en": raw["name"]}, parent=parent, aliases=aliases, outside=True))

    # --- the tree ---
    def node(self, code: str) -> Node | None:
        return self.nodes.get(code)

    def __contains__(self, code: str) -> bool:
        return code in self.nodes and not self.nodes[code].outside

    def parent(self, code: str) -> str | None:
        node = self.nodes.get(code)
        if node is not None:
            return node.parent
        parts = code.split("-")  # structural fallback for codes not (yet) in the tree
        if len(parts) >= 3:
            return "-".join(parts[:2])
        if len(parts) == 2:
            return parts[0]
        return None

    def ancestors(self, code: str, include_self: bool = True) -> list[str]:
        """``code`` (optionally) and every ancestor up to the country, nearest first."""
        chain = [code] if include_self else []
        seen = {code}
        current = self.parent(code)
        while current and current not in seen:
            chain.append(current)
            seen.add(current)
            current = self.parent(current)
        return chain

    def depth(self, code: str) -> int:
        return len(self.ancestors(code)) - 1

    def level(self, code: str) -> str:
        """``federal`` (country), ``provincial`` (state/province/nation) or ``municipal`` (anything below)."""
        return LEVELS[min(self.depth(code), 2)]

    def name(self, code: str, language: str = "en") -> str:
        node = self.nodes.get(code)
        if node is None:
            return code
        return node.name(language)

    def path_names(self, code: str, language: str = "en") -> list[str]:
        return [self.name(c, language) for c in self.ancestors(code)]

    def descendants(self, code: str) -> list[str]:
        out, stack = [], list(self.children.get(code, []))
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(self.children.get(c, []))
        return out

    def all_place_names(self, include_abbreviations: bool = False) -> list[tuple[str, str]]:
        """Every (name, code) pair — display names in all languages and aliases — for NLU patterns/lookups."""
        pairs: list[tuple[str, str]] = []
        for node in self.nodes.values():
            if node.outside or node.kind == "city":  # towns are resolved, not spotted: "Reading", "March"
                continue
            names = [*node.names.values(), *node.aliases] + (node.abbr if include_abbreviations else [])
            for name in dict.fromkeys(names):
                pairs.append((name, node.code))
        return pairs

    # --- resolving ---
    def postal_lookup(self, text: str) -> tuple[str, str] | None:
        """(matched postal code, node code) for the first recognised postal code in ``text``."""
        for m in _UK_POSTCODE.finditer(text):
            outward = m.group(1).upper()
            letters = re.match(r"[A-Z]+", outward)  # the pattern makes every outward code start with letters
            area = letters.group(0) if letters else outward
            table = self._postal["GB"]
            code = table.get(outward) or table.get(area)
            if code:
                return f"{outward} {m.group(2).upper()}", code
        for m in _CA_POSTAL.finditer(text):
            fsa = m.group(1).upper()
            if not m.group(2) and not re.fullmatch(r"\s*[A-Za-z]\d[A-Za-z]\s*", text):
                continue  # a bare FSA only counts when it is the whole text
            table = self._postal["CA"]
            for n in (3, 2, 1):
                if fsa[:n] in table:
                    return (fsa + (" " + m.group(2).upper() if m.group(2) else "")), table[fsa[:n]]
        for m in _US_ZIP.finditer(text):
            zip5 = m.group(1)
            table = self._postal["US"]
            code = table.get(zip5) or table.get(zip5[:3])
            if code:
                return zip5, code
        return None

    def _mentions(self, text: str) -> list[tuple[tuple[int, int], set[str]]]:
        """Name and abbreviation mentions: (token span, candidate codes), longest names first, no overlaps."""
        tokens = fold(text).split()
        found: list[tuple[tuple[int, int], set[str]]] = []
        taken = [False] * len(tokens)
        for n in range(min(_MAX_NGRAM, len(tokens)), 0, -1):
            for i in range(len(tokens) - n + 1):
                if any(taken[i:i + n]):
                    continue
                codes = self._names.get(" ".join(tokens[i:i + n]))
                if codes:
                    found.append(((i, i + n), set(codes)))
                    for j in range(i, i + n):
                        taken[j] = True
        for m in _ABBR.finditer(text):
            codes = self._abbr.get(m.group(1).replace(".", ""))
            if codes:
                found.append(((10_000 + m.start(), 10_000 + m.end()), set(codes)))
        return found

    def _candidate(self, code: str, language: str) -> Candidate:
        node = self.nodes[code]
        return Candidate(code=None if node.outside else code, name=node.name(language), kind=node.kind,
                         path=self.path_names(code, language))

    def resolve(self, text: str | None, language: str = "en") -> PlaceResult:
        result = PlaceResult(text=text or "")
        if not text or not str(text).strip():
            return result
        text = str(text).strip()
        code = self._codes.get(text.upper())  # an exact code: "CA-NS", "us-wa-king-county"
        if code is not None:
            return self._found(result, code, "code", language)
        postal = self.postal_lookup(text)
        mentions = self._without_stray_towns(self._mentions(text))
        if postal:
            code = postal[1]
            # a named place inside the postal area is more precise ("Seattle 98101" stays Seattle)
            inside = [c for _, codes in mentions for c in codes if code in self.ancestors(c, include_self=False)]
            if len(set(inside)) == 1:
                return self._found(result, inside[0], "name", language)
            return self._found(result, code, "postal", language)
        if not mentions:
            return result
        scored: dict[str, tuple[int, int]] = {}
        for index, (_, codes) in enumerate(mentions):
            for code in codes:
                chain = set(self.ancestors(code))
                support = sum(1 for j, (_, other) in enumerate(mentions) if j != index and chain & other)
                score = (support, self.depth(code))
                if scored.get(code, (-1, -1)) < score:
                    scored[code] = score
        best = max(scored.values())
        top = sorted(c for c, s in scored.items() if s == best)
        if any(not self.nodes[c].generated for c in top):
            # "King County": the hand-made King County, Washington wins over generated look-alikes (King County, Texas)
            top = [c for c in top if not self.nodes[c].generated]
        # a candidate that is an ancestor of another top candidate adds nothing ("Kingston, Ontario" vs "Ontario")
        covered = [c for c in top if not self.nodes[c].outside]
        outside = [c for c in top if self.nodes[c].outside]
        if len(top) == 1 and not outside:
            return self._found(result, top[0], "name", language)
        if len(top) == 1 and outside:
            result.outside_coverage = [self.nodes[outside[0]].name(language)]
            return result
        # look-alikes outside coverage named by the same words ("Kingston" → also Kingston, Jamaica)
        for _, codes in mentions:
            if codes & set(covered):
                outside += sorted(c for c in codes if self.nodes[c].outside and c not in outside)
        result.candidates = [self._candidate(c, language) for c in covered]
        result.outside_coverage = [self.nodes[c].name(language) for c in outside]
        return result

    def _without_stray_towns(self, mentions: list[tuple[tuple[int, int], set[str]]]
                             ) -> list[tuple[tuple[int, int], set[str]]]:
        """A town of the towns list counts only where nothing else was named, or inside what was: "Topeka KS" is
        Topeka, "Sudbury ON" stays Ontario (not Sudbury, England), "Hoquiam WA, Grays Harbor" stays Washington."""
        settled = {c for _, codes in mentions for c in codes if self.nodes[c].kind != "city"}
        if not settled:
            return mentions
        kept = []
        for words, codes in mentions:
            inside = {c for c in codes if self.nodes[c].kind != "city"
                      or settled & set(self.ancestors(c, include_self=False))}
            if inside:
                kept.append((words, inside))
        return kept

    def _found(self, result: PlaceResult, code: str, via: str, language: str) -> PlaceResult:
        node = self.nodes.get(code)
        result.code, result.via = code, via
        result.name = node.name(language) if node else code
        result.kind = node.kind if node else None
        result.candidates = [self._candidate(code, language)] if node else []
        return result


def _read_documents(paths: tuple[Path, ...]) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in paths:
        if Path(path).exists():
            with open(path, encoding="utf-8") as fh:
                docs.append(yaml.safe_load(fh) or {})
    return docs


@lru_cache(maxsize=4)
def _tree(paths: tuple[str, ...], mtimes: tuple[float, ...]) -> JurisdictionTree:
    return JurisdictionTree(_read_documents(tuple(Path(p) for p in paths)))


def get_tree(paths: tuple[Path, ...] = JURISDICTION_FILES) -> JurisdictionTree:
    """The jurisdiction tree, re-read when one of its files changes on disk."""
    mtimes = tuple(Path(p).stat().st_mtime if Path(p).exists() else 0.0 for p in paths)
    return _tree(tuple(str(p) for p in paths), mtimes)


def resolve_place(text: str | None, language: str = "en") -> PlaceResult:
    """Turn free text ("Halifax", "B3H 1X1", "80202", "King County", "Nouvelle-Écosse") or a code into a node."""
    return get_tree().resolve(text, language)


def ancestors(code: str, include_self: bool = True) -> list[str]:
    return get_tree().ancestors(code, include_self)


def name(code: str, language: str = "en") -> str:
    return get_tree().name(code, language)


def level(code: str) -> str:
    return get_tree().level(code)


def all_place_names(include_abbreviations: bool = False) -> list[tuple[str, str]]:
    """Every (name, code) pair of the covered tree, for the NLU's entity-ruler patterns and lookup tables."""
    return get_tree().all_place_names(include_abbreviations)
