"""Every word the SMS and Telegram channels say themselves (keyword replies, bad-input replies).

Short, warm, plain GSM-7 text (no smart quotes, no emoji) so each fits one SMS segment.
The conversation itself speaks through the Rasa domain's responses, not from here.
"""

from __future__ import annotations

# What the citizen's keyword is passed to the bot as (the handoff feature picks it up from there).
WANTS_PERSON = "I want to talk to a person"
# What "/start" on Telegram (and a bare greeting keyword) is passed to the bot as.
GREETING = "hi"

SMS = {
    "stop": "You won't get any more texts from Signpost. Reply START any time to use it again.",
    "start": "Welcome back to Signpost. Tell me in a few words what happened, and I'll find services that fit.",
    "help": ("This is Signpost, an automated helper that finds public services for your situation. "
             "Reply AGENT to talk to a person, or STOP to end texts."),
    "empty": "Your message was empty. Tell me in a few words what happened, or reply HELP.",
    "too_long": "That message is too long for me. Please send it in a few shorter texts.",
    "not_text": "I can only read text, not pictures or files. Tell me in a few words what happened.",
    "emoji_only": "I can't read emoji yet. Tell me in a few words what happened, or reply HELP.",
    "unreadable": "Sorry, I couldn't read that message. Please type it again in plain words.",
    "error": "Sorry, something went wrong on my side. Please try again in a minute, or reply AGENT.",
    # "Reply 1 for ..., 2 for ..." — joined by bot.channels.sms.render_buttons
    "buttons_first": "Reply {number} for {title}",
    "buttons_next": "{number} for {title}",
}

TELEGRAM = {
    "help": ("I'm Signpost, an automated helper that finds public services for your situation. "
             "Tell me in your own words what happened. Send /agent to talk to a person."),
    "empty": "Your message was empty. Tell me in a few words what happened.",
    "too_long": "That message is too long for me. Please send it in a few shorter messages.",
    "not_text": "I can only read text messages for now. Tell me in a few words what happened.",
    "location": "Thanks. I can't use a shared location yet: please type your town or postal code.",
    "emoji_only": "I can't read emoji or stickers yet. Tell me in a few words what happened.",
    "unreadable": "Sorry, I couldn't read that message. Please type it again in plain words.",
    "error": "Sorry, something went wrong on my side. Please try again in a minute.",
    "expired_button": "That button has expired. Please type your answer instead.",
}
