"""Writing the people of a batch of families (services.bnba_write): found by the NIK's
lookup hash, or, for a person the list gives without NIK, by name within the household. A
value the list leaves empty or unknown never erases what is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.households import Member
from db.protect import Protector
from domain.dates import WIB
from domain.identity import mask_number
from domain.source_values import UNKNOWN_RELATION
from services.bnba_families import Family, ImportSummary
from services.bnba_rows import Person

MEMBER_FIELDS = ("name", "relationship_to_head", "sex", "birth_date", "padan_dukcapil",
                 "occupation", "education", "marital_status", "left_at",
                 "left_reason")  # fmt: skip


def member_values(person: Person) -> dict[str, Any]:
    values = {
        "name": person.name, "relationship_to_head": person.relation, "sex": person.sex,
        "birth_date": person.birth_date, "padan_dukcapil": person.padan,
        "occupation": person.texts.get("pekerjaan"),
        "education": person.texts.get("pendidikan"),
        "marital_status": person.texts.get("status_kawin"),
    }  # fmt: skip
    # Only a row that says the person left (our own export) has these: the digests of every
    # other row stay what they were, so a list imported before reads as unchanged.
    if person.left_on is not None:
        values["left_at"] = dt.datetime.combine(person.left_on, dt.time(), WIB)
        values["left_reason"] = person.left_reason
    return values


def _name_key(household_id: int, name: str) -> tuple[int, str]:
    return household_id, " ".join(name.lower().split())


async def write_members(
    session: AsyncSession,
    protector: Protector,
    changed: list[Family],
    household_ids: dict[str, int],
    now: dt.datetime,
    summary: ImportSummary,
) -> set[int]:
    """Insert new people, update changed ones; the ids of households whose people changed."""
    M = Member
    columns = (M.id, M.nik_hash, M.household_id, M.bnba_digest, M.severe_disability,
               M.in_school, *(getattr(M, f) for f in MEMBER_FIELDS))  # fmt: skip
    hashes = [h for family in changed for h in family.nik_hashes if h]
    members = {}
    if hashes:
        found = await session.execute(select(*columns).where(M.nik_hash.in_(hashes)))
        members = {row.nik_hash: row for row in found}
    unnamed: dict[tuple[int, str], Any] = {}
    without_nik = {household_ids[f.ref] for f in changed if None in f.nik_hashes}
    if without_nik:
        found = await session.execute(
            select(*columns).where(M.household_id.in_(without_nik), M.nik_hash.is_(None))
        )
        unnamed = {_name_key(row.household_id, row.name): row for row in found}
    touched: set[int] = {household_ids[f.ref] for f in changed if f.household_changed}
    new_rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for family in changed:
        household_id = household_ids[family.ref]
        for person, nik_hash, digest in zip(
            family.people, family.nik_hashes, family.member_digests, strict=True
        ):
            values = member_values(person)
            if nik_hash is not None:
                row = members.get(nik_hash)
            else:
                row = unnamed.get(_name_key(household_id, person.name))
            if row is None:
                new_rows.append({
                    "left_at": None, "left_reason": None,  # one set of keys for every row
                    **values, "household_id": household_id, "nik_hash": nik_hash,
                    "nik_encrypted": protector.encrypt(person.nik) if person.nik else None,
                    "nik_masked": mask_number(person.nik) if person.nik else None,
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
            # What the list does not say (empty, unknown) leaves the stored value alone.
            values = {k: v for k, v in values.items() if v is not None}
            if values.get("relationship_to_head") == UNKNOWN_RELATION:
                del values["relationship_to_head"]
            if row.left_at is not None:  # when and why we know they left stays as it is
                values.pop("left_at", None)
                values.pop("left_reason", None)
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
            changes.append({"id": row.id, "bnba_digest": digest, **differs})
    await update_rows(session, Member.__table__, changes)
    if new_rows:
        await session.execute(insert(Member.__table__), new_rows)
    return touched


async def update_rows(session: AsyncSession, table: Any, changes: list[dict[str, Any]]) -> None:
    """UPDATE each row (``id`` and its new values): rows that change the same columns go in
    one executemany statement (a P3KE Individu sheet updates every household its Keluarga
    sheet made; one statement each was most of the time)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        columns = tuple(sorted(k for k in change if k != "id"))
        groups.setdefault(columns, []).append(
            {"row_id": change["id"], **{f"new_{k}": change[k] for k in columns}}
        )
    for columns, params in groups.items():
        statement = (
            update(table).where(table.c.id == bindparam("row_id"))
            .values({k: bindparam(f"new_{k}") for k in columns})
        )  # fmt: skip
        await session.execute(statement, params)
