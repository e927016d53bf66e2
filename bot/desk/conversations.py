"""What the desk does to a conversation: claim, reply, transfer, close and hand back — store + Rasa's HTTP API.

Order matters for "nothing is lost": the database change comes first and the Rasa call second; a claim whose pause
cannot reach Rasa is undone, a close whose hand-back fails is retried by the live loop until it goes through.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot.desk import audit
from bot.desk.keys import ENGINE, PHRASES, RASA, TEAMS, team_name
from bot.desk.rasa_api import RasaError
from bot.desk.users import User
from bot.dialogue.phrases import Phrases
from bot.handoff import store
from bot.handoff.models import Handoff
from bot.survey.store import UnknownConversation, mark_avoidable_contact, record_contact

logger = logging.getLogger(__name__)


def phrase(app: web.Application, _response: str, _language: str = "en", **values: Any) -> str:
    return Phrases(app[PHRASES], _language)(_response, **values)


async def claim(app: web.Application, handoff_id: int, user: User) -> Handoff:
    """Take the conversation: exactly one caseworker wins; the bot is paused and the citizen greeted."""
    engine = app[ENGINE]
    if not await asyncio.to_thread(store.claim, engine, handoff_id, user.username):
        row = await asyncio.to_thread(store.get_handoff, engine, handoff_id)
        who = row.claimed_by if row is not None and row.claimed_by else None
        raise store.HandoffError(f"{who} has already taken this conversation." if who
                                 else "This conversation is no longer waiting.")
    row = await asyncio.to_thread(store.get_handoff, engine, handoff_id)
    if row is None:  # claimed a moment ago, so it exists; a deleted row is a conflict like any other
        raise store.HandoffError("This conversation is no longer waiting.")
    try:
        await app[RASA].pause(row.sender_id)
        await app[RASA].send_text(row.sender_id, phrase(app, "utter_handoff_joined", row.language,
                                                        name=user.display_name, team=team_name(app, row.team)),
                                  metadata={"caseworker": user.display_name})
    except RasaError:
        await asyncio.to_thread(store.unclaim, engine, handoff_id)
        raise store.HandoffError("The chat server can't be reached right now, so the conversation was left in "
                                 "the queue. Please try again in a moment.") from None
    await asyncio.to_thread(audit.record, engine, "claimed", username=user.username, handoff_id=handoff_id)
    return row



async def reply(app: web.Application, row: Handoff, user: User, text: str) -> None:
    text = (text or "").strip()
    if not text:
        raise store.HandoffError("The message is empty.")
    if len(text) > 2000:
        raise store.HandoffError("Please keep a message under 2,000 characters.")
    if row.status != "claimed" or row.claimed_by != user.username:
        raise store.HandoffError("Claim the conversation before replying.")
    try:
        await app[RASA].send_text(row.sender_id, text, metadata={"caseworker": user.display_name})
    except RasaError:
        raise store.HandoffError("The message could not be sent: the chat server can't be reached. "
                                 "Your text is still in the box; try again in a moment.") from None
    await asyncio.to_thread(audit.record, app[ENGINE], "replied", username=user.username, handoff_id=row.id)


async def transfer(app: web.Application, row: Handoff, user: User, to_user: str | None,
                   to_team: str | None) -> None:
    engine, teams = app[ENGINE], app[TEAMS]
    moved = await asyncio.to_thread(lambda: store.transfer(engine, row.id, by=user.username, to_user=to_user,
                                                           to_team=to_team, teams=teams,
                                                           supervisor=user.is_supervisor))
    await asyncio.to_thread(audit.record, engine, "transferred", username=user.username, handoff_id=row.id,
                            to_user=to_user, to_team=to_team)
    if row.status == "claimed":  # the citizen stays with people (the bot stays paused) and is told so
        try:
            await app[RASA].send_text(row.sender_id, phrase(app, "utter_handoff_transferred", row.language,
                                                            team=team_name(app, moved.team)),
                                      metadata={"caseworker": user.display_name})
        except RasaError:
            logger.warning("transfer notice for handoff %s not sent: Rasa unreachable", row.id)


async def close(app: web.Application, row: Handoff, user: User, disposition: str, avoidable_code: str) -> None:
    """Record the outcome, feed failure demand (survey analytics), then hand back to the bot."""
    engine = app[ENGINE]
    closed = await asyncio.to_thread(lambda: store.close(engine, row.id, by=user.username, disposition=disposition,
                                                         avoidable_code=avoidable_code))
    await asyncio.to_thread(audit.record, engine, "closed", username=user.username, handoff_id=row.id,
                            disposition=disposition, avoidable=avoidable_code)

    def analytics() -> None:
        record_contact(engine, row.sender_id, channel=row.channel, language=row.language,
                       jurisdiction=row.location, topic=(row.life_events or [None])[0], handed_off=True,
                       handoff_after_misunderstanding=row.reason == "misunderstood")
        try:
            mark_avoidable_contact(engine, row.sender_id, avoidable_code)
        except UnknownConversation:
            logger.warning("no contact record for handoff %s", row.id)
    try:
        await asyncio.to_thread(analytics)
    except Exception:  # noqa: BLE001 - analytics must not block the hand-back
        logger.exception("could not record the handoff's analytics")
    await hand_back(app, closed)


async def hand_back(app: web.Application, row: Handoff) -> bool:
    """Resume the bot and let it thank the citizen and run the exit survey. Retried by the live loop if Rasa is
    down; marked done only once Rasa accepted both calls."""
    try:
        await app[RASA].resume(row.sender_id)
        await app[RASA].trigger_intent(row.sender_id, "handoff_closed")
    except RasaError:
        logger.warning("hand-back of handoff %s postponed: Rasa unreachable", row.id)
        return False
    await asyncio.to_thread(store.mark_handed_back, app[ENGINE], row.id)
    return True


async def tell_positions(app: web.Application) -> None:
    """Waiting citizens whose place in line improved get one short update."""
    engine = app[ENGINE]
    for row in await asyncio.to_thread(store.open_handoffs, engine):
        if row.status != "waiting":
            continue
        ticket = await asyncio.to_thread(store.ticket, engine, row)
        if ticket.position is None:
            continue
        if row.last_position_sent is not None and ticket.position < row.last_position_sent:
            try:
                await app[RASA].send_text(row.sender_id, phrase(
                    app, "utter_handoff_position_update", row.language, position=str(ticket.position),
                    minutes=str(ticket.wait_minutes or 1)))
            except RasaError:
                continue  # tried again on the next change
        if row.last_position_sent != ticket.position:
            await asyncio.to_thread(store.set_position_sent, engine, row.id, ticket.position)
