"""Layers that point one way, checked on the source: the core packages never import the desk, the desk never
imports a CLI module nor writes handoff rows itself, no first-party import hides inside a function to dodge an
import circle, and the desk reads configuration only from Settings."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.settings import PROJECT_ROOT

BOT = PROJECT_ROOT / "bot"
DESK = sorted((BOT / "desk").glob("*.py"))
HANDOFF = [BOT / "handoff" / f"{name}.py" for name in ("store", "service", "teams", "models")]
CORE = [*sorted((BOT / "handoff").glob("*.py")), *sorted((BOT / "survey").glob("*.py")),  # and the dialogue
        *sorted((BOT / "dialogue").glob("*.py")), *[p for p in (BOT / "conversation.py", BOT / "replies.py")
                                                    if p.is_file()]]
FIRST_PARTY = ("bot", "actions", "knowledge")
HANDOFF_ROWS = {"Handoff", "HandoffNote", "CallbackRequest"}


def imports(path: Path) -> list[tuple[ast.AST, str, list[str]]]:
    """(node, module, names) for every import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node, node.module, [alias.name for alias in node.names]))
    return found


def test_core_packages_never_import_the_desk():
    offenders = [f"{p.relative_to(PROJECT_ROOT)}: {m}" for p in CORE for _, m, _ in imports(p)
                 if m == "bot.desk" or m.startswith("bot.desk.")]
    assert offenders == []


def test_no_web_view_imports_a_cli_module():
    offenders = [f"{p.relative_to(PROJECT_ROOT)}: {m}" for p in DESK for _, m, _ in imports(p)
                 if m.split(".")[-1] == "cli" or m.split(".")[-1].startswith("cli_")]
    assert offenders == []


def test_no_first_party_import_inside_a_function():
    offenders = []
    for path in [*DESK, *HANDOFF]:
        for func in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                module = (node.module or "" if isinstance(node, ast.ImportFrom)
                          else node.names[0].name if isinstance(node, ast.Import) else None)
                if module is not None and module.split(".")[0] in FIRST_PARTY:
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {module}")
    assert offenders == []


def test_the_desk_writes_handoff_rows_only_through_the_store():
    """A desk module may name the handoff models (for type hints) but not hold a session or a write statement."""
    offenders = []
    for path in DESK:
        found = imports(path)
        rows = {n for _, m, names in found if m == "bot.handoff.models" for n in names} & HANDOFF_ROWS
        writes = {n for _, m, names in found if m in ("sqlalchemy", "bot.db")
                  for n in names} & {"update", "insert", "delete", "session_factory"}
        if rows and writes:
            offenders.append(f"{path.relative_to(PROJECT_ROOT)}: {sorted(rows)} with {sorted(writes)}")
    assert offenders == []


def test_the_desk_reads_no_environment():
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in DESK
                 if "os.environ" in p.read_text() or "getenv" in p.read_text()]
    assert offenders == []
