"""Secret files are private from the first byte: 0600 at creation, written whole, var/ 0700."""

from __future__ import annotations

import os
import stat

import pytest

from bot import secret_files
from bot.cli.run import rasa_token
from bot.db import normalise_url
from bot.rasa_config import write_credentials, write_endpoints
from bot.secret_files import private_dir, secret_once, write_secret
from bot.settings import Settings


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """A umask that would make a careless file world-readable (and writable)."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_write_secret_is_private_even_with_an_open_umask(tmp_path, open_umask):
    path = write_secret(tmp_path / "endpoints.yml", "password: x\n")
    assert path.read_text() == "password: x\n"
    assert mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["endpoints.yml"]  # no temporary file left


def test_the_file_is_private_before_it_has_its_name(tmp_path, monkeypatch):
    """The bytes are written to a file that is already 0600 and only then renamed into place."""
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((mode(src), open(src).read()))
        real_replace(src, dst)

    monkeypatch.setattr(secret_files.os, "replace", spy)
    write_secret(tmp_path / "credentials.yml", "token: t\n")
    assert seen == [(0o600, "token: t\n")]


def test_write_secret_replaces_and_tightens_an_old_readable_file(tmp_path):
    path = tmp_path / "credentials.yml"
    path.write_text("old")
    path.chmod(0o644)
    write_secret(path, "new")
    assert path.read_text() == "new" and mode(path) == 0o600


def test_a_failed_write_leaves_neither_a_file_nor_a_temporary(tmp_path, monkeypatch):
    def broken(fd):
        raise OSError("disk full")

    monkeypatch.setattr(secret_files.os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        write_secret(tmp_path / "endpoints.yml", "x")
    assert list(tmp_path.iterdir()) == []


def test_secret_once_generates_once_and_keeps_it(tmp_path, open_umask):
    calls = []

    def generate() -> str:
        calls.append(1)
        return f"secret-{len(calls)}"

    path = tmp_path / "var" / "rasa_token"
    assert secret_once(path, generate) == "secret-1"
    assert secret_once(path, generate) == "secret-1"
    assert calls == [1]
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700  # the missing directory was created private


def test_secret_once_keeps_the_winner_of_a_race(tmp_path):
    """Another process creates the secret while this one is generating: both then use the winner's."""
    path = tmp_path / "channel_key"

    def generate() -> str:
        path.write_text("theirs")
        return "mine"

    assert secret_once(path, generate) == "theirs"
    assert path.read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["channel_key"]


def test_private_dir_creates_0700_and_tightens_an_existing_directory(tmp_path, open_umask):
    fresh = private_dir(tmp_path / "a" / "var")
    assert mode(fresh) == 0o700
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    private_dir(old)
    assert mode(old) == 0o700


def test_rasa_token_is_generated_once_private_unless_configured(tmp_path, open_umask):
    settings = Settings(project_root=tmp_path)
    token = rasa_token(settings)
    assert len(token) >= 24 and rasa_token(settings) == token
    assert mode(tmp_path / "var" / "rasa_token") == 0o600
    assert mode(tmp_path / "var") == 0o700
    assert rasa_token(Settings(project_root=tmp_path, rasa_token="configured")) == "configured"


def test_rendered_endpoints_and_credentials_are_private(tmp_path, open_umask):
    settings = Settings(database_url="postgresql://signpost:pw@db/signpost", project_root=tmp_path)
    (tmp_path / "credentials.yml").write_text("rest:\n")
    endpoints = write_endpoints(settings)
    credentials = write_credentials(settings, env={})
    assert endpoints == tmp_path / "var" / "endpoints.yml" and "pw" in endpoints.read_text()
    assert (mode(endpoints), mode(credentials), mode(tmp_path / "var")) == (0o600, 0o600, 0o700)


def test_the_sqlite_directory_is_created_private(tmp_path, open_umask):
    normalise_url("sqlite:///var/signpost.db", root=tmp_path)
    assert mode(tmp_path / "var") == 0o700
