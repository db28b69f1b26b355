"""A real `python -m bot` process against the fake over HTTP (tests/README.md)."""
