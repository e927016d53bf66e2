"""``signpost knowledge …`` and ``signpost match`` as a user runs them (subprocess)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from knowledge_helpers import service, write_catalogue

ROOT = Path(__file__).resolve().parents[2]
SIGNPOST = ROOT / ".venv" / "bin" / "signpost"
CMD = [str(SIGNPOST)] if SIGNPOST.exists() else [sys.executable, "-m", "bot.cli"]


def run(*args, stdin=None, env=None):
    return subprocess.run([*CMD, *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("args", [["match"], ["knowledge"], ["knowledge", "load"], ["knowledge", "validate"],
                                  ["knowledge", "import"], ["knowledge", "place"], ["knowledge", "status"]])
def test_every_subcommand_has_help(args):
    result = run(*args, "--help")
    assert result.returncode == 0 and "usage: signpost" in result.stdout


@pytest.fixture
def loaded_url(database_url, tmp_path):
    write_catalogue(tmp_path / "cat", [
        service("hfx-one", ["CA-NS-halifax"], ["death"], [{"criterion": "applicant_relationship_to_the_deceased", "values": ["spouse"]}]),
        service("ns-two", ["CA-NS"], ["death"]),
    ])
    result = run("knowledge", "load", "--url", database_url, "--root", str(tmp_path / "cat"))
    assert result.returncode == 0, result.stderr
    assert "loaded catalogue version 1" in result.stdout
    return database_url


def test_match_from_profile_file_and_stdin(loaded_url, tmp_path):
    profile = {"life_events": ["death"], "location": "Halifax, Nova Scotia",
               "answers": {"applicant_relationship_to_the_deceased": "Spouse"}, "as_of": "2026-11-23", "language": "en"}
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile))
    by_file = run("match", "--url", loaded_url, "--profile", str(path))
    assert by_file.returncode == 0, by_file.stderr
    out = json.loads(by_file.stdout)
    assert {s["id"]: s["status"] for s in out["services"]} == {"hfx-one": "likely", "ns-two": "likely"}
    assert out["location"]["code"] == "CA-NS-halifax" and out["next_questions"] == []
    by_stdin = run("match", "--url", loaded_url, "--indent", "0", stdin=json.dumps(profile))
    assert by_stdin.returncode == 0 and json.loads(by_stdin.stdout)["services"] == out["services"]
    via_env = run("match", stdin=json.dumps(profile), env={"DATABASE_URL": loaded_url})
    assert via_env.returncode == 0 and json.loads(via_env.stdout)["services"] == out["services"]


def test_match_errors_are_one_clear_line(loaded_url, tmp_path):
    bad_json = run("match", "--url", loaded_url, stdin='{"life_events": ["death"],')
    assert bad_json.returncode == 1
    assert bad_json.stderr.startswith("signpost match: malformed JSON profile on stdin:") and "Traceback" not in bad_json.stderr
    bad_profile = run("match", "--url", loaded_url, stdin='{"life_events": ["astrology"]}')
    assert bad_profile.returncode == 1 and "unknown life event 'astrology'" in bad_profile.stderr
    empty = run("match", "--url", loaded_url, stdin="")
    assert empty.returncode == 1 and "no profile" in empty.stderr
    missing = run("match", "--url", loaded_url, "--profile", str(tmp_path / "nope.json"))
    assert missing.returncode == 1 and "cannot read profile file" in missing.stderr


def test_match_on_an_empty_database_says_what_to_do(migrated_url):
    result = run("match", "--url", migrated_url, stdin='{"life_events": ["death"]}')
    assert result.returncode == 1 and "signpost knowledge load" in result.stderr


def test_validate_reports_file_line_field_and_exits_1(tmp_path):
    write_catalogue(tmp_path, [service("ok-one", ["CA-NS"], ["death"]), service("bad-one", ["CA-ZZ"], ["death"])])
    result = run("knowledge", "validate", "--root", str(tmp_path))
    assert result.returncode == 1
    assert "test.yml:" in result.stderr and ": services[1].service_areas[0]: unknown jurisdiction code 'CA-ZZ'" in result.stderr
    good = run("knowledge", "validate")
    assert good.returncode == 0 and "catalogue OK" in good.stdout


def test_load_refuses_a_broken_catalogue(tmp_path):
    write_catalogue(tmp_path / "cat", [service("bad-one", ["CA"], ["not-an-event"])])
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = run("knowledge", "load", "--url", url, "--root", str(tmp_path / "cat"))
    assert result.returncode == 1 and "nothing was loaded" in result.stderr and "unknown life event" in result.stderr


def test_import_writes_valid_yaml(tmp_path):
    result = run("knowledge", "import", "px", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "us_px_benefit_finder.yml").exists() and "px: 30 services" in result.stdout
    missing = run("knowledge", "import", "px", "--out", str(tmp_path), "--data-dir", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "source data not found" in missing.stderr


def test_place_command():
    result = run("knowledge", "place", "London")
    assert result.returncode == 0
    assert {a["code"] for a in json.loads(result.stdout)["ambiguous"]} == {"GB-ENG-london", "CA-ON-london"}
