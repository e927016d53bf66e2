"""The SMS channel's logic without Rasa: real Twilio form bodies and signatures in, a fake Twilio REST API out."""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from bot.channels.identity import sender_key
from bot.channels.messages import SMS, WANTS_PERSON
from bot.channels.twilio import EMPTY_TWIML, SignpostTwilioInput
from tests.channels.conftest import ACCOUNT_SID, AUTH_TOKEN, CHANNEL_KEY, TWILIO_NUMBER
from tests.channels.fakes import twilio_form

URL = "https://signpost.example/webhooks/twilio/webhook"
CITIZEN = "+19025550123"
FORM = "application/x-www-form-urlencoded"


class Bot:
    """Stands in for Rasa's agent: records messages and answers through the message's output channel."""

    def __init__(self, reply: str | None = "Hi, I'm Signpost.", buttons: list | None = None) -> None:
        self.messages = []
        self.reply = reply
        self.buttons = buttons
        self.fail = False
        self.delay = 0.0

    async def __call__(self, message) -> None:
        self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the bot broke")
        if self.buttons:
            await message.output_channel.send_text_with_buttons(message.sender_id, self.reply, self.buttons)
        elif self.reply:
            await message.output_channel.send_text_message(message.sender_id, self.reply)

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.messages]


@pytest.fixture
async def channel(sqlite_store, fake_twilio):
    ch = SignpostTwilioInput(ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, key=CHANNEL_KEY, store=sqlite_store,
                             api_base=fake_twilio.url)
    yield ch
    await ch.background.drain()
    if ch._output is not None:
        await ch._output.close()


_sid = iter(range(1, 10**6))


def sign(form: dict, url: str = URL, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


async def post(channel, bot, body: str, *, sender: str = CITIZEN, sid: str | None = None, signature: str | None = "",
               drain: bool = True, **extra):
    form = twilio_form(ACCOUNT_SID, TWILIO_NUMBER, sender, body, sid or f"SM{next(_sid):032d}", **extra)
    resp = await channel.accept(url=URL, body=urlencode(form).encode(), content_type=FORM,
                                signature=sign(form) if signature == "" else signature, on_new_message=bot)
    if drain:
        await channel.background.drain()
    return resp


async def test_a_signed_sms_reaches_the_bot_under_a_hashed_id_and_the_reply_goes_out(channel, fake_twilio):
    bot = Bot()
    resp = await post(channel, bot, "hi", sid="SM" + "a" * 32)
    assert resp.status == 200 and resp.body.decode() == EMPTY_TWIML
    assert resp.content_type.startswith("text/xml")
    [message] = bot.messages
    assert message.text == "hi" and message.input_channel == "twilio" and message.message_id == "SM" + "a" * 32
    assert message.sender_id == sender_key(CITIZEN, CHANNEL_KEY) and CITIZEN[1:] not in message.sender_id
    [sent] = fake_twilio.to(CITIZEN)
    assert sent["From"] == TWILIO_NUMBER and sent["Body"] == "Hi, I'm Signpost."


@pytest.mark.parametrize("signature", [None, "", "forged", "bad"])
async def test_missing_or_forged_signature_is_403(channel, fake_twilio, signature):
    bot = Bot()
    form = twilio_form(ACCOUNT_SID, TWILIO_NUMBER, CITIZEN, "hi", "SM1")
    sig = {None: None, "": "", "forged": "aGVsbG8=", "bad": sign(form, token="someone-elses-token")}[signature]
    resp = await channel.accept(url=URL, body=urlencode(form).encode(), content_type=FORM, signature=sig,
                                on_new_message=bot)
    assert resp.status == 403
    await channel.background.drain()
    assert bot.messages == [] and fake_twilio.messages == []


async def test_signature_over_a_tampered_body_is_403(channel):
    form = twilio_form(ACCOUNT_SID, TWILIO_NUMBER, CITIZEN, "hi", "SM2")
    signature = sign(form)
    form["Body"] = "something else"
    resp = await channel.accept(url=URL, body=urlencode(form).encode(), content_type=FORM, signature=signature,
                                on_new_message=Bot())
    assert resp.status == 403


async def test_a_repeated_message_sid_is_processed_once(channel, fake_twilio):
    bot = Bot()
    first = await post(channel, bot, "hi", sid="SM" + "b" * 32)
    again = await post(channel, bot, "hi", sid="SM" + "b" * 32)
    assert first.status == again.status == 200
    assert len(bot.messages) == 1 and len(fake_twilio.to(CITIZEN)) == 1


async def test_twilio_gets_its_answer_before_a_slow_turn_finishes(channel, fake_twilio):
    bot = Bot()
    bot.delay = 2.0
    started = time.monotonic()
    resp = await post(channel, bot, "hi", drain=False)
    assert resp.status == 200 and time.monotonic() - started < 1.0
    await channel.background.drain()
    assert fake_twilio.bodies(CITIZEN) == ["Hi, I'm Signpost."]


async def test_a_failing_bot_gets_an_apology_not_an_exception(channel, fake_twilio):
    bot = Bot()
    bot.fail = True
    resp = await post(channel, bot, "hi")
    assert resp.status == 200
    assert fake_twilio.bodies(CITIZEN) == [SMS["error"]]


async def test_stop_opts_out_confirms_once_and_silences_everything_until_start(channel, fake_twilio, sqlite_store):
    bot = Bot()
    await post(channel, bot, "STOP")
    await post(channel, bot, "stop")
    assert fake_twilio.bodies(CITIZEN) == [SMS["stop"]]
    key = sender_key(CITIZEN, CHANNEL_KEY)
    assert sqlite_store.is_opted_out(key)
    await post(channel, bot, "I lost my job")  # ignored while opted out
    await channel.get_output_channel().send_text_message(key, "a caseworker push")  # not sent either
    assert bot.messages == [] and fake_twilio.bodies(CITIZEN) == [SMS["stop"]]
    await post(channel, bot, "HELP")  # HELP is still answered
    assert fake_twilio.bodies(CITIZEN)[-1] == SMS["help"]
    await post(channel, bot, "Start")
    assert not sqlite_store.is_opted_out(key)
    assert fake_twilio.bodies(CITIZEN)[-1] == SMS["start"]
    await post(channel, bot, "hi")
    assert bot.texts == ["hi"] and fake_twilio.bodies(CITIZEN)[-1] == "Hi, I'm Signpost."


async def test_unsubscribe_is_a_stop_word_too(channel, fake_twilio, sqlite_store):
    await post(channel, Bot(), "Unsubscribe")
    assert sqlite_store.is_opted_out(sender_key(CITIZEN, CHANNEL_KEY))


async def test_help_says_what_this_is_and_how_to_reach_a_person(channel, fake_twilio):
    bot = Bot()
    await post(channel, bot, "help")
    [reply] = fake_twilio.bodies(CITIZEN)
    assert "Signpost" in reply and "AGENT" in reply and "STOP" in reply and len(reply) <= 160
    assert bot.messages == []


@pytest.mark.parametrize("word", ["AGENT", "person", "Person."])
async def test_agent_and_person_ask_the_bot_for_a_person(channel, word):
    bot = Bot()
    await post(channel, bot, word)
    assert bot.texts == [WANTS_PERSON]


async def test_numbered_reply_maps_back_to_the_offered_button_payload_once(channel, fake_twilio):
    buttons = [{"title": "Halifax, Nova Scotia", "payload": '/inform_location{"place": "CA-NS-halifax"}'},
               {"title": "Halifax, England", "payload": '/inform_location{"place": "GB-ENG-halifax"}'}]
    bot = Bot(reply="There is more than one Halifax. Which one do you mean?", buttons=buttons)
    await post(channel, bot, "I live in Halifax")
    assert fake_twilio.bodies(CITIZEN) == ["There is more than one Halifax. Which one do you mean?\n"
                                           "Reply 1 for Halifax, Nova Scotia, 2 for Halifax, England."]
    bot.buttons = None
    await post(channel, bot, "2")
    assert bot.texts[-1] == buttons[1]["payload"]
    await post(channel, bot, "2")  # the offer was used: now "2" is just text
    assert bot.texts[-1] == "2"


async def test_offer_survives_a_restart_of_the_channel(channel, fake_twilio, sqlite_store):
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    await post(channel, Bot(reply="Is that right?", buttons=buttons), "hi")
    restarted = SignpostTwilioInput(ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, key=CHANNEL_KEY, store=sqlite_store,
                                    api_base=fake_twilio.url)
    bot = Bot()
    await post(restarted, bot, "1")
    assert bot.texts == ["/affirm"]
    # the restarted channel also found the number again (decrypted from the database) to answer
    assert fake_twilio.bodies(CITIZEN)[-1] == "Hi, I'm Signpost."
    await restarted.get_output_channel().close()


async def test_long_replies_are_split_into_single_segment_sms(channel, fake_twilio):
    from bot.channels import sms
    from tests.channels.test_sms_render import LINK, SERVICES

    await post(channel, Bot(reply=SERVICES + " \u2014 it\u2019s free \U0001F600"), "hi")
    bodies = fake_twilio.bodies(CITIZEN)
    assert len(bodies) > 1
    assert all(sms.segments(b) == 1 and sms.encoding(b) == "GSM-7" for b in bodies)
    assert any(LINK in b for b in bodies)


async def test_transient_twilio_errors_are_retried_and_permanent_ones_do_not_crash(channel, fake_twilio):
    fake_twilio.fail_next(500, 20500)
    await post(channel, Bot(), "hi")
    assert fake_twilio.bodies(CITIZEN) == ["Hi, I'm Signpost."]
    fake_twilio.fail_next(400, 21211)  # invalid 'To' number: give up, no exception
    resp = await post(channel, Bot(), "hi")
    assert resp.status == 200 and len(fake_twilio.bodies(CITIZEN)) == 1


@pytest.mark.parametrize("body,reply", [
    ("", "empty"), ("   ", "empty"), ("x" * 100_000, "too_long"),
    ("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f", "unreadable"),
    ("\U0001F600\U0001F622\U0001F44D", "emoji_only"),
])
async def test_bad_text_gets_a_clear_reply(channel, fake_twilio, body, reply):
    bot = Bot()
    resp = await post(channel, bot, body)
    assert resp.status == 200
    assert bot.messages == [] and fake_twilio.bodies(CITIZEN) == [SMS[reply]]


async def test_picture_without_text_gets_a_clear_reply(channel, fake_twilio):
    bot = Bot()
    await post(channel, bot, "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1",
               MediaContentType0="image/jpeg")
    assert bot.messages == [] and fake_twilio.bodies(CITIZEN) == [SMS["not_text"]]


async def test_malformed_requests_get_4xx(channel):
    bot = Bot()
    form = twilio_form(ACCOUNT_SID, TWILIO_NUMBER, CITIZEN, "hi", "SM9")
    body = urlencode(form).encode()
    json_body = await channel.accept(url=URL, body=b'{"Body": "hi"}', content_type="application/json",
                                     signature=sign(form), on_new_message=bot)
    assert json_body.status == 415
    binary = await channel.accept(url=URL, body=b"\xff\xfe\x00garbage\x80", content_type=FORM,
                                  signature=sign(form), on_new_message=bot)
    assert binary.status == 400
    no_sid = {k: v for k, v in form.items() if k not in {"MessageSid", "SmsSid", "SmsMessageSid"}}
    resp = await channel.accept(url=URL, body=urlencode(no_sid).encode(), content_type=FORM,
                                signature=sign(no_sid), on_new_message=bot)
    assert resp.status == 400
    other_account = {**form, "AccountSid": "AC" + "f" * 32}
    resp = await channel.accept(url=URL, body=urlencode(other_account).encode(), content_type=FORM,
                                signature=sign(other_account), on_new_message=bot)
    assert resp.status == 403
    assert (await channel.accept(url=URL, body=body, content_type=FORM, signature=sign(form),
                                 on_new_message=bot)).status == 200
    await channel.background.drain()
    assert len(bot.messages) == 1


@pytest.mark.parametrize("sender", ["", "anonymous", "+1", "<script>alert(1)</script>"])
async def test_unknown_sender_is_400(channel, sender):
    bot = Bot()
    resp = await post(channel, bot, "hi", sender=sender)
    assert resp.status == 400 and bot.messages == []


async def test_the_number_is_never_stored_or_logged_in_clear(channel, fake_twilio, sqlite_store, caplog):
    caplog.set_level(logging.DEBUG)
    bot = Bot(buttons=[{"title": "Yes", "payload": "/affirm"}])
    await post(channel, bot, "hi")
    await post(channel, bot, "STOP")
    digits = CITIZEN[2:]
    with sqlite_store.engine.connect() as conn:
        for table in ("channel_sms_contact", "channel_processed_message", "channel_button_offer"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                assert digits not in " ".join(str(v) for v in row), table
    assert digits not in caplog.text


async def test_twilio_saying_the_recipient_unsubscribed_records_the_opt_out(channel, fake_twilio, sqlite_store):
    fake_twilio.fail_next(400, 21610)
    await post(channel, Bot(), "hi")
    assert fake_twilio.to(CITIZEN) == []
    assert sqlite_store.is_opted_out(sender_key(CITIZEN, CHANNEL_KEY))
