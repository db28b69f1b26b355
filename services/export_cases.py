"""Two more staff reports (services.export): complaints and other cases with their outcomes,
and volunteers' quick reports from the field. Written like the others: Indonesian words for
codes (a file format), NIK/KK never in plain text (case messages are masked when written).
A case's files and a quick report's photo are links the bot answers (services.photo_links)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select

from db.models.accounts import Account
from db.models.cases import Case, CaseMessage
from db.models.field import QuickReport
from domain.dates import WIB
from services import photo_links

CASE_COLUMNS = [
    "nomor", "jenis", "status", "ditangani_oleh", "mendesak", "kecamatan", "desa", "dibuat",
    "batas_jawaban_pertama", "jawaban_pertama", "ditutup", "hasil", "catatan_hasil",
    "tanggapan_warga", "dibuka_ulang", "jumlah_pesan", "pesan_pertama", "lampiran",
    "jumlah_lampiran",
]  # fmt: skip
QUICK_COLUMNS = [
    "tanggal", "relawan", "peran", "wilayah", "laporan", "foto", "lintang", "bujur",
]  # fmt: skip

KINDS = {
    "aduan": "pengaduan", "usulan": "usulan", "laporan_mendesak": "laporan mendesak",
    "koreksi": "koreksi data", "belum_menerima": "belum menerima bantuan",
    "tidak_terjangkau": "tidak terjangkau bot", "tidak_dikunjungi": "belum dikunjungi",
    "sanggah": "sanggahan usulan",
}  # fmt: skip
STATES = {
    "open": "terbuka", "taken": "sedang ditangani", "waiting": "menunggu warga",
    "passed_up": "diteruskan", "closed": "ditutup",
}  # fmt: skip
LEVELS = {"psm": "PSM desa", "tksk": "TKSK kecamatan", "staff": "petugas Dinsos"}
OUTCOMES = {
    "answered": "dijawab", "resolved": "selesai ditangani", "referred": "dirujuk",
    "not_eligible": "tidak memenuhi syarat", "no_response": "warga tidak menanggapi",
    "consent_withdrawn": "persetujuan ditarik",
    "verified": "terverifikasi, diusulkan ke DTKS", "rejected": "ditolak",
    "collected": "ternyata sudah diambil", "not_on_list": "tidak ada di daftar jadwal",
    "payment_problem": "masalah pembayaran, diteruskan ke bank/pos", "other": "lainnya",
    "corrected": "data diperbaiki", "already_right": "data sudah benar",
    "cannot_change": "tidak dapat diubah di sini", "handled": "sudah ditangani",
    "not_urgent": "tidak mendesak", "delivered": "pesan sudah disampaikan",
    "upheld": "sanggahan diterima", "dismissed": "sanggahan tidak diterima",
    "visited": "ditutup oleh kunjungan",
}  # fmt: skip
FEEDBACK = {"helped": "membantu", "not_helped": "tidak membantu"}
PREFIXES = {
    "aduan": "A", "usulan": "U", "laporan_mendesak": "M", "koreksi": "K", "belum_menerima": "B",
    "tidak_terjangkau": "T", "tidak_dikunjungi": "D", "sanggah": "S",
}  # fmt: skip


def _wib(when: dt.datetime | None) -> dt.datetime | None:
    return when.astimezone(WIB).replace(tzinfo=None) if when is not None else None


async def cases_rows(ctx: Any) -> AsyncIterator[list[Any]]:
    statement = select(Case)
    if ctx.filters.desa_code:
        statement = statement.where(Case.desa_code == ctx.filters.desa_code)
    if ctx.filters.kecamatan_code:
        statement = statement.where(Case.kecamatan_code == ctx.filters.kecamatan_code)
    statement = ctx.period(statement, Case.created_at)
    async for rows in ctx.chunks(statement, Case.id):
        ids = [case.id for (case,) in rows]
        counts = dict((await ctx.session.execute(
            select(CaseMessage.case_id, func.count()).where(CaseMessage.case_id.in_(ids))
            .group_by(CaseMessage.case_id)
        )).all())  # fmt: skip
        first_ids = select(func.min(CaseMessage.id)).where(
            CaseMessage.case_id.in_(ids), CaseMessage.text.is_not(None)
        ).group_by(CaseMessage.case_id)
        firsts = dict((await ctx.session.execute(
            select(CaseMessage.case_id, CaseMessage.text).where(CaseMessage.id.in_(first_ids))
        )).all())  # fmt: skip
        files = dict((await ctx.session.execute(
            select(CaseMessage.case_id, func.count()).where(
                CaseMessage.case_id.in_(ids), CaseMessage.file_id.is_not(None)
            ).group_by(CaseMessage.case_id)
        )).all())  # fmt: skip
        for (case,) in rows:
            yield [
                f"{PREFIXES.get(case.kind, case.kind[:1].upper())}-{case.id}",
                KINDS.get(case.kind, case.kind), STATES.get(case.state, case.state),
                LEVELS.get(case.level, case.level), case.urgent,
                ctx.names.get(case.kecamatan_code, case.kecamatan_code),
                ctx.names.get(case.desa_code, case.desa_code),
                _wib(case.created_at), _wib(case.first_answer_due_at), _wib(case.answered_at),
                _wib(case.closed_at), OUTCOMES.get(case.outcome or "", case.outcome),
                case.outcome_note, FEEDBACK.get(case.resident_feedback or "", None),
                case.reopened_count, counts.get(case.id, 0), firsts.get(case.id),
                ctx.photo(photo_links.CASE, case.id, files.get(case.id)), files.get(case.id, 0),
            ]  # fmt: skip


async def quick_rows(ctx: Any) -> AsyncIterator[list[Any]]:
    statement = select(QuickReport, Account).join(Account, Account.id == QuickReport.account_id)
    area = ctx.filters.desa_code or ctx.filters.kecamatan_code
    if area:  # a report of the area, or of a desa in the kecamatan
        statement = statement.where(
            (QuickReport.area_code == area) | QuickReport.area_code.startswith(area + ".")
        )
    statement = ctx.period(statement, QuickReport.created_at)
    async for rows in ctx.chunks(statement, QuickReport.id):
        for report, volunteer in rows:
            yield [
                _wib(report.created_at), volunteer.first_name or f"#{volunteer.id}",
                report.role, ctx.names.get(report.area_code or "", report.area_code),
                report.text, ctx.photo(photo_links.QUICK, report.id, report.photo_file_id),
                report.latitude, report.longitude,
            ]  # fmt: skip
