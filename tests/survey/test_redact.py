"""Redaction of free text before storage: personal data goes, ordinary words (and public numbers) stay."""

from __future__ import annotations

import pytest

from bot.survey.redact import redact

# (text, fragments that must be gone, label expected in the output)
PERSONAL = [
    ("email me at jane.doe+benefits@example.com please", ["jane.doe+benefits@example.com"], "[EMAIL]"),
    ("My address is MARIA_LOPEZ@Mail.Example.ORG", ["MARIA_LOPEZ@Mail.Example.ORG"], "[EMAIL]"),
    ("call me on (902) 555-0199 after 5", ["555-0199"], "[PHONE]"),
    ("my cell is 303.555.0147", ["303.555.0147"], "[PHONE]"),
    ("text +1 416 555 0100", ["416 555 0100"], "[PHONE]"),
    ("ring 020 7946 0958 or 07700 900123", ["7946 0958", "07700 900123"], "[PHONE]"),
    ("+44 7700 900123 is my mobile", ["7700 900123"], "[PHONE]"),
    ("I'm in France now, +33 6 12 34 56 78", ["6 12 34 56 78"], "[PHONE]"),
    ("my postal code is B3H 4R2", ["B3H 4R2"], "[POSTCODE]"),
    ("postal code k1a0b1 in Ottawa", ["k1a0b1"], "[POSTCODE]"),
    ("I live in 80202", ["80202"], "[POSTCODE]"),
    ("zip 94110-1234", ["94110-1234"], "[POSTCODE]"),
    ("postcode SW1A 1AA", ["SW1A 1AA"], "[POSTCODE]"),
    ("I'm in M1 1AE near the station", ["M1 1AE"], "[POSTCODE]"),
    ("edinburgh eh1 2ng", ["eh1 2ng"], "[POSTCODE]"),
    ("SSN 219-09-9999", ["219-09-9999"], "[ID]"),
    ("my SIN is 046 454 286", ["046 454 286"], "[ID]"),
    ("NI number QQ 12 34 56 C", ["QQ 12 34 56 C"], "[ID]"),
    ("national insurance AB123456D", ["AB123456D"], "[ID]"),
    ("card 4111 1111 1111 1111 was charged", ["4111 1111 1111 1111"], "[ID]"),
    ("amex 3782-822463-10005", ["3782-822463-10005"], "[ID]"),
    ("my case number is 2023118845", ["2023118845"], "[ID]"),
    ("I live at 1420 Larimer Street, Denver", ["1420 Larimer Street"], "[ADDRESS]"),
    ("send it to Apt 4B, 1200 Bay St. Toronto", ["1200 Bay St", "4B"], "[ADDRESS]"),
    ("i live at 5 main st and drive to work", ["5 main st"], "[ADDRESS]"),
    ("10 Downing Street is not my house", ["10 Downing Street"], "[ADDRESS]"),
    ("write to PO Box 1234", ["Box 1234"], "[ADDRESS]"),
    ("my name is Eleanor Vance", ["Eleanor", "Vance"], "[NAME]"),
    ("my name is sarah and I need help", ["sarah"], "[NAME]"),
    ("Hi, I'm Sarah O'Brien-Smith", ["Sarah", "O'Brien", "Smith"], "[NAME]"),
    ("I\u2019m John and I lost my job", ["John"], "[NAME]"),
    ("im Tom", ["Tom"], "[NAME]"),
    ("Hello, this is Maria Gonzalez from Pueblo", ["Maria", "Gonzalez"], "[NAME]"),
    ("Mrs. Patel at the office was kind", ["Patel"], "[NAME]"),
    ("Dr Nguyen said to ask", ["Nguyen"], "[NAME]"),
    ("the caseworker Jane was great", ["Jane"], "[NAME]"),
    ("Regards, Mary Jones", ["Mary", "Jones"], "[NAME]"),
    ("my husband is Ahmed and he is ill", ["Ahmed"], "[NAME]"),
]

KEPT = [
    "This is ridiculous, I'm frustrated and I'm Canadian",
    "I'm not sure what the letter means",
    "I'm a veteran and I'm disabled",
    "I am Unemployed since March",
    "I earn 35000 a year and pay $12000 in rent",
    "waited 3 hours on 2026-11-23 for 45 minutes",
    "the form took 20 minutes and 2 tries",
    "Call 1-800-772-1213 or 0800 123 4567 for Social Security",
    "Visit www.canada.ca/ei or Service Canada",
    "I called Service Canada 3 times about my EI claim in Q3 2026",
    "My dad died last week and I live in Halifax, Nova Scotia",
    "the SNAP office on Colfax was closed",
    "Section 8 housing, Medicaid and WIC",
    "There are 2 ways to apply",
    "it took 3 hours drive to get there",
    "rated it 4/5 and would give 10 out of 10",
    "Form DS-11 and form 1040",
]


@pytest.mark.parametrize(("text", "gone", "label"), PERSONAL)
def test_personal_data_is_redacted(text, gone, label):
    result = redact(text)
    for fragment in gone:
        assert fragment not in result.text, result.text
    assert label in result.text
    assert result.changed


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(text):
    result = redact(text)
    assert result.text == text
    assert not result.changed


def test_only_the_personal_part_goes():
    result = redact("My name is Eleanor Vance and my email is ev@example.org, the form was confusing")
    assert result.text == "My name is [NAME] and my email is [EMAIL], the form was confusing"
    assert result.counts == {"NAME": 1, "EMAIL": 1}


def test_redaction_is_idempotent():
    once = redact("I'm Marcus Okafor, SIN 046 454 286, call 902-555-0199").text
    assert redact(once).text == once


def test_empty_text():
    assert redact("").text == ""
