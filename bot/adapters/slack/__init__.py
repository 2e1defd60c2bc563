"""The Slack adapter: the bolt app and its Block Kit renderer."""
