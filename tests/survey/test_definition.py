"""The survey step machine: order, branching, skipping, stopping, SMS numbers and button values."""

from __future__ import annotations

from bot.survey.definition import (
    COMMENT,
    DONE,
    DRIVERS,
    FIRST_TIME,
    MAX_ATTEMPTS,
    QUESTION_VERSION,
    SATISFACTION,
    TRUST,
    next_survey_step,
    start_survey,
)


def run(answers, handed_off=False):
    step = start_survey(handed_off=handed_off)
    seen = [step.step]
    for answer in answers:
        step = next_survey_step(step.state, answer)
        seen.append(step.step)
    return step, seen


def test_full_path_satisfied_citizen_is_asked_what_went_well():
    step, seen = run(["5", "4", "1 2", "yes", "Quick and clear"])
    assert seen == [SATISFACTION, TRUST, DRIVERS, FIRST_TIME, COMMENT, DONE]
    assert step.done
    assert step.answers == {"satisfaction": 5, "trust": 4, "drivers": ["effectiveness", "ease"],
                            "drivers_polarity": "went_well", "first_time": "yes", "comment": "Quick and clear"}
    assert step.state["question_version"] == QUESTION_VERSION


def test_dissatisfied_citizen_is_asked_what_did_not_go_well():
    step = start_survey()
    step = next_survey_step(step.state, "2")
    step = next_survey_step(step.state, "skip")
    assert step.step == DRIVERS
    assert "didn't go so well" in step.prompt
    step = next_survey_step(step.state, ["efficiency", "assistant_understood"])
    assert step.answers["drivers_polarity"] == "went_badly"
    assert step.answers["drivers"] == ["efficiency", "assistant_understood"]


def test_caseworker_driver_only_after_a_handoff():
    without = next_survey_step(next_survey_step(start_survey().state, "4").state, "4")
    with_handoff = next_survey_step(next_survey_step(start_survey(handed_off=True).state, "4").state, "4")
    assert "caseworker_helpful" not in [o.value for o in without.options]
    assert "caseworker_helpful" in [o.value for o in with_handoff.options]
    refused = next_survey_step(without.state, "caseworker_helpful")
    assert refused.reprompt and refused.step == DRIVERS


def test_every_step_can_be_skipped_and_skipping_satisfaction_skips_the_branch():
    step, seen = run(["skip", "skip", "skip", "skip"])
    assert seen == [SATISFACTION, TRUST, FIRST_TIME, COMMENT, DONE]
    assert step.answers == {}


def test_stop_ends_the_survey_keeping_what_was_answered():
    step, seen = run(["4", "stop"])
    assert seen == [SATISFACTION, TRUST, DONE]
    assert step.answers == {"satisfaction": 4}
    assert step.state["stopped"] is True


def test_labels_and_sms_numbers_are_both_understood():
    assert next_survey_step(start_survey().state, "Strongly agree").answers["satisfaction"] == 5
    assert next_survey_step(start_survey().state, " 3 ").answers["satisfaction"] == 3
    step = next_survey_step(next_survey_step(start_survey().state, "5").state, "skip")
    step = next_survey_step(step.state, "2, 5")
    assert step.answers["drivers"] == ["ease", "humanity"]
    step = next_survey_step(step.state, "3")
    assert step.answers["first_time"] == "not_sure"


def test_none_of_these_is_an_answer_not_a_skip():
    step = next_survey_step(next_survey_step(start_survey().state, "5").state, "skip")
    assert next_survey_step(step.state, "none").answers["drivers"] == []


def test_unreadable_answers_reprompt_then_move_on():
    step = start_survey()
    step = next_survey_step(step.state, "banana")
    assert step.step == SATISFACTION and step.reprompt
    for _ in range(MAX_ATTEMPTS - 1):
        step = next_survey_step(step.state, "7")
    assert step.step == TRUST and not step.reprompt
    assert "satisfaction" not in step.answers


def test_the_comment_is_redacted_before_it_reaches_the_state():
    step, _ = run(["4", "4", "1", "no", "My name is Eleanor Vance, call 303-555-0147"])
    assert "Eleanor" not in str(step.state) and "555-0147" not in str(step.state)
    assert step.answers["comment"] == "My name is [NAME], call [PHONE]"


def test_sms_rendering_offers_numbers():
    text = start_survey().sms_text()
    assert "1 = 1 Strongly disagree" in text and "Reply 1–5" in text and "SKIP" in text
    assert start_survey().response_key == "utter_survey_satisfaction"


def test_state_is_plain_json_for_a_rasa_slot():
    import json

    step, _ = run(["5", "4", "1 3"])
    assert json.loads(json.dumps(step.state)) == step.state


def test_done_stays_done():
    step, _ = run(["5", "5", "1", "yes", "skip"])
    assert next_survey_step(step.state, "5").done
