"""The conversation's view of the desk: route, check availability, queue, cancel, book a callback.

Built once per action run with the action server's engine; every method is sync (the conversation step runs in a
worker thread).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.handoff import store
from bot.handoff.models import CallbackRequest
from bot.handoff.teams import Team, load_teams, ranked, route
from knowledge.clock import utcnow


@dataclass(frozen=True)
class Availability:
    team: Team
    open_now: bool
    online: int
    next_opening: datetime | None  # now when open; None when the team has no hours in the next two weeks

    @property
    def can_take_now(self) -> bool:
        return self.open_now and self.online > 0


def format_opening(moment: datetime | None, now: datetime, team: Team) -> str:
    """ "today at 8:30 AM", "tomorrow at 9:00 AM", "Monday 7 Dec at 9:00 AM" — in the team's time zone."""
    if moment is None:
        return ""
    local, today = moment.astimezone(team.zone), now.astimezone(team.zone).date()
    clock = local.strftime("%I:%M %p").lstrip("0")
    if local.date() == today:
        day = "today"
    elif local.date() == today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = local.strftime("%A %-d %b")
    city = team.timezone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{day} at {clock} ({city} time)"


class HandoffService:
    def __init__(self, engine: Engine, seal: Callable[[str], str], teams: list[Team] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.seal = seal
        self.teams = teams or load_teams()
        self.clock = clock

    def team_for(self, state: dict[str, Any], language: str) -> Team:
        return route(self.teams, location=state.get("location"), language=language,
                     life_events=state.get("life_events") or [])

    def availability(self, state: dict[str, Any], language: str) -> Availability:
        """The best team that can take the conversation now (its own team first, then any other team covering
        the place and language — e.g. the general navigators when the local team is all busy); if none can,
        the citizen's own team with its next opening."""
        now = self.clock()
        options = []
        for team in ranked(self.teams, location=state.get("location"), language=language,
                           life_events=state.get("life_events") or []):
            option = Availability(team, team.is_open(now), store.online_caseworkers(self.engine, team.id, now),
                                  team.next_opening(now))
            if option.can_take_now:
                return option
            options.append(option)
        return options[0]

    def when(self, moment: datetime | None, team: Team) -> str:
        return format_opening(moment, self.clock(), team)

    def request(self, state: dict[str, Any], *, sender_id: str, channel: str, language: str, reason: str,
                summary: str, team: Team | None = None) -> store.Ticket:
        team = team or self.team_for(state, language)
        return store.request_handoff(
            self.engine, sender_id=sender_id, team=team.id, channel=channel, language=language,
            location=state.get("location"), location_name=state.get("location_name"),
            life_events=state.get("life_events") or [], answers=state.get("answers") or {},
            shown_services=state.get("shown") or [], reason=reason, summary=summary)

    def status(self, sender_id: str) -> store.Ticket | None:
        row = store.open_handoff(self.engine, sender_id)
        return store.ticket(self.engine, row) if row else None

    def cancel(self, sender_id: str) -> bool:
        return store.cancel_handoff(self.engine, sender_id)

    def callback(self, state: dict[str, Any], *, sender_id: str, channel: str, language: str, method: str, contact: str,
                 preferred: str, summary: str) -> CallbackRequest:
        team = self.team_for(state, language)
        return store.create_callback(
            self.engine, sender_id=sender_id, team=team, channel=channel, method=method, contact=contact,
            preferred=preferred, sealed_contact=self.seal(contact), language=language,
            location=state.get("location"), location_name=state.get("location_name"),
            life_events=state.get("life_events") or [], summary=summary, now=self.clock())

    def due_text(self, row: CallbackRequest) -> str:
        team = next((t for t in self.teams if t.id == row.team), self.teams[0])
        return format_opening(row.due_at, self.clock(), team)
