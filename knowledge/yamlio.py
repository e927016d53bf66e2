"""YAML reading that remembers where every value came from, so errors can name file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import yaml

Path_: TypeAlias = tuple[str | int, ...]  # a location inside a document: ("services", 3, "eligibility", 0, "values")


@dataclass
class Located:
    """A parsed YAML document plus the line (1-based) of every mapping value and sequence item."""

    data: Any
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[tuple[Path_, int, str]] = field(default_factory=list)  # structural problems (duplicate keys)

    def line(self, path: Path_) -> int:
        """The line of ``path`` or of its nearest located parent."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same nodes and marks, 10x faster


class YAMLFileError(Exception):
    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.message = file, line, message


def _walk(node: yaml.Node, path: Path_, out: Located) -> None:
    out.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                out.problems.append((path + (key,), key_node.start_mark.line + 1,
                                     f"duplicate key {key!r} (first on line {seen[key]})"))
            seen[key] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), out)
            out.lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), out)


def load_located(text: str, file: str) -> Located:
    """Parse ``text``; raise :class:`YAMLFileError` (with the line) when it is not valid YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YAMLFileError(file, line, f"invalid YAML: {exc.problem or exc}") from exc
    finally:
        loader.dispose()
    out = Located(data=data, file=file)
    if node is not None:
        _walk(node, (), out)
    return out


def read_located(path: str | Path) -> Located:
    path = Path(path)
    return load_located(path.read_text(encoding="utf-8"), str(path))
