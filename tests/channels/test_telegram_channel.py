"""The Telegram channel's logic without Rasa: real Bot API update payloads in, a fake Bot API server out."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.channels.identity import telegram_secret_token
from bot.channels.messages import GREETING, TELEGRAM, WANTS_PERSON
from bot.channels.telegram import SignpostTelegramInput, SignpostTelegramOutput
from tests.channels.conftest import CHANNEL_KEY, TELEGRAM_TOKEN, TELEGRAM_USERNAME
from tests.channels.fakes import telegram_callback_update, telegram_message_update
from tests.channels.test_twilio_channel import Bot

CHAT = 424242
WEBHOOK = "https://signpost.example/webhooks/telegram/webhook"
SECRET = telegram_secret_token(CHANNEL_KEY, TELEGRAM_TOKEN)
LONG_PAYLOAD = '/inform_location{"place": "CA-NS-halifax-regional-municipality", "confirmed": true}'


@pytest.fixture
async def channel(sqlite_store, fake_telegram):
    ch = SignpostTelegramInput(TELEGRAM_TOKEN, TELEGRAM_USERNAME, WEBHOOK, key=CHANNEL_KEY, store=sqlite_store,
                               api_base=fake_telegram.url)
    yield ch
    await ch.background.drain()
    if ch._output is not None:
        await ch._output.close_session()


_ids = iter(range(1000, 10**6))


async def send(channel, bot, update: dict | bytes | str, *, secret: str | None = SECRET, drain: bool = True):
    body = update if isinstance(update, bytes) else (update if isinstance(update, str) else json.dumps(update)).encode()
    resp = await channel.accept(body=body, secret=secret, on_new_message=bot)
    if drain:
        await channel.background.drain()
    return resp


async def say(channel, bot, text: str | None, **extra):
    return await send(channel, bot, telegram_message_update(next(_ids), CHAT, text, **extra))


async def test_output_channel_is_cached_and_safe_inside_the_running_loop(channel):
    # Rasa 3.6 runs asyncio.run(set_webhook) here, which fails in a running loop (RasaHQ/rasa#13040).
    first = channel.get_output_channel()
    assert isinstance(first, SignpostTelegramOutput) and channel.get_output_channel() is first


async def test_webhook_is_set_with_our_secret_and_the_bot_is_verified(channel, fake_telegram):
    assert await channel.setup_webhook() is True
    [call] = fake_telegram.called("setWebhook")
    assert call["url"] == WEBHOOK and call["secret_token"] == SECRET
    assert call["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert fake_telegram.called("getMe")


async def test_wrong_bot_username_is_reported(sqlite_store, fake_telegram):
    ch = SignpostTelegramInput(TELEGRAM_TOKEN, "someone_else_bot", WEBHOOK, key=CHANNEL_KEY, store=sqlite_store,
                               api_base=fake_telegram.url)
    assert await ch.setup_webhook() is False
    await ch.get_output_channel().close_session()


async def test_a_text_message_reaches_the_bot_and_the_reply_goes_to_the_chat(channel, fake_telegram):
    bot = Bot()
    resp = await say(channel, bot, "I lost my job")
    assert resp.status == 200
    [message] = bot.messages
    assert (message.text, message.sender_id, message.input_channel) == ("I lost my job", str(CHAT), "telegram")
    assert fake_telegram.texts(CHAT) == ["Hi, I'm Signpost."]


@pytest.mark.parametrize("secret", [None, "", "wrong"])
async def test_updates_without_our_secret_are_403(channel, fake_telegram, secret):
    bot = Bot()
    resp = await send(channel, bot, telegram_message_update(next(_ids), CHAT, "hi"), secret=secret)
    assert resp.status == 403 and bot.messages == []


async def test_a_repeated_update_id_is_processed_once(channel):
    bot = Bot()
    update = telegram_message_update(next(_ids), CHAT, "hi")
    assert (await send(channel, bot, update)).status == 200
    assert (await send(channel, bot, update)).status == 200
    assert bot.texts == ["hi"]


async def test_commands(channel, fake_telegram):
    bot = Bot()
    await say(channel, bot, "/start")
    await say(channel, bot, f"/agent@{TELEGRAM_USERNAME}")
    await say(channel, bot, "person")
    await say(channel, bot, "/restart")
    assert bot.texts == [GREETING, WANTS_PERSON, WANTS_PERSON, "restart"]  # no intent injection
    await say(channel, bot, "/help")
    assert fake_telegram.texts(CHAT)[-1] == TELEGRAM["help"]


async def test_buttons_are_an_inline_keyboard_whose_callback_reaches_the_bot(channel, fake_telegram):
    buttons = [{"title": "Halifax, Nova Scotia", "payload": LONG_PAYLOAD}, {"title": "Halifax, England",
                                                                            "payload": "/deny"}]
    await say(channel, Bot(reply="Which Halifax do you mean?", buttons=buttons), "Halifax")
    [sent] = fake_telegram.sent(CHAT)
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["Halifax, Nova Scotia"], ["Halifax, England"]]
    data = keyboard[0][0]["callback_data"]
    assert len(data.encode()) <= 64 and LONG_PAYLOAD not in data
    bot = Bot()
    await send(channel, bot, telegram_callback_update(next(_ids), CHAT, data))
    assert bot.texts == [LONG_PAYLOAD]
    assert fake_telegram.called("answerCallbackQuery")


async def test_forged_or_stale_callback_data_is_not_injected(channel, fake_telegram):
    bot = Bot()
    await send(channel, bot, telegram_callback_update(next(_ids), CHAT, '/affirm{"location": "US-CO"}'))
    await send(channel, bot, telegram_callback_update(next(_ids), CHAT, "sp:0000000000000000"))
    assert bot.messages == []
    assert fake_telegram.texts(CHAT) == [TELEGRAM["expired_button"]] * 2


async def test_long_replies_are_split_under_telegrams_limit(channel, fake_telegram):
    reply = ("This sentence is about forty characters. " * 200).strip()
    await say(channel, Bot(reply=reply), "hi")
    texts = fake_telegram.texts(CHAT)
    assert len(texts) >= 2 and all(len(t) <= 4096 for t in texts)
    assert " ".join(texts).split() == reply.split()


async def test_a_bot_blocked_by_the_user_does_not_crash(channel, fake_telegram):
    fake_telegram.blocked_chats.add(str(CHAT))
    resp = await say(channel, Bot(), "hi")
    assert resp.status == 200


async def test_a_failing_bot_gets_an_apology(channel, fake_telegram):
    bot = Bot()
    bot.fail = True
    await say(channel, bot, "hi")
    assert fake_telegram.texts(CHAT) == [TELEGRAM["error"]]


@pytest.mark.parametrize("text,reply", [
    ("", "empty"), ("   ", "empty"), ("x" * 100_000, "too_long"),
    ("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f", "unreadable"),
    ("\U0001F600\U0001F622\U0001F44D", "emoji_only"),
])
async def test_bad_text_gets_a_clear_reply(channel, fake_telegram, text, reply):
    bot = Bot()
    assert (await say(channel, bot, text)).status == 200
    assert bot.messages == [] and fake_telegram.texts(CHAT) == [TELEGRAM[reply]]


@pytest.mark.parametrize("extra,reply", [
    ({"sticker": {"file_id": "CAAC", "emoji": "\U0001F600", "width": 512, "height": 512}}, "emoji_only"),
    ({"photo": [{"file_id": "AgAC", "width": 90, "height": 90}]}, "not_text"),
    ({"voice": {"file_id": "AwAC", "duration": 3}}, "not_text"),
    ({"location": {"latitude": 44.65, "longitude": -63.57}}, "location"),
])
async def test_non_text_messages_get_a_clear_reply(channel, fake_telegram, extra, reply):
    bot = Bot()
    assert (await say(channel, bot, None, **extra)).status == 200
    assert bot.messages == [] and fake_telegram.texts(CHAT) == [TELEGRAM[reply]]


@pytest.mark.parametrize("body", [
    b"{not json", b"", b"\xff\xfe\x00\x01binary", b"[1, 2, 3]", b'"a string"', b'{"message": {"text": "hi"}}',
    json.dumps({"update_id": "7", "message": {}}).encode(),
])
async def test_malformed_updates_are_400(channel, body):
    bot = Bot()
    resp = await send(channel, bot, body)
    assert resp.status == 400 and bot.messages == []


@pytest.mark.parametrize("update", [
    {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "hi"}},  # no chat: unknown sender
    {"update_id": 2, "message": {"message_id": 1, "date": 0, "chat": {"type": "private"}, "text": "hi"}},
    {"update_id": 3, "message": "hi"},
    {"update_id": 4, "callback_query": {"id": "1", "data": "x"}},
])
async def test_updates_without_a_sender_are_400(channel, update):
    bot = Bot()
    resp = await send(channel, bot, update)
    assert resp.status == 400 and bot.messages == []


async def test_other_update_kinds_and_bots_are_ignored_with_200(channel, fake_telegram):
    bot = Bot()
    member = {"update_id": next(_ids), "my_chat_member": {"chat": {"id": CHAT, "type": "private"}}}
    assert (await send(channel, bot, member)).status == 200
    from_bot = telegram_message_update(next(_ids), CHAT, "hi")
    from_bot["message"]["from"]["is_bot"] = True
    assert (await send(channel, bot, from_bot)).status == 200
    await asyncio.sleep(0)
    assert bot.messages == [] and fake_telegram.texts(CHAT) == []
