"""Web pages of the briefs: topic, claim, source, search and index, served on the bot's $PORT."""
