"""End to end: the bot in-process against the fake Bot API (tests/README.md)."""
