"""The layouts of the lists Dinsos receives, as data (docs/domain.md §9), and recognising
one by its headers.

A layout says which header (after normalise_header: case, spaces, dots, underscores ignored)
holds which of our fields, which relation-code system its numbers use, and what keys its
households. A sheet is read with the layout whose signature its headers hold and that finds
the most of its columns; a staff member's mapping (``--map field=Column`` or the bot's
buttons) can replace or complete it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from domain.source_values import normalise_header

# Our fields. Identity (what a row cannot do without): a NIK or a name, a household key (No.
# KK or the source's household id) and the desa. Everything else is optional.
IDENTITY_FIELDS = ("nik", "nama", "no_kk", "household_id", "desa")
HOUSE_FIELDS = ("atap", "dinding", "lantai", "penerangan", "bahan_bakar", "air_minum", "bab")
FIELDS = (
    "no_kk", "household_id", "person_id", "nik", "nama", "hubungan", "jenis_kelamin",
    "tanggal_lahir", "status_kawin", "pekerjaan", "pendidikan", "padan", "alamat", "rt", "rw",
    "rt_rw", "kode_desa", "kecamatan", "desa", "bps_kecamatan", "bps_desa", "program", "telepon",
    "disabilitas_berat", "sekolah", "desil", *HOUSE_FIELDS,
    # Our own export (services.export_people) carries these so that it reads back as it was.
    "daftar_sumber", "program_menurut_daftar", "keluar_pada", "alasan_keluar",
)  # fmt: skip
FLAG_PREFIX = "flag:"  # a column of one programme, Ya/Tidak: "flag:<column index>"


@dataclass(frozen=True)
class Layout:
    name: str  # shown to staff as is: the list's own name
    source: str  # stored with a household id: p3ke, dtks, regsosek, siks, kpm, bnba
    signatures: tuple[frozenset[str], ...]  # one of them must be among the headers
    columns: Mapping[str, tuple[str, ...]]  # our field -> its normalised headers
    relation_codes: str | None = None  # bdt | dukcapil: what a numeric relation means
    # Every row is the head of its household (P3KE's Keluarga sheet).
    rows_are_heads: bool = False
    order: int = 1  # sheets of lower order import first (households before their people)


def _sig(*headers: str) -> frozenset[str]:
    return frozenset(headers)


_PLACE = {
    "kecamatan": ("kecamatan", "nama_kecamatan", "nmkec", "kec"),
    "desa": ("desa_kelurahan", "desa", "kelurahan", "nama_desa", "nmkel", "nmdesa",
             "kelurahan_desa", "desa_kel"),
    "alamat": ("alamat", "alamat_lengkap"),
}  # fmt: skip
_PERSON = {
    "nik": ("nik",),
    "jenis_kelamin": ("jenis_kelamin", "jk", "kelamin", "jnskel"),
    "tanggal_lahir": ("tanggal_lahir", "tgl_lahir", "tgllahir"),
    "pekerjaan": ("pekerjaan", "pekerjaan_utama"),
    "pendidikan": ("pendidikan", "pendidikan_terakhir", "pendidikan_tertinggi"),
    "padan": ("padan_dukcapil", "status_padan", "padan"),
    "status_kawin": ("status_kawin", "setatus_kawin", "status_perkawinan", "sta_kawin"),
}
_HOUSE = {
    "atap": ("atap", "jenis_atap"),
    "dinding": ("dinding", "jenis_dinding"),
    "lantai": ("lantai", "jenis_lantai"),
    "penerangan": ("penerangan", "sumber_penerangan"),
    "bahan_bakar": ("bahan_bakar", "bahan_bakar_memasak"),
    "air_minum": ("air_minum", "sumber_air_minum"),
    "bab": ("bab", "fasilitas_bab", "jamban", "fasilitas_buang_air_besar"),
}
_P3KE_COMMON = {
    **_PLACE, **_PERSON, **_HOUSE,
    "household_id": ("id_keluarga_p3ke", "id_keluarga"),
    "no_kk": ("no_kk", "nomor_kk", "nokk"),  # not in P3KE itself: added later by the office
    "kode_desa": ("kode_kemdagri", "kode_kemendagri", "kode_wilayah"),
    "desil": ("desil_kesejahteraan", "desil"),
}  # fmt: skip

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "P3KE Keluarga", "p3ke",
        (_sig("id_keluarga_p3ke", "kepala_keluarga"),),
        {**_P3KE_COMMON, "nama": ("kepala_keluarga",)},
        rows_are_heads=True, order=0,
    ),
    Layout(
        "P3KE Individu", "p3ke",
        (_sig("id_keluarga_p3ke", "id_individu"),
         _sig("id_keluarga_p3ke", "hubungan_dengan_kepala_keluarga")),
        {**_P3KE_COMMON, "person_id": ("id_individu",), "nama": ("nama", "nama_lengkap"),
         "hubungan": ("hubungan_dengan_kepala_keluarga", "hubungan")},
    ),
    Layout(
        "DTKS/BDT (TNP2K)", "dtks",
        (_sig("idbdt", "kdkec"), _sig("idartbdt", "hub_krt")),
        {**_PERSON, "household_id": ("idbdt",), "person_id": ("idartbdt",),
         "bps_kecamatan": ("kdkec",), "bps_desa": ("kddesa",),
         "kecamatan": ("nmkec", "kecamatan"),
         "desa": ("nmdesa", "nmkel", "desa", "kelurahan", "desa_kelurahan"),
         "alamat": ("alamat",), "nama": ("nama", "nama_art"), "hubungan": ("hub_krt",),
         "no_kk": ("nokk", "no_kk"), "desil": ("desil",)},
        relation_codes="bdt",
    ),
    Layout(
        "Regsosek/DTSEN", "regsosek",
        (_sig("nomor_induk_kependudukan"), _sig("status_hubungan_keluarga", "desil_nasional")),
        {**_PLACE, **_PERSON, **_HOUSE,
         "nik": ("nomor_induk_kependudukan", "nik"),
         "no_kk": ("nomor_kartu_keluarga", "no_kk"),
         "household_id": ("id_keluarga", "id_rumah_tangga", "idrt"),
         "person_id": ("id_individu", "id_art"),
         "nama": ("nama", "nama_lengkap", "nama_anggota_keluarga"),
         "hubungan": ("status_hubungan_keluarga", "hubungan_dengan_kepala_keluarga"),
         "kode_desa": ("kode_desa", "kode_wilayah", "kode_kemendagri"),
         "desil": ("desil_nasional", "desil"), "rt": ("rt",), "rw": ("rw",)},
        relation_codes="bdt",
    ),
    Layout(
        "DTKS (SIKS-NG)", "siks",
        (_sig("nik", "no_kk", "atensi"), _sig("nik", "no_kk", "permakanan"),
         _sig("nik", "no_kk", "yapi")),
        {**_PLACE, "nik": ("nik",), "no_kk": ("no_kk",), "nama": ("nama",)},
    ),
    Layout(
        "Kemensos KPM", "kpm",
        (_sig("nama_penerima", "nik_ktp"),),
        {"nama": ("nama_penerima",), "nik": ("nik_ktp",), "no_kk": ("nokk_dtks", "no_kk"),
         "person_id": ("idartbdt",), "kecamatan": ("nmkec",), "desa": ("nmkel", "nmdesa"),
         "alamat": ("alamat",)},
    ),
    Layout(
        "Nirmiskin (BNBA)", "bnba",
        # Also the fallback for any list with one of these: the most aliases.
        (_sig("nik"), _sig("no_kk"), _sig("nik_kk"), _sig("nomor_kk"), _sig("kk")),
        {**_PLACE, **_PERSON, **_HOUSE,
         "no_kk": ("no_kk", "nomor_kk", "kk", "no_kartu_keluarga", "nokk", "nik_kk"),
         "nik": ("nik", "nomor_nik", "no_nik", "nik_pkk"),
         "nama": ("nama", "nama_lengkap", "nama_kk"),
         "hubungan": ("hubungan", "hubungan_keluarga", "shdk", "status_hubungan"),
         "rt": ("rt",), "rw": ("rw",), "rt_rw": ("rt_rw", "rtrw"),
         "program": ("program", "programs", "bantuan"),
         "telepon": ("telepon", "hp", "no_hp", "nomor_hp", "telp", "no_telp"),
         "disabilitas_berat": ("disabilitas_berat", "difabel_berat"),
         "sekolah": ("sekolah", "masih_sekolah"), "desil": ("desil",),
         # Written by our person-level export (services.export_people): names no list
         # Dinsos receives uses, so they change how no other file is recognised.
         "kode_desa": ("kode_desa",), "household_id": ("id_keluarga_sumber",),
         "daftar_sumber": ("daftar_sumber",),
         "program_menurut_daftar": ("program_menurut_daftar",),
         "keluar_pada": ("keluar_pada",), "alasan_keluar": ("alasan_keluar",)},
    ),
)  # fmt: skip
BY_NAME = {normalise_header(layout.name): layout for layout in LAYOUTS}

# Programme columns (Ya/Tidak, YA/TIDAK, 1/2) and the programme each one adds; the others go
# to LAINNYA and are kept by name (households.source_programs).
PROGRAM_COLUMNS = {
    "pkh": "PKH", "bpnt": "BPNT", "bnbt": "BPNT", "sembako": "BPNT", "sembako_adaptif": "BPNT",
    "bnpt_ppkm": "BPNT", "blt": "BLT", "blt_bbm": "BLT", "blt_dd": "BLT", "blt_dana_desa": "BLT",
    "rutilahu": "RUTILAHU", "rtlh": "RUTILAHU", "bst": "LAINNYA", "bpum": "LAINNYA",
    "pbi": "LAINNYA", "pbi_jk": "LAINNYA", "pbi_jkn": "LAINNYA", "atensi": "LAINNYA",
    "permakanan": "LAINNYA", "yapi": "LAINNYA", "pena": "LAINNYA", "first_sk": "LAINNYA",
    "pip": "LAINNYA", "kip": "LAINNYA",
}  # fmt: skip
_FLAG_PREFIXES = ("penerima_", "ada_", "status_", "")


def program_of_header(header: str) -> str | None:
    """``Penerima PKH`` -> ``PKH``; ``BLT BBM`` -> ``BLT``; None when it is no programme."""
    for prefix in _FLAG_PREFIXES:
        if header.startswith(prefix) and header[len(prefix):] in PROGRAM_COLUMNS:
            return PROGRAM_COLUMNS[header[len(prefix):]]
    return None


@dataclass
class Reading:
    """How one sheet is read: its layout (None: mapped by hand only) and, per column, our
    field (``""`` for a column we ignore)."""

    layout: Layout | None
    fields: list[str]
    headers: list[str]
    # "flag:<index>" -> (our programme code, the column's name as written)
    flags: dict[str, tuple[str, str]] = field(default_factory=dict)

    def index(self, name: str) -> int | None:
        return self.fields.index(name) if name in self.fields else None

    def missing(self) -> list[str]:
        """Identity fields no column gives: a NIK or a name, a household key, the desa."""
        have = set(self.fields)
        out = []
        if not have & {"nik", "nama"}:
            out.append("nik")
        if not have & {"no_kk", "household_id"}:
            out.append("no_kk")
        if not have & {"desa", "kode_desa"} and not {"bps_kecamatan", "bps_desa"} <= have:
            out.append("desa")
        return out


def _score(layout: Layout, normalised: set[str]) -> int:
    if not any(signature <= normalised for signature in layout.signatures):
        return -1
    return sum(1 for aliases in layout.columns.values() if normalised & set(aliases))


def recognise(headers: list[str], *, layout_name: str | None = None,
              mapping: Mapping[str, str] | None = None) -> Reading:  # fmt: skip
    """The layout of a sheet with these headers (or the one named), with ``mapping``
    (our field -> header as written) applied over it."""
    normalised = [normalise_header(h) for h in headers]
    if layout_name is not None:
        layout: Layout | None = BY_NAME.get(normalise_header(layout_name))
        if layout is None:
            raise KeyError(layout_name)
    else:
        scored = [(_score(layout, set(normalised)), -i, layout) for i, layout in
                  enumerate(LAYOUTS)]  # fmt: skip
        best = max(scored, key=lambda item: (item[0], item[1]))
        # No signature at all: our own template's aliases still find what they can, and
        # the staff member maps the rest.
        layout = best[2] if best[0] >= 0 else LAYOUTS[-1]
    fields = [""] * len(headers)
    flags: dict[str, tuple[str, str]] = {}
    if layout is not None:
        for name, aliases in layout.columns.items():
            for alias in aliases:  # the first alias present wins
                if alias in normalised:
                    index = normalised.index(alias)
                    if not fields[index]:
                        fields[index] = name
                        break
    for index, header in enumerate(normalised):
        if fields[index]:
            continue
        program = program_of_header(header)
        if program is not None:
            fields[index] = f"{FLAG_PREFIX}{index}"
            flags[fields[index]] = (program, str(headers[index]).strip())
    for name, header in (mapping or {}).items():
        wanted = normalise_header(header)
        if wanted not in normalised:
            raise LookupError(header)
        fields = ["" if f == name else f for f in fields]
        fields[normalised.index(wanted)] = name
    return Reading(layout, fields, list(headers), flags)


def headers_key(headers: Iterable[str]) -> str:
    """The key a remembered mapping is kept under: a hash of the sorted normalised headers."""
    names = sorted({normalise_header(h) for h in headers if normalise_header(h)})
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()
