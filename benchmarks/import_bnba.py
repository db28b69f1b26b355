"""BNBA import speed and memory: a generated 100,000-row CSV into a fresh SQLite database.

Prints, in one run: the raw CSV parse rate (csv.DictReader, the floor any importer pays),
the first import (rows/s, every row new: hashing and Fernet encryption of each NIK/KK),
a re-import of the same file (every row unchanged: no writes), and memory: the process's
max RSS before and after, and tracemalloc's peak of Python allocations during a separate
first import (tracing slows that run, so it is not timed).
The import goes through `services.bnba_import.import_file`, the same code as /impor and
`python -m bot import`. Goal: at least 5,000 rows/s. CPU-time rates are printed too: on a
shared machine the wall-clock rate mostly measures the neighbours.

    .venv/bin/python benchmarks/import_bnba.py [--rows 100000] [--keep DIR] [--no-tracemalloc]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.protect import Protector
from db.seed import read_regions
from services.bnba_file import COLUMNS
from services.bnba_import import import_file

NAMES = ["Ahmad", "Siti", "Budi", "Dewi", "Joko", "Sri", "Agus", "Nur", "Rina", "Slamet",
         "Wati", "Andi", "Putri", "Bayu", "Yanti", "Dedi", "Lilis", "Asep", "Euis"]  # fmt: skip
FAMILY = ["Suryadi", "Santoso", "Lestari", "Wijaya", "Pratama", "Hidayat", "Saputra", "Rahayu"]
PROGRAMS = ["BLT", "PKH", "BPNT", "RUTILAHU", "BLT, PKH", "BPNT; PKH"]


def _date(rng: random.Random, start: int, end: int) -> dt.date:
    return dt.date(start, 1, 1) + dt.timedelta(days=rng.randrange((end - start) * 365))


def _number(rng: random.Random, region: str, day: dt.date, offset: int, used: set[str]) -> str:
    while True:
        text = f"{region}{day.day + offset:02d}{day:%m%y}{rng.randrange(1, 10000):04d}"
        if text not in used:
            used.add(text)
            return text


def generate(path: Path, rows: int, seed: int = 7) -> int:
    """Write a BNBA CSV of `rows` people in families of 1-6; returns the number of KKs."""
    rng = random.Random(seed)
    desa = [
        (r["code"], r["parent_code"])
        for r in read_regions()
        if r["level"] in ("desa", "kelurahan")
    ]
    used: set[str] = set()
    families = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        written = 0
        while written < rows:
            desa_code, kecamatan_code = rng.choice(desa)
            region = str(kecamatan_code).replace(".", "")
            kk = _number(rng, region, _date(rng, 2005, 2024), 0, used)
            size = min(rng.randint(1, 6), rows - written)
            program = rng.choice(PROGRAMS)
            address = f"Kp. {rng.choice(FAMILY)} No. {rng.randint(1, 200)}"
            rt, rw = f"{rng.randint(1, 20):03d}", f"{rng.randint(1, 12):03d}"
            for i in range(size):
                relation = "kepala keluarga" if i == 0 else ("istri" if i == 1 else "anak")
                female = relation == "istri" or (relation == "anak" and rng.random() < 0.5)
                born = _date(rng, 1950 if i < 2 else 1995, 1990 if i < 2 else 2024)
                nik = _number(rng, region, born, 40 if female else 0, used)
                writer.writerow([
                    kk, nik, f"{rng.choice(NAMES)} {rng.choice(FAMILY)}", relation,
                    "P" if female else "L", born.strftime("%d-%m-%Y"), address, rt, rw,
                    str(kecamatan_code), str(desa_code), program, "", "", "",
                ])  # fmt: skip
            written += size
            families += 1
    return families


def parse_rate(path: Path) -> float:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _row in csv.DictReader(handle))
    return count / (time.perf_counter() - start)


def describe(code: str, params: dict) -> str:
    return f"{code} {params}"


async def _import(path: Path, db: Path, protector: Protector, times: int = 1) -> list[tuple]:
    """Import `times` into a fresh database: [(summary, wall s, cpu s), ...]."""
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    results = []
    try:
        for _ in range(times):
            wall, cpu = time.perf_counter(), time.process_time()
            summary = await import_file(path, sessionmaker, protector, describe, via="benchmark")
            results.append((summary, time.perf_counter() - wall, time.process_time() - cpu))
    finally:
        await engine.dispose()
    return results


def _rate(rows: int, wall: float, cpu: float) -> str:
    return f"{rows / wall:,.0f} rows/s wall ({wall:.1f} s), {rows / cpu:,.0f} rows/s of CPU time"


async def run(rows: int, folder: Path, memory: bool) -> None:
    csv_path = folder / "bnba.csv"
    started = time.perf_counter()
    families = generate(csv_path, rows)
    print(f"generated {rows:,} rows, {families:,} KK, {csv_path.stat().st_size / 1e6:.1f} MB "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    print(f"baseline: raw csv.DictReader parse {parse_rate(csv_path):,.0f} rows/s")
    protector = Protector(os.urandom(32))

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (first, wall, cpu), (again, wall2, cpu2) = await _import(
        csv_path, folder / "bench.db", protector, times=2
    )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"first import: {first.rows:,} rows, added {first.added:,}, rejected "
          f"{first.rejected}: {_rate(first.rows, wall, cpu)}")  # fmt: skip
    print(f"re-import (unchanged {again.unchanged:,}, added {again.added}, updated "
          f"{again.updated}): {_rate(again.rows, wall2, cpu2)}")  # fmt: skip
    print(f"first import vs raw parse: {first.rows / wall / parse_rate(csv_path):.1%}")
    print(f"process max RSS: {rss_before:.0f} MB before the imports, {rss_after:.0f} MB after "
          f"(+{rss_after - rss_before:.0f} MB)")  # fmt: skip
    if memory:
        tracemalloc.start()
        await _import(csv_path, folder / "bench_memory.db", protector)
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc peak of Python allocations during a first import: {peak / 1e6:.1f} MB"
              " (a separate run: tracing slows it down several times)")  # fmt: skip
    print(f"goal >= 5,000 rows/s (wall): {'met' if first.rows / wall >= 5000 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the memory run")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(args.rows, args.keep, not args.no_tracemalloc))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.rows, Path(folder), not args.no_tracemalloc))


if __name__ == "__main__":
    main()
