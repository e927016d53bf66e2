"""Survey and analytics tables (on bot.db.Base)."""
