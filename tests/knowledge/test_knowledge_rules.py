from datetime import date

import pytest

from knowledge.rules import add_period, evaluate_rule, parse_date_expr, unknown_criteria
from knowledge.vocab import Age

AS_OF = date(2025, 1, 29)


def ev(rule, answer, as_of=AS_OF):
    return evaluate_rule(rule, {rule["criterion"]: answer} if answer is not None else {}, as_of)


@pytest.mark.parametrize("rule, answer, expected", [
    ({"criterion": "c", "op": "in", "values": ["a", "b"]}, "a", True),
    ({"criterion": "c", "op": "in", "values": ["a", "b"]}, "z", False),
    ({"criterion": "c", "values": [True]}, True, True),  # default op is "in"
    ({"criterion": "c", "values": [True]}, False, False),
    ({"criterion": "c", "op": "in", "values": ["2", "3_to_4"]}, ["1_or_under", "2"], True),  # multiselect overlap
    ({"criterion": "c", "op": "in", "values": ["2"]}, ["5_to_7"], False),
    ({"criterion": "c", "op": "not_in", "values": ["a"]}, "b", True),
    ({"criterion": "c", "op": "not_in", "values": ["a"]}, "a", False),
    ({"criterion": "c", "op": "not_in", "values": ["a"]}, ["b", "a"], False),
    ({"criterion": "c", "op": "eq", "values": ["x"]}, "x", True),
    ({"criterion": "c", "op": "eq", "values": ["x"]}, "y", False),
    ({"criterion": "c", "op": "ne", "values": ["x"]}, "y", True),
    ({"criterion": "c", "op": "ne", "values": ["x"]}, "x", False),
    ({"criterion": "c", "op": "lt", "values": [4]}, 3, True),
    ({"criterion": "c", "op": "lt", "values": [4]}, 4, False),
    ({"criterion": "c", "op": "le", "values": [4]}, 4, True),
    ({"criterion": "c", "op": "le", "values": [4]}, 5, False),
    ({"criterion": "c", "op": "gt", "values": [4]}, 5, True),
    ({"criterion": "c", "op": "gt", "values": [4]}, 4, False),
    ({"criterion": "c", "op": "ge", "values": [4]}, 4, True),
    ({"criterion": "c", "op": "ge", "values": [4]}, 3.5, False),
    ({"criterion": "c", "op": "between", "values": [2, 5]}, 2, True),
    ({"criterion": "c", "op": "between", "values": [2, 5]}, 5, True),
    ({"criterion": "c", "op": "between", "values": [2, 5]}, 6, False),
])
def test_every_operator(rule, answer, expected):
    assert ev(rule, answer) is expected


@pytest.mark.parametrize("op", ["in", "not_in", "eq", "ne", "lt", "le", "gt", "ge", "between", "date"])
def test_missing_answer_is_unknown(op):
    values = {"between": [1, 2], "date": ["<2years"]}.get(op, [1])
    assert ev({"criterion": "c", "op": op, "values": values}, None) is None


def test_numeric_operator_with_non_number_is_unknown():
    assert ev({"criterion": "c", "op": "lt", "values": [3]}, "many") is None


def test_unknown_operator_raises():
    with pytest.raises(ValueError):
        ev({"criterion": "c", "op": "like", "values": ["x"]}, "x")


def test_relative_date_rule_depends_on_as_of():
    rule = {"criterion": "deceased_date_of_death", "op": "date", "values": ["<2years"]}
    died = date(2023, 5, 5)
    assert ev(rule, died, date(2025, 1, 29)) is True
    assert ev(rule, died, date(2025, 5, 4)) is True
    assert ev(rule, died, date(2025, 5, 5)) is False  # exactly two years have passed
    assert ev(rule, died, date(2026, 11, 23)) is False


@pytest.mark.parametrize("dob, expr, expected", [
    (date(1965, 1, 29), ">=60years", True),   # 60th birthday on the as-of date
    (date(1965, 1, 30), ">=60years", False),  # one day short
    (date(2007, 1, 30), "<18years", True),
    (date(2007, 1, 29), "<18years", False),
    (date(1980, 1, 1), ">18years", True),
    (date(1980, 1, 1), "<=50years", True),
    (date(1960, 4, 5), ">=50years", True),
])
def test_age_rules_relative_to_as_of(dob, expr, expected):
    assert ev({"criterion": "applicant_date_of_birth", "op": "date", "values": [expr]}, dob) is expected


@pytest.mark.parametrize("death, expr, expected", [
    (date(2020, 5, 20), ">=05-20-2020", True),
    (date(2020, 5, 19), ">=05-20-2020", False),
    (date(1977, 12, 31), "<01-01-1978", True),
    (date(1978, 1, 1), "<01-01-1978", False),
    (date(1978, 1, 1), "<=1978-01-01", True),
    (date(2020, 1, 21), ">01-20-2020", True),
])
def test_absolute_date_rules(death, expr, expected):
    assert ev({"criterion": "deceased_date_of_death", "op": "date", "values": [expr]}, death) is expected


def test_date_range_needs_every_expression():
    rule = {"criterion": "applicant_date_of_birth", "op": "date", "values": [">=20years", "<65years"]}
    assert ev(rule, date(1990, 1, 1)) is True
    assert ev(rule, date(1950, 1, 1)) is False
    assert ev(rule, date(2010, 1, 1)) is False


def test_age_answer_in_years():
    rule = {"criterion": "applicant_date_of_birth", "op": "date", "values": [">=60years"]}
    assert ev(rule, Age(60)) is True
    assert ev(rule, Age(59)) is False
    assert ev({"criterion": "applicant_date_of_birth", "op": "date", "values": ["<18years"]}, Age(17)) is True
    # an absolute date cannot be decided from an age
    assert ev({"criterion": "applicant_date_of_birth", "op": "date", "values": [">=01-01-1960"]}, Age(60)) is None


def test_other_units_and_leap_day():
    assert parse_date_expr("<6 months").unit == "months"
    assert ev({"criterion": "d", "op": "date", "values": ["<6months"]}, date(2024, 8, 1)) is True
    assert ev({"criterion": "d", "op": "date", "values": ["<6months"]}, date(2024, 7, 28)) is False
    assert ev({"criterion": "d", "op": "date", "values": [">=2weeks"]}, date(2025, 1, 15)) is True
    assert ev({"criterion": "d", "op": "date", "values": [">30days"]}, date(2025, 1, 1)) is False
    assert add_period(date(2024, 2, 29), 1, "years") == date(2025, 2, 28)


@pytest.mark.parametrize("bad", ["soon", "<2parsecs", ">=13-45-2020", ""])
def test_malformed_date_expressions(bad):
    with pytest.raises(ValueError):
        parse_date_expr(bad)


def test_any_of_paths():
    rule = {"any_of": [
        [{"criterion": "a", "values": ["x"]}, {"criterion": "b", "values": [True]}],
        [{"criterion": "c", "values": ["y"]}],
    ]}
    assert evaluate_rule(rule, {"a": "x", "b": True}, AS_OF) is True
    assert evaluate_rule(rule, {"c": "y"}, AS_OF) is True
    assert evaluate_rule(rule, {"a": "z", "c": "n"}, AS_OF) is False
    assert evaluate_rule(rule, {"a": "x"}, AS_OF) is None
    # the failed first path needs no more answers; only c is still unknown
    assert unknown_criteria(rule, {"a": "z"}, AS_OF) == ["c"]
    assert unknown_criteria(rule, {}, AS_OF) == ["a", "b", "c"]
