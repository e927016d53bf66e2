"""Helpers shared by the importers: YAML writing, text cleanup, URL checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from knowledge.text import slug, strip_html
from knowledge.vocab import Vocabulary, load_vocabulary

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
    path.write_text(dump(doc, header), encoding="utf-8")
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
