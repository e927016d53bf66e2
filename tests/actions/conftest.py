"""A real catalogue in a throw-away SQLite database, and the dialogue's tools on top of it (no Rasa needed)."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot.settings import PROJECT_ROOT

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="session")
def catalogue_engine(tmp_path_factory):
    from bot.db import make_engine, upgrade
    from knowledge.loader import ensure_catalogue_loaded

    url = f"sqlite:///{tmp_path_factory.mktemp('catalogue') / 'signpost.db'}"
    upgrade(url)
    engine = make_engine(url)
    assert ensure_catalogue_loaded(engine).ok
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def responses():
    return yaml.safe_load((PROJECT_ROOT / "domain" / "responses.yml").read_text())["responses"]


@pytest.fixture
def tools(catalogue_engine, responses):
    from bot.conversation import Phrases, Tools
    from knowledge.match import match_profile
    from knowledge.places import resolve_place
    from knowledge.vocab import load_vocabulary

    return Tools(match=lambda profile: match_profile(catalogue_engine, profile), resolve_place=resolve_place,
                 vocab=load_vocabulary(), phrases=Phrases(responses), today=TODAY)
