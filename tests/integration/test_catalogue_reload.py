"""A running stack picks up a reloaded catalogue: no Rasa restart, no retraining."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from bot.db import make_engine

pytestmark = pytest.mark.integration

RELOADED = """
source:
  id: reload-test
  name: Reload test catalogue
  licence: test data
  retrieved: '2026-11-23'
organizations:
- id: reload-org:halifax
  name: {en: Halifax Regional Municipality}
  url: https://www.halifax.ca
services:
- id: reload:halifax-job-help
  organization: reload-org:halifax
  name: {en: Halifax Reloaded Job Help Desk}
  description: {en: A service that exists only after the catalogue was reloaded.}
  url: {en: 'https://www.halifax.ca/reloaded-job-help'}
  service_areas: [CA-NS-halifax]
  life_events: [job_loss]
  source: {id: reload-1, url: 'https://www.halifax.ca/reloaded-job-help', last_reviewed: 2026-11-23}
"""


@pytest.fixture(scope="module")
def stack(trained_model, tmp_path_factory):
    from bot.stack import running_stack

    workdir = tmp_path_factory.mktemp("reload")
    with running_stack(f"sqlite:///{workdir / 'signpost.db'}", trained_model, workdir) as running:
        yield running


def replies(stack, sender: str, message: str) -> str:
    body = json.dumps({"sender": sender, "message": message}).encode()
    req = urllib.request.Request(stack.rest_url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return "\n".join(m.get("text", "") for m in json.loads(resp.read()))


def test_reloaded_catalogue_is_used_by_the_running_bot(stack, tmp_path):
    from knowledge.loader import load_catalogue

    before = replies(stack, f"r-{uuid.uuid4().hex[:8]}", "I lost my job and I live in Halifax")
    assert "Halifax Reloaded Job Help Desk" not in before

    root = tmp_path / "catalogue"
    root.mkdir()
    (root / "reload.yml").write_text(RELOADED)
    engine = make_engine(stack.settings.database_url)
    try:
        report = load_catalogue(engine, root)
        assert report.ok and report.changed, report.errors
        after = replies(stack, f"r-{uuid.uuid4().hex[:8]}", "I lost my job and I live in Halifax")
        assert "Halifax Reloaded Job Help Desk" in after
        assert "https://www.halifax.ca/reloaded-job-help" in after
        assert "Employment Insurance" not in after  # the old catalogue is really gone
    finally:
        load_catalogue(engine)  # back to the real catalogue
        engine.dispose()
