"""Each turn handler on its own (bot/dialogue/handlers.py), with small stand-in ports: no database, no Rasa."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.dialogue import handlers
from bot.dialogue.context import MatchFunction, TurnContext
from bot.dialogue.phrases import Phrases
from bot.dialogue.state import DialogueState, Pending, TurnProgress
from bot.dialogue.understanding import Understanding
from bot.handoff.state import HandoffState
from bot.survey.state import SurveyState
from knowledge.places import Candidate, PlaceResult
from knowledge.vocab import load_vocabulary
from tests.conftest import DIALOGUE_TODAY

EI = {"id": "ca-ei", "title": "Employment Insurance", "status": "likely", "level": "federal", "met": 1,
      "reasons": ["You lost your job"], "unknown": [], "url": "https://example.org/ei", "jurisdiction_name": "Canada"}


@dataclass
class Places:
    known: dict[str, PlaceResult] = field(default_factory=dict)

    def resolve(self, text: str) -> PlaceResult:
        return self.known.get(text.lower(), PlaceResult(text))


HALIFAX = PlaceResult("Halifax", code="CA-NS-halifax", name="Halifax")
LONDON = PlaceResult("London", candidates=[
    Candidate("GB-ENG-london", "London", "municipality", ["London", "England"]),
    Candidate("CA-ON-london", "London", "municipality", ["London", "Ontario", "Canada"])])


@pytest.fixture
def ctx(responses) -> TurnContext:
    return TurnContext(catalogue=MatchFunction(lambda profile: {"services": [EI], "next_questions": []}),
                       places=Places({"halifax": HALIFAX, "london": LONDON}), vocab=load_vocabulary(),
                       phrases=Phrases(responses), today=DIALOGUE_TODAY)


def U(text: str = "", intent: str = "", **kw: Any) -> Understanding:
    return Understanding(text=text, intent=intent, confidence=0.9, **kw)


def fresh(**kw: Any) -> DialogueState:
    state = DialogueState(**kw)
    state.turn = TurnProgress(asked=state.pending)
    return state


def names(outs) -> list[str]:
    return [o.response for o in outs or []]


def test_crisis_answers_first_and_closes_the_survey(ctx):
    state = fresh(location="CA-NS-halifax", survey=SurveyState(offered=True, active=True))
    outs = handlers.crisis(state, U("I want to end my life"), ctx)
    assert names(outs) == ["utter_crisis_ca", "utter_offer_person"]
    assert state.person_reason == "crisis" and state.survey.closed and not state.survey.active
    assert handlers.crisis(fresh(), U("my dad died"), ctx) is None


def test_crisis_country_from_a_place_in_the_same_message(ctx):
    outs = handlers.crisis(fresh(), U("nowhere to sleep tonight in halifax", places=("Halifax",)), ctx)
    assert names(outs)[0] == "utter_crisis_ca"


def test_the_handoff_handler_passes_without_a_desk_or_a_stage(ctx):
    assert handlers.handoff(fresh(handoff=HandoffState(stage="consent")), U("yes", "affirm"), ctx) is None


def test_the_handoff_handler_turns_a_desk_failure_into_a_kind_answer(ctx):
    class Down:
        def __getattr__(self, name):
            raise ConnectionError("database down")

    from dataclasses import replace

    state = fresh(handoff=HandoffState(stage="consent"))
    outs = handlers.handoff(state, U("yes", "affirm"), replace(ctx, handoff=Down()))
    assert names(outs) == ["utter_handoff_error"] and state.handoff is None


def test_a_survey_button_this_state_never_saw(ctx):
    assert names(handlers.survey(fresh(), U("", "answer", answer="survey:trust:4"), ctx)) == ["utter_survey_closed"]
    assert handlers.survey(fresh(), U("hello", "greet"), ctx) is None


@pytest.mark.parametrize("intent,response", [("help", "utter_help"), ("bot_challenge", "utter_iamabot"),
                                             ("thank", "utter_thank"), ("goodbye", "utter_goodbye"),
                                             ("start_over", "utter_restart")])
def test_requests_that_work_at_any_time(ctx, intent, response):
    state = fresh(life_events=["job_loss"], fallbacks=handlers.DialogueState().fallbacks)
    assert names(handlers.requests(state, U("x", intent), ctx))[0] == response


def test_a_person_without_a_desk_points_to_navigators_or_the_services(ctx):
    state = fresh()
    outs = handlers.requests(state, U("person", "ask_person"), ctx)
    assert names(outs) == ["utter_person_requested", "utter_person_meanwhile"] and state.wants_person


def test_a_pending_question_takes_a_typed_answer_and_passes_on(ctx):
    state = fresh(pending=Pending("criterion", "deceased_paid_into_CPP"))
    assert handlers.pending_answer(state, U("yes she did", "affirm"), ctx) is None
    assert state.answers == {"deceased_paid_into_CPP": True} and state.pending is None and state.turn.understood


def test_a_pending_question_leaves_other_messages_alone(ctx):
    state = fresh(pending=Pending("criterion", "deceased_paid_into_CPP"))
    assert handlers.pending_answer(state, U("bananas", "nlu_fallback"), ctx) is None
    assert state.pending is not None and not state.turn.understood
    handlers.pending_answer(state, U("/answer", "answer", answer="survey:trust:4"), ctx)  # another question's button
    assert state.pending is None and state.answers == {}


def test_situation_takes_needs_place_and_stated_facts(ctx):
    state = fresh()
    said = handlers.situation(state, U("my husband died in Halifax, I'm 67", "tell_life_event",
                                       life_events=("death",), places=("Halifax",), relations=("spouse",),
                                       ages=(67,)), ctx)
    assert said is None and state.turn.understood
    assert state.life_events == ["death"] and state.location == "CA-NS-halifax"
    assert state.answers == {"applicant_age": 67, "applicant_relationship_to_the_deceased": "spouse",
                             "applicant_marital_status": "widowed", "applicant_lost_a_family_member": True}
    assert state.need_text == "my husband died in Halifax, I'm 67"


def test_a_fact_stated_again_replaces_the_old_one_and_says_so(ctx):
    state = fresh(life_events=["retirement"], answers={"applicant_age": 60})
    handlers.situation(state, U("I'm 30 not 60"), ctx)
    assert state.answers["applicant_age"] == 30
    assert [o.vars for o in state.turn.said] == [{"changes": "your age is 30"}]
    state.turn = TurnProgress()
    handlers.situation(state, U("I'm 30"), ctx)  # said again: nothing to change
    assert state.turn.said == []


def test_an_ambiguous_place_is_asked_with_buttons(ctx):
    state = fresh()
    outs = handlers.situation(state, U("London", "inform_location", places=("London",)), ctx)
    assert names(outs) == ["utter_place_ambiguous"] and len(outs[0].buttons) == 2
    assert state.pending == Pending("place_choice")


def test_after_where_do_you_live_the_whole_reply_is_the_place(ctx):
    state = fresh(pending=Pending("location"), life_events=["job_loss"])
    assert handlers.situation(state, U("halifax", "answer"), ctx) is None
    assert state.location == "CA-NS-halifax"
    state = fresh(pending=Pending("location"), life_events=["job_loss"])
    assert names(handlers.situation(state, U("Atlantis", "answer"), ctx)) == ["utter_place_unknown"]
    state = fresh(pending=Pending("location"), life_events=["job_loss"])  # out of scope is not a place
    assert handlers.situation(state, U("what's the weather", "out_of_scope"), ctx) is None and not state.location


def test_a_new_place_after_results_says_what_changed(ctx):
    state = fresh(life_events=["job_loss"], location="CA-ON", location_name="Ontario", results_seen=True)
    handlers.situation(state, U("I'm in Halifax now", "inform_location", places=("Halifax",)), ctx)
    assert names(state.turn.said) == ["utter_location_changed"] and state.location == "CA-NS-halifax"


def test_about_results_more_why_details(ctx):
    state = fresh(life_events=["job_loss"], location="CA-NS-halifax", results_seen=True, shown=["ca-ei"])
    assert names(handlers.about_results(state, U("details 1", "ask_details"), ctx)) == ["utter_service_details"]
    assert names(handlers.about_results(state, U("why 1", "ask_why"), ctx)) == ["utter_why_listed"]
    assert names(handlers.about_results(state, U("more", "more_results"), ctx)) == ["utter_no_more"]
    hurried = fresh(life_events=["job_loss"], location="CA-NS-halifax")
    assert handlers.about_results(hurried, U("just show me", "show_results"), ctx) is None and hurried.hurry


def test_not_understood_twice_offers_a_person(ctx):
    state = fresh()
    assert names(handlers.not_understood(state, U("bananas", "nlu_fallback"), ctx)) == ["utter_out_of_scope"]
    state.turn = TurnProgress()
    outs = handlers.not_understood(state, U("purple", "out_of_scope"), ctx)
    assert names(outs) == ["utter_out_of_scope_again", "utter_offer_person_misunderstood"]  # never the same twice
    assert state.person_reason == "misunderstood" and state.fallbacks.total == 2


def test_not_understood_lets_an_understood_turn_through_and_resets_the_run(ctx):
    state = fresh(fallbacks=handlers.DialogueState().fallbacks)
    state.fallbacks.missed()
    state.turn.understood = True
    assert handlers.not_understood(state, U("Halifax"), ctx) is None and state.fallbacks.run == 0


def test_next_step_asks_what_is_missing_then_shows_results(ctx):
    state = fresh()
    assert names(handlers.next_step(state, U(), ctx)) == ["utter_ask_life_events"]
    state = fresh(life_events=["job_loss"])
    assert names(handlers.next_step(state, U(), ctx)) == ["utter_ask_location"]
    state = fresh(life_events=["job_loss"], location="CA-NS-halifax", location_name="Halifax")
    outs = handlers.next_step(state, U(), ctx)
    assert names(outs) == ["utter_services_intro", "utter_service_item", "utter_results_footer"]
    assert state.shown == ["ca-ei"] and state.results_seen


def test_next_step_when_the_engine_fails_says_so_kindly(ctx):
    from dataclasses import replace

    def broken(profile):
        raise RuntimeError("engine down")

    state = fresh(life_events=["job_loss"], location="CA-NS-halifax")
    outs = handlers.next_step(state, U(), replace(ctx, catalogue=MatchFunction(broken)))
    assert names(outs) == ["utter_service_unavailable"]
