"""Database tests, on SQLite and PostgreSQL (tests/README.md)."""
