"""The guided conversation (bot/dialogue) on the real catalogue, without Rasa: whole turns through ``step``."""

from __future__ import annotations

import pytest

from bot.dialogue.answers import parse_answer
from bot.dialogue.ranking import MAX_QUESTIONS, rank_for_citizen
from bot.dialogue.render import messages_text
from bot.dialogue.turn import step
from bot.dialogue.understanding import Understanding, understanding_from_message
from bot.replies import Out
from knowledge.lexicon import load_lexicon
from knowledge.vocab import load_vocabulary
from tests.conftest import DIALOGUE_TODAY as TODAY


def U(text="", intent="", confidence=0.9, **kw) -> Understanding:
    return Understanding(text=text, intent=intent, confidence=confidence, **kw)


def names(outs: list[Out]) -> list[str]:
    return [o.response for o in outs]


def run(ctx, turns, state=None):
    transcript = []
    for u in turns:
        state, outs = step(state, u, ctx)
        transcript.append(outs)
    return state, transcript


def test_understanding_from_a_rasa_parse():
    u = understanding_from_message({"text": "my husband died, I'm 67, Halifax", "intent": {"name": "tell_life_event",
                                    "confidence": 0.8}, "entities": [
        {"entity": "relation", "value": "spouse"}, {"entity": "life_event", "value": "death"},
        {"entity": "age", "value": 67}, {"entity": "place", "value": "Halifax"}]})
    assert (u.life_events, u.places, u.ages, u.relations, u.intent) == (("death",), ("Halifax",), (67,), ("spouse",),
                                                                          "tell_life_event")


@pytest.mark.parametrize("text,kind", [
    ("I want to kill myself", "suicide"), ("thinking about suicide", "suicide"), ("my husband hits me", "abuse"),
    ("I have nowhere to sleep tonight", "shelter"), ("my dad died", None), ("I lost my job", None),
])
def test_crisis_words(text, kind):
    assert load_lexicon().crisis_kind(text) == kind


@pytest.mark.parametrize("key,u,expected", [
    ("deceased_paid_into_CPP", U("yes"), ("answer", True)),
    ("deceased_paid_into_CPP", U("nope"), ("answer", False)),
    ("deceased_paid_into_CPP", U("yeah I think so", "affirm"), ("answer", True)),
    ("deceased_paid_into_CPP", U("not sure"), ("dont_know", None)),
    ("deceased_paid_into_CPP", U("/answer", answer="no"), ("answer", False)),
    ("applicant_relationship_to_the_deceased", U("my mom", relations=["parent"]), ("answer", "child")),
    ("applicant_relationship_to_the_deceased", U("wife"), ("answer", "spouse")),
    ("applicant_relationship_to_the_deceased", U("I'm her son"), ("answer", "child")),
    ("applicant_relationship_to_the_deceased", U("", answer="parent"), ("answer", "parent")),
    ("applicant_date_of_birth", U("67"), ("age", 67)),
    ("deceased_date_of_death", U("last week"), ("answer", "2026-11-16")),
    ("deceased_date_of_death", U("", answer="date_older"), ("answer", "2023-11-19")),
    ("age_of_children", U("I'm expecting"), ("answer", ["pregnant"])),
    ("deceased_paid_into_CPP", U("what's the weather", "out_of_scope"), None),
])
def test_typed_and_button_answers(key, u, expected):
    assert parse_answer(key, u, load_vocabulary(), TODAY, load_lexicon()) == expected


def test_death_in_halifax_asks_few_questions_then_lists_services_across_levels(ctx):
    state, outs = step(None, U("my husband passed away", "tell_life_event", life_events=["death"],
                               relations=["spouse"]), ctx)
    assert names(outs) == ["utter_ask_location"]
    assert state.answers["applicant_relationship_to_the_deceased"] == "spouse"  # said, never asked
    state, outs = step(state, U("Halifax", "inform_location", places=["Halifax"]), ctx)
    assert state.location == "CA-NS-halifax"
    asked = []
    while state.pending and state.pending.kind == "criterion" and len(asked) <= MAX_QUESTIONS:
        key = state.pending.key
        asked.append(key)
        question = outs[-1]
        assert question.buttons, "options come as buttons"
        # the first answer typed, the next ones by button
        answer = U("yes", "affirm") if len(asked) == 1 else U("/answer", "answer", answer=question.buttons[0][
            "payload"].split('"answer": "')[1].rstrip('"}'))
        state, outs = step(state, answer, ctx)
    assert "applicant_relationship_to_the_deceased" not in asked
    assert 1 <= len(asked) <= MAX_QUESTIONS, asked
    assert names(outs)[0] == "utter_services_intro"
    items = [o for o in outs if o.response == "utter_service_item"]
    assert 1 <= len(items) <= 3
    texts = messages_text(outs, ctx.phrases)
    assert all("None" not in t for t in texts)
    assert any("https://" in t for t in texts)
    levels = {s.get("level") for s in rank_for_citizen(ctx.catalogue.match({
        "life_events": ["death"], "location": "CA-NS-halifax", "answers": {}})["services"])[:2]}
    assert levels == {"federal", "provincial"}
    assert "utter_checklist" in names(outs)


def test_hurried_citizen_sees_results_at_once(ctx):
    state, _ = run(ctx, [U("my dad died in Halifax", "tell_life_event", life_events=["death"], places=["Halifax"],
                             relations=["parent"])])
    state, outs = step(state, U("just show me", "show_results"), ctx)
    assert names(outs)[0] == "utter_services_intro"


def test_ambiguous_place_is_asked_with_buttons_then_resolved(ctx):
    state, outs = step(None, U("we're expecting a baby in London", "tell_life_event", life_events=["new_child"],
                               places=["London"]), ctx)
    assert names(outs) == ["utter_place_ambiguous"]
    codes = [b["payload"] for b in outs[0].buttons]
    assert any("GB-ENG-london" in p for p in codes) and any("CA-ON-london" in p for p in codes)
    state, outs = step(state, U("/inform_location", "inform_location", places=["GB-ENG-london"]), ctx)
    assert state.location == "GB-ENG-london"


def test_change_of_place_more_why_details_start_over(ctx):
    state, _ = run(ctx, [U("I lost my job in Halifax", "tell_life_event", life_events=["job_loss"],
                             places=["Halifax"]), U("show me", "show_results")])
    assert state.results_seen and state.shown
    state, outs = step(state, U("actually I'm in Ontario", "inform_location", places=["Ontario"]), ctx)
    assert state.location == "CA-ON"
    assert names(outs)[0] == "utter_location_changed"
    state, outs = step(state, U("why 1", "ask_why"), ctx)
    assert names(outs)[0].startswith("utter_why"), names(outs)
    state, outs = step(state, U("details 1", "ask_details"), ctx)
    assert names(outs) == ["utter_service_details"]
    assert "None" not in messages_text(outs, ctx.phrases)[0]
    state, outs = step(state, U("more", "more_results"), ctx)
    assert names(outs)[0] in ("utter_services_more_intro", "utter_no_more")
    state, outs = step(state, U("start over", "start_over"), ctx)
    assert state.life_events == [] and state.location is None
    assert names(outs) == ["utter_restart"]


def test_add_another_life_event_after_results(ctx):
    state, _ = run(ctx, [U("I lost my job in Toronto", "tell_life_event", life_events=["job_loss"],
                             places=["Toronto"]), U("show me", "show_results")])
    state, outs = step(state, U("also my wife is pregnant", "tell_life_event", life_events=["new_child"]), ctx)
    assert state.life_events == ["job_loss", "new_child"]
    assert names(outs)[0] == "utter_added_life_event"


def test_out_of_scope_twice_offers_a_person_and_never_lists_services(ctx):
    state, outs = step(None, U("what's the weather", "out_of_scope"), ctx)
    assert names(outs) == ["utter_out_of_scope"]
    state, outs = step(state, U("book me a flight", "out_of_scope"), ctx)
    assert names(outs) == ["utter_out_of_scope_again", "utter_offer_person_misunderstood"]  # never the same twice


@pytest.mark.parametrize("place,response", [
    (None, "utter_crisis_all"), ("Halifax", "utter_crisis_ca"), ("Denver", "utter_crisis_us"),
    ("Glasgow", "utter_crisis_gb"),
])
def test_crisis_line_of_the_country_first_then_a_person(ctx, place, response):
    state = None
    if place:
        state, _ = step(None, U(place, "inform_location", places=[place]), ctx)
    state, outs = step(state, U("I have nowhere to sleep tonight", "tell_life_event"), ctx)
    assert names(outs) == [response, "utter_offer_person"]
    assert state.wants_person


def test_ask_for_a_person_anywhere(ctx):
    state, _ = step(None, U("my dad died", "tell_life_event", life_events=["death"]), ctx)
    state, outs = step(state, U("can I talk to a person", "ask_person"), ctx)
    assert names(outs)[0] == "utter_person_requested"
    assert state.wants_person and state.life_events == ["death"]


def test_unknown_place(ctx):
    state, _ = step(None, U("my dad died", "tell_life_event", life_events=["death"]), ctx)
    state, outs = step(state, U("Atlantis", "inform_location"), ctx)
    assert names(outs) == ["utter_place_unknown"]


def test_every_response_used_exists_in_the_domain(ctx, responses):
    import re
    from pathlib import Path

    source = "".join(p.read_text() for p in Path("bot/dialogue").glob("*.py"))
    used = set(re.findall(r'"(utter_[a-z_]+)"', source))
    used |= {f"utter_crisis_{c}" for c in ("ca", "us", "gb", "all")}
    used |= {f"utter_button_{n}" for n in ("date_recent", "date_year", "date_two_years", "date_older")}
    assert used - set(responses) == set()


# --- conversational basics and facts already given (issue 12) -------------------------------------------------
def test_yes_right_after_the_offer_of_a_person_accepts_it(ctx):
    state, outs = step(None, U("bananas", "nlu_fallback"), ctx)
    state, outs = step(state, U("purple monkey", "nlu_fallback"), ctx)
    assert "utter_offer_person_misunderstood" in names(outs)
    state, outs = step(state, U("yes", "affirm"), ctx)
    assert names(outs)[0] == "utter_person_requested" and state.wants_person


def test_not_sure_at_the_open_prompt_gets_examples_and_buttons_never_the_same_apology(ctx):
    state, outs = step(None, U("hi", "greet"), ctx)
    state, outs = step(state, U("not sure", "dont_know"), ctx)
    assert names(outs) == ["utter_dont_know_examples"] and outs[0].buttons
    state, outs = step(state, U("I don't know", "nlu_fallback"), ctx)
    assert names(outs) == ["utter_dont_know_examples"]
    state, first = step(state, U("hmm", "nlu_fallback"), ctx)
    state, second = step(state, U("hmmm", "nlu_fallback"), ctx)
    assert names(first)[0] != names(second)[0]


def test_the_need_picker_is_shown_once(ctx):
    state, outs = step(None, U("I live in Halifax", "inform_location", places=["Halifax"]), ctx)
    assert names(outs) == ["utter_ask_life_events"] and outs[0].buttons
    state, outs = step(state, U("Halifax", "inform_location", places=["Halifax"]), ctx)
    assert names(outs) == ["utter_ask_life_events_again"] and not outs[0].buttons


@pytest.mark.parametrize("reply", [U("thanks", "thank"), U("ok", "affirm"), U("ok thanks", "affirm")])
def test_thanks_or_ok_after_the_results_close_politely(ctx, reply):
    state, outs = run(ctx, [U("I lost my job in Halifax", "tell_life_event", life_events=["job_loss"],
                              places=["Halifax"]), U("show me", "show_results")])
    state, outs = step(state, reply, ctx)
    assert names(outs) == ["utter_thank"]


def test_yes_after_n_more_shows_the_next_page(ctx):
    state, outs = run(ctx, [U("my dad died in Halifax", "tell_life_event", life_events=["death"],
                              places=["Halifax"], relations=["parent"]), U("show me", "show_results")])
    outs = outs[-1]
    assert "utter_results_footer_more" in names(outs)
    state, outs = step(state, U("yes please", "affirm"), ctx)
    assert names(outs)[0] == "utter_services_more_intro"


def test_an_army_widow_is_not_asked_whether_he_served(ctx):
    state, outs = step(None, U("my husband passed away two weeks ago. he was in the Army for 20 years",
                               "tell_life_event", life_events=["death"], relations=["spouse"]), ctx)
    state, outs = step(state, U("Denver", "inform_location", places=["Denver"]), ctx)
    asked = list(state.asked)
    while state.pending and state.pending.kind == "criterion":
        state, outs = step(state, U("not sure", "dont_know"), ctx)
        asked = list(state.asked)
    assert not {"deceased_served_in_active_military", "deceased_service_status", "applicant_relationship_to_the_deceased",
                "deceased_date_of_death", "applicant_lost_a_family_member"} & set(asked), asked
    assert state.answers["deceased_service_status"] == "retired"


def test_a_canadian_forces_widow_is_not_asked_who_would_receive_the_benefits(ctx):
    state, outs = step(None, U("My husband died in October. He served 22 years in the Canadian Armed Forces. "
                               "I live in Ottawa", "tell_life_event", life_events=["death", "veteran"],
                               places=["Ottawa"]), ctx)
    while state.pending and state.pending.kind == "criterion":
        state, outs = step(state, U("not sure", "dont_know"), ctx)
    assert not {"vac_patron_type", "vac_member_status", "deceased_served_in_active_military"} & set(state.asked)


def test_a_correction_updates_the_answer_and_the_results_saying_what_changed(ctx):
    state, outs = run(ctx, [U("I'm 60 and retiring soon in Halifax", "tell_life_event", life_events=["retirement"],
                              places=["Halifax"]), U("show me", "show_results")])
    assert state.answers["applicant_age"] == 60
    state, outs = step(state, U("sorry, I'm 30 not 60", "nlu_fallback"), ctx)
    assert state.answers["applicant_age"] == 30
    assert names(outs)[0] == "utter_updated" and "30" in messages_text(outs, ctx.phrases)[0]
    assert "utter_services_intro" in names(outs)  # the results again, for the new answer


@pytest.mark.parametrize("text,need", [("unemployement benifits pls", "job_loss"),
                                       ("the bill for heating is huge this winter", "utilities"),
                                       ("my landlrd is evictting me", "housing")])
def test_an_in_scope_need_is_never_refused_the_best_guesses_come_as_buttons(ctx, text, need):
    state, outs = step(None, U(text, "out_of_scope", confidence=0.5), ctx)
    assert names(outs) == ["utter_need_guess"]
    payloads = [b["payload"] for b in outs[0].buttons]
    assert f'/tell_life_event{{"life_event": "{need}"}}' in payloads and payloads[-1] == "/dont_know"
    state, outs = step(state, U(payloads[0], "tell_life_event", life_events=[need]), ctx)
    assert names(outs) == ["utter_ask_location"] and state.need_text == text


def test_a_classifier_guess_is_offered_too(ctx):
    from bot.dialogue.understanding import NeedGuess

    _, outs = step(None, U("they are going to cut us off friday", "out_of_scope", confidence=0.6,
                           guesses=(NeedGuess("utilities", 0.45), NeedGuess("housing", 0.1))), ctx)
    assert names(outs) == ["utter_need_guess"]
    assert outs[0].buttons[0]["payload"] == '/tell_life_event{"life_event": "utilities"}'  # the classifier's first


@pytest.mark.parametrize("text", ["what's the weather in Halifax tomorrow", "best pizza near Denver",
                                  "recommend a lawyer TV show", "how do I reset my iPhone"])
def test_true_out_of_scope_stays_out_of_scope(ctx, text):
    _, outs = step(None, U(text, "out_of_scope", confidence=0.95), ctx)
    assert names(outs) == ["utter_out_of_scope"]


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "x" * 4000, "word " * 800, "مرحبا 你好 hello Привет",
                                  "https://example.org/some/page?id=1", "<script>alert(1)</script>", "\x00\x01"])
def test_bad_input_gets_a_kind_answer(ctx, text):
    state, outs = step(None, U(text, "nlu_fallback", confidence=0.3), ctx)
    assert names(outs) in (["utter_out_of_scope"], ["utter_need_guess"], ["utter_default"])
    assert "None" not in " ".join(messages_text(outs, ctx.phrases))


@pytest.mark.parametrize("reply,code", [("Topeka KS", "US-KS-topeka"), ("raleigh nc", "US-NC-raleigh"),
                                        ("Fresno", "US-CA-fresno"), ("Sudbury ON", "CA-ON")])
def test_after_where_do_you_live_a_town_is_taken_whatever_the_classifier_said(ctx, reply, code):
    state, _ = step(None, U("my phone is getting cut off", "tell_life_event", life_events=["phone_internet"]), ctx)
    state, outs = step(state, U(reply, "nlu_fallback", confidence=0.4), ctx)
    assert state.location == code


def test_a_town_after_in_is_found_when_the_nlu_did_not_spot_it(ctx):
    state, _ = step(None, U("food stamps for me and my 3 kids we are in fresno. they cut my hours", "tell_life_event",
                            life_events=["food"]), ctx)
    assert state.location == "US-CA-fresno"
    state, _ = step(None, U("I lost my job in March", "tell_life_event", life_events=["job_loss"]), ctx)
    assert state.location is None  # a month, not March in Cambridgeshire
