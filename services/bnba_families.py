"""A BNBA file's rows as checked families (services.bnba_import reads it with this): the file
is read twice, as a stream, first only the KK numbers (to know where each KK's last row is), then
row by row, holding only the rows of KKs not yet complete. Also the counts an import keeps."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from services.bnba_file import BnbaFile
from services.bnba_rows import HEAD, Person, Reason, RegionIndex, check_row, kk_key
from services.rejected_file import RejectedFile

# Reading and checking rows is plain CPU work on the event loop: give it back this often, so
# the bot answers others during an import (on SQLite even the writes run on the loop).
YIELD_ROWS = 2000


@dataclass
class ImportSummary:
    """What an import did, row by row and household by household (shown to staff)."""

    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    households_added: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    rejected_file: Path | None = None

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


@dataclass
class Family:
    """A KK's valid rows with exactly one head, ready to be written (services.bnba_write)."""

    kk: str
    people: list[Person]
    head: Person
    kk_hash: str = ""
    digest: str = ""
    household_digest: str = ""
    member_digests: list[str] = field(default_factory=list)
    nik_hashes: list[str] = field(default_factory=list)
    household_changed: bool = False  # an existing household's own columns were updated


async def last_row_of_each_kk(source: BnbaFile) -> dict[str, int]:
    last: dict[str, int] = {}
    for count, (number, text) in enumerate(source.column("no_kk"), start=1):
        kk = kk_key({"no_kk": text})
        if kk is not None:
            last[kk] = number
        if count % YIELD_ROWS == 0:
            await asyncio.sleep(0)
    return last


def families(
    source: BnbaFile,
    last_row: dict[str, int],
    regions: RegionIndex,
    programs: set[str],
    today: dt.date,
    summary: ImportSummary,
    rejected: RejectedFile,
) -> Iterator[Family]:
    """Checked families in file order (a KK at its last row); rejects go to ``rejected``,
    a KK's rows together and in row order."""
    open_kks: dict[str, list[Person | Rejected]] = {}
    seen_nik: dict[int, int] = {}  # NIK (as an int: small) -> row it was first taken from
    for number, values, cells in source.rows():
        summary.rows += 1
        person = check_row(number, values, cells, regions, programs, today)
        kk = person.kk if isinstance(person, Person) else kk_key(values)
        entry = person if isinstance(person, Person) else Rejected(number, cells, person)
        if kk is None:
            assert isinstance(entry, Rejected)  # a row without a valid KK is never a Person
            rejected.add(entry.row, entry.cells, entry.reasons)
            summary.rejected += 1
            continue
        open_kks.setdefault(kk, []).append(entry)
        if last_row.get(kk) == number:
            family = _family(kk, open_kks.pop(kk), seen_nik, summary, rejected)
            if family is not None:
                yield family


@dataclass(slots=True)
class Rejected:
    row: int
    cells: list[str]
    reasons: list[Reason]
    warning: bool = False


def _family(
    kk: str,
    entries: list[Person | Rejected],
    seen_nik: dict[int, int],
    summary: ImportSummary,
    rejected: RejectedFile,
) -> Family | None:
    out = [e for e in entries if isinstance(e, Rejected)]
    kept: list[Person] = []
    for person in (e for e in entries if isinstance(e, Person)):
        first = seen_nik.get(int(person.nik))
        if first is None:
            first = next((p.row for p in kept if p.nik == person.nik), None)
        if first is None:
            kept.append(person)
        else:
            out.append(Rejected(person.row, person.cells, [("duplicate_nik", {"row": first})]))
    heads = [p for p in kept if p.relation == HEAD]
    family = None
    if len(heads) == 1:
        family = Family(kk=kk, people=kept, head=heads[0])
        for person in kept:
            seen_nik[int(person.nik)] = person.row
            if person.warnings:
                out.append(Rejected(person.row, person.cells, person.warnings, warning=True))
    else:
        reason: Reason = ("no_head", {}) if not heads else ("several_heads", {})
        out += [Rejected(p.row, p.cells, [reason]) for p in kept]
    for entry in sorted(out, key=lambda e: e.row):
        rejected.add(entry.row, entry.cells, entry.reasons, warning=entry.warning)
        if entry.warning:
            summary.warnings += 1
        else:
            summary.rejected += 1
    return family
