"""A training as residents read it: the days and daily hours, and what staff wrote of it."""

from __future__ import annotations

import datetime as dt

from db.models.aid import Training
from handlers.residents.training_texts import training_text
from tests.harness import in_id

UTC = dt.UTC


def test_days_daily_hours_and_the_description() -> None:
    training = Training(
        title="Menjahit", provider="BLK", place="Cikarang", capacity=10, seats_taken=0,
        min_age=15, max_age=64,
        starts_at=dt.datetime(2026, 12, 7, 1, 0, tzinfo=UTC),  # 08.00 WIB
        ends_at=dt.datetime(2026, 12, 11, 5, 0, tzinfo=UTC),  # 12.00 WIB
        description="Belajar menjahit pakaian   dasar.\nAlat disediakan. " + "x" * 300,
    )  # fmt: skip
    text = in_id(training_text, training, 0)
    assert "7 Desember 2026 sampai 11 Desember 2026, setiap hari pukul 08.00-12.00 WIB" in text
    assert "Belajar menjahit pakaian dasar. Alat disediakan." in text
    assert text.endswith("…") and len(text) < 600
