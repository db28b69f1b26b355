"""Writing a batch of checked BNBA families in one transaction (services.bnba_import):
households keyed by the KK's lookup hash, people by the NIK's; a keyed digest of the BNBA data
last imported for each makes the same data again write nothing, and only what the BNBA list
itself changed overwrite what a resident or volunteer corrected since. Each batch's audit
entry commits with it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import audit
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.households import Household, HouseholdProgram, Member
from db.protect import Protector
from domain.identity import mask_number
from services.bnba_families import Family, ImportSummary

SEP = "\x1f"


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


class BatchAudit:
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


async def write_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    program_ids: dict[str, int],
    families: list[Family],
    summary: ImportSummary,
    audited: BatchAudit,
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
