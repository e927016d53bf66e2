"""Desk pages and calls for handoffs: queue, conversation, claim, reply, notes, transfer, close, callbacks, audit.

Every route here is under ``/desk`` and so behind the login middleware (bot/desk/auth.py), CSRF included.
Handlers translate HTTP to bot.desk.conversations / bot.handoff.store and back; blocking calls go to threads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.engine import Engine

from bot.desk import audit, conversations, users
from bot.desk.auth import require_supervisor
from bot.desk.keys import CANNED_REPLIES, ENGINE, HUB, RASA, TEAMS, VAULT, team_name
from bot.desk.rasa_api import RasaError
from bot.desk.templating import render
from bot.handoff import store
from bot.handoff.models import Handoff
from bot.handoff.store import HandoffError
from bot.survey.channels import report_code
from bot.survey.failure_demand import AVOIDABLE_CONTACT_CODES
from knowledge.clock import as_utc
from knowledge.match import match_profile
from knowledge.vocab import load_vocabulary

routes = web.RouteTableDef()
Form = MultiDictProxy[str | bytes | web.FileField]
HEARTBEAT_SECONDS = 15
DISPOSITION_LABELS = {"resolved": "Resolved", "referred": "Referred elsewhere", "callback_booked": "Callback booked",
                      "not_resolved": "Not resolved"}
AVOIDABLE_LABELS = {"unavoidable": "No — a person was needed", "chasing_progress": "Yes — chasing progress",
                    "done_wrong": "Yes — something was done wrong", "explaining_letters": "Yes — explaining our letters",
                    "wrong_jurisdiction": "Yes — wrong jurisdiction", "should_have_been_online":
                    "Yes — information should have been online", "bot_caused": "Yes — caused by the bot",
                    "other_avoidable": "Yes — other reason"}


def _minutes_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, int((now - as_utc(moment)).total_seconds() // 60))


def _labels(events: list[str] | None) -> list[str]:
    vocab = load_vocabulary()
    return [vocab.life_events[e].label.get("en") or e if e in vocab.life_events else e for e in events or []]


def _queue_row(request: web.Request, row: Handoff, now: datetime, me: str) -> dict[str, Any]:
    return {"id": row.id, "status": row.status, "waiting_minutes": _minutes_since(row.requested_at, now),
            "language": row.language, "channel": report_code(row.channel),
            "place": row.location_name or row.location or "",
            "life_events": _labels(row.life_events), "team": team_name(request.app, row.team),
            "claimed_by": row.claimed_by, "assigned_to": row.assigned_to, "mine": row.claimed_by == me,
            "reason": row.reason, "summary": row.summary or ""}


def _queue_data(request: web.Request) -> dict[str, Any]:
    engine, now, me = request.app[ENGINE], datetime.now(UTC), request["user"].username
    rows = store.open_handoffs(engine)
    return {"waiting": [_queue_row(request, r, now, me) for r in rows if r.status == "waiting"],
            "claimed": [_queue_row(request, r, now, me) for r in rows if r.status == "claimed"],
            "callbacks_open": len(store.callbacks(engine)),
            "available": users.is_available(engine, request["user"].id)}


def _page(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    context.setdefault("error", None)
    return render(name, status=status, user=request["user"], csrf_token=request["csrf_token"], **context)


@routes.get("/desk")
async def queue_page(request: web.Request) -> web.Response:
    data = await asyncio.to_thread(_queue_data, request)
    return _page(request, "desk_queue.html", queue=data, error=None)


@routes.get("/desk/api/queue")
async def queue_api(request: web.Request) -> web.Response:
    return web.json_response(await asyncio.to_thread(_queue_data, request))


@routes.post("/desk/presence")
async def presence(request: web.Request) -> web.Response:
    form = await request.post()
    available = str(form.get("available") or "") == "yes"
    await asyncio.to_thread(users.touch_presence, request.app[ENGINE], request["user"].id, available)
    await asyncio.to_thread(audit.record, request.app[ENGINE], "available" if available else "away",
                            username=request["user"].username)
    raise web.HTTPSeeOther("/desk")


@routes.get("/desk/events")
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: ``queue`` (something changed) and ``message`` (a new line in an open handoff)."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    hub, engine, user = request.app[HUB], request.app[ENGINE], request["user"]
    queue = hub.subscribe()
    try:
        await asyncio.to_thread(users.touch_presence, engine, user.id)
        await response.write(b"retry: 2000\nevent: queue\ndata: {}\n\n")
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await asyncio.to_thread(users.touch_presence, engine, user.id)
                await response.write(b": still here\n\n")
                continue
            payload = json.dumps(event, ensure_ascii=False)
            await response.write(f"event: {event['type']}\ndata: {payload}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.unsubscribe(queue)
    return response


async def _handoff_or_404(request: web.Request) -> Handoff:
    try:
        handoff_id = int(request.match_info["handoff_id"])
    except ValueError:
        raise web.HTTPNotFound(text="No such conversation.") from None
    row = await asyncio.to_thread(store.get_handoff, request.app[ENGINE], handoff_id)
    if row is None:
        raise web.HTTPNotFound(text="No such conversation.")
    return row


@routes.post("/desk/handoffs/{handoff_id}/claim")
async def claim(request: web.Request) -> web.Response:
    row = await _handoff_or_404(request)
    try:
        await conversations.claim(request.app, row.id, request["user"])
    except HandoffError as exc:
        data = await asyncio.to_thread(_queue_data, request)
        return _page(request, "desk_queue.html", status=409, queue=data, error=str(exc))
    raise web.HTTPSeeOther(f"/desk/handoffs/{row.id}")


def _transcript(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    lines = []
    for event in tracker.get("events") or []:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        text = event.get("text") or ""
        if kind == "user" and not text:
            continue
        metadata = event.get("metadata") or {}
        who = "citizen" if kind == "user" else ("caseworker" if metadata.get("caseworker") else "bot")
        if kind == "bot" and not text:
            buttons = (event.get("data") or {}).get("buttons") or []
            text = " / ".join(b.get("title", "") for b in buttons)
        at = datetime.fromtimestamp(float(event.get("timestamp") or 0), UTC)
        lines.append({"who": who, "author": metadata.get("caseworker"), "text": text, "at": at.strftime("%H:%M")})
    return lines


def _services(engine: Engine, row: Handoff) -> list[dict[str, Any]]:
    """The services the bot showed, with their current status for this profile."""
    if not row.shown_services or not row.location:
        return []
    result = match_profile(engine, {"location": row.location, "life_events": row.life_events or [],
                                    "answers": row.answers or {}, "language": row.language,
                                    "as_of": date.today().isoformat()})
    by_id = {s["id"]: s for s in result.get("services") or []}
    shown = []
    for sid in row.shown_services:
        s = by_id.get(sid)
        shown.append({"title": s.get("title") if s else sid, "status": s.get("status") if s else "no longer listed",
                      "where": s.get("jurisdiction_name") if s else "",
                      "url": ((s or {}).get("how_to_apply") or {}).get("url") or (s or {}).get("url") or ""})
    return shown


def _answers(row: Handoff) -> list[tuple[str, str]]:
    vocab = load_vocabulary()
    out = []
    for key, value in (row.answers or {}).items():
        question = (vocab.question(key, "en") or key).strip()
        shown = ", ".join(map(str, value)) if isinstance(value, list) else {True: "yes", False: "no"}.get(value, value)
        out.append((question, str(shown)))
    return out


@routes.get("/desk/handoffs/{handoff_id}")
async def conversation_page(request: web.Request) -> web.Response:
    return await _conversation(request)


async def _conversation(request: web.Request, error: str | None = None, status: int = 200,
                        draft: str = "") -> web.Response:
    """The conversation page; after a refused action, with the reason and the caseworker's unsent text."""
    row = await _handoff_or_404(request)
    engine = request.app[ENGINE]
    transcript: list[dict[str, Any]] = []
    transcript_error = None
    try:
        transcript = _transcript(await request.app[RASA].get_tracker(row.sender_id, "ALL"))
    except RasaError:
        transcript_error = "The chat server can't be reached, so the transcript can't be shown right now."
    services = await asyncio.to_thread(_services, engine, row)
    notes = await asyncio.to_thread(store.notes, engine, row.id)
    colleagues = await asyncio.to_thread(users.colleagues, engine)
    await asyncio.to_thread(audit.record, engine, "viewed", username=request["user"].username, handoff_id=row.id)
    canned = request.app[CANNED_REPLIES]
    now = datetime.now(UTC)
    return _page(request, "desk_conversation.html", status=status, handoff=row,
                 info=_queue_row(request, row, now, request["user"].username), transcript=transcript,
                 transcript_error=transcript_error, services=services, answers=_answers(row), notes=notes,
                 colleagues=[c for c in colleagues if c.username != request["user"].username],
                 teams=request.app[TEAMS], canned=canned, dispositions=DISPOSITION_LABELS,
                 avoidable=[(code, AVOIDABLE_LABELS.get(code, code)) for code in AVOIDABLE_CONTACT_CODES],
                 error=error, draft=draft)


async def _act(request: web.Request, work: Callable[[Handoff, Form], Awaitable[None]]) -> web.Response:
    row = await _handoff_or_404(request)
    form = await request.post()
    try:
        await work(row, form)
    except HandoffError as exc:
        return await _conversation(request, error=str(exc), status=409, draft=str(form.get("text") or ""))
    raise web.HTTPSeeOther(f"/desk/handoffs/{row.id}")


@routes.post("/desk/handoffs/{handoff_id}/reply")
async def reply(request: web.Request) -> web.Response:
    async def work(row: Handoff, form: Form) -> None:
        await conversations.reply(request.app, row, request["user"], str(form.get("text") or ""))
    return await _act(request, work)


@routes.post("/desk/handoffs/{handoff_id}/notes")
async def note(request: web.Request) -> web.Response:
    async def work(row: Handoff, form: Form) -> None:
        await asyncio.to_thread(store.add_note, request.app[ENGINE], row.id, request["user"].username,
                                str(form.get("note") or ""))
        await asyncio.to_thread(audit.record, request.app[ENGINE], "noted", username=request["user"].username,
                                handoff_id=row.id)
    return await _act(request, work)


@routes.post("/desk/handoffs/{handoff_id}/transfer")
async def transfer(request: web.Request) -> web.Response:
    async def work(row: Handoff, form: Form) -> None:
        await conversations.transfer(request.app, row, request["user"], str(form.get("to_user") or "") or None,
                                     str(form.get("to_team") or "") or None)
    response = await _act(request, work)
    return response


@routes.post("/desk/handoffs/{handoff_id}/close")
async def close(request: web.Request) -> web.Response:
    row = await _handoff_or_404(request)
    form = await request.post()
    try:
        await conversations.close(request.app, row, request["user"], str(form.get("disposition") or ""),
                                  str(form.get("avoidable") or ""))
    except HandoffError as exc:
        return await _conversation(request, error=str(exc), status=409)
    raise web.HTTPSeeOther("/desk")


@routes.get("/desk/callbacks")
async def callbacks_page(request: web.Request) -> web.Response:
    rows = await asyncio.to_thread(store.callbacks, request.app[ENGINE])
    now = datetime.now(UTC)
    items = [{"row": r, "overdue": as_utc(r.due_at) < now, "team": team_name(request.app, r.team),
              "life_events": _labels(r.life_events),
              "due": as_utc(r.due_at).strftime("%a %d %b %H:%M UTC")} for r in rows]
    return _page(request, "desk_callbacks.html", items=items)


@routes.get("/desk/callbacks/{callback_id}")
async def callback_page(request: web.Request) -> web.Response:
    """The contact details, decrypted for this view only and logged in the audit."""
    try:
        callback_id = int(request.match_info["callback_id"])
    except ValueError:
        raise web.HTTPNotFound(text="No such callback request.") from None
    row = await asyncio.to_thread(store.get_callback, request.app[ENGINE], callback_id)
    if row is None:
        raise web.HTTPNotFound(text="No such callback request.")
    contact = request.app[VAULT].open(row.contact_encrypted)
    await asyncio.to_thread(audit.record, request.app[ENGINE], "callback_viewed", username=request["user"].username,
                            callback_id=row.id)
    return _page(request, "desk_callback.html", row=row, contact=contact or "(cannot be decrypted)",
                 team=team_name(request.app, row.team), life_events=_labels(row.life_events),
                 due=as_utc(row.due_at).strftime("%a %d %b %H:%M UTC"))


@routes.post("/desk/callbacks/{callback_id}/done")
async def callback_done(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        callback_id = int(request.match_info["callback_id"])
        await asyncio.to_thread(lambda: store.complete_callback(request.app[ENGINE], callback_id,
                                                                by=request["user"].username,
                                                                outcome=str(form.get("outcome") or "done")[:32]))
    except (ValueError, HandoffError):
        raise web.HTTPConflict(text="This callback is no longer open.") from None
    await asyncio.to_thread(audit.record, request.app[ENGINE], "callback_done", username=request["user"].username,
                            callback_id=callback_id)
    raise web.HTTPSeeOther("/desk/callbacks")


@routes.get("/desk/audit")
async def audit_page(request: web.Request) -> web.Response:
    require_supervisor(request)
    handoff = request.query.get("handoff")
    rows = await asyncio.to_thread(audit.entries, request.app[ENGINE], int(handoff) if handoff and handoff.isdigit()
                                   else None)
    return _page(request, "desk_audit.html", rows=rows)
