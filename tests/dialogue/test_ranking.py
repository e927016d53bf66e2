"""The citizen's first page and the question worth asking (bot/dialogue/ranking.py), on hand-made match results."""

from __future__ import annotations

from bot.dialogue.ranking import MAX_QUESTIONS, choose_question, rank_for_citizen
from bot.dialogue.state import DialogueState
from knowledge.vocab import Vocabulary, load_vocabulary

V = load_vocabulary()


def svc(sid: str, score: float, status: str = "likely", level: str = "federal", unknown=(), rules=(), base=None,
        title: str | None = None) -> dict:
    return {"id": sid, "title": title or sid, "status": status, "level": level, "score": score,
            "base": score if base is None else base, "unknown": list(unknown), "eligibility": list(rules), "met": 0}


def result(*services: dict) -> dict:
    return {"services": list(services), "next_questions": [], "as_of": "2026-12-01"}


def state(**kw) -> DialogueState:
    s = DialogueState(life_events=kw.pop("life_events", ["death"]), location="CA-NS-halifax")
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def test_best_score_first_failures_dropped_and_one_service_per_name():
    ranked = rank_for_citizen([
        svc("a", 5), svc("b", 9), svc("fails", 20, status="unlikely"),
        svc("council-dfg", 6, level="municipal", title="Disabled Facilities Grant (Leeds City Council)"),
        svc("dfg", 7, title="Disabled Facilities Grant")])
    assert [s["id"] for s in ranked] == ["b", "dfg", "a"]


def test_another_level_takes_the_last_place_only_when_nearly_as_strong():
    close = rank_for_citizen([svc("f1", 9), svc("f2", 8), svc("f3", 7), svc("p1", 6.8, level="provincial")])
    assert [s["id"] for s in close][:3] == ["f1", "f2", "p1"]
    far = rank_for_citizen([svc("f1", 9), svc("f2", 8), svc("f3", 7), svc("p1", 3, level="provincial")])
    assert [s["id"] for s in far][:3] == ["f1", "f2", "f3"]


CPP = [{"criterion": "deceased_paid_into_CPP", "values": [True]}]


def test_a_question_is_asked_when_its_answer_changes_the_first_page():
    # the CPP benefit sits just below the page; "yes" would bring it up (likely), "no" would drop it
    out = result(svc("a", 8), svc("b", 7.5), svc("c", 7), svc("cpp", 6.6, status="maybe", unknown=["deceased_paid_into_CPP"],
                                                             rules=CPP, base=7.3))
    assert choose_question(out, state(), V) == "deceased_paid_into_CPP"


def test_no_question_when_no_answer_can_change_the_first_page():
    out = result(svc("a", 9), svc("b", 8.5), svc("c", 8), svc("cpp", 1.0, status="maybe", unknown=["deceased_paid_into_CPP"],
                                                             rules=CPP, base=1.7))
    assert choose_question(out, state(), V) is None


def test_never_asked_again_never_rare_never_another_situation_and_at_most_three():
    near = dict(status="maybe", base=7.3)
    assert choose_question(result(svc("a", 8), svc("b", 7.5), svc("c", 7), svc("cpp", 6.6, unknown=["deceased_paid_into_CPP"],
                                                                               rules=CPP, **near)),
                           state(asked=["deceased_paid_into_CPP"]), V) is None
    miner = [{"criterion": "deceased_miner", "values": [True]}]
    assert choose_question(result(svc("a", 8), svc("b", 7.5), svc("c", 7),
                                  svc("miner", 6.6, unknown=["deceased_miner"], rules=miner, **near)), state(), V) is None
    vet = [{"criterion": "applicant_served_in_active_military", "values": [True]}]
    assert choose_question(result(svc("a", 8), svc("b", 7.5), svc("c", 7),
                                  svc("vet", 6.6, unknown=["applicant_served_in_active_military"], rules=vet, **near)),
                           state(life_events=["job_loss"]), V) is None
    full = state(asked=["x", "y", "z"][:MAX_QUESTIONS])
    assert choose_question(result(svc("a", 8), svc("cpp", 6.6, unknown=["deceased_paid_into_CPP"], rules=CPP, **near)),
                           full, V) is None


def test_a_statement_the_vocabulary_cannot_ask_is_not_asked():
    vocab = Vocabulary(criteria=[{"key": "deceased_service_status", "type": "select",
                                  "question": {"en": "The service status of the deceased is"},
                                  "options": [{"value": "active_duty"}, {"value": "retired"}]}],
                       life_events=[{"id": "death", "label": {"en": "Death"}}])
    rules = [{"criterion": "deceased_service_status", "values": ["active_duty"]}]
    out = result(svc("a", 8), svc("b", 7.5), svc("c", 7),
                 svc("dic", 6.6, status="maybe", unknown=["deceased_service_status"], rules=rules, base=7.3))
    assert vocab.ask("deceased_service_status") is None
    assert choose_question(out, state(), vocab) is None
    served = state(answers={"deceased_served_in_active_military": True})
    assert choose_question(out, state(), V) is None  # its parent question (did they serve?) comes first
    assert choose_question(out, served, V) == "deceased_service_status"  # the shipped vocabulary asks it as a question
    assert V.ask("deceased_service_status").endswith("?")
