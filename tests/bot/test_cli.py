"""The ``signpost`` command as an operator uses it: help, clear errors, non-zero exits."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.errors import CLIError
from bot.settings import PROJECT_ROOT, Settings

SIGNPOST = [sys.executable, "-m", "bot.cli"]


def run_cli(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*SIGNPOST, *args], capture_output=True, text=True, input=stdin, cwd=PROJECT_ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)


@pytest.mark.parametrize("args", [[], ["run"], ["train"], ["db"], ["db", "upgrade"], ["knowledge"],
                                  ["knowledge", "load"], ["knowledge", "validate"], ["match"]])
def test_every_subcommand_has_help(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--help"])
    assert exit_.value.code == 0
    assert "usage: signpost" in capsys.readouterr().out


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_db_upgrade_with_unreachable_url_names_it_masked_and_fails():
    result = run_cli("db", "upgrade", "--url", "postgresql://signpost:topsecret@127.0.0.1:1/signpost")
    assert result.returncode == 1
    assert "postgresql://signpost:***@127.0.0.1:1/signpost" in result.stderr
    assert "topsecret" not in result.stderr + result.stdout


def test_db_upgrade_on_a_fresh_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh.db"
    result = run_cli("db", "upgrade", "--url", url)
    assert result.returncode == 0, result.stderr
    current = run_cli("db", "current", "--url", url)
    assert current.returncode == 0 and current.stdout.strip() not in ("", "(no migrations applied)")


def test_run_names_the_port_that_is_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("run", env={"SIGNPOST_DESK_PORT": str(port), "SIGNPOST_RASA_PORT": "0",
                                     "SIGNPOST_ACTION_PORT": "0"})
    assert result.returncode == 1
    assert f"port {port} (desk) is already in use" in result.stderr


def test_missing_model_prompts_training(tmp_path):
    """With --no-train and no model for the current data, `run` says to train instead of starting."""
    from bot.cli.run import prepare

    for name in ("config.yml", "domain", "data"):
        src = PROJECT_ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    settings = Settings(database_url=f"sqlite:///{tmp_path}/var/s.db", project_root=tmp_path)
    with pytest.raises(CLIError, match="signpost train"):
        prepare(settings, allow_train=False)


def test_training_fingerprint_changes_with_the_data(tmp_path):
    from bot.training import training_fingerprint

    for name in ("config.yml", "domain", "data"):
        src = PROJECT_ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    before = training_fingerprint(tmp_path)
    assert before == training_fingerprint(tmp_path)
    nlu = next((tmp_path / "data" / "nlu").rglob("*.yml"))
    nlu.write_text(nlu.read_text() + "\n")
    assert training_fingerprint(tmp_path) != before


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "signpost"
    assert script.is_file()
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "match" in result.stdout


def test_a_subcommand_error_is_one_line_under_python_m(tmp_path):
    """``python -m bot.cli`` and the console script catch the same CLIError (it has one home, bot.cli.errors)."""
    result = run_cli("knowledge", "status", "--url", "postgresql://signpost:pw@127.0.0.1:1/signpost")
    assert result.returncode == 1
    assert result.stderr.startswith("signpost knowledge: cannot reach the database") and "Traceback" not in result.stderr


def test_import_reads_the_shared_data_directory_from_the_environment(tmp_path):
    missing = tmp_path / "no-shared-data"
    result = run_cli("knowledge", "import", "usagov", "--out", str(tmp_path / "out"),
                     env={"SIGNPOST_SHARED_DATA": str(missing)})
    assert result.returncode == 1, result.stdout
    assert "source data not found" in result.stderr and str(missing) in result.stderr
    assert "Traceback" not in result.stderr


def test_the_policyengine_wheel_comes_from_the_environment(tmp_path):
    """``knowledge import pe`` reads the wheel named by $SIGNPOST_POLICYENGINE_CANADA (through the settings)."""
    wheel = tmp_path / "elsewhere" / "policyengine.whl"
    result = run_cli("knowledge", "import", "pe", "--out", str(tmp_path / "out"),
                     env={"SIGNPOST_POLICYENGINE_CANADA": str(wheel)})
    assert result.returncode == 1
    assert f"source data not found: {wheel} " in result.stderr
