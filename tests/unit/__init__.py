"""Unit tests: no database, no bot (tests/README.md)."""
