"""The Discord adapter: the discord.py client and its embed renderer."""
