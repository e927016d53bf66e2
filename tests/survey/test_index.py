"""Index maths: the 0–100 conversion, the headline with its t-interval, % satisfied, legacy scales."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.survey.index import (
    convert_legacy_rating,
    headline_index,
    index_estimate,
    item_index,
    percent_satisfied,
    scale_point_counts,
)

likert = st.integers(min_value=1, max_value=5)


@pytest.mark.parametrize(("value", "lo", "hi", "expected"), [
    (1, 1, 5, 0.0), (2, 1, 5, 25.0), (3, 1, 5, 50.0), (4, 1, 5, 75.0), (5, 1, 5, 100.0),
    (4, 0, 5, 80.0), (6, 0, 10, 60.0), (7, 1, 10, 100 * 6 / 9), (72, 0, 100, 72.0), (1, 0, 1, 100.0),
])
def test_item_index_examples(value, lo, hi, expected):
    assert item_index(value, lo, hi) == pytest.approx(expected)


def test_legacy_four_out_of_five_is_75():
    assert convert_legacy_rating(4, 1, 5) == 75.0


@pytest.mark.parametrize(("value", "lo", "hi"), [(0, 1, 5), (6, 1, 5), (3, 5, 5), (3, 5, 1)])
def test_item_index_rejects_answers_off_the_scale_and_empty_scales(value, lo, hi):
    with pytest.raises(ValueError):
        item_index(value, lo, hi)


@given(st.integers(-1000, 1000), st.integers(1, 1000), st.data())
def test_item_index_is_on_0_100_with_endpoints_fixed(lo, width, data):
    hi = lo + width
    x = data.draw(st.integers(lo, hi))
    value = item_index(x, lo, hi)
    assert 0.0 <= value <= 100.0
    assert item_index(lo, lo, hi) == 0.0
    assert item_index(hi, lo, hi) == 100.0


@given(st.integers(-50, 50), st.integers(1, 50), st.data())
def test_item_index_is_monotone_and_shift_invariant(lo, width, data):
    hi = lo + width
    a, b = sorted(data.draw(st.lists(st.integers(lo, hi), min_size=2, max_size=2)))
    assert item_index(a, lo, hi) <= item_index(b, lo, hi)
    shift = data.draw(st.integers(-100, 100))
    assert item_index(a + shift, lo + shift, hi + shift) == pytest.approx(item_index(a, lo, hi))


@given(st.lists(likert, min_size=1, max_size=400))
def test_headline_is_the_mean_index_and_lies_inside_its_interval(answers):
    estimate = headline_index(answers)
    assert estimate.n == len(answers)
    assert estimate.index == pytest.approx(statistics.fmean(100 * (a - 1) / 4 for a in answers))
    assert 0.0 <= estimate.index <= 100.0
    if len(answers) < 2:
        assert estimate.ci_low is None and estimate.ci_high is None
    else:
        assert 0.0 <= estimate.ci_low <= estimate.index + 1e-9
        assert estimate.index - 1e-9 <= estimate.ci_high <= 100.0


@given(st.lists(likert, min_size=2, max_size=200))
def test_interval_is_the_student_t_interval_before_clipping(answers):
    from scipy import stats

    indexes = [100 * (a - 1) / 4 for a in answers]
    n, mean, sd = len(indexes), statistics.fmean(indexes), statistics.stdev(indexes)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    estimate = index_estimate(indexes)
    assert estimate.ci_low == pytest.approx(max(0.0, mean - half), abs=1e-9)
    assert estimate.ci_high == pytest.approx(min(100.0, mean + half), abs=1e-9)


@given(st.lists(likert, min_size=2, max_size=50))
def test_interval_narrows_when_the_same_answers_are_seen_four_times_as_often(answers):
    assume(len(set(answers)) > 1)
    small, large = headline_index(answers), headline_index(answers * 4)
    assert large.index == pytest.approx(small.index)
    assert (large.ci_high - large.ci_low) < (small.ci_high - small.ci_low)


def test_identical_answers_have_a_zero_width_interval():
    estimate = headline_index([4] * 12)
    assert (estimate.index, estimate.ci_low, estimate.ci_high) == (75.0, 75.0, 75.0)


def test_headline_worked_example():
    # 10 answers 5,5,5,4,4,4,4,3,2,1 → indexes sum 675 → mean 67.5; s² = 10062.5/9; t(.975, 9) = 2.2622.
    estimate = headline_index([5, 5, 5, 4, 4, 4, 4, 3, 2, 1])
    assert estimate.index == 67.5
    half = 2.262157 * math.sqrt(10062.5 / 9 / 10)
    assert estimate.ci_low == pytest.approx(67.5 - half, abs=1e-3)
    assert estimate.ci_high == pytest.approx(67.5 + half, abs=1e-3)


def test_empty_estimate():
    estimate = headline_index([])
    assert (estimate.n, estimate.index, estimate.ci_low) == (0, None, None)
    assert percent_satisfied([]) is None


@given(st.lists(likert, max_size=300))
def test_percent_satisfied_counts_4_and_5_only_and_points_add_up(answers):
    counts = scale_point_counts(answers)
    assert sum(counts.values()) == len(answers)
    if answers:
        assert percent_satisfied(answers) == pytest.approx(100 * (counts[4] + counts[5]) / len(answers))
