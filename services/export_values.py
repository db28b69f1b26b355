"""How values are written in the staff's XLSX reports: Indonesian words for the codes the
database keeps, a form's answers as columns of their own, Excel dates and text cells.

Like the reports' column names, these words are a file format (staff filter on them, other
offices' tools read them), so they are fixed Indonesian here, not translated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain.source_values import normalise_header

# Codes stored in English or as identifiers -> the word in the file. A code not listed is
# written with spaces for underscores ("buruh_harian" -> "buruh harian").
WORDS = {
    # needs in /lapor
    "food": "pangan", "health": "kesehatan", "house": "perbaikan rumah", "work": "pekerjaan",
    "school": "biaya sekolah",
    # training sign-ups, schedules, trainings
    "enrolled": "terdaftar", "waiting": "daftar tunggu", "cancelled": "dibatalkan",
    "attended": "hadir", "scheduled": "terjadwal", "open": "dibuka", "closed": "ditutup",
    # broadcasts
    "manual": "siaran", "reminder": "pengingat", "notice": "pemberitahuan", "draft": "draf",
    "queued": "antre", "sending": "sedang dikirim", "paused": "dijeda", "done": "selesai",
    # households
    "bnba": "daftar BNBA", "usulan_warga": "usulan warga", "usulan_relawan": "usulan relawan",
    "menunggu_verifikasi": "menunggu verifikasi",
    # roles
    "warga": "warga", "psm": "PSM", "tksk": "TKSK", "petugas": "petugas Dinsos",
    # visits
    "keep": "lokasi dipakai", "drop": "lokasi tidak dipakai",
}  # fmt: skip

# Words of a household's status (Household.status), a visit's outcome (FieldVisit.outcome)
# and a role, for the reports that write their values themselves (services.export_sources,
# services.export_status).
HOUSEHOLD_STATUS = {"aktif": "aktif", "pindah": "pindah", "meninggal": "meninggal",
                    "tidak_ditemukan": "tidak ditemukan"}  # fmt: skip
VISIT_OUTCOMES = {
    "ditemui": "ditemui", "tidak_ada_orang": "tidak ada orang di rumah", "pindah": "pindah",
    "meninggal": "meninggal", "alamat_tidak_ditemukan": "alamat tidak ditemukan",
    "data_salah": "data salah",
}  # fmt: skip
ROLE_WORDS = {"warga": "warga", "psm": "PSM", "tksk": "TKSK", "petugas": "petugas Dinsos"}

# The /lapor form's questions (conversations/lapor.py), as report columns.
REPORT_ANSWERS = {
    "work": "pekerjaan", "income": "pendapatan_bulanan", "members": "jumlah_anggota",
    "elderly": "jumlah_lansia", "disabled": "jumlah_difabel",
    "out_of_school": "anak_tidak_sekolah", "floor": "lantai", "walls": "dinding",
    "roof": "atap", "water": "air_minum", "toilet": "jamban", "electricity": "listrik",
    "needs": "kebutuhan", "food": "makanan", "sickness": "sakit", "house_safety": "keadaan_rumah",
    "note": "catatan",
}  # fmt: skip

# The visit form's questions (conversations/field_visit.py), as visit columns. Member
# questions hold member ids: written as names.
VISIT_ANSWERS = {
    "gone": "anggota_tidak_tinggal_lagi", "productive": "anggota_usia_produktif",
    "lansia": "anggota_lansia", "difabel": "anggota_difabel_berat", "work": "pekerjaan",
    "income": "pendapatan_bulanan", "house": "kerusakan_rumah", "aid": "bantuan_diterima",
    "needs": "kebutuhan", "decision": "keputusan_verifikasi", "reject_reason": "alasan_ditolak",
    "location_ok": "lokasi",
}  # fmt: skip
MEMBER_ANSWERS = frozenset({"gone", "productive", "lansia", "difabel"})


class Link(str):
    """A cell that opens something in the bot (services.photo_links): written as is, never
    turned into words, and a clickable hyperlink when it is a URL."""


def word(value: Any) -> Any:
    """A stored value as the file shows it: yes/no, Indonesian words for codes, lists joined."""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, str):
        return WORDS.get(value, value.replace("_", " ") if _is_code(value) else value)
    if isinstance(value, list):
        return ", ".join(str(word(v)) for v in value)
    if isinstance(value, dict):  # a location
        if "latitude" in value and "longitude" in value:
            return f"{value['latitude']}, {value['longitude']}"
        return ", ".join(f"{k}: {word(v)}" for k, v in value.items())
    return value


def _is_code(value: str) -> bool:
    return value.isascii() and value.replace("_", "").isalnum() and value == value.lower()


def answers(
    stored: dict[str, Any] | None, keys: dict[str, str], names: dict[int, str] | None = None
) -> list[Any]:
    """A form's stored answers as one value per column of `keys`, empty where not asked."""
    stored = stored or {}
    row = []
    for key in keys:
        value = stored.get(key)
        if key in MEMBER_ANSWERS and isinstance(value, list) and names is not None:
            value = [names.get(int(v), str(v)) for v in value if str(v).isdigit()]
        row.append(word(value) if value not in (None, "", []) else None)
    return row


DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
# Columns of numbers that are codes (a list's own ids, region codes): text, so Excel neither
# rounds nor drops a leading zero. Compared after normalise_header ("No KK" -> "no_kk").
CODE_COLUMNS = frozenset({
    "nokk", "kode_desa", "kode_kemdagri", "id_keluarga_p3ke", "id_individu", "idbdt",
    "idartbdt", "kdprop", "kdkab", "kdkec", "kddesa", "id_keluarga_sumber",
})  # fmt: skip
LINK_COLUMNS = frozenset({"foto", "lampiran", "foto_kunjungan"})


def number_format(value: Any, column: str) -> str | None:
    """The cell format a value needs: a date shown as a date, a NIK or KK kept as text (Excel
    would show 3.21618E+15 and drop the last digits)."""
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    name = normalise_header(column)
    if name.startswith(("nik", "no_kk")) or name.endswith(("_kk", "nik_kepala")):
        return "@"
    if name in CODE_COLUMNS:
        return "@"
    return None


def width(column: str) -> float:
    """A sensible column width (characters) from the column's name and kind."""
    column = normalise_header(column)
    if column.startswith(("nik", "no_kk")) or column == "nokk":
        return 20
    if column in LINK_COLUMNS:
        return 45
    if column in ("alamat", "catatan", "catatan_verifikasi", "keluhan", "sasaran", "keterangan",
                  "catatan_kunjungan"):  # fmt: skip
        return 40
    if column in ("tanggal", "jadwal", "mulai", "selesai", "dibuat") or column.endswith(
        ("_pada", "_terakhir")
    ):
        return 17
    return max(12.0, min(30.0, len(column) + 2.0))


def audience_words(audience: dict[str, Any], names: dict[str, str]) -> str:
    """Who a broadcast was for, in words: "kecamatan Setu", "program PKH", "penyaluran #3"."""
    parts = []
    for key, value in audience.items():
        if key == "ages" and isinstance(value, dict):  # a training's announcement
            parts.append(f"usia {value.get('min')}-{value.get('max')} tahun")
            continue
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(names.get(str(v), str(word(v))) for v in values)
        if key == "type":  # the kind of audience, in words, then what it names
            parts.append(shown)
        elif key in ("codes", "code", "id", "ids") and parts:
            parts[-1] = f"{parts[-1]} {shown}"
        else:
            parts.append(f"{word(key)} {shown}".strip())
    return "; ".join(parts)


def cells(sheet: Any, columns: list[str], row: list[Any], *, words: bool = True) -> list[Any]:
    """The row as cells: words for codes and yes/no, dates as Excel dates, NIK/KK as text,
    links clickable. ``words=False``: the report wrote its values in words itself (a list's
    own layout, or our import template, whose cells must read back exactly)."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for column, value in zip(columns, row, strict=True):
        if isinstance(value, Link):
            cells.append(_link(WriteOnlyCell(sheet, value=str(value))))
            continue
        if words or isinstance(value, bool):
            value = word(value)
        fmt = number_format(value, column)
        if fmt is None:
            cells.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = fmt
        cells.append(cell)
    return cells


def _link(cell: Any) -> Any:
    if str(cell.value).startswith("https://"):
        cell.hyperlink = cell.value
        cell.style = "Hyperlink"
    return cell
