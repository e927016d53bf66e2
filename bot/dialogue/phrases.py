"""The domain's responses (the message catalogue) read as phrases, by language: every citizen-facing word lives in
domain/responses.yml, never in Python."""

from __future__ import annotations

from typing import Any


class Phrases:
    """``phrases(response, **values)`` → the text of that response in the conversation's language (the
    variant with ``condition: language == <lang>``, else the unconditioned one)."""

    def __init__(self, responses: dict[str, list[dict[str, Any]]], language: str = "en") -> None:
        self.responses = responses or {}
        self.language = language

    def __call__(self, _response: str, **values: Any) -> str:
        variants = self.responses.get(_response) or []
        chosen = None
        for v in variants:
            conds = v.get("condition") or []
            if any(c.get("name") == "language" and c.get("value") == self.language for c in conds):
                chosen = v
                break
        if chosen is None:
            chosen = next((v for v in variants if not v.get("condition")), variants[0] if variants else None)
        if chosen is None:
            raise KeyError(f"no response {_response!r} in the domain")
        text = str(chosen.get("text", ""))
        return text.format(**values) if values else text
