"""Eligibility rules: pure evaluation, no database.

A rule is a dict (as stored in catalogue YAML and in the database)::

    {"criterion": "applicant_date_of_birth", "op": "date", "values": [">=60years"], "label": {"en": "..."}}
    {"any_of": [[rule, rule], [rule]]}       # alternative paths: met when every rule of one path is met

Operators (``op``, default ``in``):

- ``in`` / ``not_in`` — the answer is (is not) one of ``values``; a multi-select answer matches on any overlap
- ``eq`` / ``ne`` — the answer equals (differs from) ``values[0]``
- ``lt`` / ``le`` / ``gt`` / ``ge`` — numeric comparison with ``values[0]``
- ``between`` — ``values[0] <= answer <= values[1]`` (inclusive)
- ``date`` — every expression in ``values`` holds for a date answer, relative to the as-of date:
  ``<2years`` (less than 2 years have passed since the date), ``>=60years`` (at least 60 years: an age),
  units years/months/weeks/days; or absolute ``>=05-20-2020`` (USAGov MM-DD-YYYY) / ``<1978-01-01`` (ISO).

:func:`evaluate_rule` returns True (met), False (failed) or None (unknown: not answered).
"""

from __future__ import annotations

import calendar
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from knowledge.vocab import Age, to_date

OPERATORS = ("in", "not_in", "eq", "ne", "lt", "le", "gt", "ge", "between", "date")
_CMP: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq}
_EXPR = re.compile(r"^\s*(<=|>=|<|>|=)?\s*(.+?)\s*$")
_DURATION = re.compile(r"^(\d+)\s*(years?|months?|weeks?|days?)$", re.I)


@dataclass(frozen=True)
class DateExpr:
    op: str  # one of < <= > >= =
    amount: int | None = None  # elapsed-time form
    unit: str | None = None  # years | months | weeks | days
    when: date | None = None  # absolute form

    @property
    def relative(self) -> bool:
        return self.when is None


def parse_date_expr(text: Any) -> DateExpr:
    """Parse ``<2years`` / ``>=60years`` / ``>=05-20-2020`` / ``<1978-01-01``; ValueError when malformed."""
    m = _EXPR.match(str(text))
    if not m:
        raise ValueError(f"not a date rule: {text!r}")
    op, rest = m.group(1) or "=", m.group(2)
    if d := _DURATION.match(rest):
        unit = d.group(2).lower()
        return DateExpr(op=op, amount=int(d.group(1)), unit=unit if unit.endswith("s") else unit + "s")
    when = to_date(rest)
    if when is None:
        raise ValueError(f"not a date rule: {text!r} (use e.g. <2years, >=60years, >=05-20-2020)")
    return DateExpr(op=op, when=when)


def add_period(start: date, amount: int, unit: str) -> date:
    """``start`` plus a number of years/months/weeks/days (29 February + 1 year → 28 February)."""
    if unit in ("years", "months"):
        months = amount * 12 if unit == "years" else amount
        y, m = divmod(start.month - 1 + months, 12)
        year, month = start.year + y, m + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return start + timedelta(days=amount * (7 if unit == "weeks" else 1))


def eval_date_expr(expr: DateExpr, answer: Any, as_of: date) -> bool | None:
    if isinstance(answer, Age):
        # An age in completed years: the elapsed time is somewhere in [n, n+1) years; only year rules can be decided.
        if expr.when is not None or expr.unit != "years" or expr.amount is None:
            return None
        n, limit = answer.years, expr.amount
        return {"<": n < limit, "<=": n < limit, ">": n >= limit, ">=": n >= limit, "=": n == limit}[expr.op]
    if not isinstance(answer, date):
        return None
    if expr.when is not None:
        return _CMP[expr.op](answer, expr.when)
    if expr.amount is None or expr.unit is None:  # neither form: parse_date_expr never makes one
        return None
    # Elapsed time since ``answer`` compared with the period: "elapsed < P" ⇔ as_of < answer + P.
    boundary = add_period(answer, expr.amount, expr.unit)
    return _CMP[expr.op](as_of, boundary)


def _num(x: Any) -> float | None:
    if isinstance(x, bool):
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def evaluate_simple(rule: dict[str, Any], answer: Any, as_of: date) -> bool | None:
    """One rule against one (already normalised) answer; None when the answer is missing or not comparable."""
    if answer is None:
        return None
    op = rule.get("op") or "in"
    values = rule.get("values") or []
    if op in ("in", "not_in"):
        if isinstance(answer, list | tuple | set):
            hit = any(a in values for a in answer)
        else:
            hit = answer in values
        return hit if op == "in" else not hit
    if op in ("eq", "ne"):
        hit = bool(values) and answer == values[0]
        return hit if op == "eq" else not hit
    if op in ("lt", "le", "gt", "ge"):
        a, b = _num(answer), _num(values[0]) if values else None
        if a is None or b is None:
            return None
        return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
    if op == "between":
        a = _num(answer)
        low, high = (_num(values[0]), _num(values[1])) if len(values) == 2 else (None, None)
        if a is None or low is None or high is None:
            return None
        return low <= a <= high
    if op == "date":
        results = [eval_date_expr(parse_date_expr(v), answer, as_of) for v in values]
        if any(r is False for r in results):
            return False
        if any(r is None for r in results):
            return None
        return True
    raise ValueError(f"unknown operator {op!r}")


def evaluate_rule(rule: dict[str, Any], answers: dict[str, Any], as_of: date) -> bool | None:
    """True (met), False (failed) or None (unknown) for one rule, including ``any_of`` groups."""
    if "any_of" in rule and rule["any_of"] is not None:
        outcomes = [combine(evaluate_rule(r, answers, as_of) for r in path) for path in rule["any_of"]]
        if any(o is True for o in outcomes):
            return True
        if all(o is False for o in outcomes):
            return False
        return None
    return evaluate_simple(rule, answers.get(rule["criterion"]), as_of)


def combine(outcomes: Iterable[bool | None]) -> bool | None:
    """AND of rule outcomes: False if any failed, else None if any unknown, else True."""
    listed = list(outcomes)
    if any(o is False for o in listed):
        return False
    if any(o is None for o in listed):
        return None
    return True


def criteria_of(rule: dict[str, Any]) -> list[str]:
    """Every criterion key a rule reads (any_of groups included), in order, without repeats."""
    if rule.get("any_of"):
        keys: list[str] = []
        for path in rule["any_of"]:
            for r in path:
                for k in criteria_of(r):
                    if k not in keys:
                        keys.append(k)
        return keys
    return [rule["criterion"]]


def unknown_criteria(rule: dict[str, Any], answers: dict[str, Any], as_of: date) -> list[str]:
    """The unanswered criteria that keep an unknown rule undecided."""
    if rule.get("any_of"):
        keys: list[str] = []
        for path in rule["any_of"]:
            if combine(evaluate_rule(r, answers, as_of) for r in path) is False:
                continue  # a failed path needs no more answers
            for r in path:
                if evaluate_rule(r, answers, as_of) is None:
                    for k in unknown_criteria(r, answers, as_of):
                        if k not in keys:
                            keys.append(k)
        return keys
    return [rule["criterion"]] if evaluate_simple(rule, answers.get(rule["criterion"]), as_of) is None else []
