"""Ratings from other instruments: imported from a CSV (errors by file and line), converted to the 0–100 index
(4/5 → 75), shown on the dashboard apart from the A-11 survey's own index."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.db import make_engine
from bot.survey.dashboard import Filters, legacy_ratings

JULY = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))


@pytest.fixture
def engine(migrated_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


def test_a_csv_of_ratings_on_other_scales_is_converted_and_shown_apart(engine, tmp_path, capsys):
    path = tmp_path / "ratings.csv"
    path.write_text("id,value,rated_at,scale_min,scale_max,jurisdiction,service,channel\n"
                    "r1,4,2026-07-03,1,5,CA-NS,ca-ei,phone\n"      # 4/5 on a 1–5 scale → 75
                    "r2,6,2026-07-04,0,10,CA-NS,ca-ei,phone\n"     # 6/10 → 60
                    "r3,72,2026-07-05,0,100,US-CO,us-snap,web\n")  # 72 → 72
    assert main(["import-ratings", str(path), "--source", "legacy-2026"]) == 0
    assert "imported 3 rating(s)" in capsys.readouterr().out
    everything = legacy_ratings(engine, *JULY)
    assert everything["count"] == 3 and everything["sources"] == ["legacy-2026"]
    assert everything["index"]["index"] == pytest.approx((75 + 60 + 72) / 3)
    ns = legacy_ratings(engine, *JULY, Filters(jurisdiction="CA-NS"))
    assert ns["count"] == 2 and ns["index"]["index"] == pytest.approx(67.5)
    assert main(["import-ratings", str(path), "--source", "legacy-2026"]) == 0  # re-import updates, no duplicates
    assert legacy_ratings(engine, *JULY)["count"] == 3


def test_bad_rows_are_named_by_file_and_line_and_nothing_is_imported(engine, tmp_path, capsys):
    path = tmp_path / "ratings.csv"
    path.write_text("id,value,rated_at\n"
                    "ok,4,2026-07-03\n"
                    "big,7,2026-07-03\n"
                    "when,3,yesterday\n")
    assert main(["import-ratings", str(path), "--source", "legacy", "--scale", "1-5"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: value 7 is outside the scale 1-5" in err
    assert f"{path}:4:" in err and "nothing imported" in err
    assert legacy_ratings(engine, *JULY)["count"] == 0
    missing = tmp_path / "bad.csv"
    missing.write_text("value,rated_at\n4,2026-07-03\n")
    assert main(["import-ratings", str(missing), "--source", "legacy", "--scale", "1-5"]) == 1
    assert f"{missing}:1: missing column(s): id" in capsys.readouterr().err


def test_the_dashboard_lists_imported_ratings_as_their_own_figure(engine, tmp_path):
    from datetime import date

    from bot.desk.dashboard_views import DashboardQuery, dashboard_data, headline_stats

    path = tmp_path / "ratings.csv"
    path.write_text("id,value,rated_at\nr1,4,2026-07-03\nr2,5,2026-07-04\n")
    assert main(["import-ratings", str(path), "--source", "ns-311", "--scale", "1-5"]) == 0
    data = dashboard_data(engine, DashboardQuery(date(2026, 7, 1), date(2026, 7, 31), Filters()))
    assert data["legacy"]["count"] == 2
    stats = dict(headline_stats(data))
    assert stats["Imported ratings (ns-311; n=2)"].startswith("87.5")
