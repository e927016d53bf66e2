"""Facts a citizen states in passing, read from any message so they are never asked: age (and "turning 65"), who
died and whether they served, the citizen's own service, children and pregnancy, work, income, disability,
citizenship or immigration status, studies, marital status.

Each fact is a canonical answer to a criterion of ``knowledge/criteria.yml`` (the match engine's vocabulary). A
later statement replaces an earlier one ("I'm 30 not 60", "actually I'm 30"): :func:`stated_facts` reads the claim
and skips what is negated. English patterns; the needs named in the conversation give the context ("he was in the
army" is about the person who died only when someone died).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.dialogue.answers import AGE_KEY, DECEASED_RELATION_TO_APPLICANT, RELATIONSHIP_KEY, parse_date_answer

Facts = dict[str, Any]
MAX_CHARS = 2000  # facts are read from the first 2,000 characters of a message (a long story fits; a pasted page
# does not cost a second)

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "twenty": 20, "thirty": 30, "a couple of": 2, "a few": 3}
_NUM = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|a couple of|a few)"
_REL = (r"(husband|wife|hubby|spouse|partner|mum|mom|mother|mam|ma|mommy|mama|dad|father|daddy|papa|pa|son|daughter|"
        r"child|kid|baby|boy|girl|brother|sister|grandma|grandmother|granny|nan|nana|grandpa|grandfather|grandad|"
        r"granddad)")
_REL_KIND = {"husband": "spouse", "wife": "spouse", "hubby": "spouse", "spouse": "spouse", "partner": "spouse",
             "mum": "parent", "mom": "parent", "mother": "parent", "mam": "parent", "ma": "parent", "mommy": "parent",
             "mama": "parent", "dad": "parent", "father": "parent", "daddy": "parent", "papa": "parent",
             "pa": "parent", "son": "child", "daughter": "child", "child": "child", "kid": "child", "baby": "child",
             "boy": "child", "girl": "child", "brother": "sibling", "sister": "sibling", "grandma": "grandparent",
             "grandmother": "grandparent", "granny": "grandparent", "nan": "grandparent", "nana": "grandparent",
             "grandpa": "grandparent", "grandfather": "grandparent", "grandad": "grandparent",
             "granddad": "grandparent"}
_DIED = (r"(died|dies|has died|passed|passed away|past away|passed on|was killed|got killed|killed|is gone|"
         r"lost (his|her|their) (life|fight|battle)|death|funeral|burial|was murdered|took (his|her) (own )?life)")
_MILITARY = (r"(army|navy|air force|airforce|marines?|marine corps|military|armed forces|forces|coast guard|"
             r"national guard|reserves|raf|rcaf|rcn|caf|service ?member|soldier|sailor|airman|serviceman|"
             r"servicewoman|infantry|paratrooper|royal navy|royal marines|canadian forces)")
_SERVED = rf"(was|were|been|served|serving|did|spent|retired from|left the|out of the|ex|former|joined)\b[^.]*?\b{_MILITARY}"


def _n(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMBERS.get(word, 0)


def _clean(text: str) -> str:
    """Lower case, curly apostrophes straightened then dropped (the patterns say "im", "dont"), spaces tidy."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return re.sub(r"\s+", " ", text)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?;\n])\s+|\s+(?:but|and then)\s+", text) if s.strip()]


@dataclass(frozen=True)
class _Ctx:
    died: bool  # someone died (a need of the conversation or words of this message)
    first_person_military: bool


# --- age -----------------------------------------------------------------------------------------------------
_AGE_PATTERNS = (
    re.compile(r"\b(?:im|i am|i m|aged|age|age is|my age is)\s+(?:now\s+|only\s+|just\s+|almost\s+|nearly\s+)?"
               r"(\d{2,3})\b(?!\s*(?:%|k\b|dollars|pounds|bucks|grand|hours|hrs|weeks|months|days|minutes|kids|"
               r"children|am\b|pm\b|miles|km|years? (?:ago|in|with|at|of service)|yrs? (?:ago|in|with)))"),
    re.compile(r"(?<!my )(?<!his )(?<!her )\b(\d{2,3})\s*(?:years? old|yrs? old|yr old|y/o|yo)\b"),
    re.compile(r"\b(?:at|at age|at the age of)\s+(\d{2,3})\b(?!\s*(?:%|am\b|pm\b|oclock|dollars|an hour|hours|"
               r"miles|km|[a-z]+ street))"),
    re.compile(r"\bi(?:m| am)? (?:a |an )?(\d{2,3})[- ]?(?:year|yr)[- ]old\b"),
)
_TURNING = re.compile(r"\b(?:i|im|i am|ill|i will)?\s*(?:turn|turning|will be|ll be|be)\s+(\d{2,3})\b")
_NOT_NUMBER = re.compile(r"\bnot\s+(\d{2,3})\b")


def _age(text: str) -> int | None:
    negated = {int(m) for m in _NOT_NUMBER.findall(text)}
    for m in _TURNING.finditer(text):
        value = int(m[1])
        # "turning 65" counts as 65: what opens at 65 is what they are asking about
        if 15 <= value <= 110 and value not in negated and not re.search(r"\b(he|she|they|dad|mum|mom)\b",
                                                                          text[max(0, m.start() - 12):m.start()]):
            return value
    for pattern in _AGE_PATTERNS:
        for m in pattern.finditer(text):
            value = int(m[1])
            before = text[max(0, m.start() - 14):m.start()]
            if value in negated or not 15 <= value <= 110:
                continue
            if re.search(r"\b(my|his|her|our|their) \w+( \w+)? (is|was|turned|s)\s*$", before):
                continue  # "my dad is 80": someone else's age
            return value
    return None


# --- who died ------------------------------------------------------------------------------------------------
_DEATH_OF = (
    re.compile(rf"\b(?:my|our)\s+(?:\w+\s+)?{_REL}(?:s)?\b[^.]{{0,40}}?\b{_DIED}"),
    re.compile(rf"\b(?:lost|losing|burying|buried|bury)\s+(?:my|our)\s+(?:\w+\s+)?{_REL}\b"),
    re.compile(rf"\b{_DIED}\s+of\s+(?:my|our)\s+{_REL}\b"),
    re.compile(rf"\b(?:my|our)\s+(?:late\s+){_REL}\b"),
)
_WIDOW = re.compile(r"\b(widow|widower|widowed)\b")
_NOT_REL = re.compile(rf"\bnot\s+(?:my|our)\s+{_REL}\b")


def _who_died(text: str) -> str | None:
    """The relationship of the person who died to the citizen (parent, spouse, child…), or None."""
    negated = set(_NOT_REL.findall(text))  # "not my dad": that word is not who died
    if _WIDOW.search(text):
        return "spouse"
    m = re.search(rf"\bit was (?:my|our) {_REL}\b", text)  # "it was my mum, not my dad"
    if m and m[1] not in negated:
        return _REL_KIND[m[1]]
    for pattern in _DEATH_OF:
        for m in pattern.finditer(text):
            if m[1] not in negated:
                return _REL_KIND[m[1]]
    return None


# --- military service ----------------------------------------------------------------------------------------
_YEARS = re.compile(rf"\b{_NUM}\+?\s*(?:years?|yrs?)\b")
_THIRD_PERSON = re.compile(rf"\b(he|she|they|his|her|him|(?:my|our)\s+(?:late\s+)?{_REL})\b")
_FIRST_PERSON = re.compile(r"\b(i|im|ive|id|me|my service|myself)\b")
_VETERAN = re.compile(r"\b(veteran|vet|vets|ex[- ]?(?:army|navy|forces|military|marine|soldier|raf|serviceman)|"
                      r"ex[- ]service(?:man|woman)?|former (?:soldier|marine|service member))\b")
_ACTIVE = re.compile(r"\b(still serving|currently serving|on active duty|active duty|im in the (?:army|navy|"
                     r"forces|military|air force|marines)|i serve in)\b")
_KILLED_SERVING = re.compile(r"\b(killed in action|died (?:while|on) (?:serving|active duty|deployment|duty)|"
                             r"killed (?:while|on) (?:serving|active duty|deployment)|died in service)\b")


_YEAR_RANGE = re.compile(r"\b(?:19|20)?(\d\d)\s*(?:-|to|until|till)\s*(?:19|20)?(\d\d)\b")


def _service_years(sentence: str) -> int | None:
    """Years served: "20 years", "did 20 yrs", or a span of years ("vietnam 68-70")."""
    m = _YEARS.search(sentence)
    if m:
        return _n(m[1])
    span = _YEAR_RANGE.search(sentence)
    if span and (years := (int(span[2]) - int(span[1])) % 100) and years < 50:
        return years
    return None


def _military(sentences: list[str], died: bool) -> Facts:
    facts: Facts = {}
    for sentence in sentences:
        mentions = re.search(_SERVED, sentence) or re.search(rf"\b(in|with|joined) the {_MILITARY}", sentence) \
            or _VETERAN.search(sentence) or _ACTIVE.search(sentence) or _KILLED_SERVING.search(sentence)
        if not mentions:
            continue
        if re.search(r"\b(vet|vets)\b", sentence) and re.search(r"\b(dog|cat|pet|animal|puppy|kitten)\b", sentence):
            continue  # the animal doctor
        before = sentence[:mentions.start()]
        third = _THIRD_PERSON.search(before) or (died and not _FIRST_PERSON.search(before)
                                                  and _THIRD_PERSON.search(sentence))
        years = _service_years(sentence) or _service_years(" ".join(sentences))
        if third and died:
            facts["deceased_served_in_active_military"] = True
            facts["applicant_lost_a_service_member"] = True
            facts["vac_member_status"] = "deceased"
            facts["vac_patron_type"] = "family"
            if _KILLED_SERVING.search(sentence) or "active duty" in sentence:
                facts["deceased_service_status"] = "active_duty"
            elif years and years >= 20 or "retired" in sentence:
                facts["deceased_service_status"] = "retired"  # 20 years is a career: retired from service
            elif years:
                facts["deceased_service_status"] = "discharged"
        elif third:
            continue  # a relative who serves or served: a military family, not the citizen's own service
        else:
            facts["applicant_served_in_active_military"] = True
            if _ACTIVE.search(sentence):
                facts["applicant_service_status"] = "active_duty"
                facts["vac_patron_type"] = "serving_member"
                facts["vac_member_status"] = "still_serving"
            else:
                facts["vac_patron_type"] = "veteran"
                facts["vac_member_status"] = "released"
                if years and years >= 20 or "retired" in sentence:
                    facts["applicant_service_status"] = "retired"
                elif years or _VETERAN.search(sentence):
                    facts["applicant_service_status"] = "discharged"
            if years and years >= 1:
                facts["applicant_minimum_service_requirement"] = True
        if re.search(r"\b(rcmp|mountie)\b", sentence):
            facts["vac_service_type"] = "rcmp"
        elif re.search(r"\b(canadian (armed )?forces|caf|rcaf|rcn|canadian army)\b", sentence):
            facts["vac_service_type"] = "caf"
    return facts


# --- family, work, money, health, status, studies ------------------------------------------------------------
_PREGNANT = re.compile(r"\b(pregnant|expecting (?:a baby|a child|twins|our|my)|expecting in|due (?:in|date|next)|"
                       r"having a baby|baby on the way|bun in the oven|im expecting|were expecting)\b")
_NEWBORN = re.compile(r"\b(had (?:a |our |my |the )?(?:baby|son|daughter|little)|(?:baby|son|daughter) (?:was|is) born|"
                      r"gave birth|new ?born|new baby|just born|(?:\d+|two|three|four|six) (?:days?|wks?|weeks?|"
                      r"months?) old baby|baby (?:is|was) (?:\d+|two|three|four|six) (?:days?|wks?|weeks?))\b")
_KIDS = re.compile(rf"\b{_NUM}\s+(?:kids|children|little ones|boys|girls|sons|daughters|of them)\b"
                   rf"|\b(?:mom|mum|mother|dad|father|parent) of\s+{_NUM}\b")
_SOME_KIDS = re.compile(r"\b(my|our) (kids|children|son|daughter|little one|baby|boy|girl|twins)\b")
_NO_KIDS = re.compile(r"\b(no kids|no children|dont have (?:any )?(?:kids|children))\b")
_LOST_JOB = re.compile(r"\b(lost (?:my|our) (?:job|jb|work)|laid off|layed off|let go|fired|redundan\w*|"
                       r"unemployed|out of work|jobless|no job|plant closed|hours (?:got |were )?cut)\b")
_WORKING = re.compile(r"\b(i work|im working|i have a job|work (?:part[- ]time|full[- ]time)|"
                      r"(?:part|full)[- ]time job)\b")
_RETIRED = re.compile(r"\b(im retired|i am retired|i retired|retired now|since i retired|on my pension)\b")
_CANT_WORK = re.compile(r"\b(cant work|cannot work|unable to work|can not work|not able to work|too sick to work|"
                        r"signed off(?: work)?|off work (?:sick|for)|havent (?:been able to )?work\w* (?:for|since)|"
                        r"wont be able to work)\b")
_LONG = re.compile(r"\b(a year|12 months|(?:\d+|two|three|several|many) (?:years|months)|long[- ]term|"
                   r"for good|ever again|anymore|any more|permanently|indefinitely|the rest of)\b")
_LOW_INCOME = re.compile(r"\b(low income|low[- ]income|dont earn much|do not earn much|not earning much|"
                         r"cant afford|can not afford|cannot afford|struggling (?:financially|with money|to pay)|"
                         r"(?:no|not enough|little|short of) money|broke|on benefits|on welfare|income assistance|"
                         r"income support|universal credit|minimum wage|fixed income|barely (?:get by|making it)|"
                         r"(?:cant|cannot) (?:pay|make rent|cover)|food stamps|snap benefits|poor)\b")
_DISABLED = re.compile(r"\b(disabled|disability|disabilities|wheelchair|injured|injury|injuries|"
                       r"broke my (?:back|neck|hip|pelvis|leg|spine)|(?:bad|serious) (?:car )?(?:wreck|crash|accident)|multiple sclerosis|\bms\b|parkinsons|"
                       r"cerebral palsy|paralysed|paralyzed|amputee|blind|deaf|autis\w*|chronic (?:illness|pain|"
                       r"condition)|long[- ]term (?:illness|condition)|crohns|epilepsy|mental (?:illness|health "
                       r"condition)|bipolar|schizophreni\w*|cancer|stroke)\b")
_CITIZEN = re.compile(r"\b(im a (?:us |u\.?s\.? |american |canadian |british )?citizen|i am a (?:us |canadian "
                      r"|british )?citizen|born here|citizen of)\b")
_PERMANENT = re.compile(r"\b(green card|permanent resident|\bpr\b card|landed immigrant|indefinite leave|"
                        r"settled status)\b")
_REFUGEE = re.compile(r"\b(refugees?|asylum|asylees?|refugee claimants?)\b")
_UNDOCUMENTED = re.compile(r"\b(undocumented|no papers|without papers|illegal immigrant|no status)\b")
_VISA = re.compile(r"\b(work permit|study permit|student visa|work visa|on a visa|temporary resident)\b")
_STUDENT = re.compile(r"\b(im a student|i am a student|student at|(?:im|i am) (?:at|in) (?:college|uni|university|"
                      r"school)|enrolled (?:at|in)|studying (?:at|for)|(?:college|university) student|"
                      r"full[- ]time student|part[- ]time student|accepted (?:at|to|into) (?:college|university))\b")
_MARRIED = re.compile(r"\b(my (?:husband|wife)(?! (?:died|passed|left))|im married|we are married|were married)\b")
_DIVORCED = re.compile(r"\b(divorced|divorce|separated|split up|broke up|left me|walked out)\b")
_FUNERAL_PAID = re.compile(r"\b(i paid for (?:the|his|her) funeral|paid for the (?:funeral|burial)|"
                           r"paying for the funeral)\b")
_WHEN_DIED = re.compile(rf"\b{_DIED}\b(.{{0,40}})")


def stated_facts(text: str, needs: list[str], today: date) -> Facts:
    """Criterion answers the message states (canonical values of ``knowledge/criteria.yml``)."""
    low = _clean((text or "")[:MAX_CHARS])
    if not low:
        return {}
    sentences = _sentences(low)
    died = "death" in needs or bool(re.search(_DIED, low))
    facts: Facts = {}
    age = _age(low)
    if age is not None:
        facts[AGE_KEY] = age
    relation = _who_died(low)
    if relation and died:
        facts[RELATIONSHIP_KEY] = DECEASED_RELATION_TO_APPLICANT[relation]
        if relation == "spouse":
            facts["applicant_marital_status"] = "widowed"
    if died:
        m = _WHEN_DIED.search(low)
        when = parse_date_answer(m[m.lastindex or 0], today) if m else None
        if when is not None:
            facts["deceased_date_of_death"] = when.isoformat()
    facts.update(_military(sentences, died))
    facts.update(_family(low))
    facts.update(_work_and_money(low))
    facts.update(_status(low))
    if _FUNERAL_PAID.search(low):
        facts["applicant_paid_funeral_expenses"] = True
    if "applicant_marital_status" not in facts:
        if _DIVORCED.search(low):
            facts["applicant_marital_status"] = "divorced"
        elif _MARRIED.search(low) and not died:
            facts["applicant_marital_status"] = "married"
    return facts


def _family(low: str) -> Facts:
    facts: Facts = {}
    if _NO_KIDS.search(low):
        return {"children_living_with_you": False}
    pregnant, newborn = _PREGNANT.search(low), _NEWBORN.search(low)
    ages = (["pregnant"] if pregnant else []) + (["1_or_under"] if newborn else [])
    if ages:
        facts["age_of_children"] = ages
    m = _KIDS.search(low)
    count = _n(m[1] or m[2]) if m else 0
    if ages or count or _SOME_KIDS.search(low):
        facts["children_living_with_you"] = True
        facts["applicant_dependents_children"] = True
    return facts


def _work_and_money(low: str) -> Facts:
    facts: Facts = {}
    if _LOST_JOB.search(low):
        facts["applicant_lost_job"] = True
        facts["are_you_working"] = "no"
    elif _RETIRED.search(low):
        facts["are_you_working"] = "no_retired"
    elif _WORKING.search(low):
        facts["are_you_working"] = "yes"
    cant = _CANT_WORK.search(low)
    if cant:
        facts["are_you_working"] = "no"
        facts["disability_affecting_work"] = "yes_unable_to_work"
        if _LONG.search(low[cant.start():]) or _LONG.search(low):
            facts["applicant_ability_to_work"] = True  # unable to work for a year or more
    if _LOW_INCOME.search(low):
        facts["applicant_income"] = True
    someone_else = r"(son|daughter|child|kid|mum|mom|dad|mother|father|wife|husband|partner)"
    if _DISABLED.search(low) and not re.search(rf"\b(my|our|his|her) ({someone_else}\w* (is|has|was)|"
                                               rf"disabled {someone_else})", low):
        facts["applicant_disability"] = True
        facts["disability_or_health_condition"] = True
    return facts


def _status(low: str) -> Facts:
    facts: Facts = {}
    if _UNDOCUMENTED.search(low):
        facts.update(applicant_citizen_status=False, applicant_legal_status="non_citizen")
    elif _REFUGEE.search(low):
        facts.update(applicant_citizen_status=True, applicant_legal_status="refugee")
    elif _PERMANENT.search(low):
        facts["applicant_citizen_status"] = True  # an eligible non-citizen
        if m := re.search(rf"\b{_NUM}\s+(?:years?|yrs?)\b", low):  # "green card 2 years ago"
            facts["applicant_legal_status"] = "gc_5plus" if _n(m[1]) >= 5 else "gc_5less"
    elif _VISA.search(low):
        facts["applicant_legal_status"] = "otherWithWorkPermission"
    elif _CITIZEN.search(low):
        facts.update(applicant_citizen_status=True, applicant_legal_status="citizen")
    if _STUDENT.search(low):
        facts["applicant_degree_cerificate_program"] = True
    return facts


NEED_IMPLIES: dict[str, Facts] = {
    "death": {"applicant_lost_a_family_member": True},
    "job_loss": {"applicant_lost_job": True},
    "caregiving": {"carer_disability_or_health_condition": True},
    "disability": {"disability_or_health_condition": True},
    "low_income": {"applicant_income": True},
}
"""What naming a need already answers ("my dad died": yes, you lost a loved one)."""


def implied_by_needs(needs: list[str]) -> Facts:
    implied: Facts = {}
    for need in needs:
        implied.update(NEED_IMPLIES.get(need, {}))
    return implied
