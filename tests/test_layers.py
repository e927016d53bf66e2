"""Layers point one way and each fact has one home — checked on the source text, so a regression fails here.

* ``knowledge/`` is the bottom layer: it imports nothing of ``bot`` or ``actions``.
* Only ``bot/settings.py`` reads the environment.
* The CLI subcommands import ``CLIError`` from ``bot.cli.errors``, never the ``bot.cli`` package that imports them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("bot", "knowledge", "actions")

# Writes to the environment that are justified (the key is the file, the value the one allowed line).
ENVIRONMENT_WRITES: dict[str, tuple[str, ...]] = {
    # TensorFlow reads its log level at import, before any settings object exists: quiet it for this command.
    "bot/cli_understand.py": ('os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")',),
    # writes, not reads: tell any Hugging Face library imported later that nothing may be downloaded
    "bot/nlu/encoder.py": ('os.environ.setdefault("HF_HUB_OFFLINE", "1")',
                           'os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")'),
}
ENVIRONMENT_READ = re.compile(r"\bos\.environ\b|\bos\.getenv\b|\bgetenv\(|\bfrom os import [^\n]*\b(environ|getenv)\b")


def sources(*packages: str) -> Iterator[tuple[str, str]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def imported_modules(text: str) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def test_knowledge_imports_nothing_of_bot_or_actions():
    found = [f"{name}:{line}: {module}" for name, text in sources("knowledge")
             for line, module in imported_modules(text) if module.split(".")[0] in ("bot", "actions")]
    assert found == []


def test_only_settings_reads_the_environment():
    found = []
    for name, text in sources(*CODE):
        if name == "bot/settings.py":
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if ENVIRONMENT_READ.search(line) and line.strip() not in ENVIRONMENT_WRITES.get(name, ()):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []


def test_the_check_would_see_an_environment_read():
    """The pattern above is not blind: it catches each way of reading the environment."""
    for line in ('url = os.environ.get("DATABASE_URL")', 'os.getenv("X")', "from os import environ",
                 "from os import path, getenv", "env = dict(os.environ)"):
        assert ENVIRONMENT_READ.search(line), line
    assert not ENVIRONMENT_READ.search("environment = load_settings()")


def test_cli_subcommands_do_not_import_the_cli_package():
    found = []
    for name, text in sources("bot/cli"):
        if name in ("bot/cli/__init__.py", "bot/cli/__main__.py"):
            continue
        for line, module in imported_modules(text):
            if module == "bot.cli" or (module.startswith("bot.cli.") and module.count(".") == 2
                                       and module.split(".")[2] in ("main", "build_parser")):
                found.append(f"{name}:{line}: {module}")
    understand = (ROOT / "bot" / "cli_understand.py").read_text()
    assert "from bot.cli.errors import CLIError" in understand
    assert found == []
