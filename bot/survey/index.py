"""Index maths: one 0–100 yardstick for every rating, whatever scale it was collected on.

item index = 100 × (x − min) / (max − min). The headline index is the mean item-1 (satisfaction) index with a
95% Student-t confidence interval; "% satisfied" (answers 4–5 on the 1–5 scale) is reported separately because
a mean hides how many people were actually satisfied.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95
CI_METHOD = (
    "Student-t interval on the per-response 0-100 item index: mean ± t(0.975, n−1) × s/√n, "
    "s the sample standard deviation; bounds clipped to [0, 100]; not computed for n < 2."
)


def item_index(value: float, scale_min: float, scale_max: float) -> float:
    """A raw answer on [scale_min, scale_max] as 0–100 (so 4 on 1–5 → 75, 4 on 0–5 → 80, 7 on 0–10 → 70)."""
    if not scale_max > scale_min:
        raise ValueError(f"scale max ({scale_max}) must be greater than scale min ({scale_min})")
    if not scale_min <= value <= scale_max:
        raise ValueError(f"answer {value} is outside its scale {scale_min}–{scale_max}")
    return 100.0 * (value - scale_min) / (scale_max - scale_min)


convert_legacy_rating = item_index
"""A legacy rating ("4/5", "6/10", "72 out of 100") converts exactly like an item: 4 on 1–5 → 75."""


@dataclass(frozen=True)
class IndexEstimate:
    """Mean 0–100 index of ``n`` answers with its 95% confidence interval (``None`` where undefined)."""

    n: int
    index: float | None
    ci_low: float | None
    ci_high: float | None


def index_estimate(indexes: Sequence[float], confidence: float = CONFIDENCE) -> IndexEstimate:
    """Mean of 0–100 item indexes with a t-interval; see :data:`CI_METHOD`."""
    n = len(indexes)
    if n == 0:
        return IndexEstimate(0, None, None, None)
    mean = math.fsum(indexes) / n
    mean = min(100.0, max(0.0, mean))  # fsum of in-range values is in range; guard float dust only
    if n < 2:
        return IndexEstimate(n, mean, None, None)
    variance = math.fsum((x - mean) ** 2 for x in indexes) / (n - 1)
    # scipy takes ~0.5 s to import: only when an interval is computed, not by every process importing the survey
    from scipy import stats

    half_width = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(variance / n)
    return IndexEstimate(n, mean, max(0.0, mean - half_width), min(100.0, mean + half_width))


def headline_index(answers: Iterable[int], scale_min: int = 1, scale_max: int = 5) -> IndexEstimate:
    """The headline: mean satisfaction (item 1) on the 0–100 scale with its 95% CI."""
    return index_estimate([item_index(a, scale_min, scale_max) for a in answers])


def percent_satisfied(answers: Iterable[int], satisfied_from: int = 4) -> float | None:
    """Share of answers at ``satisfied_from`` or above (4–5 on 1–5), as a percentage; ``None`` with no answers."""
    answers = list(answers)
    if not answers:
        return None
    return 100.0 * sum(1 for a in answers if a >= satisfied_from) / len(answers)


def scale_point_counts(answers: Iterable[int], scale_min: int = 1, scale_max: int = 5) -> dict[int, int]:
    """How many answers at each point of the scale, zeros included (the A-11 "q1_1 … q1_5" counts)."""
    counts = dict.fromkeys(range(scale_min, scale_max + 1), 0)
    for a in answers:
        counts[a] += 1
    return counts
