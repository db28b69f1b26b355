"""The trained reader's parts: word and character n-grams, logistic regression (scikit-learn).

Two models on the same features: which journey (intent, ten classes) and whether it is an
emergency (urgent, yes/no). Trained in a second or two from the labeled messages in data/
(`train.tsv`; `heldout.tsv` is never used here: benchmarks/understanding.py scores on it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from services.understanding.normalize import spelled, stemmed

DATA = Path(__file__).resolve().parent / "data"

INTENTS = (
    "jadwal", "belum_menerima", "daftar", "lapor", "pelatihan", "dataku", "cek", "bantuan",
    "sapaan", "lainnya",
)  # fmt: skip


@dataclass(frozen=True)
class Example:
    intent: str
    urgent: bool
    source: str
    text: str


def load_examples(split: str = "train") -> list[Example]:
    """The labeled messages of `split` ("train" or "heldout")."""
    with (DATA / f"{split}.tsv").open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        examples = [
            Example(row["intent"], row["urgent"] == "1", row["source"], row["text"]) for row in rows
        ]
    unknown = {e.intent for e in examples} - set(INTENTS)
    if unknown:
        raise ValueError(f"unknown intents in {split}.tsv: {sorted(unknown)}")
    return examples


class Features:
    """Word stems (1-2 grams) carry meaning; character 2-5 grams within words carry typos,
    run-together words and affixes the stemmer does not know."""

    def __init__(self, texts: list[str]) -> None:
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+", lowercase=False
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=False
        )
        self.words.fit([stemmed(t) for t in texts])
        self.chars.fit([spelled(t) for t in texts])

        self._analyzers = (self.words.build_analyzer(), self.chars.build_analyzer())
        self._offset = len(self.words.vocabulary_)

    def vector(self, text: str) -> tuple[Any, Any]:
        """The features of one text as (column indices, values): the row `of([text])` holds,
        computed from the fitted vocabularies and idf weights (public attributes) without
        the vectorizers' input checks, which cost a millisecond each per text."""
        parts = [
            _tfidf(self.words, self._analyzers[0](stemmed(text)), 0),
            _tfidf(self.chars, self._analyzers[1](spelled(text)), self._offset),
        ]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def knows_a_word(self, vector: tuple[Any, Any]) -> bool:
        """Whether any word (stem) of the text was seen in training: character n-grams alone
        ("qwerty" shares "er" and "ty" with real words) are no ground to act on."""
        return bool((vector[0] < self._offset).any())

    def of(self, texts: list[str]) -> Any:
        return hstack([
            self.words.transform([stemmed(t) for t in texts]),
            self.chars.transform([spelled(t) for t in texts]),
        ]).tocsr()  # fmt: skip


def _tfidf(vectorizer: TfidfVectorizer, terms: list[str], offset: int) -> tuple[Any, Any]:
    """TF-IDF of one document's terms as the fitted `vectorizer` weighs them: sublinear term
    frequency (1 + log count) times idf, scaled to unit length (l2)."""
    counts: dict[int, int] = {}
    vocabulary = vectorizer.vocabulary_
    for term in terms:
        column = vocabulary.get(term)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
    values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
    values *= vectorizer.idf_[columns]
    norm = np.sqrt(values @ values)
    if norm > 0:
        values /= norm
    return columns + offset, values


def train(matrix: Any, labels: list[Any], c: float = 10.0) -> LogisticRegression:
    """Multinomial logistic regression, classes weighted alike. One thread: the matrices are
    small, and several BLAS threads on a busy 2-core server made training 20 times slower."""
    with threadpool_limits(limits=1):
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", solver="newton-cg")
        return model.fit(matrix, labels)


def probabilities(model: LogisticRegression, matrix: Any) -> Any:
    """`model.predict_proba(matrix)` from the fitted coefficients (`coef_`, `intercept_`):
    the same softmax (sigmoid for two classes), without the input checks that cost several
    times the prediction for one short text."""
    return softmax(np.asarray(matrix @ model.coef_.T) + model.intercept_)


def probabilities_of(model: LogisticRegression, vector: tuple[Any, Any]) -> Any:
    """The probabilities of one text's features (`Features.vector`)."""
    columns, values = vector
    return softmax((model.coef_[:, columns] @ values + model.intercept_)[np.newaxis, :])[0]


def softmax(scores: Any) -> Any:
    if scores.shape[1] == 1:  # two classes: one score for the second
        second = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.column_stack([1.0 - second, second])
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)
