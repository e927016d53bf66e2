"""End to end through the real Rasa server (``rasa run --enable-api --credentials``) with our SMS and Telegram
channels, a fake Twilio REST API and a fake Telegram Bot API on loopback.

One Rasa server for the whole module (2-core machine): started by the session fixture ``live``.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

import pytest
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from bot.channels.identity import sender_key, telegram_secret_token
from bot.channels.messages import SMS, TELEGRAM
from bot.db import make_engine
from tests.channels.conftest import ACCOUNT_SID, AUTH_TOKEN, CHANNEL_KEY, TELEGRAM_TOKEN, TWILIO_NUMBER
from tests.channels.fakes import telegram_callback_update, telegram_message_update, twilio_form

pytestmark = pytest.mark.integration

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SECRET = telegram_secret_token(CHANNEL_KEY, TELEGRAM_TOKEN)
BUTTONS = [{"title": "Say hello", "payload": "/greet"}, {"title": "Say goodbye", "payload": "/goodbye"}]


def new_number() -> str:
    return "+1902" + str(uuid.uuid4().int)[:7]  # unique per test: a reused number would share a conversation


def new_chat() -> int:
    return 10_000_000 + uuid.uuid4().int % 1_000_000


def sms(live, number: str, body: str, sid: str | None = None, token: str = AUTH_TOKEN, **extra):
    form = twilio_form(ACCOUNT_SID, TWILIO_NUMBER, number, body, sid or f"SM{uuid.uuid4().hex}", **extra)
    signature = RequestValidator(token).compute_signature(live.twilio_webhook, form)
    return live.post(live.twilio_webhook, urlencode(form).encode(), {**FORM, "X-Twilio-Signature": signature})


def telegram(live, update: dict | bytes, secret: str | None = SECRET):
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return live.post(live.telegram_webhook, body, headers)


def wait_sms(live, number: str, count: int, timeout: float = 60) -> list[str]:
    live.twilio.wait_for(lambda: len(live.twilio.to(number)) >= count, timeout, f"{count} SMS to the citizen")
    return live.twilio.bodies(number)


def wait_telegram(live, chat: int, count: int, timeout: float = 60) -> list[dict]:
    live.telegram.wait_for(lambda: len(live.telegram.sent(chat)) >= count, timeout, f"{count} Telegram messages")
    return live.telegram.sent(chat)


# --- SMS -----------------------------------------------------------------------------------------------------------

def test_sms_hi_gets_the_greeting_and_twilio_an_immediate_empty_twiml(live):
    number = new_number()
    started = time.monotonic()
    status, body = sms(live, number, "hi")
    assert status == 200 and b"<Response></Response>" in body
    assert time.monotonic() - started < 5
    replies = wait_sms(live, number, 1)
    assert "Signpost" in replies[0]
    key = sender_key(number, CHANNEL_KEY)
    tracker = live.tracker(key)
    assert tracker["latest_input_channel"] == "twilio"


def test_sms_forged_signature_is_403_and_nothing_is_processed(live):
    number = new_number()
    assert sms(live, number, "hi", token="not-the-auth-token")[0] == 403
    form = twilio_form(ACCOUNT_SID, TWILIO_NUMBER, number, "hi", "SM" + uuid.uuid4().hex)
    assert live.post(live.twilio_webhook, urlencode(form).encode(), FORM)[0] == 403
    time.sleep(1)
    assert live.twilio.to(number) == []


def test_sms_repeated_message_sid_is_processed_once(live):
    number = new_number()
    sid = "SM" + uuid.uuid4().hex
    assert sms(live, number, "hi", sid=sid)[0] == 200
    assert sms(live, number, "hi", sid=sid)[0] == 200
    first = wait_sms(live, number, 1)
    time.sleep(2)
    assert live.twilio.bodies(number) == first
    events = live.tracker(sender_key(number, CHANNEL_KEY))["events"]
    assert sum(1 for e in events if e["event"] == "user") == 1


def test_caseworker_push_reaches_the_citizen_by_sms(live):
    number = new_number()
    sms(live, number, "hi")
    wait_sms(live, number, 1)
    live.push(sender_key(number, CHANNEL_KEY), {"event": "bot", "text": "Hello, this is Sam, a caseworker."})
    assert wait_sms(live, number, 2)[-1] == "Hello, this is Sam, a caseworker."


def test_sms_buttons_become_numbered_replies_and_a_number_answers_them(live):
    number = new_number()
    sms(live, number, "hi")
    wait_sms(live, number, 1)
    key = sender_key(number, CHANNEL_KEY)
    live.push(key, {"event": "bot", "text": "What next?", "data": {"buttons": BUTTONS}})
    assert wait_sms(live, number, 2)[-1] == "What next?\nReply 1 for Say hello, 2 for Say goodbye."
    sms(live, number, "1")
    assert "Signpost" in wait_sms(live, number, 3)[-1]
    intents = [e["parse_data"]["intent"]["name"] for e in live.tracker(key)["events"] if e["event"] == "user"]
    assert intents[-1] == "greet"


def test_sms_stop_then_push_sends_nothing_until_start(live):
    number = new_number()
    sms(live, number, "STOP")
    assert wait_sms(live, number, 1) == [SMS["stop"]]
    key = sender_key(number, CHANNEL_KEY)
    sms(live, number, "hi")
    time.sleep(2)
    assert live.twilio.bodies(number) == [SMS["stop"]]
    sms(live, number, "START")
    assert wait_sms(live, number, 2)[-1] == SMS["start"]
    sms(live, number, "hi")
    assert "Signpost" in wait_sms(live, number, 3)[-1]
    assert live.tracker(key)["latest_input_channel"] == "twilio"


def test_no_phone_number_in_the_tracker_store_the_channel_tables_or_the_log(live):
    number = new_number()
    sms(live, number, "hi")
    wait_sms(live, number, 1)
    engine = make_engine(live.database_url)
    try:
        with engine.connect() as conn:
            for table in ("events", "channel_sms_contact", "channel_processed_message"):
                rows = conn.execute(text(f"SELECT * FROM {table}")).fetchall()
                assert rows and not any(number[1:] in " ".join(map(str, row)) for row in rows), table
    finally:
        engine.dispose()
    assert number[1:] not in live.logs["rasa"].read_text()


@pytest.mark.parametrize("name,body,headers,expected", [
    ("empty body", b"", FORM, {403}),
    ("100 KB body", b"Body=" + b"x" * 100_000, FORM, {403}),
    ("binary", b"\xff\xfe\x00\x01\x02garbage\x80\x81", FORM, {400}),
    ("malformed form", b"%%%===&&&Body", FORM, {403}),
    ("json", b'{"Body": "hi"}', {"Content-Type": "application/json"}, {415}),
])
def test_sms_bad_requests_are_4xx_not_5xx(live, name, body, headers, expected):
    status, _ = live.post(live.twilio_webhook, body, {**headers, "X-Twilio-Signature": "x"})
    assert status in expected, name


@pytest.mark.parametrize("body,reply", [
    ("", "empty"), ("x" * 100_000, "too_long"), ("\x00\x01\x02\x03\x04\x05\x06\x07\x08", "unreadable"),
    ("\U0001F600\U0001F44D", "emoji_only"),
])
def test_sms_bad_text_with_a_valid_signature_gets_a_clear_reply(live, body, reply):
    number = new_number()
    assert sms(live, number, body)[0] == 200
    assert wait_sms(live, number, 1) == [SMS[reply]]


def test_sms_unknown_sender_is_400(live):
    assert sms(live, "anonymous", "hi")[0] == 400
    assert sms(live, "", "hi")[0] == 400


# --- Telegram --------------------------------------------------------------------------------------------------------

def test_telegram_webhook_was_set_with_our_secret_on_startup(live):
    calls = live.telegram.wait_for(lambda: live.telegram.called("setWebhook"), 30, "setWebhook")
    assert calls[-1]["url"] == live.telegram_webhook and calls[-1]["secret_token"] == SECRET


def test_telegram_hi_gets_the_greeting(live):
    chat = new_chat()
    status, _ = telegram(live, telegram_message_update(uuid.uuid4().int % 10**9, chat, "hi"))
    assert status == 200
    assert "Signpost" in wait_telegram(live, chat, 1)[0]["text"]
    assert live.tracker(str(chat))["latest_input_channel"] == "telegram"


def test_telegram_without_the_secret_is_403(live):
    chat = new_chat()
    assert telegram(live, telegram_message_update(1, chat, "hi"), secret=None)[0] == 403
    assert telegram(live, telegram_message_update(2, chat, "hi"), secret="forged")[0] == 403


def test_caseworker_push_reaches_the_citizen_on_telegram(live):
    chat = new_chat()
    telegram(live, telegram_message_update(uuid.uuid4().int % 10**9, chat, "hi"))
    wait_telegram(live, chat, 1)
    live.push(str(chat), {"event": "bot", "text": "Hello, this is Sam, a caseworker."})
    assert wait_telegram(live, chat, 2)[-1]["text"] == "Hello, this is Sam, a caseworker."


def test_telegram_buttons_are_an_inline_keyboard_and_a_tap_answers_them(live):
    chat = new_chat()
    telegram(live, telegram_message_update(uuid.uuid4().int % 10**9, chat, "hi"))
    wait_telegram(live, chat, 1)
    live.push(str(chat), {"event": "bot", "text": "What next?", "data": {"buttons": BUTTONS}})
    sent = wait_telegram(live, chat, 2)[-1]
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Say hello", "Say goodbye"]
    telegram(live, telegram_callback_update(uuid.uuid4().int % 10**9, chat, keyboard[0][0]["callback_data"]))
    assert "Signpost" in wait_telegram(live, chat, 3)[-1]["text"]


@pytest.mark.parametrize("name,body,expected", [
    ("empty body", b"", 400), ("malformed json", b"{not json", 400), ("binary", b"\xff\xfe\x00\x01", 400),
    ("not an update", b"[1, 2]", 400), ("100 KB garbage", b"{" + b"x" * 100_000, 400),
    ("unknown sender", json.dumps({"update_id": 5, "message": {"message_id": 1, "text": "hi"}}).encode(), 400),
])
def test_telegram_bad_requests_are_4xx_not_5xx(live, name, body, expected):
    assert telegram(live, body)[0] == expected, name


@pytest.mark.parametrize("text_,extra,reply", [
    ("", {}, "empty"), ("x" * 100_000, {}, "too_long"), ("\x00\x01\x02\x03\x04\x05\x06", {}, "unreadable"),
    ("\U0001F600\U0001F44D", {}, "emoji_only"),
    (None, {"sticker": {"file_id": "CAAC", "emoji": "\U0001F600"}}, "emoji_only"),
    (None, {"photo": [{"file_id": "AgAC", "width": 1, "height": 1}]}, "not_text"),
])
def test_telegram_bad_messages_get_a_clear_reply(live, text_, extra, reply):
    chat = new_chat()
    assert telegram(live, telegram_message_update(uuid.uuid4().int % 10**9, chat, text_, **extra))[0] == 200
    assert wait_telegram(live, chat, 1)[0]["text"] == TELEGRAM[reply]


def test_get_on_the_telegram_webhook_is_not_a_server_error(live):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(live.telegram_webhook, timeout=10)
    assert 400 <= err.value.code < 500


def test_the_server_still_answers_after_all_that(live):
    number = new_number()
    sms(live, number, "hi")
    assert "Signpost" in wait_sms(live, number, 1)[0]
