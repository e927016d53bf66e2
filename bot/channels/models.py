"""Channel tables (on bot.db.Base): SMS opt-outs, webhook de-duplication."""
