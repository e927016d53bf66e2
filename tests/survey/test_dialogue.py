"""The exit survey in the conversation (bot/survey/dialogue.py), plain Python against the real store.

Each test runs on SQLite and on the real PostgreSQL (``migrated_url``). The conversation-level tests drive
:func:`bot.dialogue.turn.step` with a stub match engine (what is matched does not matter here, the end points do).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
import yaml
from sqlalchemy import func, select

from bot.db import make_engine, session_factory
from bot.dialogue.context import MatchFunction, PlaceFunction, TurnContext
from bot.dialogue.phrases import Phrases
from bot.dialogue.render import messages_text
from bot.dialogue.turn import step
from bot.dialogue.understanding import Understanding
from bot.replies import Out
from bot.settings import PROJECT_ROOT
from bot.survey import dialogue
from bot.survey.definition import COMMENT, DONE, DRIVERS, FIRST_TIME, SATISFACTION, TRUST
from bot.survey.dialogue import Reply, StorePort, Visit, parse_payload, reach_end_point, turn
from bot.survey.models import ContactRecord, SurveyOffer, SurveyResponse, UnmetDemand
from knowledge.vocab import load_vocabulary

CONVERSATION = "conv-survey-1"


@pytest.fixture(scope="module")
def responses():
    return yaml.safe_load((PROJECT_ROOT / "domain" / "responses.yml").read_text())["responses"]


@pytest.fixture(scope="module")
def phrases(responses):
    return Phrases(responses)


@pytest.fixture
def engine(migrated_url):
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def port(engine):
    return StorePort(engine)


def rows(engine, model):
    with session_factory(engine)() as session:
        return list(session.execute(select(model)).scalars())


def count(engine, model) -> int:
    with session_factory(engine)() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def visit(**kw) -> Visit:
    facts = {"conversation_id": CONVERSATION, "channel": "socketio", "language": "en", "jurisdiction": "CA-NS",
             "topic": "job_loss", "service_ids": ["ca-ei", "ns-ei-top-up"]}
    return Visit(**{**facts, **kw})


def offered(port, phrases, **kw):
    survey, said = reach_end_point(None, port, visit(**kw), kw.pop("end_point", "results"), phrases)
    assert [s.response for s in said] == ["utter_survey_offer", "utter_survey_satisfaction"]
    return survey, said


def say(survey, port, phrases, text="", intent="answer", **kw):
    return turn(survey, Reply(text=text, intent=intent, **kw), port, phrases, CONVERSATION)


def click(survey, port, phrases, step_name, value):
    return turn(survey, Reply(text="/answer", intent="answer", answer=f"survey:{step_name}:{value}"), port, phrases,
                CONVERSATION)


def names(said) -> list[str]:
    return [s.response for s in said]


# --- offered once, logged when unanswered --------------------------------------------------------------------
def test_offered_once_per_conversation_and_logged_when_not_answered(engine, port, phrases):
    survey, said = offered(port, phrases)
    assert survey.active and survey.q["step"] == SATISFACTION
    # The citizen ignores it and asks for details: the survey is left, the conversation goes on.
    survey, said = say(survey, port, phrases, "details 1", "ask_details")
    assert said is None and not survey.active
    # Another end point later: not offered again, from the same state or from a lost one.
    again, said = reach_end_point(survey, port, visit(), "goodbye", phrases)
    assert said == []
    lost, said = reach_end_point(None, port, visit(), "results", phrases)
    assert said == [] and lost.offered and not lost.active
    assert count(engine, SurveyOffer) == 1 and count(engine, SurveyResponse) == 0  # offered, not answered
    offer = rows(engine, SurveyOffer)[0]
    assert (offer.channel, offer.end_point, offer.jurisdiction, offer.handed_off) == ("web", "results",
                                                                                     "CA-NS", False)
    assert offer.service_ids == ["ca-ei", "ns-ei-top-up"]
    contact = rows(engine, ContactRecord)[0]
    assert (contact.channel, contact.language, contact.jurisdiction, contact.topic, contact.end_point) == (
        "web", "en", "CA-NS", "job_loss", "results")  # a "bye" after the results does not hide them
    assert contact.service_ids == ["ca-ei", "ns-ei-top-up"] and contact.handed_off is False


def test_no_store_no_survey(phrases):
    survey, said = reach_end_point(None, None, visit(), "results", phrases)
    assert survey is None and said == []


def test_storage_failure_never_reaches_the_citizen(phrases):
    class Broken:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise RuntimeError("database down")
            return fail

    survey, said = reach_end_point(None, Broken(), visit(), "results", phrases)
    assert said == []  # not logged as offered: not asked (an answer could not be stored)


# --- the items, answered typed (SMS) and by button (web) -----------------------------------------------------
def test_full_survey_typed_as_an_sms_citizen_would(engine, port, phrases):
    survey, _ = offered(port, phrases, channel="twilio")
    survey, said = say(survey, port, phrases, "agree", "nlu_fallback")
    assert names(said) == ["utter_survey_trust"]
    assert rows(engine, SurveyResponse)[0].satisfaction == 4  # submitted at once
    survey, said = say(survey, port, phrases, "5")
    assert names(said) == ["utter_survey_drivers_positive"]  # satisfied: what went well
    survey, said = say(survey, port, phrases, "1 3")
    assert names(said) == ["utter_survey_first_time"]
    survey, said = say(survey, port, phrases, "no", "deny")
    assert names(said) == ["utter_survey_comment"]
    survey, said = say(survey, port, phrases, "Quick and clear, thank you", "thank")
    assert names(said) == ["utter_survey_thanks"] and not survey.active
    response = rows(engine, SurveyResponse)[0]
    assert (response.satisfaction, response.trust, response.drivers, response.drivers_polarity,
            response.first_time, response.comment_redacted) == (
        4, 5, ["effectiveness", "efficiency"], "went_well", "no", "Quick and clear, thank you")
    assert count(engine, SurveyResponse) == 1


def test_full_survey_by_buttons_on_the_web(engine, port, phrases):
    survey, said = offered(port, phrases)
    buttons = said[-1].buttons
    assert [b["title"] for b in buttons] == ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
                                             "Strongly agree", "Skip"]
    assert parse_payload(re.search(r'"answer": "([^"]+)"', buttons[1]["payload"])[1]) == (SATISFACTION, "2")
    survey, said = click(survey, port, phrases, SATISFACTION, "2")
    survey, said = click(survey, port, phrases, TRUST, "3")
    assert names(said) == ["utter_survey_drivers_negative"]  # not satisfied: what didn't go well
    survey, said = click(survey, port, phrases, DRIVERS, "ease")
    survey, said = click(survey, port, phrases, FIRST_TIME, "not_sure")
    survey, said = click(survey, port, phrases, COMMENT, "skip")
    assert names(said) == ["utter_survey_thanks"]
    response = rows(engine, SurveyResponse)[0]
    assert (response.satisfaction, response.trust, response.drivers, response.drivers_polarity,
            response.first_time, response.comment_redacted) == (2, 3, ["ease"], "went_badly", "not_sure", None)


@pytest.mark.parametrize("how", ["typed", "button"])
def test_every_step_can_be_skipped(engine, port, phrases, how):
    survey, said = offered(port, phrases)
    seen = []
    while survey.active:
        current = survey.q["step"]
        seen.append(current)
        assert said[-1].buttons[-1]["title"] == "Skip"
        if how == "typed":
            survey, said = say(survey, port, phrases, "skip", "dont_know")
        else:
            survey, said = click(survey, port, phrases, current, "skip")
    assert seen == [SATISFACTION, TRUST, FIRST_TIME, COMMENT]  # no satisfaction: no drivers branch to ask
    assert names(said) == ["utter_survey_thanks"] and survey.q["step"] == DONE
    assert count(engine, SurveyOffer) == 1 and count(engine, SurveyResponse) == 0


@pytest.mark.parametrize("satisfaction,prompt,polarity", [
    ("5", "utter_survey_drivers_positive", "went_well"), ("4", "utter_survey_drivers_positive", "went_well"),
    ("3", "utter_survey_drivers_negative", "went_badly"), ("1", "utter_survey_drivers_negative", "went_badly"),
])
def test_drivers_branch_on_satisfaction(engine, port, phrases, satisfaction, prompt, polarity):
    survey, _ = offered(port, phrases)
    survey, _ = say(survey, port, phrases, satisfaction)
    survey, said = say(survey, port, phrases, "skip")
    assert names(said) == [prompt]
    survey, _ = say(survey, port, phrases, "2")
    assert rows(engine, SurveyResponse)[0].drivers_polarity == polarity


def test_caseworker_driver_only_after_a_handoff(engine, port, phrases):
    survey, _ = offered(port, phrases)
    survey, _ = say(survey, port, phrases, "5")
    survey, said = say(survey, port, phrases, "skip")
    titles = [b["title"] for b in said[-1].buttons]
    assert "The caseworker's help" not in titles
    assert titles[-2:] == ["None of these", "Skip"]

    other = "conv-survey-handoff"
    survey, said = reach_end_point(None, port, visit(conversation_id=other, handed_off=True), "handoff_closed",
                                   phrases)
    assert survey.handed_off
    survey, _ = turn(survey, Reply(text="5"), port, phrases, other)
    survey, said = turn(survey, Reply(text="skip"), port, phrases, other)
    titles = [b["title"] for b in said[-1].buttons]
    assert "The caseworker's help" in titles
    survey, said = turn(survey, Reply(answer="survey:drivers:caseworker_helpful"), port, phrases, other)
    assert names(said) == ["utter_survey_first_time"]
    with session_factory(port.engine)() as session:
        offer = session.execute(select(SurveyOffer).where(SurveyOffer.conversation_id == other)).scalar_one()
        response = session.execute(select(SurveyResponse).where(SurveyResponse.offer_id == offer.id)).scalar_one()
        contact = session.execute(select(ContactRecord).where(ContactRecord.conversation_id == other)).scalar_one()
    assert offer.handed_off and offer.end_point == "handoff_closed" and contact.handed_off
    assert response.drivers == ["caseworker_helpful"]


def test_typed_number_of_the_caseworker_driver_is_not_read_without_a_handoff(port, phrases):
    survey, _ = offered(port, phrases)
    survey, _ = say(survey, port, phrases, "5")
    survey, _ = say(survey, port, phrases, "skip")
    survey, said = say(survey, port, phrases, "7")  # without a handoff, 7 is "None of these"
    assert names(said) == ["utter_survey_first_time"]
    assert survey.q["answers"]["drivers"] == []


def test_free_text_is_redacted_before_it_is_stored(engine, port, phrases):
    survey, _ = offered(port, phrases)
    for text in ("skip", "skip", "skip"):
        survey, said = say(survey, port, phrases, text)
    assert names(said) == ["utter_survey_comment"]
    comment = "Helpful! Email me at jane.doe@example.com or call 902-555-0199, I'm Jane Doe"
    survey, said = say(survey, port, phrases, comment, "out_of_scope", confidence=0.95)
    assert names(said) == ["utter_survey_thanks"]
    stored = rows(engine, SurveyResponse)[0].comment_redacted
    assert stored.startswith("Helpful!")
    for secret in ("jane.doe", "example.com", "555", "0199", "Jane"):
        assert secret not in stored, stored
        assert secret not in repr(survey), survey  # not in the conversation state either


def test_a_repeated_webhook_is_not_counted_twice(engine, port, phrases):
    survey, _ = offered(port, phrases)
    before = replace(survey)
    first, said = click(before, port, phrases, SATISFACTION, "4")
    replay, said_again = click(before, port, phrases, SATISFACTION, "4")  # same state, same message
    assert first == replay and names(said) == names(said_again) == ["utter_survey_trust"]
    later, said = click(first, port, phrases, SATISFACTION, "4")  # the retry after the state moved on
    assert names(said) == ["utter_survey_trust"] and later.q["step"] == TRUST
    again, said = reach_end_point(None, port, visit(), "results", phrases)  # a retried end point
    assert said == []
    assert count(engine, SurveyOffer) == 1 and count(engine, SurveyResponse) == 1
    assert rows(engine, SurveyResponse)[0].satisfaction == 4


def test_an_earlier_answer_clicked_again_is_changed_not_added(engine, port, phrases):
    survey, _ = offered(port, phrases)
    survey, _ = click(survey, port, phrases, SATISFACTION, "4")
    survey, said = click(survey, port, phrases, SATISFACTION, "2")  # changed their mind on the earlier question
    assert names(said) == ["utter_survey_trust"]
    assert count(engine, SurveyResponse) == 1 and rows(engine, SurveyResponse)[0].satisfaction == 2


def test_stop_keeps_what_was_answered(engine, port, phrases):
    survey, _ = offered(port, phrases)
    survey, _ = say(survey, port, phrases, "2")
    survey, said = say(survey, port, phrases, "no thanks", "deny")
    assert names(said) == ["utter_survey_stopped"] and not survey.active
    response = rows(engine, SurveyResponse)[0]
    assert response.satisfaction == 2 and response.trust is None and response.stopped


def test_abandoned_half_way_keeps_what_was_answered(engine, port, phrases):
    survey, _ = offered(port, phrases)
    survey, _ = say(survey, port, phrases, "strongly agree")
    survey, _ = say(survey, port, phrases, "4")
    survey, said = say(survey, port, phrases, "I also lost my job", "tell_life_event", new_need=True)
    assert said is None and not survey.active  # a new situation: the conversation handles it
    response = rows(engine, SurveyResponse)[0]
    assert (response.satisfaction, response.trust, response.stopped) == (5, 4, False)


@pytest.mark.parametrize("text,intent,extra", [
    ("I'm in Toronto now", "inform_location", {"new_need": True}),
    ("can I talk to a person", "ask_person", {}),
    ("when does my passport expire?", "out_of_scope", {"confidence": 0.6}),
    ("more", "more_results", {}),
    ("start over", "start_over", {}),
    ("bye", "goodbye", {}),
])
def test_a_message_that_is_not_an_answer_leaves_the_survey(port, phrases, text, intent, extra):
    survey, _ = offered(port, phrases)
    survey, said = say(survey, port, phrases, text, intent, **extra)
    assert said is None and survey.left and not survey.active


def test_a_button_of_another_question_leaves_the_survey(port, phrases):
    survey, _ = offered(port, phrases)
    survey, said = say(survey, port, phrases, '/answer{"answer": "yes"}', answer="yes")
    assert said is None and not survey.active


def test_an_unreadable_answer_is_asked_again_then_skipped(port, phrases):
    survey, _ = offered(port, phrases)
    survey, said = say(survey, port, phrases, "hmm", "nlu_fallback")
    assert names(said) == ["utter_survey_reprompt", "utter_survey_satisfaction"]
    survey, said = say(survey, port, phrases, "whatever", "nlu_fallback")
    assert names(said) == ["utter_survey_trust"]
    survey, said = say(survey, port, phrases, "thanks!", "thank")
    assert names(said) == ["utter_thank"] and survey.q["step"] == TRUST and survey.active


@pytest.mark.parametrize("text,value", [
    ("4", 4), ("5/5", 5), ("I'd give it a 3", 3), ("four", 4), ("Strongly disagree", 1), ("I agree", 4),
    ("neutral", 3), ("I don't agree", 2), ("1.", 1),
])
def test_typed_ratings(port, phrases, text, value):
    survey, _ = offered(port, phrases)
    survey, said = say(survey, port, phrases, text)
    assert survey.q["answers"]["satisfaction"] == value, said


def test_a_number_typed_later_takes_the_survey_up_again_unless_another_question_waits(port, phrases):
    survey, _ = offered(port, phrases)
    left, _ = say(survey, port, phrases, "details 1", "ask_details")
    back, said = say(left, port, phrases, "4")
    assert names(said) == ["utter_survey_trust"] and back.active
    busy, said = say(left, port, phrases, "4", busy=True)
    assert said is None


def test_a_survey_button_of_a_closed_survey(port, phrases):
    survey, said = click(None, port, phrases, SATISFACTION, "4")
    assert names(said) == ["utter_survey_closed"]
    survey, _ = offered(port, phrases)
    survey, _ = say(survey, port, phrases, "no thanks", "deny")
    survey, said = click(survey, port, phrases, TRUST, "4")
    assert names(said) == ["utter_survey_closed"]


def test_unmet_demand_is_logged_with_the_query_redacted(engine, port, phrases):
    survey, said = reach_end_point(None, port, visit(service_ids=[], topic="housing"), "nothing_found", phrases,
                                   unmet_query="my landlord John Smith at 902-555-0199 is evicting me")
    assert names(said) == ["utter_survey_offer", "utter_survey_satisfaction"]
    need = rows(engine, UnmetDemand)[0]
    assert (need.topic, need.jurisdiction, need.channel) == ("housing", "CA-NS", "web")
    assert "555" not in need.query_redacted and "evicting" in need.query_redacted
    assert rows(engine, ContactRecord)[0].end_point == "nothing_found"


def test_every_survey_response_exists_in_the_domain(responses):
    from pathlib import Path

    source = Path(dialogue.__file__).read_text()
    used = set(re.findall(r'"(utter_[a-z_]+)"', source)) | set(dialogue.RESPONSES)
    assert used - set(responses) == set()
    assert {"utter_handoff_closed", "utter_goodbye", "utter_thank"} <= set(responses)


def test_no_braces_or_none_in_any_survey_wording(responses, phrases):
    for name in dialogue.RESPONSES:
        text = phrases(name)
        assert "{" not in text and "None" not in text.replace("None of these", ""), name


# --- in the conversation -------------------------------------------------------------------------------------
SERVICE = {"id": "ca-ei", "title": "Employment Insurance", "status": "likely", "level": "federal",
           "reasons": ["You lost your job"], "unknown": [], "url": "https://example.org/ei",
           "jurisdiction_name": "Canada"}


@pytest.fixture
def conversation_tools(port, phrases):
    from knowledge.places import resolve_place

    found = {"services": [SERVICE], "next_questions": []}
    return TurnContext(catalogue=MatchFunction(lambda profile: found), places=PlaceFunction(resolve_place),
                       vocab=load_vocabulary(), phrases=phrases, today=date(2026, 11, 23), channel="socketio",
                       sender_id=CONVERSATION, survey=port)


def U(text="", intent="", **kw) -> Understanding:
    return Understanding(text=text, intent=intent, confidence=0.9, **kw)


def out_names(outs: list[Out]) -> list[str]:
    return [o.response for o in outs]


def to_results(tools):
    return step(None, U("I lost my job in Halifax", "tell_life_event", life_events=["job_loss"],
                        places=["Halifax"]), tools)


def test_results_then_the_survey_then_the_conversation_goes_on(engine, conversation_tools):
    tools = conversation_tools
    state, outs = to_results(tools)
    assert out_names(outs)[0] == "utter_services_intro"
    assert out_names(outs)[-2:] == ["utter_survey_offer", "utter_survey_satisfaction"]
    state, outs = step(state, U("details 1", "ask_details"), tools)  # ignored: carries on normally
    assert out_names(outs) == ["utter_service_details"]
    state, outs = step(state, U("why 1", "ask_why"), tools)
    assert out_names(outs)[0].startswith("utter_why")
    state, outs = step(state, U("bye", "goodbye"), tools)  # already offered: just goodbye
    assert out_names(outs) == ["utter_goodbye"]
    assert count(engine, SurveyOffer) == 1 and count(engine, SurveyResponse) == 0
    assert rows(engine, ContactRecord)[0].service_ids == ["ca-ei"]


def test_results_survey_answered_in_the_conversation(engine, conversation_tools):
    tools = conversation_tools
    state, _ = to_results(tools)
    for u in (U("4", "answer"), U("", "answer", answer="survey:trust:5"), U("2", "answer"), U("yes", "affirm"),
              U("no", "deny")):
        state, outs = step(state, u, tools)
    assert out_names(outs) == ["utter_survey_thanks"]
    state, outs = step(state, U("more", "more_results"), tools)
    assert out_names(outs) == ["utter_no_more"]
    response = rows(engine, SurveyResponse)[0]
    assert (response.satisfaction, response.trust, response.drivers, response.first_time) == (4, 5, ["ease"], "yes")


def test_goodbye_offers_the_survey_then_says_goodbye(engine, conversation_tools):
    tools = conversation_tools
    state, _ = step(None, U("hi there", "greet"), tools)
    state, outs = step(state, U("ok bye", "goodbye"), tools)
    assert out_names(outs) == ["utter_survey_offer", "utter_survey_satisfaction"]
    state, outs = step(state, U("no thanks", "deny"), tools)
    assert out_names(outs) == ["utter_survey_stopped", "utter_goodbye"]
    state, outs = step(state, U("bye", "goodbye"), tools)
    assert out_names(outs) == ["utter_goodbye"]
    assert rows(engine, SurveyOffer)[0].end_point == "goodbye"
    assert rows(engine, ContactRecord)[0].end_point == "goodbye"


def test_stop_says_goodbye_without_a_survey(engine, conversation_tools):
    state, outs = step(None, U("stop", "goodbye"), conversation_tools)
    assert out_names(outs) == ["utter_goodbye"]
    assert count(engine, SurveyOffer) == 0


def test_nothing_found_logs_unmet_demand_and_offers_the_survey(engine, conversation_tools):
    tools = conversation_tools
    tools = replace(tools, catalogue=MatchFunction(lambda profile: {"services": [], "next_questions": []}))
    state, outs = step(None, U("I lost my job, call me on 902-555-0199", "tell_life_event",
                               life_events=["job_loss"]), tools)
    state, outs = step(state, U("Halifax", "inform_location", places=["Halifax"]), tools)
    assert out_names(outs)[0] == "utter_no_services"
    assert out_names(outs)[-2:] == ["utter_survey_offer", "utter_survey_satisfaction"]
    need = rows(engine, UnmetDemand)[0]
    assert (need.topic, need.jurisdiction) == ("job_loss", "CA-NS-halifax")
    assert "lost my job" in need.query_redacted and "555" not in need.query_redacted
    assert rows(engine, SurveyOffer)[0].end_point == "nothing_found"


def test_handoff_closed_thanks_and_starts_the_survey_with_the_caseworker_driver(engine, conversation_tools):
    tools = conversation_tools
    state, _ = step(None, U("my dad died", "tell_life_event", life_events=["death"]), tools)
    state, outs = step(state, U("EXTERNAL: handoff_closed", "handoff_closed"), tools)
    assert out_names(outs) == ["utter_handoff_closed", "utter_survey_offer", "utter_survey_satisfaction"]
    assert "our team" in messages_text(outs, tools.phrases)[0]
    state, _ = step(state, U("5", "answer"), tools)
    state, _ = step(state, U("skip", "dont_know"), tools)
    _, outs = step(state, U("", "answer", answer="survey:drivers:caseworker_helpful"), tools)
    assert out_names(outs) == ["utter_survey_first_time"]
    offer = rows(engine, SurveyOffer)[0]
    assert offer.handed_off and offer.end_point == "handoff_closed"
    assert rows(engine, ContactRecord)[0].end_point == "handoff_closed"
    assert rows(engine, SurveyResponse)[0].drivers == ["caseworker_helpful"]


def test_crisis_during_the_survey_wins_and_ends_it(engine, conversation_tools):
    tools = conversation_tools
    state, _ = to_results(tools)
    state, outs = step(state, U("4", "answer"), tools)
    state, outs = step(state, U("honestly I want to kill myself", "answer"), tools)
    assert out_names(outs) == ["utter_crisis_ca", "utter_offer_person"]
    assert not state.survey.active
    state, outs = step(state, U("3", "answer"), tools)  # never read as a survey answer after a crisis
    assert not any(o.startswith("utter_survey") for o in out_names(outs))
    assert rows(engine, SurveyResponse)[0].trust is None


def test_a_person_still_wins_during_the_survey(conversation_tools):
    tools = conversation_tools
    state, _ = to_results(tools)
    state, outs = step(state, U("person", "answer"), tools)
    assert out_names(outs)[0] == "utter_person_requested"
    assert not state.survey.active


def test_a_new_life_event_during_the_survey_is_handled_normally(conversation_tools):
    tools = conversation_tools
    state, _ = to_results(tools)
    state, outs = step(state, U("also my wife is pregnant", "tell_life_event", life_events=["new_child"]), tools)
    assert out_names(outs)[0] == "utter_added_life_event"
    assert state.life_events == ["job_loss", "new_child"] and not state.survey.active
    assert "utter_survey_offer" not in out_names(outs)  # offered once


def test_start_over_keeps_the_survey_offered(engine, conversation_tools):
    tools = conversation_tools
    state, _ = to_results(tools)
    state, _ = step(state, U("start over", "start_over"), tools)
    state, outs = step(state, U("I lost my job in Halifax", "tell_life_event", life_events=["job_loss"],
                                places=["Halifax"]), tools)
    assert "utter_survey_offer" not in out_names(outs)
    assert count(engine, SurveyOffer) == 1


def test_sms_results_keep_one_numbered_list(conversation_tools):
    tools = conversation_tools
    many = [{**SERVICE, "id": f"s{i}", "title": f"Service {i}"} for i in range(5)]
    tools = replace(tools, catalogue=MatchFunction(lambda profile: {"services": many, "next_questions": []}),
                    channel="twilio")
    state, outs = to_results(tools)
    footer = next(o for o in outs if o.response == "utter_results_footer_more")
    assert footer.buttons is None  # "more" is typed; the numbers answer the survey
    assert outs[-1].buttons and outs[-1].response == "utter_survey_satisfaction"


def test_without_a_store_there_is_no_survey(conversation_tools):
    tools = conversation_tools
    tools = replace(tools, survey=None)
    state, outs = to_results(tools)
    assert not any(o.startswith("utter_survey") for o in out_names(outs))
    state, outs = step(state, U("bye", "goodbye"), tools)
    assert out_names(outs) == ["utter_goodbye"]


def test_an_out_of_scope_message_is_recorded_as_unmet_demand_redacted_with_its_guess(engine, conversation_tools):
    from bot.dialogue.understanding import NeedGuess

    tools = conversation_tools
    state, outs = step(None, U("can you book my flight to Denver, call me 902-555-0199", "out_of_scope",
                               guesses=(NeedGuess("transport", 0.1),)), tools)
    assert out_names(outs) == ["utter_out_of_scope"]
    need = rows(engine, UnmetDemand)[0]
    assert (need.reason, need.topic, need.channel) == ("out_of_scope", "transport", "web")
    assert "flight" in need.query_redacted and "555" not in need.query_redacted
