"""``signpost understand --evaluate FILE...``: how well the trained model finds needs in labelled citizen messages.

A file is ``{writer, messages: [{group, text, needs: [...], register, ...}]}`` (``needs: []`` = out of scope).
The model's needs for a message are what the dialogue receives: the ``life_event`` entities, none when the
intent is ``out_of_scope``. Scores are pure functions of (gold, predicted) pairs. Files under a ``test``
directory (the held-back half of the split) never have their texts printed: only figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

OUT_OF_SCOPE_INTENT = "out_of_scope"


@dataclass(frozen=True)
class Row:
    text: str
    gold: frozenset[str]
    predicted: frozenset[str]
    register: str = ""
    source: str = ""
    show_text: bool = True


@dataclass
class Report:
    messages: int
    per_need: dict[str, dict[str, float]]  # need -> precision, recall, f1, support
    macro_f1: float
    out_of_scope: dict[str, float]  # precision, recall, support
    in_scope_recall: float
    exact: float  # share of messages whose predicted needs are exactly the gold ones
    by_register: dict[str, float] = field(default_factory=dict)  # exact-match share per register
    misses: list[Row] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"messages": self.messages, "per_need": self.per_need, "macro_f1": self.macro_f1,
                "out_of_scope": self.out_of_scope, "in_scope_recall": self.in_scope_recall, "exact": self.exact,
                "by_register": self.by_register,
                "misses": [{"text": r.text, "gold": sorted(r.gold), "predicted": sorted(r.predicted),
                            "register": r.register, "source": r.source} for r in self.misses if r.show_text],
                "misses_not_listed": sum(1 for r in self.misses if not r.show_text)}


def is_held_back(path: Path) -> bool:
    """A file of the test half (``.../test/...``): its texts are never shown."""
    return "test" in Path(path).parts[:-1]


def load_messages(path: Path) -> list[dict]:
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    messages = document.get("messages") if isinstance(document, dict) else document
    if not isinstance(messages, list):
        raise ValueError(f"{path}: expected a 'messages' list")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("text"), str) or not isinstance(m.get("needs", []), list):
            raise ValueError(f"{path}: message {i} needs 'text' (string) and 'needs' (list)")
    return messages


def predicted_needs(parse: dict) -> frozenset[str]:
    """The needs the dialogue gets from a parse: life_event entities, none when the intent is out of scope."""
    if ((parse.get("intent") or {}).get("name")) == OUT_OF_SCOPE_INTENT:
        return frozenset()
    return frozenset(str(e["value"]) for e in parse.get("entities") or []
                     if e.get("entity") == "life_event" and e.get("value"))


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0


def score(rows: Iterable[Row]) -> Report:
    rows = list(rows)
    labels = sorted({n for r in rows for n in r.gold | r.predicted})
    per_need = {}
    for need in labels:
        tp = sum(need in r.gold and need in r.predicted for r in rows)
        fp = sum(need not in r.gold and need in r.predicted for r in rows)
        fn = sum(need in r.gold and need not in r.predicted for r in rows)
        per_need[need] = {"precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn),
                          "f1": _ratio(2 * tp, 2 * tp + fp + fn), "support": tp + fn}
    gold_out = [r for r in rows if not r.gold]
    pred_out = [r for r in rows if not r.predicted]
    both_out = sum(1 for r in gold_out if not r.predicted)
    in_scope = [r for r in rows if r.gold]
    registers: dict[str, list[bool]] = {}
    for r in rows:
        registers.setdefault(r.register or "-", []).append(r.gold == r.predicted)
    return Report(
        messages=len(rows), per_need=per_need,
        macro_f1=round(sum(v["f1"] for v in per_need.values()) / len(per_need), 4) if per_need else 0.0,
        out_of_scope={"precision": _ratio(both_out, len(pred_out)), "recall": _ratio(both_out, len(gold_out)),
                      "support": len(gold_out)},
        in_scope_recall=_ratio(sum(1 for r in in_scope if r.predicted), len(in_scope)),
        exact=_ratio(sum(r.gold == r.predicted for r in rows), len(rows)),
        by_register={k: _ratio(sum(v), len(v)) for k, v in sorted(registers.items())},
        misses=[r for r in rows if r.gold != r.predicted])


def rows_for(files: list[Path], parse) -> list[Row]:
    """Run ``parse(text) -> dict`` on every message of the files."""
    rows = []
    for path in files:
        show = not is_held_back(path)
        for m in load_messages(path):
            rows.append(Row(m["text"], frozenset(m.get("needs") or []), predicted_needs(parse(m["text"])),
                            str(m.get("register") or ""), Path(path).name, show))
    return rows


def format_report(report: Report, show_texts: bool = True) -> str:
    lines = [f"{report.messages} messages", "", f"{'need':16} {'prec':>6} {'recall':>6} {'F1':>6} {'n':>4}"]
    for need, v in report.per_need.items():
        lines.append(f"{need:16} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['support']:4d}")
    oos = report.out_of_scope
    lines += ["", f"need macro-F1          {report.macro_f1:.3f}",
              f"out-of-scope precision {oos['precision']:.3f}   recall {oos['recall']:.3f}   (n={oos['support']})",
              f"in-scope recall        {report.in_scope_recall:.3f}   (a need found for an in-scope message)",
              f"exact needs            {report.exact:.3f}",
              "by register (exact):   " + ", ".join(f"{k} {v:.2f}" for k, v in report.by_register.items()),
              "", f"misses: {len(report.misses)}"]
    held_back = 0
    for r in report.misses:
        if not (show_texts and r.show_text):
            held_back += 1  # not even the labels: nothing to tune on
            continue
        lines.append(f"  gold={sorted(r.gold)} got={sorted(r.predicted)} [{r.register}] {r.text}")
    if held_back:
        lines.append(f"  ({held_back} from held-back test files or --hide-texts: not listed)")
    return "\n".join(lines)


def run(files: list[Path], parse, as_json: bool = False, show_texts: bool = True) -> str:
    """The report for ``files`` as text (or JSON), parsing with ``parse(text) -> dict``."""
    import json

    for path in files:
        load_messages(path)  # a malformed file fails before any parsing
    rows = rows_for(files, parse)
    if not show_texts:
        rows = [Row(r.text, r.gold, r.predicted, r.register, r.source, False) for r in rows]
    report = score(rows)
    return json.dumps(report.as_dict(), indent=1) if as_json else format_report(report, show_texts)
