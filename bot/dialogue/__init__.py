"""The guided conversation as plain Python (no Rasa): where the next question is chosen and results are shown.

- :mod:`bot.dialogue.turn` — ``step(state, understanding, context)``: runs the turn handlers in order
- :mod:`bot.dialogue.handlers` — the handlers: crisis, handoff, survey, requests, pending answer, situation,
  questions about results, not understood, next step (ask or show results)
- :mod:`bot.dialogue.state` — the typed dialogue state kept in the ``dialogue`` slot
- :mod:`bot.dialogue.context` — the frozen per-turn context and its ports (catalogue, places, handoff, survey)
- :mod:`bot.dialogue.understanding` — what the NLU made of the message
- :mod:`bot.dialogue.answers`, :mod:`bot.dialogue.ranking`, :mod:`bot.dialogue.render` — reading answers,
  choosing what comes first and the next question, rendering services and questions as domain responses
"""
