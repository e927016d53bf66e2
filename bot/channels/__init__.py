"""Channels as citizens use them: SMS (Twilio), Telegram, web; rendering per channel."""
