"""Import the BNBA list (one row per person, grouped by No. KK) from CSV or XLSX.

Used by the bot (`/impor`) and the CLI (`python -m bot import FILE`).

- The file is read twice, as a stream: first only the KK numbers (to know where each KK's
  last row is, so a KK whose rows are not together is still handled as one family), then
  row by row. Only the rows of KKs not yet complete are held in memory.
- Every row is checked (services.bnba_rows); a KK is imported only with exactly one valid
  "kepala keluarga" row; a NIK that appears twice in the file is taken the first time only.
- Good families are written in batches, one transaction each, so a 100,000-row file never
  holds the database (or, on SQLite, the event loop) for long. Each batch's audit entry
  ("bnba.batch_imported") commits with it, so an import killed part way still shows every
  batch it wrote; "bnba.imported" with the totals follows at the end. Both carry the same
  import id.
- Households are keyed by the KK's lookup hash, people by the NIK's. Each household and
  person keeps a keyed digest of the BNBA data last imported for it: the same data again
  writes nothing ("unchanged"), and only what the BNBA list itself changed overwrites what a
  resident or volunteer corrected since. Verification results are never touched; a new
  household starts as source "bnba", verification "terdaftar".
- A person already on another KK is moved to the KK of the file (one person is on exactly
  one KK) and counted as updated. People of a KK missing from the file are kept: they may
  be linked to an account or a training; staff remove them by hand.
- Programs in the file are added to the household; none is removed (a file may list only
  one program's recipients).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import audit
from db.models import (
    Account,
    AidProgram,
    Household,
    HouseholdProgram,
    Member,
    Region,
    utcnow,
)
from db.protect import Protector
from domain.dates import today_wib
from domain.identity import mask_number
from services.bnba_file import BnbaFile, FileProblem
from services.bnba_rows import HEAD, Person, Reason, RegionIndex, check_row, kk_key
from services.rejected_file import RejectedFile

__all__ = ["BATCH_ROWS", "FileProblem", "ImportSummary", "import_file"]

BATCH_ROWS = 500  # rows per transaction: short write locks, few round trips
# Reading and checking rows is plain CPU work on the event loop: give it back this often, so
# the bot answers others during an import (on SQLite even the writes run on the loop).
YIELD_ROWS = 2000
Describe = Callable[[str, dict[str, Any]], str]
Progress = Callable[[int], Awaitable[None]]
SEP = "\x1f"


@dataclass
class ImportSummary:
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
    kk: str
    people: list[Person]
    head: Person
    kk_hash: str = ""
    digest: str = ""
    household_digest: str = ""
    member_digests: list[str] = field(default_factory=list)
    nik_hashes: list[str] = field(default_factory=list)
    household_changed: bool = False  # an existing household's own columns were updated


async def import_file(
    path: Path | str,
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    describe: Describe,
    *,
    actor: Account | None = None,
    via: str = "bot",
    rejected_path: Path | str | None = None,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
    today: dt.date | None = None,
) -> ImportSummary:
    """Import the file; raises FileProblem if it cannot be read as a BNBA file at all.

    ``describe(code, params)`` renders a reason (gettext is the caller's). Rows that were
    rejected, or imported with a warning, go to ``rejected_path`` (XLSX; default: beside the
    file) with the reason for each."""
    source = BnbaFile(path)
    today = today or today_wib()
    async with sessionmaker() as session:
        region_rows = await session.execute(
            select(Region.code, Region.name, Region.level, Region.parent_code)
        )
        regions = RegionIndex([(code, name, level, up) for code, name, level, up in region_rows])
        program_ids = dict((await session.execute(select(AidProgram.code, AidProgram.id))).all())
    last_row = await _last_row_of_each_kk(source)
    out = Path(rejected_path) if rejected_path else source.path.with_name(
        source.path.stem + "_rejected.xlsx"
    )
    rejected = RejectedFile(out, source.header, describe)
    summary = ImportSummary()
    audited = _BatchAudit(actor, via)
    batch: list[Family] = []
    batch_size = yielded_at = 0
    try:
        for family in _families(source, last_row, regions, set(program_ids), today, summary,
                                rejected):
            batch.append(family)
            batch_size += len(family.people)
            if batch_size >= batch_rows:
                await _write_batch(sessionmaker, protector, program_ids, batch, summary, audited)
                batch, batch_size = [], 0
                if progress is not None:
                    await progress(summary.rows)
                await asyncio.sleep(0)  # let the bot answer others between batches
                yielded_at = summary.rows
            elif summary.rows - yielded_at >= YIELD_ROWS:  # many rejected rows in a row
                await asyncio.sleep(0)
                yielded_at = summary.rows
        if batch:
            await _write_batch(sessionmaker, protector, program_ids, batch, summary, audited)
    finally:
        summary.rejected_file = rejected.close()
    async with sessionmaker() as session, session.begin():
        audit.record(session, actor, "bnba.imported", None, None, via=via,
                     import_id=audited.import_id, batches=audited.batches, **summary.counts())
    if progress is not None:
        await progress(summary.rows)
    return summary


async def _last_row_of_each_kk(source: BnbaFile) -> dict[str, int]:
    last: dict[str, int] = {}
    for count, (number, text) in enumerate(source.column("no_kk"), start=1):
        kk = kk_key({"no_kk": text})
        if kk is not None:
            last[kk] = number
        if count % YIELD_ROWS == 0:
            await asyncio.sleep(0)
    return last


def _families(
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


# --------------------------------------------------------------------------- writing


def _digests(family: Family, protector: Protector) -> None:
    head = family.head
    programs = sorted({code for p in family.people for code in p.programs})
    household = SEP.join(
        ("h", head.address or "", head.rt or "", head.rw or "", head.desa_code,
         head.kecamatan_code, head.phone or "", ",".join(programs))
    )  # fmt: skip
    family.household_digest = protector.lookup_hash(household)
    family.kk_hash = protector.lookup_hash(family.kk)
    family.nik_hashes = [protector.lookup_hash(p.nik) for p in family.people]
    family.member_digests = [
        protector.lookup_hash(SEP.join(
            ("m", family.kk, p.nik, p.name, p.relation, p.sex, p.birth_date.isoformat(),
             str(p.severe_disability), str(p.in_school))
        ))
        for p in family.people
    ]
    family.digest = protector.lookup_hash(
        SEP.join(("g", family.household_digest, *sorted(family.member_digests)))
    )


class _BatchAudit:
    """Who imports, and which import a batch belongs to (one id for all its entries)."""

    WRITTEN = ("added", "updated", "unchanged", "households_added", "households_updated",
               "households_unchanged")  # fmt: skip

    def __init__(self, actor: Account | None, via: str) -> None:
        self.actor = actor
        self.via = via
        self.import_id = uuid.uuid4().hex[:12]
        self.batches = 0

    def record(self, session: AsyncSession, before: dict[str, int], after: dict[str, int],
               families: int) -> None:  # fmt: skip
        written = {name: after[name] - before[name] for name in self.WRITTEN}
        audit.record(
            session, self.actor, "bnba.batch_imported", None, None, via=self.via,
            import_id=self.import_id, batch=self.batches + 1, families=families,
            rows_read=after["rows"], **written,
        )  # fmt: skip


async def _write_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    program_ids: dict[str, int],
    families: list[Family],
    summary: ImportSummary,
    audited: _BatchAudit,
) -> None:
    for family in families:
        _digests(family, protector)
    before = summary.counts()
    async with sessionmaker() as session, session.begin():
        await _upsert(session, protector, program_ids, families, summary)
        # In the batch's own transaction: the entry exists exactly when the batch does.
        audited.record(session, before, summary.counts(), len(families))
    audited.batches += 1


HOUSEHOLD_FIELDS = ("address", "rt", "rw", "desa_code", "kecamatan_code")
MEMBER_FIELDS = ("name", "relationship_to_head", "sex", "birth_date")


async def _upsert(
    session: AsyncSession,
    protector: Protector,
    program_ids: dict[str, int],
    families: list[Family],
    summary: ImportSummary,
) -> None:
    H = Household
    found = await session.execute(
        select(H.id, H.kk_hash, H.bnba_digest, H.bnba_household_digest, H.phone,
               *(getattr(H, f) for f in HOUSEHOLD_FIELDS))
        .where(H.kk_hash.in_([f.kk_hash for f in families]))
    )  # fmt: skip
    households = {row.kk_hash: row for row in found}
    changed = []
    for family in families:
        row = households.get(family.kk_hash)
        if row is not None and row.bnba_digest == family.digest:
            summary.unchanged += len(family.people)
            summary.households_unchanged += 1
        else:
            changed.append(family)
    if not changed:
        return
    now = utcnow()
    household_ids = await _households(session, protector, changed, households, now, summary)
    touched = await _members(session, protector, changed, household_ids, now, summary)
    touched |= await _programs(session, program_ids, changed, household_ids)
    for family in changed:
        if family.kk_hash not in households:
            continue
        if household_ids[family.kk_hash] in touched:
            summary.households_updated += 1
        else:
            summary.households_unchanged += 1


async def _households(
    session: AsyncSession,
    protector: Protector,
    changed: list[Family],
    existing: dict[str, Any],
    now: dt.datetime,
    summary: ImportSummary,
) -> dict[str, int]:
    ids = {kk_hash: row.id for kk_hash, row in existing.items()}
    new_rows, updates = [], []
    for family in changed:
        head = family.head
        values = {
            "address": head.address, "rt": head.rt, "rw": head.rw,
            "desa_code": head.desa_code, "kecamatan_code": head.kecamatan_code,
        }  # fmt: skip
        row = existing.get(family.kk_hash)
        if row is None:
            new_rows.append({
                **values, "kk_hash": family.kk_hash, "kk_encrypted": protector.encrypt(family.kk),
                "kk_masked": mask_number(family.kk), "phone": head.phone, "source": "bnba",
                "verification": "terdaftar", "needs_visit": False,
                "bnba_digest": family.digest, "bnba_household_digest": family.household_digest,
                "created_at": now, "updated_at": now,
            })
            continue
        change: dict[str, Any] = {"id": row.id, "bnba_digest": family.digest}
        if row.bnba_household_digest != family.household_digest:
            change["bnba_household_digest"] = family.household_digest
            differs = {k: v for k, v in values.items() if getattr(row, k) != v}
            if head.phone and head.phone != row.phone:
                differs["phone"] = head.phone
            if differs:
                change.update(differs, updated_at=now)
                family.household_changed = True
        updates.append(change)
    if new_rows:
        # Core inserts (the table, not the class): the ORM's bulk path costs more per row
        # than SQLite's own work here, and these rows need no ORM events.
        table = Household.__table__
        result = await session.execute(
            insert(table).returning(table.c.id, table.c.kk_hash), new_rows
        )
        ids.update({kk_hash: id_ for id_, kk_hash in result})
        summary.households_added += len(new_rows)
    for change in updates:  # key sets differ, so one statement each (only changed KKs)
        await session.execute(update(Household).where(Household.id == change.pop("id"))
                              .values(**change))
    return ids


async def _members(
    session: AsyncSession,
    protector: Protector,
    changed: list[Family],
    household_ids: dict[str, int],
    now: dt.datetime,
    summary: ImportSummary,
) -> set[int]:
    """Insert new people, update changed ones; the ids of households whose people changed."""
    M = Member
    hashes = [h for family in changed for h in family.nik_hashes]
    found = await session.execute(
        select(M.id, M.nik_hash, M.household_id, M.bnba_digest, M.severe_disability,
               M.in_school, *(getattr(M, f) for f in MEMBER_FIELDS))
        .where(M.nik_hash.in_(hashes))
    )  # fmt: skip
    members = {row.nik_hash: row for row in found}
    touched: set[int] = {
        household_ids[f.kk_hash] for f in changed if f.household_changed
    }
    new_rows: list[dict[str, Any]] = []
    for family in changed:
        household_id = household_ids[family.kk_hash]
        for person, nik_hash, digest in zip(
            family.people, family.nik_hashes, family.member_digests, strict=True
        ):
            values = {
                "name": person.name, "relationship_to_head": person.relation,
                "sex": person.sex, "birth_date": person.birth_date,
            }  # fmt: skip
            row = members.get(nik_hash)
            if row is None:
                new_rows.append({
                    **values, "household_id": household_id, "nik_hash": nik_hash,
                    "nik_encrypted": protector.encrypt(person.nik),
                    "nik_masked": mask_number(person.nik),
                    "severe_disability": bool(person.severe_disability),
                    "in_school": person.in_school, "bnba_digest": digest,
                    "created_at": now, "updated_at": now,
                })  # fmt: skip
                touched.add(household_id)
                summary.added += 1
                continue
            if row.bnba_digest == digest and row.household_id == household_id:
                summary.unchanged += 1
                continue
            if person.severe_disability is not None:
                values["severe_disability"] = person.severe_disability
            if person.in_school is not None:
                values["in_school"] = person.in_school
            differs = {k: v for k, v in values.items() if getattr(row, k) != v}
            if row.household_id != household_id:
                differs["household_id"] = household_id
                touched.add(row.household_id)
            if differs:
                differs["updated_at"] = now
                touched.add(household_id)
                summary.updated += 1
            else:
                summary.unchanged += 1
            await session.execute(
                update(Member).where(Member.id == row.id).values(bnba_digest=digest, **differs)
            )
    if new_rows:
        await session.execute(insert(Member.__table__), new_rows)
    return touched


async def _programs(
    session: AsyncSession,
    program_ids: dict[str, int],
    changed: list[Family],
    household_ids: dict[str, int],
) -> set[int]:
    wanted = {
        (household_ids[f.kk_hash], program_ids[code])
        for f in changed
        for p in f.people
        for code in p.programs
    }
    if not wanted:
        return set()
    ids = {household_id for household_id, _program in wanted}
    found = await session.execute(
        select(HouseholdProgram.household_id, HouseholdProgram.program_id).where(
            HouseholdProgram.household_id.in_(ids)
        )
    )
    missing = wanted - {tuple(row) for row in found}
    if missing:
        await session.execute(
            insert(HouseholdProgram.__table__),
            [{"household_id": h, "program_id": p} for h, p in sorted(missing)],
        )
    return {household_id for household_id, _program in missing}
