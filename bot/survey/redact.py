"""Redact personal data from free text before it is stored (survey comments, unmet-demand queries).

spaCy's blank English tokenizer with a Matcher/PhraseMatcher finds what needs token context (names after "my
name is", "I'm", honorifics; street addresses), regular expressions find what has a fixed shape (emails, phones,
postcodes, ID and card numbers). No statistical model: nothing to download, same result on every machine.
Errs towards redacting: a lost word in a comment costs little, a published phone number costs a lot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # spaCy itself is imported on first use (_pipeline): it takes a second to load
    from spacy.language import Language
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc, Token

TokenPattern = list[dict[str, Any]]  # one spaCy Matcher pattern: a token description per token

EMAIL, PHONE, POSTCODE, ID_NUMBER, ADDRESS, NAME = "EMAIL", "PHONE", "POSTCODE", "ID", "ADDRESS", "NAME"

# Highest priority first: overlapping spans are redacted together under the earliest label here.
_PRIORITY = (EMAIL, ID_NUMBER, PHONE, POSTCODE, ADDRESS, NAME)

_SEP = r"[ \t.\-]?"
_REGEXES: list[tuple[str, re.Pattern[str]]] = [
    (EMAIL, re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)),
    # US SSN 123-45-6789; Canadian SIN 123 456 789; UK NINO QQ 12 34 56 C.
    (ID_NUMBER, re.compile(r"(?<![\w\-])\d{3}[ \-]\d{2}[ \-]\d{4}(?![\w\-])")),
    (ID_NUMBER, re.compile(r"(?<![\w\-])\d{3}[ \-]\d{3}[ \-]\d{3}(?![\w\-])")),
    (ID_NUMBER, re.compile(
        r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
        re.IGNORECASE)),
    # Card-like: 13–19 digits in groups of 4 (or 4-6-5 Amex), separated by spaces or dashes.
    (ID_NUMBER, re.compile(r"(?<![\w\-])\d{4}(?:[ \-]?\d{4}){2}[ \-]?\d{1,7}(?![\w\-])")),
    (ID_NUMBER, re.compile(r"(?<![\w\-])\d{4}[ \-]\d{6}[ \-]\d{5}(?![\w\-])")),
    # Any unbroken run of 8+ digits: case, account, client and health-card numbers.
    (ID_NUMBER, re.compile(r"(?<![\w])\d{8,}(?![\w])")),
    # Phones. NANP: (902) 555-0199, 902.555.0199, +1 416 555 0100. Toll-free numbers are organisations', kept.
    (PHONE, re.compile(
        r"(?<![\w+])(?:\+?1[ .\-]?)?(?:\((?!8(?:00|88|77|66|55|44|33)\))\d{3}\)|(?!8(?:00|88|77|66|55|44|33))\d{3})"
        r"[ .\-]?\d{3}[ .\-]?\d{4}(?![\w])")),
    # UK: 020 7946 0958, 07700 900123, 0161 496 0000, +44 7700 900123 (0800/0808/0300 service lines kept).
    (PHONE, re.compile(r"(?<![\w+])\+44 ?\(?0?\)? ?\d{2,4}[ \-]?\d{3,4}[ \-]?\d{3,4}(?![\w])")),
    (PHONE, re.compile(r"(?<![\w+])\(?0(?!800|808|300|345)\d{2,4}\)?[ \-]?\d{3,4}[ \-]?\d{3,4}(?![\w])")),
    # International: +33 6 12 34 56 78, +61 412 345 678.
    (PHONE, re.compile(r"(?<![\w])\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,6}(?![\w])")),
    # Postcodes. Canada A1A 1A1; UK SW1A 1AA / M1 1AE; US ZIP+4 (plain 5-digit ZIPs handled below).
    (POSTCODE, re.compile(
        r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \-]?\d[ABCEGHJ-NPRSTV-Z]\d\b", re.IGNORECASE)),
    (POSTCODE, re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)),
    (POSTCODE, re.compile(r"\b\d{5}-\d{4}\b")),
    (ADDRESS, re.compile(r"\b(?:P\.? ?O\.?|Post Office) ?Box \d+\b", re.IGNORECASE)),
]

# A 5-digit number is a ZIP code unless it reads as money, a count or a year-like quantity.
_FIVE_DIGITS = re.compile(r"(?<![\w$£€.,])\d{5}(?![\w.,%])")
_AMOUNT_BEFORE = re.compile(
    r"(?:[$£€]|\b(?:usd|cad|gbp|earn|earned|earns|make|makes|made|paid|pay|salary|income|owe|owed|"
    r"cost|costs|about|around|over|under|of|than|approximately|roughly))\s*$", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(
    r"^\s*(?:dollars|bucks|usd|cad|pounds|gbp|euros|a year|per|/|a month|annually|people|times|words|km|miles|"
    r"steps|calories)\b", re.IGNORECASE)

_STREET_TYPES = (
    "street st road rd avenue ave boulevard blvd lane ln drive dr court ct crescent cres place pl way terrace "
    "ter close highway hwy parkway pkwy circle cir square sq trail row gardens mews grove rue chemin "
    "route rte parade walk hill"
).split()
_UNIT_WORDS = ["apt", "apartment", "unit", "suite", "ste", "flat", "#"]
_ADDRESS_CUES = ["live at", "living at", "lives at", "live on", "moved to", "address is", "my address",
                 "located at", "staying at", "reside at", "at"]

# Strong cues take a lower-case name too ("my name is sam"); weak ones only a capitalised, non-ordinary word.
_NAME_STRONG_CUES = ["my name is", "my name's", "his name is", "her name is", "their name is", "name:",
                     "my full name is", "my first name is", "my last name is", "my surname is"]
_NAME_WEAK_CUES = ["i am", "i'm", "im", "hi this is", "hi, this is", "hello this is", "hello, this is",
                   "hey this is", "call me", "signed", "regards", "kind regards", "my son is", "my daughter is",
                   "my wife is", "my husband is", "my partner is", "my mother is", "my father is", "my mom is",
                   "my dad is", "my mum is", "caseworker", "navigator", "named"]
_HONORIFICS = ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "mister"]

# Title-case words that follow "I'm"/"I am"/"this is" but are not names.
_NOT_NAMES = set("""
a an the not so very really just still also here there back home new now only sure sorry glad happy sad angry
upset frustrated confused worried scared tired sick ill disabled unemployed employed retired pregnant widowed
widow widower divorced separated married single homeless broke stuck lost done finished trying looking
calling writing asking waiting applying going moving living working struggling hoping wondering unable able
eligible ineligible entitled responsible grateful thankful satisfied unsatisfied disappointed annoyed furious
canadian american british english scottish welsh irish french indigenous veteran student senior parent
mother father mom mum dad carer caregiver citizen resident immigrant refugee newcomer self-employed
from in at on with about over under after before afraid aware unsure certain okay ok fine good well great
bad fed alone deaf blind older young old unhappy impressed amazed surprised shocked concerned nervous
interested keen ready late early able-bodied low high due behind currently honestly literally basically
someone somebody nobody everyone calling regarding re hoping checking following
""".split())
_NAME_STOP = {"and", "or", "but", "from", "in", "at", "on", "with", "to", "for", "of", "the", "a", "an",
              "i", "my", "we", "is", "was", "not", "because", "so", "who", "which", "that", "here",
              "there", "please", "thanks", "thank", "hi", "hello"}
_STRONG_NOT_NAMES = {"spelled", "misspelled", "wrong", "missing", "listed", "incorrect", "different", "on",
                     "not", "still", "correct", "right", "changed", "shown", "printed", "written", "unknown"}


@dataclass
class Redaction:
    """Redacted text and how many spans of each kind were removed (counts are safe to log)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.counts)


@lru_cache(maxsize=1)
def _pipeline() -> tuple[Language, PhraseMatcher, PhraseMatcher, PhraseMatcher, Matcher]:
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    nlp = spacy.blank("en")
    strong, weak, address_cues = (PhraseMatcher(nlp.vocab, attr="LOWER") for _ in range(3))
    strong.add("STRONG", [nlp.make_doc(c) for c in _NAME_STRONG_CUES])
    weak.add("WEAK", [nlp.make_doc(c) for c in _NAME_WEAK_CUES])
    address_cues.add("CUE", [nlp.make_doc(c) for c in _ADDRESS_CUES])

    matcher = Matcher(nlp.vocab)
    honorific: TokenPattern = [{"LOWER": {"IN": _HONORIFICS + [h + "." for h in _HONORIFICS]}}, {"ORTH": ".", "OP": "?"}]
    matcher.add("HONORIFIC", [honorific + [{"IS_TITLE": True}, {"IS_TITLE": True, "OP": "?"}]],
                greedy="LONGEST")
    street: dict[str, Any] = {"LOWER": {"IN": _STREET_TYPES + [s + "." for s in _STREET_TYPES]}}
    number: dict[str, Any] = {"TEXT": {"REGEX": r"^\d{1,6}[A-Za-z]?$"}}
    unit: TokenPattern = [{"LOWER": {"IN": _UNIT_WORDS + [u + "." for u in _UNIT_WORDS]}, "OP": "?"},
            {"TEXT": {"REGEX": r"^#?\d{1,5}[A-Za-z]?$"}, "OP": "?"}, {"ORTH": {"IN": [",", "-"]}, "OP": "?"}]
    # Title-case street names are addresses anywhere ("12 Elm Street"); lower-case ones only after a cue.
    titled: TokenPattern = unit + [number, {"IS_TITLE": True, "OP": "+"}, street]
    titled_unit_after: TokenPattern = [number, {"IS_TITLE": True, "OP": "+"}, street, {"ORTH": ",", "OP": "?"},
                         {"LOWER": {"IN": _UNIT_WORDS}}, {"TEXT": {"REGEX": r"^#?\d{1,5}[A-Za-z]?$"}}]
    alpha: dict[str, Any] = {"IS_ALPHA": True}
    lower: list[TokenPattern] = [[number] + [alpha] * k + [street] for k in (1, 2, 3)]
    matcher.add("ADDRESS_TITLED", [titled, titled_unit_after], greedy="LONGEST")
    matcher.add("ADDRESS_ANY", lower)  # the shortest match after a cue is kept, see _token_spans
    return nlp, strong, weak, address_cues, matcher


def redact(text: str) -> Redaction:
    """Replace personal data in ``text`` with ``[EMAIL]``, ``[PHONE]``, ``[POSTCODE]``, ``[ID]``,
    ``[ADDRESS]`` or ``[NAME]``."""
    if not text:
        return Redaction(text or "")
    # Same length as the original, so character offsets carry over; curly apostrophes behave like straight.
    normalised = text.replace("\u2019", "'").replace("\u2018", "'")
    spans: list[tuple[int, int, str]] = []
    for label, pattern in _REGEXES:
        spans += [(m.start(), m.end(), label) for m in pattern.finditer(normalised)]
    spans += _zip_codes(normalised)
    spans += _token_spans(normalised)
    return _apply(text, spans)


def _zip_codes(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _FIVE_DIGITS.finditer(text):
        before, after = text[max(0, m.start() - 24):m.start()], text[m.end():m.end() + 24]
        if _AMOUNT_BEFORE.search(before) or _AMOUNT_AFTER.search(after):
            continue
        found.append((m.start(), m.end(), POSTCODE))
    return found


def _token_spans(text: str) -> list[tuple[int, int, str]]:
    nlp, strong, weak, address_cues, matcher = _pipeline()
    doc = nlp.make_doc(text)
    spans: list[tuple[int, int, str]] = []
    cue_ends = {end for _, _, end in address_cues(doc)}
    shortest_after_cue: dict[int, int] = {}
    for match_id, start, end in matcher(doc):
        label = nlp.vocab.strings[match_id]
        if label == "HONORIFIC":
            spans.append((doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), NAME))
        elif label == "ADDRESS_TITLED":
            spans.append((doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), ADDRESS))
        elif start in cue_ends:  # "I live at 5 main st and drive…": stop at the first street word
            shortest_after_cue[start] = min(end, shortest_after_cue.get(start, end))
    for start, end in shortest_after_cue.items():
        spans.append((doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), ADDRESS))
    for _, _, end in strong(doc):
        spans += _name_after(doc, end, strong_cue=True)
    for _, _, end in weak(doc):
        spans += _name_after(doc, end, strong_cue=False)
    return spans


def _name_after(doc: Doc, index: int, strong_cue: bool) -> list[tuple[int, int, str]]:
    """Up to three name-like tokens right after a cue ("Mary-Jane O'Neil"), stopping at ordinary words."""
    tokens: list[Token] = []
    i = index
    if i < len(doc) and doc[i].text in {",", ":", "-"}:  # "Regards, Sam" / "Name: Sam"
        i += 1
    while i < len(doc) and len(tokens) < 3:
        token = doc[i]
        lower = token.lower_
        if token.text in {"-", "'"} and tokens and not token.whitespace_ and i + 1 < len(doc):
            i += 1  # a hyphen inside a double-barrelled name
            continue
        word_like = re.fullmatch(r"[^\W\d_][\w'\-.]*", token.text) is not None and lower not in _NAME_STOP
        if not word_like:
            break
        if strong_cue:
            if lower in _STRONG_NOT_NAMES or (lower in _NOT_NAMES and not token.is_title):
                break
            if not tokens and not (token.is_title or token.is_lower or token.is_upper):
                break
            if tokens and not token.is_title and not token.is_upper:
                break  # "my name is Sam and…", "… Sam please": a name continues only in capitals
        else:
            if not token.is_title or lower in _NOT_NAMES:
                break
        tokens.append(token)
        i += 1
    if not tokens:
        return []
    last = tokens[-1]
    return [(tokens[0].idx, last.idx + len(last.text.rstrip(".")), NAME)]


def _apply(original: str, spans: list[tuple[int, int, str]]) -> Redaction:
    """Overlapping spans merge into one (their union is redacted) under the highest-priority label."""
    rank = {label: i for i, label in enumerate(_PRIORITY)}
    merged: list[list[Any]] = []
    for start, end, label in sorted(s for s in spans if s[1] > s[0]):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if rank[label] < rank[last[2]]:
                last[2] = label
        else:
            merged.append([start, end, label])
    out: list[str] = []
    counts: dict[str, int] = {}
    cursor = 0
    for start, end, label in merged:
        out.append(original[cursor:start])
        out.append(f"[{label}]")
        counts[label] = counts.get(label, 0) + 1
        cursor = end
    out.append(original[cursor:])
    return Redaction("".join(out), counts)
