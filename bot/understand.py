"""What Signpost understood from one message, as the JSON ``signpost understand`` prints (DESIGN.md).

``summarise`` is pure (a Rasa parse result → the contract); :class:`Understander` loads the trained model once
and parses many messages with it.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from bot.dialogue.answers import AGE_KEY, answers_from_statement
from bot.dialogue.facts import stated_facts
from bot.dialogue.understanding import OUT_OF_SCOPE, understanding_from_message


def summarise(parse: dict, resolve_place=None) -> dict[str, Any]:
    """``{"life_events", "location", "answers", "intent", "confidence", "out_of_scope", "wants_person"}``."""
    from knowledge.vocab import load_vocabulary

    if resolve_place is None:
        from knowledge.places import resolve_place
    u = understanding_from_message(parse)
    known = load_vocabulary().life_events
    life_events = [e for e in u.life_events if e in known]
    location = None
    for place in u.places:
        code = getattr(resolve_place(place), "code", None)
        if code:
            location = code
            break
    ruler = answers_from_statement(u, life_events)
    ruler.pop(AGE_KEY, None)  # ages come from the facts reader: "2 years ago" is not an age
    answers = {**ruler, **stated_facts(u.text, life_events, date.today())}
    if u.answer is not None:
        answers["answer"] = u.answer
    understood_something = bool(life_events or location or answers)
    return {
        "life_events": life_events,
        "location": location,
        "answers": answers,
        "intent": u.intent or None,
        "confidence": round(u.confidence, 4),
        "out_of_scope": u.intent in OUT_OF_SCOPE and not understood_something,
        "wants_person": u.intent == "ask_person",
    }


class Understander:
    """The trained Rasa model's NLU, loaded once."""

    def __init__(self, model: Path):
        import logging

        import structlog
        from rasa.core.agent import Agent

        logging.getLogger("rasa").setLevel(logging.ERROR)
        # Rasa's structured debug log goes to stdout, which carries the JSON: keep it quiet
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model))

    def parse(self, text: str) -> dict:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def understand(self, text: str) -> dict[str, Any]:
        return summarise(self.parse(text))

    def close(self) -> None:
        self._loop.close()
