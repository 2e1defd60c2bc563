"""One adapter per chat platform, each implementing bot.adapters.base.Adapter."""
