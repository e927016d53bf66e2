"""What each turn tells the analytics about the conversation: demand (value or failure, with its type), fallback
loops, place, topic, services shown — the contact record's live facts (bot.survey.store.record_contact).

Plain Python: the action calls :func:`contact_facts` after the dialogue step and writes the result. The citizen's
text is read to classify the demand and is never stored here.
"""

from __future__ import annotations

from typing import Any

from bot.survey.failure_demand import classify_demand


def citizen_key(channel: str, sender_id: str, key: str) -> str:
    """A pseudonymous key for repeat-contact detection: the same phone or chat gives the same key, nothing more."""
    from bot.channels.identity import short_digest

    return short_digest(f"{channel}:{sender_id}", key)


def count_fallback(state: dict[str, Any], understood: bool) -> None:
    """Keep the conversation's fallback tally in its state: total, current run, longest run."""
    if understood:
        state["fallback_run"] = 0
        return
    state["fallbacks"] = int(state.get("fallbacks") or 0) + 1
    state["fallback_run"] = int(state.get("fallback_run") or 0) + 1
    state["max_fallback_run"] = max(int(state.get("max_fallback_run") or 0), state["fallback_run"])


def contact_facts(state: dict[str, Any], *, intent: str | None, text: str | None, channel: str,
                  language: str) -> dict[str, Any]:
    """Keyword arguments for ``record_contact`` after one turn (``None`` values leave stored facts alone)."""
    demand = classify_demand(intent, text)
    events = state.get("life_events") or []
    return {
        "channel": channel,
        "language": language,
        "jurisdiction": state.get("location"),
        "topic": events[0] if events else None,
        "service_ids": list(state.get("shown") or []),
        "fallback_count": int(state.get("fallbacks") or 0),
        "max_consecutive_fallbacks": int(state.get("max_fallback_run") or 0),
        "demand": demand.demand,
        "failure_type": demand.failure_type,
    }
