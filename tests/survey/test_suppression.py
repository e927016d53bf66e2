"""Small-cell suppression: primary under 10, complementary so nothing can be derived from published totals."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.survey.suppression import ALL, COMPLEMENTARY, PRIMARY, derivable, suppress


def with_margins(interior: dict[tuple[str, str], int]) -> dict[tuple[str, str], tuple[int, int]]:
    """An additive table (responses = conversations here) with its row, column and grand totals."""
    cells: dict[tuple[str, str], int] = dict(interior)
    for (r, c), n in interior.items():
        cells[(r, ALL)] = cells.get((r, ALL), 0) + n
        cells[(ALL, c)] = cells.get((ALL, c), 0) + n
        cells[(ALL, ALL)] = cells.get((ALL, ALL), 0) + n
    return {k: (n, n) for k, n in cells.items()}


def determined_by_linear_algebra(cells, hidden) -> set:
    """Independent audit: a hidden cell is derivable iff its unit vector lies in the row space of the
    line equations restricted to the hidden cells (published values are the known right-hand side)."""
    hidden = sorted(hidden)
    if not hidden:
        return set()
    position = {k: i for i, k in enumerate(hidden)}
    equations = []
    rows = {k[0] for k in cells if k[0] != ALL}
    cols = {k[1] for k in cells if k[1] != ALL}
    for r in rows:  # sum over channels = row margin
        eq = np.zeros(len(hidden))
        for c in cols:
            if (r, c) in position:
                eq[position[(r, c)]] += 1
        if (r, ALL) in position:
            eq[position[(r, ALL)]] -= 1
        equations.append(eq)
    for c in cols | {ALL}:  # sum over services = column margin (the "all" column: row margins = grand total)
        eq = np.zeros(len(hidden))
        for r in rows:
            if (r, c) in position:
                eq[position[(r, c)]] += 1
        if (ALL, c) in position:
            eq[position[(ALL, c)]] -= 1
        equations.append(eq)
    eq = np.zeros(len(hidden))  # column margins add up to the grand total
    for c in cols:
        if (ALL, c) in position:
            eq[position[(ALL, c)]] += 1
    if (ALL, ALL) in position:
        eq[position[(ALL, ALL)]] -= 1
    equations.append(eq)
    matrix = np.array(equations)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for key, i in position.items():
        unit = np.zeros(len(hidden))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(key)
    return found


tables = st.dictionaries(
    keys=st.tuples(st.sampled_from(["s1", "s2", "s3", "s4"]), st.sampled_from(["web", "sms", "tg"])),
    values=st.integers(min_value=0, max_value=60) | st.integers(min_value=1, max_value=9),
    min_size=1, max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_nothing_withheld_can_be_derived_from_what_is_published(interior):
    cells = with_margins(interior)
    withheld = suppress(cells)
    # primary: every cell with 1–9 is withheld
    assert {k for k, (n, _) in cells.items() if 0 < n < 10} <= set(withheld)
    assert all(withheld[k] == PRIMARY for k, (n, _) in cells.items() if 0 < n < 10)
    # complementary: every line holds zero or at least two withheld cells…
    for line in [[k for k in cells if k[0] == r] for r in {k[0] for k in cells}] + \
                [[k for k in cells if k[1] == c] for c in {k[1] for k in cells}]:
        assert sum(k in withheld for k in line) != 1
    # …and no chain of subtractions recovers any withheld cell (checked two independent ways).
    assert derivable(withheld, cells) == set()
    assert determined_by_linear_algebra(cells, set(withheld)) == set()


@given(tables)
def test_tables_without_small_cells_are_published_whole(interior):
    interior = {k: (0 if n < 10 else n) for k, n in interior.items()}
    assert suppress(with_margins(interior)) == {}


def test_worked_example_two_services_three_channels():
    cells = with_margins({("snap", "web"): 40, ("snap", "sms"): 20, ("snap", "tg"): 4,
                          ("liheap", "web"): 30, ("liheap", "sms"): 12, ("liheap", "tg"): 15})
    assert suppress(cells) == {("snap", "tg"): PRIMARY, ("snap", "sms"): COMPLEMENTARY,
                               ("liheap", "tg"): COMPLEMENTARY, ("liheap", "sms"): COMPLEMENTARY}


def test_a_service_on_one_channel_takes_its_margin_with_it():
    cells = with_margins({("a", "web"): 5, ("b", "web"): 50, ("b", "sms"): 50})
    withheld = suppress(cells)
    assert withheld[("a", "web")] == PRIMARY
    assert ("a", ALL) in withheld  # the row total equals the one cell
    assert derivable(withheld, cells) == set()


def test_bridge_detection_finds_a_cell_fixed_by_a_chain():
    cells = with_margins({(r, c): 50 for r in "abc" for c in "xyz"})
    # two withheld squares joined by one withheld cell: every line has 0 or ≥2, yet the joint is derivable
    hidden = {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "z"), ("c", ALL), (ALL, "z"), (ALL, ALL),
              ("a", "z")}
    assert ("a", "z") in derivable(hidden, cells)
    assert ("a", "z") in determined_by_linear_algebra(cells, hidden)
