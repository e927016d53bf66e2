"""Files that hold secrets (tokens, keys, rendered credentials), written one way: private from the first byte.

Every such file is created with mode 0600 by ``open(O_CREAT | O_EXCL, 0o600)`` under a temporary name, written,
fsynced, and only then given its real name — so no other user can ever read it, not even for an instant, and no
reader ever sees half a file. The directory for them (``var/``) is created mode 0700.

* :func:`write_secret` — (re)write a file generated from configuration (``var/endpoints.yml``, ``var/credentials.yml``).
* :func:`secret_once` — a secret generated once and then kept (``var/rasa_token``, ``var/channel_key``); when two
  processes race to create it, both end up with the one that won.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) mode 0700; an existing directory is tightened to 0700 too."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != PRIVATE_DIR:
        path.chmod(PRIVATE_DIR)
    return path


def _parent(path: Path) -> Path:
    """The file's directory; created 0700 when missing (an existing one, e.g. a test's tmp dir, is left alone)."""
    if not path.parent.is_dir():
        path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path.parent


def _private_temp(path: Path, text: str) -> Path:
    """A new file next to ``path``, mode 0600 from creation, holding ``text`` on disk (fsynced)."""
    directory = _parent(path)
    while True:
        temp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        break
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _sync_dir(directory: Path) -> None:
    """Make the new name durable (a rename lives in the directory)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_secret(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically, mode 0600, replacing what was there."""
    temp = _private_temp(path, text)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)
    return path


def secret_once(path: Path, generate: Callable[[], str]) -> str:
    """The secret in ``path``; when there is none yet, ``generate()`` it and keep it there (mode 0600).

    ``os.link`` gives the fully written file its name only if the name is free, so of two processes creating it at
    once, one wins and the other reads the winner's secret instead of overwriting it.
    """
    if not path.is_file():
        temp = _private_temp(path, generate())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            _sync_dir(path.parent)
        finally:
            temp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()
