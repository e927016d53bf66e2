"""Teams, office hours and routing — plain Python, no database.

``route`` picks the team for a conversation; ``Team.is_open`` / ``Team.next_opening`` answer "can someone take it
now, and if not, when?"; ``estimate_wait`` turns a queue position into minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DEFAULT_FILE = Path(__file__).with_name("teams.yml")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class TeamsFileError(ValueError):
    """The teams file is broken; the message names the file and the team/field."""


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    timezone: str
    jurisdictions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    topics: tuple[str, ...] = ()
    hours: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)  # weekday → ranges
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        if local.date() in self.holidays:
            return False
        return any(start <= local.time() < end for start, end in self.hours.get(local.weekday(), ()))

    def open_between(self, start_hour: int, end_hour: int) -> bool:
        """Whether the team is open at some time between these hours on some weekday (a callback window)."""
        lo, hi = time(start_hour), time(23, 59, 59) if end_hour >= 24 else time(end_hour)
        return any(start < hi and end > lo for ranges in self.hours.values() for start, end in ranges)

    def openings(self, now: datetime, days: int = 14) -> Iterable[tuple[datetime, datetime]]:
        """Open periods (local, aware) from today on, in order."""
        local = now.astimezone(self.zone)
        for offset in range(days):
            day = local.date() + timedelta(days=offset)
            if day in self.holidays:
                continue
            for start, end in self.hours.get(day.weekday(), ()):
                yield (datetime.combine(day, start, self.zone), datetime.combine(day, end, self.zone))

    def next_opening(self, now: datetime) -> datetime | None:
        """Now if open, else the start of the next open period (None: no hours in the next two weeks)."""
        for start, end in self.openings(now):
            if end > now:
                return max(start, now.astimezone(self.zone))
        return None


def _parse_team(raw: object, where: str) -> Team:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise TeamsFileError(f"{where}: each team needs an id")
    tid = str(raw["id"])
    tz = str(raw.get("timezone") or "")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise TeamsFileError(f"{where}: team {tid}: unknown timezone {tz!r}") from None
    hours: dict[int, tuple[tuple[time, time], ...]] = {}
    if not isinstance(raw.get("hours") or {}, dict):
        raise TeamsFileError(f"{where}: team {tid}: hours must map days ({', '.join(DAYS)}) to lists of ranges")
    for day, ranges in (raw.get("hours") or {}).items():
        if day not in DAYS:
            raise TeamsFileError(f"{where}: team {tid}: unknown day {day!r} (use {', '.join(DAYS)})")
        parsed = []
        for text in [ranges] if isinstance(ranges, str) else ranges or []:
            m = _RANGE.match(str(text).strip())
            if not m:
                raise TeamsFileError(f"{where}: team {tid}: hours {text!r} must look like 09:00-17:00")
            try:
                start = time(int(m[1]), int(m[2]))
                end = time(23, 59, 59) if m.group(3, 4) == ("24", "00") else time(int(m[3]), int(m[4]))
            except ValueError:
                raise TeamsFileError(f"{where}: team {tid}: hours {text!r} are not times of day") from None
            if end <= start:
                raise TeamsFileError(f"{where}: team {tid}: hours {text!r} end before they start")
            parsed.append((start, end))
        hours[DAYS.index(day)] = tuple(parsed)
    try:
        holidays = frozenset(date.fromisoformat(str(d)) for d in raw.get("holidays") or [])
    except ValueError as exc:
        raise TeamsFileError(f"{where}: team {tid}: holiday {exc}") from None
    return Team(id=tid, name=str(raw.get("name") or tid), timezone=tz,
                jurisdictions=tuple(str(j) for j in raw.get("jurisdictions") or []),
                languages=tuple(str(x) for x in raw.get("languages") or ["en"]),
                topics=tuple(str(x) for x in raw.get("topics") or []), hours=hours, holidays=holidays)


def load_teams(path: Path | str | None = None) -> list[Team]:
    """The teams in ``path`` (``Settings.teams_file``), else in the shipped ``teams.yml``."""
    path = Path(path or DEFAULT_FILE)
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise TeamsFileError(f"{path}: {exc}") from None
    if not isinstance(data or {}, dict) or not isinstance((data or {}).get("teams") or [], list):
        raise TeamsFileError(f"{path}: expected 'teams:' with a list of teams")
    teams = [_parse_team(raw, f"{path}: teams[{i}]") for i, raw in enumerate((data or {}).get("teams") or [])]
    if not teams:
        raise TeamsFileError(f"{path}: no teams")
    ids = [t.id for t in teams]
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise TeamsFileError(f"{path}: team ids must be unique; repeated: {', '.join(duplicates)}")
    return teams


def _jurisdiction_depth(team: Team, location: str | None) -> int:
    """How closely the team covers the place: -1 not at all, 0 anywhere, else the matched code's length."""
    if not team.jurisdictions:
        return 0
    if not location:
        return -1
    best = -1
    for code in team.jurisdictions:
        if location == code or location.startswith(code + "-"):
            best = max(best, len(code.split("-")))
    return best


def ranked(teams: Sequence[Team], *, location: str | None, language: str,
           life_events: Iterable[str] = ()) -> list[Team]:
    """Teams that can take this conversation, best first: the closest jurisdiction match that speaks the
    language, topic as a tie-breaker (stable: file order breaks ties). Falls back to the teams speaking the
    language, or simply all teams, so there is always one."""
    events = set(life_events)

    def score(team: Team) -> tuple[int, int, int]:
        return (_jurisdiction_depth(team, location), int(language in team.languages),
                int(bool(set(team.topics) & events)) if team.topics else 0)

    speaking = [t for t in teams if language in t.languages] or list(teams)
    covering = [t for t in speaking if _jurisdiction_depth(t, location) >= 0 and
                (not t.topics or set(t.topics) & events)]
    return sorted(covering or speaking, key=score, reverse=True)


def route(teams: Sequence[Team], *, location: str | None, language: str, life_events: Iterable[str] = ()) -> Team:
    """The team that should take this conversation (see :func:`ranked`)."""
    return ranked(teams, location=location, language=language, life_events=life_events)[0]


def estimate_wait(position: int, recent_waits: Sequence[float], online: int, default: float = 5.0) -> int:
    """Minutes until a caseworker picks up the ``position``-th conversation in line (1 = next).

    The typical time to pick one up (median of recent waits per place in line, in minutes) times the line ahead,
    shared by the caseworkers online; never less than a minute.
    """
    per = sorted(recent_waits)[len(recent_waits) // 2] if recent_waits else default
    per = max(1.0, min(per, 60.0))
    return max(1, round(per * position / max(1, online)))
