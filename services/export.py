"""XLSX reports for staff (`/ekspor`, `python -m bot export KIND`).

One sheet per report, streamed (openpyxl write-only) from the database in chunks of
CHUNK rows read by primary key, so a report of 100,000 households never sits in memory and,
on SQLite, the event loop is given back between chunks. Full NIK and No. KK are decrypted:
only staff reach this (the bot's router is staff-gated, the CLI runs on the server). Every
export goes into the audit log with what was exported and the filters, never the data.
Times are written in WIB. Column names are a file format (documented in docs/staff.md), like
the BNBA import's. What every report shares is in services.export_context; the reports of
whole families and their people live beside this module: the BNBA list that imports again
(services.export_people), the verification results in a list's own layout
(services.export_sources), the families moved, died or not found (services.export_status),
cases and quick reports (services.export_cases). Photo cells are links the bot answers
(services.photo_links).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient
from db.models.broadcasts import Broadcast, Delivery
from db.models.field import FieldVisit, StatusReport
from db.models.households import AidProgram, Household, HouseholdProgram, Member
from db.private_files import create_private
from db.protect import Protector
from services import photo_links
from services.export_cases import CASE_COLUMNS, QUICK_COLUMNS, cases_rows, quick_rows
from services.export_context import UNREADABLE, ExportContext, Filters
from services.export_context import wib as _wib
from services.export_people import BNBA_COLUMNS, bnba_rows
from services.export_sources import SOURCE_KIND, source_report
from services.export_status import STATUS_COLUMNS, status_rows
from services.export_trainings import ENROLLMENT_COLUMNS, enrollment_rows
from services.export_values import (
    REPORT_ANSWERS,
    VISIT_ANSWERS,
    answers,
    audience_words,
    cells,
    width,
)

__all__ = ["KINDS", "UNREADABLE", "UNREADABLE_SHEET", "ExportResult", "Filters", "export"]

UNREADABLE_SHEET = "tidak_terbaca"
UNREADABLE_COLUMNS = ["baris", "kolom"]
KINDS = (
    "rumah_tangga", "laporan", "kunjungan", "pelatihan", "penyaluran", "siaran", "kasus",
    "laporan_cepat", "bnba", SOURCE_KIND, "status_keluarga",
)  # fmt: skip
# Reports that write their values in words themselves: a list's own layout, and our import
# template, whose cells must read back exactly as they were (no code turned into words).
WORDED = frozenset({"bnba", SOURCE_KIND, "status_keluarga"})


def _yes(value: bool | None) -> bool | None:
    # Written "Ya"/"Tidak" (services.export_values.word); empty when unknown.
    return value


# --------------------------------------------------------------------------- reports

HOUSEHOLD_COLUMNS = [
    "no_kk", "kepala_keluarga", "nik_kepala", "kecamatan", "desa", "alamat", "rt", "rw",
    "jumlah_anggota", "program", "sumber", "verifikasi", "catatan_verifikasi",
    "laporan_terakhir", "pendapatan_per_orang_per_hari", "miskin_ekstrem", "mendesak",
    "kunjungan_terakhir", "terdaftar_pada",
    # From the lists Dinsos receives (P3KE, DTKS...): empty for a household from elsewhere.
    "daftar_sumber", "id_keluarga_sumber", "desil", "program_menurut_daftar", "padan_dukcapil",
    "atap", "dinding", "lantai", "penerangan", "bahan_bakar", "air_minum", "bab",
]  # fmt: skip


async def _households(ctx: ExportContext) -> AsyncIterator[list[Any]]:
    statement = ctx.period(ctx.area(select(Household)), Household.created_at)
    async for rows in ctx.chunks(statement, Household.id):
        ids = [row[0].id for row in rows]
        heads = {
            m.household_id: m
            for m in await ctx.session.scalars(
                select(Member).where(
                    Member.household_id.in_(ids), Member.relationship_to_head == "kepala"
                )
            )
        }
        sizes = dict((await ctx.session.execute(
            select(Member.household_id, func.count()).where(Member.household_id.in_(ids))
            .group_by(Member.household_id)
        )).all())  # fmt: skip
        programs: dict[int, list[str]] = {}
        for household_id, code in await ctx.session.execute(
            select(HouseholdProgram.household_id, AidProgram.code)
            .join(AidProgram, AidProgram.id == HouseholdProgram.program_id)
            .where(HouseholdProgram.household_id.in_(ids))
            .order_by(AidProgram.code)
        ):
            programs.setdefault(household_id, []).append(code)
        latest_ids = select(func.max(StatusReport.id)).where(
            StatusReport.household_id.in_(ids)
        ).group_by(StatusReport.household_id)
        latest = {
            r.household_id: r
            for r in await ctx.session.scalars(
                select(StatusReport).where(StatusReport.id.in_(latest_ids))
            )
        }
        for (household,) in rows:
            head = heads.get(household.id)
            report = latest.get(household.id)
            yield [
                ctx.kk(household),
                head.name if head else "",
                ctx.open(head.nik_encrypted, "nik_kepala") if head else "",
                *ctx.place(household),
                household.address, household.rt, household.rw,
                sizes.get(household.id, 0),
                ", ".join(programs.get(household.id, [])),
                household.source, household.verification, household.verification_note,
                _wib(report.created_at) if report else None,
                report.income_per_person_day if report else None,
                _yes(report.extreme_poor) if report else None,
                _yes(report.urgent) if report else None,
                _wib(household.last_visit_at),
                _wib(household.created_at),
                household.source_system, household.source_household_id, household.desil,
                household.source_programs, _yes(head.padan_dukcapil) if head else None,
                household.roof, household.walls, household.floor, household.lighting,
                household.cooking_fuel, household.drinking_water, household.toilet,
            ]  # fmt: skip


REPORT_COLUMNS = [
    "tanggal", "no_kk", "kecamatan", "desa", "pendapatan_bulanan", "jumlah_anggota",
    "pendapatan_per_orang_per_hari", "miskin_ekstrem", "mendesak", "lintang", "bujur",
    *(f"jawaban_{name}" for name in REPORT_ANSWERS.values()), "foto",
]  # fmt: skip


async def _reports(ctx: ExportContext) -> AsyncIterator[list[Any]]:
    statement = ctx.period(
        ctx.area(select(StatusReport, Household).join(Household)), StatusReport.created_at
    )
    async for rows in ctx.chunks(statement, StatusReport.id):
        for report, household in rows:
            yield [
                _wib(report.created_at), ctx.kk(household), *ctx.place(household),
                report.income_monthly, report.members_count, report.income_per_person_day,
                _yes(report.extreme_poor), _yes(report.urgent), report.latitude,
                report.longitude, *answers(report.answers, REPORT_ANSWERS),
                ctx.photo(photo_links.REPORT, report.id, report.photo_file_id),
            ]  # fmt: skip


VISIT_COLUMNS = [
    "tanggal", "no_kk", "kecamatan", "desa", "relawan", "peran_relawan", "hasil", "catatan",
    "lintang", "bujur", *(f"jawaban_{name}" for name in VISIT_ANSWERS.values()), "foto",
]  # fmt: skip


async def _visits(ctx: ExportContext) -> AsyncIterator[list[Any]]:
    statement = ctx.period(
        ctx.area(
            select(FieldVisit, Household, Account)
            .join(Household, Household.id == FieldVisit.household_id)
            .join(Account, Account.id == FieldVisit.volunteer_account_id)
        ),
        FieldVisit.visited_at,
    )
    async for rows in ctx.chunks(statement, FieldVisit.id):
        households = [household.id for _visit, household, _volunteer in rows]
        names = dict((await ctx.session.execute(
            select(Member.id, Member.name).where(Member.household_id.in_(households))
        )).all())  # fmt: skip
        for visit, household, volunteer in rows:
            yield [
                _wib(visit.visited_at), ctx.kk(household), *ctx.place(household),
                volunteer.first_name or f"#{volunteer.id}", volunteer.role, visit.outcome,
                visit.note, visit.latitude, visit.longitude,
                *answers(visit.answers, VISIT_ANSWERS, names),
                ctx.photo(photo_links.VISIT, visit.id, visit.photo_file_id),
            ]  # fmt: skip


RECIPIENT_COLUMNS = [
    "penyaluran", "program", "jadwal", "tempat", "nominal", "status_jadwal", "no_kk",
    "kepala_keluarga", "kecamatan", "desa", "sudah_diambil", "diambil_pada", "jawaban_warga",
    "keluhan",
]  # fmt: skip


async def _recipients(ctx: ExportContext) -> AsyncIterator[list[Any]]:
    statement = ctx.period(
        ctx.area(
            select(DisbursementRecipient, Disbursement, AidProgram.code, Household)
            .join(Disbursement, Disbursement.id == DisbursementRecipient.disbursement_id)
            .join(AidProgram, AidProgram.id == Disbursement.program_id)
            .join(Household, Household.id == DisbursementRecipient.household_id)
        ),
        Disbursement.scheduled_at,
    )
    async for rows in ctx.chunks(statement, DisbursementRecipient.id):
        ids = [household.id for *_rest, household in rows]
        heads = dict((await ctx.session.execute(
            select(Member.household_id, Member.name).where(
                Member.household_id.in_(ids), Member.relationship_to_head == "kepala"
            )
        )).all())  # fmt: skip
        for recipient, disbursement, program, household in rows:
            yield [
                disbursement.title, program, _wib(disbursement.scheduled_at), disbursement.place,
                disbursement.amount, disbursement.status, ctx.kk(household),
                heads.get(household.id, ""), *ctx.place(household),
                _yes(recipient.collected_at is not None), _wib(recipient.collected_at),
                recipient.resident_answer, recipient.complaint,
            ]  # fmt: skip


BROADCAST_COLUMNS = [
    "id", "jenis", "dibuat", "status", "sasaran", "jumlah", "terkirim", "gagal", "diblokir",
    "belum_terkirim", "mulai", "selesai", "jadwal_kirim",
]  # fmt: skip


async def _broadcasts(ctx: ExportContext) -> AsyncIterator[list[Any]]:
    # A broadcast has no single place: the area filter does not apply here.
    statement = ctx.period(select(Broadcast), Broadcast.created_at)
    async for rows in ctx.chunks(statement, Broadcast.id):
        ids = [row[0].id for row in rows]
        counts: dict[tuple[int, str], int] = {
            (b, s): n
            for b, s, n in await ctx.session.execute(
                select(Delivery.broadcast_id, Delivery.status, func.count())
                .where(Delivery.broadcast_id.in_(ids))
                .group_by(Delivery.broadcast_id, Delivery.status)
            )
        }
        for (broadcast,) in rows:
            n = {s: counts.get((broadcast.id, s), 0) for s in
                 ("sent", "failed", "blocked", "pending", "sending")}  # fmt: skip
            yield [
                broadcast.id, broadcast.kind, _wib(broadcast.created_at), broadcast.status,
                audience_words(broadcast.audience or {}, ctx.names),
                sum(n.values()), n["sent"], n["failed"], n["blocked"],
                n["pending"] + n["sending"], _wib(broadcast.started_at),
                _wib(broadcast.finished_at), _wib(broadcast.send_at),
            ]  # fmt: skip


Rows = Callable[[ExportContext], AsyncIterator[list[Any]]]
REPORTS: dict[str, tuple[list[str], Rows]] = {
    "rumah_tangga": (HOUSEHOLD_COLUMNS, _households),
    "laporan": (REPORT_COLUMNS, _reports),
    "kunjungan": (VISIT_COLUMNS, _visits),
    "pelatihan": (ENROLLMENT_COLUMNS, enrollment_rows),
    "penyaluran": (RECIPIENT_COLUMNS, _recipients),
    "siaran": (BROADCAST_COLUMNS, _broadcasts),
    "kasus": (CASE_COLUMNS, cases_rows),
    "laporan_cepat": (QUICK_COLUMNS, quick_rows),
    "bnba": (BNBA_COLUMNS, bnba_rows),
    "status_keluarga": (STATUS_COLUMNS, status_rows),
}


@dataclass(frozen=True)
class ExportResult:
    rows: int
    # (row in the sheet, columns) of the rows whose NIK/KK could not be decrypted
    unreadable: list[tuple[int, str]]


async def export(
    session: AsyncSession,
    protector: Protector,
    kind: str,
    filters: Filters,
    path: Path | str,
    *,
    actor: Account | None = None,
    via: str = "bot",
    bot_username: str | None = None,
) -> ExportResult:
    """Write the report to ``path`` (XLSX, mode 0600: it holds full NIK/KK) and add the audit
    entry to ``session`` (the caller commits). A NIK/KK that cannot be decrypted does not stop
    the export: its cell says so and the row is listed on the sheet `tidak_terbaca`.
    ``bot_username`` makes photo cells links (services.photo_links); without it they hold the
    command to send the bot. The verification report (SOURCE_KIND) needs ``filters.source``:
    ValueError names what is wrong."""
    if kind == SOURCE_KIND:
        columns, rows = source_report(filters.source)
    elif kind in REPORTS:
        columns, rows = REPORTS[kind]
    else:
        raise ValueError(f"unknown report {kind!r}")
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    ctx = ExportContext(session, protector, filters, bot_username)
    await ctx.load_names()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind)
    # Frozen header, a filter on every column, widths to read without resizing.
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width(column)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    sheet.append(columns)
    count = 0
    unreadable: list[tuple[int, str]] = []
    async for row in rows(ctx):
        sheet.append(cells(sheet, columns, row, words=kind not in WORDED))
        count += 1
        if ctx.unreadable:
            unreadable.append((count + 1, ", ".join(ctx.unreadable)))  # +1: the header row
            ctx.unreadable = []
    if unreadable:
        notes = book.create_sheet(UNREADABLE_SHEET)
        notes.append(UNREADABLE_COLUMNS)
        for line, unreadable_columns in unreadable:
            notes.append([line, unreadable_columns])
    create_private(path)
    book.save(path)
    audit.record(
        session, actor, "data.exported", None, None, report=kind, rows=count, via=via,
        unreadable=len(unreadable), **filters.as_audit(),
    )  # fmt: skip
    return ExportResult(count, unreadable)
