"""Helpers shared by the importers: YAML writing, text cleanup, URL checks, need tagging."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge import PACKAGE_DIR
from knowledge.importers import SOURCES
from knowledge.importers.audience import set_audiences
from knowledge.text import fold, slug, strip_html
from knowledge.vocab import Vocabulary, load_vocabulary

NEED_TAGS_FILE = PACKAGE_DIR / "need_tags.yml"
NEED_FIELDS = ("name", "description", "program", "key", "abbreviation")
AUDIENCES = ("individuals", "organisations", "internal")

_WS = re.compile(r"\s+")


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no types (no stubs in the lock)
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(doc: dict[str, Any], header: str) -> str:
    body: str = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    return "".join(f"# {line}\n" if line else "#\n" for line in header.strip().splitlines()) + body


def write(path: Path, doc: dict[str, Any], header: str) -> Path:
    """Write a catalogue file; every service gets its audience first (knowledge/importers/audience.py)."""
    path.write_text(dump(set_audiences(doc), header), encoding="utf-8")
    return path


def clean(text: Any) -> str | None:
    if text is None:
        return None
    text = strip_html(str(text))
    return text or None


def one_line(text: Any) -> str | None:
    text = clean(text)
    return _WS.sub(" ", text) if text else None


def url_or_none(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    url = value.strip()
    if url.startswith("www."):
        url = "https://" + url
    if not url.startswith(("http://", "https://")) or " " in url:
        return None
    return url


def texts(**by_lang: Any) -> dict[str, Any] | None:
    """{en, fr, es} without empty entries (English required, else None)."""
    out = {k: v for k, v in by_lang.items() if v}
    return out if out.get("en") else None


def vocab() -> Vocabulary:
    return load_vocabulary()


def rule(vocabulary: Vocabulary, key: str, values: list[Any], label: dict[str, Any] | None = None) -> dict[str, Any]:
    """A catalogue rule from a source criterion key and source values, in canonical form."""
    crit = vocabulary.criterion(key)
    if crit is None:
        raise KeyError(f"criterion {key!r} missing from knowledge/criteria.yml")
    out: dict[str, Any] = {"criterion": crit.key}
    if crit.type == "date":
        out["op"] = "date"
        out["values"] = [str(v) for v in values]
    else:
        canonical = []
        for v in values:
            c = crit.canonical_option(v)
            if c is None:
                raise ValueError(f"{key}: value {v!r} is not an option in knowledge/criteria.yml")
            if c not in canonical:
                canonical.append(c)
        out["values"] = canonical
    if label:
        out["label"] = label
    return out


def org_id(prefix: str, name: str) -> str:
    return f"{prefix}-org:{slug(name)}"


@dataclass(frozen=True)
class NeedRule:
    need: str
    sources: frozenset[str]
    fields: tuple[str, ...]
    needles: tuple[str, ...]
    unless: tuple[str, ...] = ()
    instead_of: tuple[str, ...] = ()


def _needles(words: list[str]) -> tuple[str, ...]:
    """`` word `` for a whole word or phrase, `` word`` for a prefix (``disab*``), on folded text."""
    return tuple(f" {fold(w[:-1])}" if w.endswith("*") else f" {fold(w)} " for w in words)


def _only(entry: dict[str, Any], keys: set[str], where: str) -> None:
    """Refuse unknown keys: in a YAML flow mapping an unquoted comma silently starts a new key."""
    if not isinstance(entry, dict) or set(entry) - keys:
        raise ValueError(f"{where}: unknown keys {sorted(set(entry) - keys) if isinstance(entry, dict) else entry!r}; "
                         f"expected {sorted(keys)} (quote text that contains a comma)")


class NeedTags:
    """``knowledge/need_tags.yml``: the needs a service answers beyond its source's own tags, read from its words.

    Sources tag services with their own categories (mapped by each importer); those miss needs a citizen names
    ("heating", "phone bill", "legal help") and mis-file some (MyFriendBen files Lifeline under housing), so the
    rules here, one place for every importer, add and correct them. Editors change the YAML, then re-import.
    """

    def __init__(self, doc: dict[str, Any], vocabulary: Vocabulary, sources: tuple[str, ...]):
        known = set(vocabulary.life_events)
        self.rules: list[NeedRule] = []
        for need, rules in (doc.get("needs") or {}).items():
            for raw in rules:
                where = f"need_tags.yml: needs.{need}"
                _only(raw, {"sources", "in", "words", "unless", "instead_of"}, where)
                bad = ({need} | set(raw.get("instead_of") or [])) - known
                if bad or not set(raw.get("sources") or []) <= set(sources) or not raw.get("sources"):
                    raise ValueError(f"{where}: unknown need {sorted(bad)} or sources {raw.get('sources')} "
                                     f"(known sources: {', '.join(sources)})")
                fields = tuple(raw.get("in") or ["name"])
                if not set(fields) <= set(NEED_FIELDS) or not raw.get("words"):
                    raise ValueError(f"{where}: `in` must be among {NEED_FIELDS} and `words` must not be empty")
                self.rules.append(NeedRule(need, frozenset(raw["sources"]), fields, _needles(raw["words"]),
                                           _needles(raw.get("unless") or []), tuple(raw.get("instead_of") or ())))
        self.services: dict[str, dict[str, Any]] = doc.get("services") or {}
        for sid, edit in self.services.items():
            _only(edit, {"add", "drop", "why"}, f"need_tags.yml: services.{sid}")
            bad = set(edit.get("add") or []) | set(edit.get("drop") or [])
            if bad - known or not edit.get("why"):
                raise ValueError(f"need_tags.yml: services.{sid}: unknown need in {sorted(bad - known)} or no `why`")
        self.no_need: dict[str, dict[str, Any]] = doc.get("answers_no_need") or {}
        for sid, entry in self.no_need.items():
            _only(entry, {"audience", "why"}, f"need_tags.yml: answers_no_need.{sid}")
            if entry.get("audience") not in AUDIENCES or not entry.get("why"):
                raise ValueError(f"need_tags.yml: answers_no_need.{sid}: audience must be one of {AUDIENCES}, with a `why`")

    def needs(self, source: str, sid: str, tagged: list[str], **fields: str | None) -> list[str]:
        """``tagged`` (the source's own tags, mapped) plus what the rules find, minus what they correct."""
        if sid in self.no_need:
            return []  # an office, an organisations' service or one outside the taxonomy: in no citizen's need
        texts = {k: f" {fold(v)} " for k, v in fields.items() if v}
        out = list(tagged)
        replaced: set[str] = set()
        for r in self.rules:
            if source not in r.sources:
                continue
            hay = " | ".join(texts[f] for f in r.fields if f in texts)
            if any(n in hay for n in r.needles) and not any(n in hay for n in r.unless):
                out.append(r.need)
                replaced.update(r.instead_of)
        edit = self.services.get(sid) or {}
        out = [n for n in out if n not in replaced or n in (edit.get("add") or [])] + list(edit.get("add") or [])
        drop = set(edit.get("drop") or [])
        return [n for n in dict.fromkeys(out) if n not in drop]


def need_tags(path: Path = NEED_TAGS_FILE) -> NeedTags:
    """The need rules, read fresh (importers run once per command)."""
    return NeedTags(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, vocab(), SOURCES)
