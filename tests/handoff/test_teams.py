"""Teams, office hours and routing (bot/handoff/teams.py) — on the real teams file and on small broken ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.handoff.teams import DEFAULT_FILE, Team, TeamsFileError, estimate_wait, load_teams, route
from bot.settings import load_settings

HALIFAX = ZoneInfo("America/Halifax")


@pytest.fixture(scope="module")
def teams() -> list[Team]:
    return load_teams(DEFAULT_FILE)


@pytest.fixture(scope="module")
def by_id(teams) -> dict[str, Team]:
    return {t.id: t for t in teams}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- office hours ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("moment,open_", [
    # December: Halifax is UTC-4 (AST), so 08:30-16:30 there is 12:30-20:30 UTC
    (utc(2026, 12, 2, 12, 29), False),
    (utc(2026, 12, 2, 12, 30), True),
    (utc(2026, 12, 2, 20, 29), True),
    (utc(2026, 12, 2, 20, 30), False),  # the end is exclusive
    # July: daylight time, UTC-3, so the same local hours are an hour earlier in UTC
    (utc(2026, 7, 15, 11, 30), True),
    (utc(2026, 7, 15, 19, 30), False),
    (utc(2026, 12, 5, 15, 0), False),  # Saturday
    (utc(2026, 12, 6, 15, 0), False),  # Sunday
])
def test_halifax_hours_are_local_time(by_id, moment, open_):
    assert by_id["nova-scotia"].is_open(moment) is open_


def test_the_same_instant_in_other_time_zones_gives_the_same_answer(by_id):
    ns = by_id["nova-scotia"]
    instant = utc(2026, 12, 2, 12, 45)  # 08:45 in Halifax
    for zone in ("Asia/Tokyo", "America/Vancouver", "Europe/London"):
        assert ns.is_open(instant.astimezone(ZoneInfo(zone))) is True
    assert ns.is_open(datetime(2026, 12, 2, 8, 15, tzinfo=HALIFAX)) is False


def test_each_team_uses_its_own_time_zone(by_id):
    instant = utc(2026, 12, 2, 21, 30)  # Wednesday: 16:30 New York, 17:30 Halifax, 21:30 London, 16:30 Toronto
    assert by_id["us-benefits"].is_open(instant) is True
    assert by_id["nova-scotia"].is_open(instant) is False
    assert by_id["uk-advice"].is_open(instant) is False
    assert by_id["general"].is_open(instant) is True  # 08:00-20:00 Toronto
    morning = utc(2026, 12, 2, 9, 30)  # 09:30 London, 05:30 Halifax
    assert by_id["uk-advice"].is_open(morning) is True
    assert by_id["nova-scotia"].is_open(morning) is False


def test_holidays_are_closed_all_day(by_id):
    ns = by_id["nova-scotia"]
    assert date(2026, 12, 25) in ns.holidays and date(2026, 12, 25).weekday() == 4  # a Friday
    assert ns.is_open(utc(2026, 12, 25, 15, 0)) is False  # 11:00 in Halifax, a weekday, but Christmas
    assert ns.is_open(utc(2026, 12, 24, 15, 0)) is True  # the day before is an ordinary Thursday
    assert ns.is_open(utc(2026, 12, 28, 15, 0)) is False  # Boxing Day observed (Monday)


def test_a_holiday_is_the_team_s_local_date(tmp_path):
    """12:00 UTC on 24 December is already the 25th in Auckland: a round-the-clock team there is closed."""
    path = tmp_path / "teams.yml"
    path.write_text("teams:\n  - id: nz\n    timezone: Pacific/Auckland\n"
                    "    hours: {mon: ['00:00-24:00'], tue: ['00:00-24:00'], wed: ['00:00-24:00'],"
                    " thu: ['00:00-24:00'], fri: ['00:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-24:00']}\n"
                    "    holidays: ['2026-12-25']\n")
    (nz,) = load_teams(path)
    assert nz.is_open(utc(2026, 12, 24, 10, 0)) is True  # 23:00 on the 24th there
    assert nz.is_open(utc(2026, 12, 24, 12, 0)) is False  # 01:00 on the 25th there
    assert nz.next_opening(utc(2026, 12, 24, 12, 0)) == datetime(2026, 12, 26, 0, 0, tzinfo=ZoneInfo(
        "Pacific/Auckland"))


def test_next_opening_is_now_while_open(by_id):
    now = utc(2026, 12, 2, 15, 0)
    assert by_id["nova-scotia"].next_opening(now) == now


def test_next_opening_later_the_same_day_and_the_next_day(by_id):
    ns = by_id["nova-scotia"]
    assert ns.next_opening(utc(2026, 12, 2, 10, 0)) == utc(2026, 12, 2, 12, 30)  # 06:00 → 08:30 today
    assert ns.next_opening(utc(2026, 12, 2, 22, 0)) == utc(2026, 12, 3, 12, 30)  # 18:00 → 08:30 tomorrow


def test_next_opening_skips_the_weekend(by_id):
    friday_evening = utc(2026, 12, 4, 21, 0)  # 17:00 in Halifax
    opening = by_id["nova-scotia"].next_opening(friday_evening)
    assert opening == utc(2026, 12, 7, 12, 30)
    assert opening.astimezone(HALIFAX).time() == time(8, 30) and opening.astimezone(HALIFAX).weekday() == 0


def test_next_opening_skips_a_weekend_between_two_holidays(by_id):
    """Thursday 24 Dec after hours → Fri 25 (holiday), Sat, Sun, Mon 28 (holiday) → Tuesday 29 at 08:30."""
    assert by_id["nova-scotia"].next_opening(utc(2026, 12, 24, 21, 0)) == utc(2026, 12, 29, 12, 30)
    # the general team (Toronto) would open on Saturdays, but the 26th is its holiday too → Monday 28, 08:00
    assert by_id["general"].next_opening(utc(2026, 12, 25, 15, 0)) == utc(2026, 12, 28, 13, 0)


def test_no_hours_means_no_next_opening():
    team = Team(id="ghost", name="Ghost", timezone="UTC")
    assert team.is_open(utc(2026, 12, 2, 12, 0)) is False
    assert team.next_opening(utc(2026, 12, 2, 12, 0)) is None


# --- routing --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("location,language,expected", [
    ("CA-NS-halifax", "en", "nova-scotia"),  # a city in Nova Scotia: the province's team
    ("CA-NS", "fr", "nova-scotia"),
    ("US-OH", "en", "us-benefits"),
    ("US", "es", "us-benefits"),
    ("GB-ENG-london", "en", "uk-advice"),
    ("CA-ON-toronto", "en", "general"),  # no Ontario team
    (None, "en", "general"),  # place not told yet
    ("ZZ-unknown", "en", "general"),
    ("CA-NSX", "en", "general"),  # a prefix of the letters is not the same jurisdiction
])
def test_route_by_place(teams, location, language, expected):
    assert route(teams, location=location, language=language).id == expected


@pytest.mark.parametrize("location,language,expected", [
    ("CA-NS-halifax", "es", "general"),  # Nova Scotia's team speaks en/fr only
    ("GB-ENG-london", "fr", "general"),  # the UK team speaks English only
    ("US-TX", "es", "us-benefits"),  # the US team does speak Spanish
])
def test_route_to_a_team_that_speaks_the_language(teams, location, language, expected):
    team = route(teams, location=location, language=language)
    assert team.id == expected
    assert language in team.languages


def test_route_prefers_the_closest_jurisdiction_and_the_topic():
    tz = "America/Halifax"
    province = Team(id="ns", name="NS", timezone=tz, jurisdictions=("CA-NS",))
    city = Team(id="hfx", name="Halifax", timezone=tz, jurisdictions=("CA-NS-halifax",))
    bereavement = Team(id="ns-death", name="NS bereavement", timezone=tz, jurisdictions=("CA-NS",),
                       topics=("death",))
    teams = [province, city, bereavement]
    assert route(teams, location="CA-NS-halifax", language="en").id == "hfx"
    assert route(teams, location="CA-NS-truro", language="en").id == "ns"
    assert route(teams, location="CA-NS-truro", language="en", life_events=["death"]).id == "ns-death"
    # no team speaks the language at all: the first best match still gets it rather than nobody
    assert route(teams, location="CA-NS-halifax", language="uk").id == "hfx"


# --- waiting time ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("position,recent,online,minutes", [
    (1, [], 1, 5),  # no history: five minutes a place
    (3, [], 1, 15),
    (3, [], 3, 5),  # shared by the caseworkers online
    (2, [], 0, 10),  # nobody online counts as one (the estimate is for when someone is)
    (2, [2.0, 4.0, 100.0], 1, 8),  # the median, so one outlier does not move it
    (1, [0.1, 0.2, 0.3], 1, 1),  # never under a minute a place
    (1, [600.0], 1, 60),  # one long wait is capped at an hour a place
    (1, [1.0], 10, 1),  # never less than a minute in all
])
def test_estimate_wait(position, recent, online, minutes):
    assert estimate_wait(position, recent, online) == minutes


def test_wait_grows_with_the_place_in_line():
    waits = [estimate_wait(p, [3.0, 6.0, 4.0], 2) for p in range(1, 8)]
    assert waits == sorted(waits) and waits[0] < waits[-1]


# --- broken teams files ---------------------------------------------------------------------------------------
GOOD = """
  - id: general
    timezone: America/Toronto
    hours: {mon: ["08:00-20:00"]}
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "teams.yml"
    path.write_text("teams:" + GOOD + body)
    return path


@pytest.mark.parametrize("body,words", [
    ("  - id: nova\n    timezone: Atlantic/Nowhere\n", ["nova", "Atlantic/Nowhere"]),
    ("  - id: nova\n", ["nova", "timezone"]),
    ("  - id: nova\n    timezone: America/Halifax\n    hours: {mon: ['9-5']}\n", ["nova", "9-5"]),
    ("  - id: nova\n    timezone: America/Halifax\n    hours: {mon: ['17:00-09:00']}\n", ["nova", "17:00-09:00"]),
    ("  - id: nova\n    timezone: America/Halifax\n    hours: {mon: ['09:00-25:00']}\n", ["nova", "09:00-25:00"]),
    ("  - id: nova\n    timezone: America/Halifax\n    hours: {mon: ['09:75-17:00']}\n", ["nova", "09:75-17:00"]),
    ("  - id: nova\n    timezone: America/Halifax\n    hours: {monday: ['09:00-17:00']}\n", ["nova", "monday"]),
    ("  - id: nova\n    timezone: America/Halifax\n    hours: [mon]\n", ["nova", "hours"]),
    ("  - id: nova\n    timezone: America/Halifax\n    holidays: ['2026-13-45']\n", ["nova", "holiday"]),
    ("  - id: general\n    timezone: America/Halifax\n", ["general", "unique"]),
    ("  - name: No id\n    timezone: America/Halifax\n", ["id"]),
])
def test_a_broken_team_names_the_file_and_the_team(tmp_path, body, words):
    path = write(tmp_path, body)
    with pytest.raises(TeamsFileError) as caught:
        load_teams(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message


@pytest.mark.parametrize("text", [
    "teams:\n  - id: nova\n    timezone: [unclosed\n",  # unreadable YAML
    "teams: []\n",  # no teams
    "",  # empty file
    "- id: nova\n  timezone: UTC\n",  # a list instead of "teams:"
])
def test_an_unusable_file_names_the_file(tmp_path, text):
    path = tmp_path / "teams.yml"
    path.write_text(text)
    with pytest.raises(TeamsFileError, match=str(path)):
        load_teams(path)


def test_a_missing_file_names_the_file(tmp_path):
    with pytest.raises(TeamsFileError, match="nowhere.yml"):
        load_teams(tmp_path / "nowhere.yml")


def test_the_teams_file_can_be_chosen_with_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "mine.yml"
    path.write_text("teams:" + GOOD)
    monkeypatch.setenv("SIGNPOST_TEAMS_FILE", str(path))
    settings = load_settings()
    assert settings.teams_file == path
    assert [t.id for t in load_teams(settings.teams_file)] == ["general"]
    monkeypatch.delenv("SIGNPOST_TEAMS_FILE")
    assert load_settings().teams_file is None
    assert {t.id for t in load_teams(load_settings().teams_file)} >= {"general", "nova-scotia"}  # the shipped file


def test_the_shipped_teams_file_is_valid(teams):
    assert {t.id for t in teams} >= {"general", "nova-scotia", "us-benefits"}
    general = next(t for t in teams if t.id == "general")
    assert general.jurisdictions == ()  # the fallback team covers anywhere
    for team in teams:
        assert team.hours, f"{team.id} has no opening hours"


def test_ranked_puts_the_local_team_first_and_the_general_team_after_it():
    from bot.handoff.teams import ranked

    teams = load_teams(DEFAULT_FILE)
    order = [t.id for t in ranked(teams, location="CA-NS-halifax", language="en", life_events=["job_loss"])]
    assert order[0] == "nova-scotia" and "general" in order
    assert "us-benefits" not in order and "uk-advice" not in order  # they do not cover Nova Scotia
