"""A volunteer's card says an urgent report's reasons in words, not as stored codes."""

from __future__ import annotations

from handlers.volunteers.ui import task_detail
from services import tasks
from tests.harness import in_id


def test_urgent_reasons_in_words() -> None:
    said = in_id(task_detail, tasks.URGENT_REPORT, "food, house_safety")
    assert said == "Tidak ada makanan, Tidak aman, bisa roboh"
    assert "food" not in said
    assert in_id(task_detail, tasks.CORRECTION, "food") == "food"  # a person's own words
