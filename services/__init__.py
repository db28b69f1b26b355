"""Use cases needed by more than one entry point (bot, CLI). No aiogram, no SQL strings."""
