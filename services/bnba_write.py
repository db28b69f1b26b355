"""Writing a batch of checked families in one transaction (services.bnba_import): households
found by the KK's lookup hash, or by the list's own household id (a P3KE family has no KK; a
later file with its KK adds the KK to it); people by the NIK's (services.bnba_members). A
keyed digest of the list's data last imported for each makes the same data again write
nothing, and only what the list itself changed overwrites what a resident or volunteer
corrected since. Each batch's audit entry commits with it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import audit
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.households import Household, HouseholdProgram
from db.protect import Protector
from domain.identity import mask_number
from services.bnba_families import Family, ImportSummary
from services.bnba_members import member_values, update_rows, write_members

SEP = "\x1f"
# Lists whose household id names one family (keluarga), so it may key a household beside
# its KK; BDT's IDBDT is a rumah tangga that may hold several KKs, so it keys only a
# household without KK.
FAMILY_IDS = frozenset({"p3ke", "regsosek"})
HOUSE_COLUMNS = {"atap": "roof", "dinding": "walls", "lantai": "floor", "penerangan": "lighting",
                 "bahan_bakar": "cooking_fuel", "air_minum": "drinking_water", "bab": "toilet"}
HOUSEHOLD_FIELDS = ("address", "rt", "rw", "desa_code", "kecamatan_code", "desil",
                    "source_programs", *HOUSE_COLUMNS.values())  # fmt: skip


def household_values(family: Family) -> dict[str, Any]:
    head = family.head
    programs = sorted({name for p in family.people for name in p.source_programs})
    return {
        "address": head.address, "rt": head.rt, "rw": head.rw, "desa_code": head.desa_code,
        "kecamatan_code": head.kecamatan_code,
        "desil": next((p.desil for p in family.people if p.desil is not None), None),
        "source_programs": ", ".join(programs)[:300] or None,
        **{column: head.texts.get(name) for name, column in HOUSE_COLUMNS.items()},
    }  # fmt: skip


def _stored_source_id(family: Family) -> str | None:
    if family.source_id is None or (family.kk and family.source not in FAMILY_IDS):
        return None
    return family.source_id


def _source_system(family: Family, source_id: str | None) -> str | None:
    """The list a new household came from: kept for every list Dinsos receives (a DTKS
    family keyed by its KK is still DTKS's, and its results go back in DTKS's layout:
    services.export_sources); our own template names none unless it says so."""
    return family.source if source_id is not None or family.source != "bnba" else None


def _digests(family: Family, protector: Protector) -> None:
    kk, source_id = family.kk, family.source_id
    family.kk_hash = protector.lookup_hash(kk) if kk else None
    family.ref = family.kk_hash or f"src{SEP}{family.source}{SEP}{source_id}"
    programs = sorted({code for p in family.people for code in p.programs})
    household = SEP.join(
        ("h", family.ref, str(source_id), family.head.phone or "", ",".join(programs),
         *(str(v) for v in household_values(family).values()))
    )  # fmt: skip
    family.household_digest = protector.lookup_hash(household)
    family.nik_hashes = [protector.lookup_hash(p.nik) if p.nik else None for p in family.people]
    family.member_digests = [
        protector.lookup_hash(SEP.join(
            ("m", family.ref, *(str(v) for v in member_values(p).values()),
             str(p.severe_disability), str(p.in_school))
        ))
        for p in family.people
    ]  # fmt: skip
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


async def _existing(session: AsyncSession, families: list[Family]) -> dict[str, Any]:
    """The stored household of each family (by its ref): by KK, else by the list's id."""
    H = Household
    kk_hashes = [f.kk_hash for f in families if f.kk_hash]
    by_source: dict[str, list[str]] = {}
    for family in families:
        if family.source_id is not None:
            by_source.setdefault(family.source, []).append(family.source_id)
    wanted: list[ColumnElement[bool]] = [H.kk_hash.in_(kk_hashes)] if kk_hashes else []
    wanted += [and_(H.source_system == source, H.source_household_id.in_(ids))
               for source, ids in by_source.items()]  # fmt: skip
    if not wanted:
        return {}
    found = list(await session.execute(
        select(H.id, H.kk_hash, H.source_system, H.source_household_id, H.bnba_digest,
               H.bnba_heads_digest, H.bnba_household_digest, H.phone,
               *(getattr(H, f) for f in HOUSEHOLD_FIELDS))
        .where(or_(*wanted))
    ))  # fmt: skip
    kk_rows = {row.kk_hash: row for row in found if row.kk_hash}
    source_rows = {(row.source_system, row.source_household_id): row for row in found}
    out = {}
    for family in families:
        row = kk_rows.get(family.kk_hash) if family.kk_hash else None
        if row is None and family.source_id is not None:
            row = source_rows.get((family.source, family.source_id))
            if row is not None and row.kk_hash and row.kk_hash != family.kk_hash:
                row = None  # that id's household has another KK: this is another family
        if row is not None:
            out[family.ref] = row
    return out


def _stored_digest(row: Any, family: Family) -> str | None:
    return str(row.bnba_heads_digest) if family.heads_only else row.bnba_digest


def _digest_column(family: Family) -> str:
    return "bnba_heads_digest" if family.heads_only else "bnba_digest"


async def _upsert(
    session: AsyncSession,
    protector: Protector,
    program_ids: dict[str, int],
    families: list[Family],
    summary: ImportSummary,
) -> None:
    households = await _existing(session, families)
    changed = []
    for family in families:
        row = households.get(family.ref)
        if row is not None and _stored_digest(row, family) == family.digest:
            summary.unchanged += len(family.people)
            summary.households_unchanged += 1
        else:
            changed.append(family)
    if not changed:
        return
    now = utcnow()
    household_ids = await _households(session, protector, changed, households, now, summary)
    touched = await write_members(session, protector, changed, household_ids, now, summary)
    touched |= await _programs(session, program_ids, changed, household_ids)
    for family in changed:
        if family.ref not in households:
            continue
        if household_ids[family.ref] in touched:
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
    ids = {ref: row.id for ref, row in existing.items()}
    new_rows, new_refs, updates = [], [], []
    # A list's id is unique per list: one already held by another family (with another KK),
    # or given earlier in this batch, is not given again.
    taken_ids = await _taken_source_ids(session, [f for f in changed if f.ref not in existing])
    for family in changed:
        values = household_values(family)
        row = existing.get(family.ref)
        kk = family.kk
        if row is None:
            source_id = _stored_source_id(family)
            if source_id is not None and (family.source, source_id) in taken_ids:
                source_id = None
            taken_ids.add((family.source, str(source_id)))
            new_rows.append({
                **values, "kk_hash": family.kk_hash,
                "kk_encrypted": protector.encrypt(kk) if kk else None,
                "kk_masked": mask_number(kk) if kk else None, "phone": family.head.phone,
                "source": "bnba", "source_system": _source_system(family, source_id),
                "source_household_id": source_id, "verification": "terdaftar",
                "needs_visit": False, "bnba_digest": None,
                "bnba_heads_digest": None,
                "bnba_household_digest": family.household_digest,
                "created_at": now, "updated_at": now,
            })  # fmt: skip
            new_rows[-1][_digest_column(family)] = family.digest
            new_refs.append(family.ref)
            continue
        change: dict[str, Any] = {"id": row.id, _digest_column(family): family.digest}
        if kk and row.kk_hash is None:  # the list now gives this family's KK
            change.update(kk_hash=family.kk_hash, kk_encrypted=protector.encrypt(kk),
                          kk_masked=mask_number(kk), updated_at=now)  # fmt: skip
            family.household_changed = True
        if row.bnba_household_digest != family.household_digest:
            change["bnba_household_digest"] = family.household_digest
            # What this file does not say (an empty cell, a column it lacks: P3KE's
            # Individu sheet has no house columns) leaves the stored value alone.
            if values["source_programs"] and row.source_programs:  # added, never removed
                names = {*row.source_programs.split(", "), *values["source_programs"].split(", ")}
                values["source_programs"] = ", ".join(sorted(names))[:300]
            differs = {k: v for k, v in values.items() if v is not None and getattr(row, k) != v}
            if family.head.phone and family.head.phone != row.phone:
                differs["phone"] = family.head.phone
            if differs:
                change.update(differs, updated_at=now)
                family.household_changed = True
        updates.append(change)
    if new_rows:
        # Core inserts (the table, not the class): the ORM's bulk path costs more per row
        # than SQLite's own work here, and these rows need no ORM events.
        table = Household.__table__
        result = await session.execute(
            insert(table).returning(table.c.id, table.c.bnba_household_digest), new_rows
        )
        by_digest = {digest: id_ for id_, digest in result}
        ids.update({ref: by_digest[row["bnba_household_digest"]]
                    for ref, row in zip(new_refs, new_rows, strict=True)})  # fmt: skip
        summary.households_added += len(new_rows)
    await update_rows(session, Household.__table__, updates)
    return ids


async def _taken_source_ids(session: AsyncSession, families: list[Family]
                            ) -> set[tuple[str, str]]:  # fmt: skip
    H = Household
    wanted = [(f.source, sid) for f in families if (sid := _stored_source_id(f)) is not None]
    if not wanted:
        return set()
    found = await session.execute(
        select(H.source_system, H.source_household_id).where(
            H.source_household_id.in_([sid for _source, sid in wanted])
        )
    )
    return {(str(source), str(sid)) for source, sid in found}


async def _programs(
    session: AsyncSession,
    program_ids: dict[str, int],
    changed: list[Family],
    household_ids: dict[str, int],
) -> set[int]:
    wanted = {
        (household_ids[f.ref], program_ids[code])
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
