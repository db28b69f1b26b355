"""What a resident's message is about, read by a trained classifier (services.understanding.model).

`read(text)` gives the journey the bot would act on, or None where it is not confident
enough to guess (the bot then offers the likeliest journeys and a person), the confidence,
the ranked journeys, and whether the message shows an emergency. A wrong guess is worse than
asking, so the confidence bar is set for at most a few wrong guesses in a hundred
(benchmarks/understanding.py measures it on messages never used for training).
Framework-free: no aiogram, no database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from services.understanding.model import (
    INTENTS,
    Example,
    Features,
    load_examples,
    probabilities,
    probabilities_of,
    train,
)

__all__ = [
    "INTENTS",
    "OFFERED",
    "TO_A_PERSON",
    "Example",
    "Reader",
    "Reading",
    "load_examples",
    "read",
    "reader",
]

# Journeys a button can start. Aid not received and anything else go to a person (always
# offered beside them); a greeting needs no button.
OFFERED = ("jadwal", "daftar", "lapor", "pelatihan", "dataku", "cek", "bantuan")
TO_A_PERSON = ("belum_menerima", "lainnya")

# Below this probability the bot asks instead of guessing. Chosen by cross-validation on the
# training part (benchmarks/understanding.py --tune), never on the held-out part.
CONFIDENT = 0.55
# The emergency flag is raised from this probability: a missed emergency costs more than a
# volunteer's look at a message that was not one.
URGENT = 0.3


@dataclass(frozen=True)
class Reading:
    intent: str | None  # None: not confident enough to act
    confidence: float
    urgent: bool
    ranked: tuple[tuple[str, float], ...]  # every journey, likeliest first
    knows_a_word: bool = True  # False: no word of it was seen in training ("qwerty")

    def offers(self, n: int = 3, floor: float = 0.05) -> list[str]:
        """The journeys offered as buttons when the bot does not guess: up to `n` of the
        likeliest that a button can start (beside them, a person is always offered)."""
        return [i for i, p in self.ranked if i in OFFERED and p >= floor][:n]


class Reader:
    """The two trained models; `read` is thread-safe (it only predicts)."""

    def __init__(
        self, examples: list[Example], confident: float = CONFIDENT, urgent: float = URGENT
    ) -> None:
        texts = [e.text for e in examples]
        self.confident = confident
        self.urgent_from = urgent
        self.features = Features(texts)
        matrix = self.features.of(texts)
        self.intents = train(matrix, [e.intent for e in examples])
        self.urgency_model = train(matrix, [int(e.urgent) for e in examples])
        self._classes = [str(c) for c in self.intents.classes_]
        self._urgent_column = list(self.urgency_model.classes_).index(1)

    def urgency(self, text: str) -> float:
        """The probability that `text` shows an emergency."""
        row = probabilities_of(self.urgency_model, self.features.vector(text))
        return float(row[self._urgent_column])

    def read(self, text: str) -> Reading:
        vector = self.features.vector(text)
        return self._reading(
            probabilities_of(self.intents, vector),
            probabilities_of(self.urgency_model, vector)[self._urgent_column],
            knows_a_word=self.features.knows_a_word(vector),
        )

    def read_many(self, texts: list[str]) -> list[Reading]:
        """Many texts at once (evaluation): one matrix product instead of one per text."""
        matrix = self.features.of(texts)
        intents = probabilities(self.intents, matrix)
        urgency = probabilities(self.urgency_model, matrix)[:, self._urgent_column]
        known = [self.features.knows_a_word(self.features.vector(t)) for t in texts]
        return [
            self._reading(row, u, knows_a_word=k)
            for row, u, k in zip(intents, urgency, known, strict=True)
        ]

    def _reading(self, row: Any, urgent: float, knows_a_word: bool) -> Reading:
        ranked = tuple(sorted(
            ((c, float(p)) for c, p in zip(self._classes, row, strict=True)),
            key=lambda item: -item[1],
        ))  # fmt: skip
        best, confidence = ranked[0]
        return Reading(
            intent=best if confidence >= self.confident and knows_a_word else None,
            confidence=confidence,
            urgent=bool(urgent >= self.urgent_from),
            ranked=ranked,
            knows_a_word=knows_a_word,
        )


_reader: Reader | None = None
_lock = threading.Lock()


def reader() -> Reader:
    """The process's reader, trained on first use (about a second; the bot warms it at start)."""
    global _reader
    with _lock:
        if _reader is None:
            _reader = Reader(load_examples("train"))
        return _reader


def read(text: str) -> Reading:
    return reader().read(text)
