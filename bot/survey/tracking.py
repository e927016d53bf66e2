"""What each turn tells the analytics about the conversation: demand (value or failure, with its type), fallback
loops, place, topic, services shown — the contact record's live facts (bot.survey.store.record_contact).

Plain Python: the action calls :func:`contact_facts` after the dialogue step and writes the result. The citizen's
text is read to classify the demand and is never stored here.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from bot.dialogue.state import DialogueState
from bot.survey.failure_demand import classify_demand


def citizen_key(channel: str, sender_id: str, key: str) -> str:
    """A pseudonymous key for repeat-contact detection: the same phone or chat gives the same key, nothing more."""
    return hmac.new(key.encode(), f"{channel}:{sender_id}".encode(), hashlib.sha256).hexdigest()[:16]


def contact_facts(state: DialogueState, *, intent: str | None, text: str | None, channel: str,
                  language: str) -> dict[str, Any]:
    """Keyword arguments for ``record_contact`` after one turn (``None`` values leave stored facts alone)."""
    demand = classify_demand(intent, text)
    return {
        "channel": channel,
        "language": language,
        "jurisdiction": state.location,
        "topic": state.life_events[0] if state.life_events else None,
        "service_ids": list(state.shown),
        "fallback_count": state.fallbacks.total,
        "max_consecutive_fallbacks": state.fallbacks.longest,
        "demand": demand.demand,
        "failure_type": demand.failure_type,
    }
