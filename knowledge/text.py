"""Text helpers shared by the resolver, the vocabulary and the importers."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip accents, turn punctuation into single spaces: ``"Nouvelle-Écosse"`` → ``"nouvelle ecosse"``."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALNUM.sub(" ", text).strip()


def slug(text: str) -> str:
    """``"King County"`` → ``"king-county"`` (stable ids and jurisdiction codes)."""
    return fold(text).replace(" ", "-")


def strip_html(text: str | None) -> str | None:
    """Plain text from the small HTML fragments some sources use for summaries."""
    if text is None:
        return None
    text = _TAG.sub(" ", str(text))
    text = html.unescape(text).replace("\xa0", " ")
    return _SPACES.sub(" ", text).strip() or None


def pick(texts: Mapping[str, str | None] | str | None, language: str = "en") -> str | None:
    """The text in ``language``, else English, else any; plain strings are returned as they are."""
    if texts is None or isinstance(texts, str):
        return texts
    return texts.get(language) or texts.get("en") or next((v for v in texts.values() if v), None)
