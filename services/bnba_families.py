"""A sheet's rows as checked families (services.bnba_import reads it with this): the sheet is
read twice, as a stream, first only the household keys (No. KK, or the list's household id:
to know where each household's last row is), then row by row, holding only the rows of
households not yet complete. Also the counts an import keeps."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from domain.source_values import UNKNOWN_RELATION
from services.bnba_file import BnbaFile
from services.bnba_rows import HEAD, Person, Reason, RowContext, check_row, household_key
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
    sheets: list[str] = field(default_factory=list)  # "Sheet (layout)" of each sheet read
    skipped: list[str] = field(default_factory=list)  # sheets no layout recognised

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


@dataclass
class Family:
    """A household's valid rows, ready to be written (services.bnba_write): keyed by its No.
    KK, or by the source's household id when the list has no KK (P3KE). ``head`` is the row
    whose household columns count (the kepala keluarga, else the first row)."""

    key: str
    people: list[Person]
    head: Person
    source: str = "bnba"  # the list's system (source_layouts.Layout.source)
    heads_only: bool = False  # from a sheet of families (one row per household)
    kk_hash: str | None = None
    ref: str = ""  # the key of this family within a batch (services.bnba_write)
    digest: str = ""
    household_digest: str = ""
    member_digests: list[str] = field(default_factory=list)
    nik_hashes: list[str | None] = field(default_factory=list)
    household_changed: bool = False  # an existing household's own columns were updated

    @property
    def kk(self) -> str | None:
        return next((p.kk for p in self.people if p.kk), None)

    @property
    def source_id(self) -> str | None:
        return next((p.household_id for p in self.people if p.household_id), None)


async def last_row_of_each_household(source: BnbaFile) -> dict[str, int]:
    last: dict[str, int] = {}
    for count, (number, values, _cells) in enumerate(source.rows(), start=1):
        key = household_key(values)
        if key is not None:
            last[key] = number
        if count % YIELD_ROWS == 0:
            await asyncio.sleep(0)
    return last


def families(
    source: BnbaFile,
    last_row: dict[str, int],
    context: RowContext,
    summary: ImportSummary,
    rejected: RejectedFile,
) -> Iterator[Family]:
    """Checked families in file order (a household at its last row); rejects go to
    ``rejected``, a household's rows together and in row order."""
    open_kks: dict[str, list[Person | Rejected]] = {}
    seen_nik: dict[int, int] = {}  # NIK (as an int: small) -> row it was first taken from
    for number, values, cells in source.rows():
        summary.rows += 1
        person = check_row(number, values, cells, context)
        kk = person.key if isinstance(person, Person) else household_key(values)
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
                if context.reading.layout is not None:
                    family.source = context.reading.layout.source
                # Our own export names the list each household came from.
                listed = next((p.source_list for p in family.people if p.source_list), None)
                if listed is not None:
                    family.source = listed
                family.heads_only = context.rows_are_heads
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
        if person.nik is None:
            kept.append(person)
            continue
        first = seen_nik.get(int(person.nik))
        if first is None:
            first = next((p.row for p in kept if p.nik == person.nik), None)
        if first is None:
            kept.append(person)
        else:
            out.append(Rejected(person.row, person.cells, [("duplicate_nik", {"row": first})]))
    family = None
    if kept:
        heads = [p for p in kept if p.relation == HEAD]
        # Who heads the family is not identity: a family without one, or with two, is kept
        # and the staff member asked to check it.
        if len(heads) > 1:
            for person in heads:
                person.warnings.append(("several_heads", {}))
        elif not heads and any(p.relation != UNKNOWN_RELATION for p in kept):
            kept[0].warnings.append(("no_head", {}))
        family = Family(key=kk, people=kept, head=heads[0] if heads else kept[0])
        for person in kept:
            if person.nik is not None:
                seen_nik[int(person.nik)] = person.row
            if person.warnings:
                out.append(Rejected(person.row, person.cells, person.warnings, warning=True))
    for entry in sorted(out, key=lambda e: e.row):
        rejected.add(entry.row, entry.cells, entry.reasons, warning=entry.warning)
        if entry.warning:
            summary.warnings += 1
        else:
            summary.rejected += 1
    return family
