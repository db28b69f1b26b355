"""Checks the labeled set (services/understanding/data): 4 fields, valid intent, urgent and
source, sizes, urgent share, no text in both train.tsv and heldout.tsv.

Run: .venv/bin/python scripts/check_labeled_set.py   (exit status 1 on any problem)
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "services" / "understanding" / "data"
INTENTS = (
    "jadwal",
    "belum_menerima",
    "daftar",
    "lapor",
    "pelatihan",
    "dataku",
    "cek",
    "bantuan",
    "sapaan",
    "lainnya",
)
MINIMUM = {"train.tsv": 75, "heldout.tsv": 25}
HEADER = "intent\turgent\tsource\ttext"
LONG_NUMBER = re.compile(r"\d{16}")


def source_ids() -> set[str]:
    text = (HERE / "SOURCES.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*(S\d+)\s*\|", text, flags=re.M))


def read(name: str, problems: list[str], sources: set[str]) -> list[tuple[str, str, str, str]]:
    lines = (HERE / name).read_text(encoding="utf-8").split("\n")
    if lines[0] != HEADER:
        problems.append(f"{name}: bad header {lines[0]!r}")
    rows = []
    for number, line in enumerate(lines[1:], 2):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            problems.append(f"{name}:{number}: {len(fields)} fields")
            continue
        intent, urgent, source, text = fields
        if intent not in INTENTS:
            problems.append(f"{name}:{number}: intent {intent!r}")
        if urgent not in ("0", "1"):
            problems.append(f"{name}:{number}: urgent {urgent!r}")
        if source != "tulis" and source not in sources:
            problems.append(f"{name}:{number}: source {source!r} not in SOURCES.md")
        if not text.strip():
            problems.append(f"{name}:{number}: empty text")
        if LONG_NUMBER.search(text):
            problems.append(f"{name}:{number}: 16-digit number in text")
        rows.append((intent, urgent, source, text))
    return rows


def main() -> int:
    problems: list[str] = []
    sources = source_ids()
    data = {name: read(name, problems, sources) for name in MINIMUM}
    print(f"{'intent':16} {'train':>6} {'held':>6} {'urg_tr':>7} {'urg_he':>7}")
    for intent in INTENTS:
        counts = [sum(r[0] == intent for r in data[n]) for n in MINIMUM]
        urgent = [sum(r[0] == intent and r[1] == "1" for r in data[n]) for n in MINIMUM]
        print(f"{intent:16} {counts[0]:6} {counts[1]:6} {urgent[0]:7} {urgent[1]:7}")
        for name, count in zip(MINIMUM, counts, strict=True):
            if count < MINIMUM[name]:
                problems.append(f"{name}: only {count} lines for {intent}")
    all_rows = [r for rows in data.values() for r in rows]
    urgent_share = sum(r[1] == "1" for r in all_rows) / len(all_rows)
    sourced = Counter(r[2] != "tulis" for r in all_rows)[True]
    print(
        f"total {len(all_rows)} (train {len(data['train.tsv'])}, "
        f"heldout {len(data['heldout.tsv'])})"
    )
    print(
        f"urgent {urgent_share:.1%}; sourced lines {sourced}; "
        f"source ids used {len({r[2] for r in all_rows} - {'tulis'})}"
    )
    for name, rows in data.items():
        seen = Counter(r[3].casefold() for r in rows)
        problems += [f"{name}: duplicate text {t!r}" for t, c in seen.items() if c > 1]
    train = {r[3].casefold() for r in data["train.tsv"]}
    problems += [
        f"in both files: {r[3]!r}" for r in data["heldout.tsv"] if r[3].casefold() in train
    ]
    if urgent_share < 0.12:
        problems.append(f"urgent share {urgent_share:.1%} < 12%")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
