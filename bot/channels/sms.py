"""Rendering for SMS, plain Python: GSM-7 friendly text, segment-aware splitting, numbered buttons, keywords.

- ``gsm_friendly`` swaps typographic characters that force UCS-2 (smart quotes, dashes, ellipsis, emoji) for
  GSM-7 ones; letters outside GSM-7 are kept (then the message is UCS-2, because it is needed).
- ``split_sms`` cuts a long message at sentence boundaries (then clause, then word boundaries) so each part fits
  the segment budget: one SMS is 160 GSM-7 / 70 UCS-2 characters; a concatenated message carries 153 / 67 per
  segment. Links are never cut (a link longer than the budget travels alone).
- ``render_buttons`` turns buttons into "Reply 1 for ..., 2 for ..."; ``numeric_choice`` reads the reply back.
- ``keyword`` recognises STOP/UNSUBSCRIBE/..., START, HELP and AGENT/PERSON.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from bot.channels.messages import SMS

# GSM 03.38 basic character set and its extension table (extension characters cost two septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
CONCATENATED = {"GSM-7": 153, "UCS-2": 67}
MAX_SMS_BODY = 1600  # what Twilio accepts in one message body

_REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\u2192": "->", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "\u200b": "", "\u200d": "", "\ufe0f": "", "\ufe0e": "", "\u2122": "(TM)", "\u00ae": "(R)", "\u00a9": "(C)",
}
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;])\s+")
_NUMERIC = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)!]?\s*$")

_KEYWORDS = {
    "stop": {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"},
    "start": {"START", "UNSTOP", "SUBSCRIBE"},
    "help": {"HELP", "INFO"},
    "agent": {"AGENT", "PERSON", "HUMAN", "OPERATOR"},
}


def _is_emoji(char: str) -> bool:
    return (unicodedata.category(char) in {"So", "Sk", "Cs"} and char not in GSM7_BASIC
            and char not in GSM7_EXTENSION) or 0x1F000 <= ord(char) <= 0x1FAFF or char == "\u20e3"


def gsm_friendly(text: str) -> str:
    """``text`` with typographic characters replaced by GSM-7 ones and emoji dropped; other letters kept."""
    out = "".join(_REPLACEMENTS.get(c, c) for c in text)
    out = "".join(c for c in out if not _is_emoji(c))
    out = re.sub(r"[ \t]{2,}", " ", out)
    return "\n".join(line.strip() for line in out.split("\n")).strip()


def encoding(text: str) -> str:
    """``GSM-7`` when every character is in the GSM 03.38 alphabet, else ``UCS-2``."""
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "UCS-2"


def length(text: str, enc: str | None = None) -> int:
    """Length in encoding units: septets for GSM-7 (extension characters count twice), UTF-16 units for UCS-2."""
    enc = enc or encoding(text)
    if enc == "GSM-7":
        return sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS segments ``text`` costs."""
    enc = encoding(text)
    size = length(text, enc)
    if size <= SINGLE[enc]:
        return 1
    return -(-size // CONCATENATED[enc])


def budget(enc: str, max_segments: int = 1) -> int:
    """Characters one outgoing message may use when it must fit in ``max_segments`` segments."""
    return SINGLE[enc] if max_segments <= 1 else CONCATENATED[enc] * max_segments


def _pieces(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split ``text`` after the separators of ``pattern``, never inside a link."""
    protected: list[str] = []

    def hide(match: re.Match[str]) -> str:
        protected.append(match.group(0))
        return f"\x00{len(protected) - 1}\x00"

    hidden = _URL.sub(hide, text)
    parts = [p for p in pattern.split(hidden) if p]
    return [re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], p) for p in parts]


def _pack(units: Iterable[str | tuple[str, str]], limit: int, enc: str, joiner: str = " ") -> list[str]:
    """Greedily join units into parts of at most ``limit``; a unit may carry its own joiner as ``(unit, joiner)``."""
    parts: list[str] = []
    current = ""
    for item in units:
        unit, sep = item if isinstance(item, tuple) else (item, joiner)
        candidate = f"{current}{sep}{unit}" if current else unit
        if length(candidate, enc) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = unit
    if current:
        parts.append(current)
    return parts


def _split_unit(unit: str, limit: int, enc: str) -> list[str]:
    """Break one sentence that is too long: at clauses, then at words (a link stays whole)."""
    if length(unit, enc) <= limit:
        return [unit]
    out: list[str] = []
    for clause in _pack(_pieces(unit, _CLAUSE_END), limit, enc):
        if length(clause, enc) <= limit:
            out.append(clause)
        else:
            out.extend(_pack(clause.split(" "), limit, enc))
    return out


def split_text(text: str, limit: int, enc: str = "UCS-2") -> list[str]:
    """``text`` cut into parts of at most ``limit`` units (see ``length``), at sentence boundaries when possible.

    Lines are kept as lines; sentences are packed greedily; then clauses, then words. A part only exceeds the
    limit when it is a single link longer than the limit (links are never cut).
    """
    text = text.strip()
    if not text:
        return []
    if length(text, enc) <= limit:
        return [text]
    units: list[tuple[str, str]] = []  # (unit, joiner before it)
    for line in (ln.strip() for ln in text.split("\n")):
        if not line:
            continue
        for index, sentence in enumerate(_pieces(line, _SENTENCE_END)):
            for piece_index, piece in enumerate(_split_unit(sentence.strip(), limit, enc)):
                units.append((piece, "\n" if index == 0 and piece_index == 0 else " "))
    return _pack(units, limit, enc)


def split_sms(text: str, max_segments: int = 1) -> list[str]:
    """``text`` as SMS messages, each within ``max_segments`` segments of its encoding, cut at sentence boundaries."""
    enc = encoding(text.strip())
    return split_text(text, budget(enc, max_segments), enc)


def render_buttons(text: str, buttons: Sequence[Mapping[str, str]]) -> str:
    """The message with its buttons as "Reply 1 for Halifax, NS, 2 for Halifax, UK." appended."""
    options = []
    for number, button in enumerate(buttons, start=1):
        title = gsm_friendly(str(button.get("title") or button.get("payload") or "")).rstrip(".")
        template = SMS["buttons_first"] if number == 1 else SMS["buttons_next"]
        options.append(template.format(number=number, title=title))
    line = ", ".join(options) + "." if options else ""
    text = text.strip()
    return f"{text}\n{line}".strip() if text else line


def numeric_choice(text: str | None) -> int | None:
    """The number a citizen replied with ("2", " 2. ", "#2"), or None when the reply is not just a number."""
    match = _NUMERIC.match(text or "")
    return int(match.group(1)) if match else None


def keyword(text: str | None) -> str | None:
    """``stop``/``start``/``help``/``agent`` when the whole message is such a keyword (any case, stray punctuation)."""
    word = re.sub(r"[^A-Za-z]", "", text or "").upper()
    if not word or len(word) > 12:
        return None
    for name, words in _KEYWORDS.items():
        if word in words:
            return name
    return None
