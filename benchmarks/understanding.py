"""How well the bot reads residents' messages: on the held-out part of the labeled set
(services/understanding/data/heldout.tsv, never used for training).

    .venv/bin/python benchmarks/understanding.py            # figures on the held-out part
    .venv/bin/python benchmarks/understanding.py --tune     # pick the bars by cross-validation
                                                            # on the training part only

Figures: accuracy and macro-F1 of the likeliest journey; the share the bot acts on and gets
right, acts on and gets wrong ("wrong with confidence"), and asks about (then it offers the
two or three likeliest journeys and a person: "asked, right one offered" counts those where
the right journey is among the buttons, or is one for a person: aid not received, anything
else); the emergency flag's precision and recall; and
milliseconds per message, one message at a time as the bot reads them (first pass: stems
not yet cached; second pass: cached, as in a running bot).
Goals: at least 85% routed right, at most 5% wrong with confidence, under 2 ms a message.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import StratifiedKFold

from services.understanding import (
    CONFIDENT,
    TO_A_PERSON,
    URGENT,
    Example,
    Reader,
    Reading,
    load_examples,
)
from services.understanding.normalize import stem


def score(examples: list[Example], readings: list[Reading]) -> dict[str, float]:
    n = len(examples)
    top = [r.ranked[0][0] for r in readings]
    truth = [e.intent for e in examples]
    acted_right = sum(r.intent == e.intent for e, r in zip(examples, readings, strict=True))
    acted_wrong = sum(
        r.intent is not None and r.intent != e.intent
        for e, r in zip(examples, readings, strict=True)
    )
    asked = [(e, r) for e, r in zip(examples, readings, strict=True) if r.intent is None]
    asked_offered = sum(e.intent in r.offers() or e.intent in TO_A_PERSON for e, r in asked)
    flagged = [r.urgent for r in readings]
    urgent = [e.urgent for e in examples]
    true_pos = sum(f and u for f, u in zip(flagged, urgent, strict=True))
    return {
        "accuracy": sum(t == p for t, p in zip(truth, top, strict=True)) / n,
        "macro_f1": float(f1_score(truth, top, average="macro")),
        "acted_right": acted_right / n,
        "acted_wrong": acted_wrong / n,
        "asked": len(asked) / n,
        "asked_offered": asked_offered / n,
        "routed_right": (acted_right + asked_offered) / n,
        "urgent_precision": true_pos / max(1, sum(flagged)),
        "urgent_recall": true_pos / max(1, sum(urgent)),
    }


def print_scores(title: str, s: dict[str, float]) -> None:
    print(title)
    print(f"  accuracy (likeliest journey)       {s['accuracy']:6.1%}")
    print(f"  macro-F1                           {s['macro_f1']:6.3f}")
    print(f"  acted on, right                    {s['acted_right']:6.1%}")
    print(f"  acted on, wrong (with confidence)  {s['acted_wrong']:6.1%}   goal: at most 5%")
    print(f"  asked (buttons + a person)         {s['asked']:6.1%}")
    print(f"    of which the right one offered   {s['asked_offered']:6.1%}")
    print(
        f"  routed right (acted right + asked with the right one offered)"
        f" {s['routed_right']:6.1%}   goal: at least 85%"
    )
    print(
        f"  emergency flag: precision {s['urgent_precision']:.1%}, recall {s['urgent_recall']:.1%}"
    )


def heldout() -> None:
    train, test = load_examples("train"), load_examples("heldout")
    started = time.perf_counter()
    model = Reader(train)
    trained = time.perf_counter() - started
    print(
        f"labeled set: {len(train)} training, {len(test)} held-out messages; "
        f"{len(Counter(e.intent for e in train))} journeys; trained in {trained:.2f} s "
        f"(bars: act from {CONFIDENT:.2f}, emergency from {URGENT:.2f})"
    )
    stem.cache_clear()
    timings = {}
    for pass_name in ("first pass", "second pass"):
        times, readings = [], []
        for e in test:
            t0 = time.perf_counter()
            readings.append(model.read(e.text))
            times.append(time.perf_counter() - t0)
        timings[pass_name] = times
    print_scores("held-out:", score(test, readings))
    for pass_name, times in timings.items():
        ordered = sorted(times)
        print(
            f"  ms per message, {pass_name:<11}    mean {statistics.mean(times) * 1e3:.2f}  "
            f"p50 {ordered[len(ordered) // 2] * 1e3:.2f}  "
            f"p99 {ordered[int(len(ordered) * 0.99)] * 1e3:.2f}   goal: under 2 ms"
        )
    print()
    top = [r.ranked[0][0] for r in readings]
    print(classification_report([e.intent for e in test], top, digits=3, zero_division=0))


def tune() -> None:
    """Cross-validation on the training part: each bar's share acted wrong and routed right."""
    train = load_examples("train")
    labels = [e.intent for e in train]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
    pairs: list[tuple[Example, list[tuple[str, float]], float]] = []
    for fit, check in folds.split(train, labels):
        model = Reader([train[i] for i in fit])
        for i in check:
            reading = model.read(train[i].text)
            urgency = model.urgency(train[i].text)
            pairs.append((train[i], list(reading.ranked), urgency))
    print(f"5-fold cross-validation on {len(train)} training messages")
    print(" bar   acted right  acted wrong  asked  routed right")
    for bar in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        readings = [
            Reading(r[0][0] if r[0][1] >= bar else None, r[0][1], u >= URGENT, tuple(r))
            for _e, r, u in pairs
        ]
        s = score([e for e, _r, _u in pairs], readings)
        print(
            f" {bar:.2f}  {s['acted_right']:10.1%}  {s['acted_wrong']:10.1%}  "
            f"{s['asked']:5.1%}  {s['routed_right']:11.1%}"
        )
    print(" emergency bar  precision  recall")
    for bar in (0.2, 0.3, 0.4, 0.5, 0.6):
        flagged = [u >= bar for _e, _r, u in pairs]
        truth = [e.urgent for e, _r, _u in pairs]
        tp = sum(f and t for f, t in zip(flagged, truth, strict=True))
        print(
            f" {bar:.2f}          {tp / max(1, sum(flagged)):8.1%}  {tp / max(1, sum(truth)):6.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tune", action="store_true", help="cross-validate the bars instead")
    args = parser.parse_args()
    tune() if args.tune else heldout()


if __name__ == "__main__":
    main()
