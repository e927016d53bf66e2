"""A deterministic month of synthetic conversations, for demos and for tests that check the report by hand.

No randomness: conversation k of a cohort gets its answers from fixed cycles indexed by k, so every number in
the report can be worked out on paper from the tables below. Writes go through the public store API (the same
calls the Rasa actions and the desk make), so seeding twice changes nothing. Some comments and unmet queries
carry realistic personal data on purpose: the audit test proves none of it survives into storage or exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from bot.survey.failure_demand import CHASING_PROGRESS, EXPLAINING_LETTERS, FAILURE, UNAVOIDABLE, VALUE
from bot.survey.store import (
    mark_avoidable_contact,
    record_contact,
    record_offer,
    record_unmet_demand,
    submit_response,
)

SATISFACTION_CYCLE = (5, 5, 5, 4, 4, 4, 4, 3, 2, 1)
TRUST_CYCLE = (5, 4, None, 3, 4)  # None: skipped
DRIVER_CYCLE = (("effectiveness", "ease"), ("efficiency",), ("transparency", "assistant_understood"), ())
FIRST_TIME_CYCLE = ("yes", "yes", "no", "not_sure")
UNMET_TOPICS = ("pet_care", "vehicle_repair", "immigration_legal")

# (comment as typed, fragments that must never be stored or exported)
PII_COMMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("My name is Eleanor Vance and my email is eleanor.vance@example.org, thanks for the help",
     ("Eleanor", "Vance", "eleanor.vance@example.org")),
    ("Call me back on (303) 555-0147, I live at 1420 Larimer Street, Denver 80202",
     ("555-0147", "1420 Larimer", "80202")),
    ("My SSN is 219-09-9999 and my card 4111 1111 1111 1111 was charged twice",
     ("219-09-9999", "4111 1111 1111 1111")),
    ("I'm Marcus Okafor, SIN 046 454 286, postcode B3H 4R2, the form was confusing",
     ("Marcus", "Okafor", "046 454 286", "B3H 4R2")),
    ("Mrs. Delgado at the office was kind; reach me at +44 7700 900123 or SW1A 1AA",
     ("Delgado", "7700 900123", "SW1A 1AA")),
    ("NI number QQ 12 34 56 C, text 902-555-0199 please, case 2023118845",
     ("QQ 12 34 56 C", "902-555-0199", "2023118845")),
)
UNMET_QUERIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("help paying the vet for my dog, I'm Priya Raman at 22 Spring Garden Road", ("Priya", "Raman", "22 Spring")),
    ("my car broke down, call 902-555-0133 or email j.doe@example.net", ("902-555-0133", "j.doe@example.net")),
    ("immigration lawyer for my wife, my name is Tomasz Nowak, B3J 1A1", ("Tomasz", "Nowak", "B3J 1A1")),
)


@dataclass(frozen=True)
class Cohort:
    """``conversations`` alike in place, services and channel. The first ``offered`` reach an end point and are
    offered the survey (the rest abandon); the first ``handoffs`` of those end with a closed handoff; the first
    ``respondents`` answer."""

    name: str
    jurisdiction: str
    service_ids: tuple[str, ...]
    channel: str
    conversations: int
    offered: int
    respondents: int
    handoffs: int = 0
    end_point: str = "results"
    topic: str | None = None


COHORTS = (
    Cohort("co-snap-web", "US-CO", ("us-snap",), "web", 50, 48, 40, handoffs=5, topic="food"),
    Cohort("co-snap-sms", "US-CO", ("us-snap",), "sms", 25, 24, 20, topic="food"),
    Cohort("co-snap-tg", "US-CO", ("us-snap",), "telegram", 6, 6, 4, topic="food"),
    Cohort("co-liheap-web", "US-CO", ("us-liheap",), "web", 35, 32, 30, topic="energy"),
    Cohort("co-liheap-sms", "US-CO", ("us-liheap",), "sms", 14, 13, 12, topic="energy"),
    Cohort("co-liheap-tg", "US-CO", ("us-liheap",), "telegram", 18, 16, 15, topic="energy"),
    Cohort("ns-ei-web", "CA-NS", ("ca-ei",), "web", 30, 28, 22, handoffs=3, topic="job_loss"),
    Cohort("ns-death-sms", "CA-NS", ("ca-ei", "ca-cpp-death"), "sms", 12, 12, 11, topic="death"),
    Cohort("ns-death-web", "CA-NS", ("ca-cpp-death",), "web", 20, 18, 16, topic="death"),
    Cohort("ns-none-web", "CA-NS", (), "web", 8, 8, 3, end_point="nothing_found"),
)


def conversation_start(month_start: datetime, k: int) -> datetime:
    """Day 1–10 of the month by k; repeat contacts come 3 days (k ≡ 1 mod 10) or 20 days (k ≡ 3) after k−1."""
    day = {1: 3 + 1, 3: 20 + 3}.get(k % 10, 1 + k % 10)
    return month_start + timedelta(days=day - 1, hours=9 + (k // 10) % 8, minutes=(7 * k) % 60)


def citizen_key(cohort: Cohort, k: int) -> str:
    return f"{cohort.name}-citizen-{k - 1 if k % 10 in (1, 3) else k}"


def seed_month(engine: Engine, month: str = "2026-07") -> int:
    """Write the cohorts into ``month`` ("YYYY-MM"); returns how many conversations were written."""
    month_start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    written = 0
    for index, cohort in enumerate(COHORTS):
        for k in range(cohort.conversations):
            _seed_conversation(engine, cohort, index, k, month_start)
            written += 1
    return written


def _seed_conversation(engine: Engine, cohort: Cohort, index: int, k: int, month_start: datetime) -> None:
    conversation_id = f"seed-{cohort.name}-{k}"
    started = conversation_start(month_start, k)
    offered = k < cohort.offered
    handed_off = offered and k < cohort.handoffs
    end_point = ("handoff_closed" if handed_off else cohort.end_point) if offered else None
    record_contact(
        engine, conversation_id, channel=cohort.channel, language="en", jurisdiction=cohort.jurisdiction,
        topic=cohort.topic, service_ids=cohort.service_ids, citizen_key=citizen_key(cohort, k),
        started_at=started, ended_at=started + timedelta(minutes=9), end_point=end_point,
        handed_off=handed_off, handoff_after_misunderstanding=handed_off and k == 2,
        fallback_count={5: 3, 6: 1}.get(k % 10, 0), max_consecutive_fallbacks={5: 2, 6: 1}.get(k % 10, 0),
        demand=FAILURE if k % 10 == 0 else VALUE, failure_type=CHASING_PROGRESS if k % 10 == 0 else None,
    )
    if handed_off and k in (3, 4):
        mark_avoidable_contact(engine, conversation_id, UNAVOIDABLE if k == 3 else EXPLAINING_LETTERS)
    if cohort.end_point == "nothing_found":
        query, _ = UNMET_QUERIES[k % len(UNMET_QUERIES)]
        record_unmet_demand(engine, conversation_id, query=query, topic=UNMET_TOPICS[k % len(UNMET_TOPICS)],
                            jurisdiction=cohort.jurisdiction, channel=cohort.channel, language="en",
                            asked_at=started + timedelta(minutes=2))
    if end_point is None:  # not offered a survey
        return
    record_offer(engine, conversation_id, channel=cohort.channel, end_point=end_point, language="en",
                 jurisdiction=cohort.jurisdiction, service_ids=cohort.service_ids, handed_off=handed_off,
                 offered_at=started + timedelta(minutes=10))
    if k >= cohort.respondents:
        return
    drivers = list(DRIVER_CYCLE[k % len(DRIVER_CYCLE)])
    if handed_off and k % 2 == 0:
        drivers.append("caseworker_helpful")
    answers = {
        "satisfaction": SATISFACTION_CYCLE[k % len(SATISFACTION_CYCLE)],
        "trust": TRUST_CYCLE[k % len(TRUST_CYCLE)],
        "drivers": drivers,
        "first_time": FIRST_TIME_CYCLE[k % len(FIRST_TIME_CYCLE)],
    }
    if k % 10 == 9:
        answers["comment"] = PII_COMMENTS[(index + k) % len(PII_COMMENTS)][0]
    submit_response(engine, conversation_id, answers, submitted_at=started + timedelta(minutes=12))
