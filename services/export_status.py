"""Households a visit found moved, died or not at the address (report ``status_keluarga``):
who (KK as text, the head's name), where, the status in words, when it was set and by whom
(the role from the audit entry ``household.status_changed``: never a phone or an account),
and the note and photo of the visit that found it. The period filters on when the status was
set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select

from db.models.households import Household
from db.models.system import AuditLog
from domain.source_values import LIST_NAMES
from services import photo_links
from services.export_context import ExportContext, wib
from services.export_people import latest_visits, members_of
from services.export_values import HOUSEHOLD_STATUS, ROLE_WORDS, VISIT_OUTCOMES

STATUS_COLUMNS = [
    "no_kk", "kepala_keluarga", "kecamatan", "desa", "alamat", "rt", "rw", "daftar_sumber",
    "id_keluarga_sumber", "status", "status_sejak", "diubah_oleh", "hasil_kunjungan",
    "catatan_kunjungan", "foto_kunjungan",
]  # fmt: skip
# The visit outcomes that set a status (services.field_reports.STATUS_OF).
STATUS_OUTCOMES = ("pindah", "meninggal", "alamat_tidak_ditemukan")


async def status_rows(ctx: ExportContext) -> AsyncIterator[list[Any]]:
    # The latest status change of each household is the one that set its status (a status
    # is only ever set away from "aktif", by a visit).
    latest = (
        select(AuditLog.subject_id, func.max(AuditLog.id).label("entry"))
        .where(AuditLog.action == "household.status_changed",
               AuditLog.subject_type == "household")
        .group_by(AuditLog.subject_id)
        .subquery()
    )  # fmt: skip
    statement = (
        select(Household, AuditLog)
        .outerjoin(latest, latest.c.subject_id == Household.id)
        .outerjoin(AuditLog, AuditLog.id == latest.c.entry)
        .where(Household.status != "aktif")
    )
    statement = ctx.period(ctx.area(statement), AuditLog.at)
    async for chunk in ctx.chunks(statement, Household.id):
        ids = [household.id for household, _entry in chunk]
        members = await members_of(ctx.session, ids)
        visits = await latest_visits(ctx.session, ids, STATUS_OUTCOMES)
        for household, entry in chunk:
            head = next((m.name for m in members.get(household.id, [])
                         if m.relationship_to_head == "kepala"), None)  # fmt: skip
            visit, _volunteer = visits.get(household.id, (None, None))
            role = entry.actor_role if entry is not None else None
            yield [
                ctx.kk(household), head, *ctx.place(household), household.address,
                household.rt, household.rw, LIST_NAMES.get(household.source_system or ""),
                household.source_household_id,
                HOUSEHOLD_STATUS.get(household.status, household.status),
                wib(entry.at) if entry is not None else None,
                ROLE_WORDS.get(role or "", role),
                VISIT_OUTCOMES.get(visit.outcome, visit.outcome) if visit else None,
                visit.note if visit else None,
                ctx.photo(photo_links.VISIT, visit.id, visit.photo_file_id) if visit else None,
            ]  # fmt: skip
