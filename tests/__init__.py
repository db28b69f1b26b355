"""The test suite (tests/README.md)."""

from pathlib import Path

# The project folder, wherever in tests/ a module sits.
ROOT = Path(__file__).resolve().parent.parent
