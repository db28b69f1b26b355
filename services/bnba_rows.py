"""Checking one row of a list: identity (NIK or name, the household key, the desa), then
every optional value (relation, sex, birth date, RT/RW, programmes, phone, desil, house...).

A row becomes a :class:`Person`, or a list of reasons (``(code, params)``) why not: only a
missing or wrong identity rejects a row (docs/staff.md). An optional value that cannot be
read is left out, with a warning naming the row, the column and the problem (never the NIK);
the texts for the codes are rendered by the caller (bot or CLI) through gettext. Soft
findings (a NIK whose birth date or sex disagrees with the row, docs/domain.md §1) are
warnings too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from domain.dates import parse_date
from domain.errors import Invalid
from domain.identity import (
    PROVINCE_CODES,
    mask_id_numbers,
    nik_is_female,
    parse_kk,
    parse_nik,
    real_day_month,
)
from domain.phone import parse_phone
from domain.source_values import (
    HEAD,
    UNKNOWN_RELATION,
    clean_text,
    id_number_text,
    parse_day,
    parse_desil,
    parse_flag,
    parse_left_reason,
    parse_padan,
    parse_relation,
    parse_rt_or_rw,
    parse_rt_rw,
    parse_sex,
    parse_source_list,
)
from services.source_layouts import HOUSE_FIELDS, Reading
from services.source_regions import RegionIndex

__all__ = ["HEAD", "Person", "Reason", "RegionIndex", "RowContext", "check_row", "household_key"]

Reason = tuple[str, dict[str, Any]]

PROGRAM_ALIASES = {"SEMBAKO": "BPNT", "RTLH": "RUTILAHU", "RS-RTLH": "RUTILAHU", "LAIN": "LAINNYA"}

_SPLIT_PROGRAMS = re.compile(r"[,;/+|]+")
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"\d{4}")
EARLIEST_BIRTH = dt.date(1900, 1, 1)
TEXT_LIMITS = {
    "pekerjaan": 80, "pendidikan": 60, "status_kawin": 20, **dict.fromkeys(HOUSE_FIELDS, 60),
}  # fmt: skip


@dataclass(slots=True)
class Person:
    row: int
    cells: list[str]
    kk: str | None
    household_id: str | None  # the source's own household id (ID Keluarga P3KE, IDBDT...)
    nik: str | None
    name: str
    relation: str
    sex: str | None
    birth_date: dt.date | None
    address: str | None
    rt: str | None
    rw: str | None
    desa_code: str
    kecamatan_code: str
    programs: tuple[str, ...]
    phone: str | None
    severe_disability: bool | None
    in_school: bool | None
    desil: int | None = None
    padan: bool | None = None
    source_programs: tuple[str, ...] = ()  # programme columns saying "Ya", by their names
    texts: dict[str, str] = field(default_factory=dict)  # pekerjaan, pendidikan, house...
    warnings: list[Reason] = field(default_factory=list)
    # Only in our own export (services.export_people): the list the household came from
    # (its id keys it under that list), and a member who no longer lives there.
    source_list: str | None = None
    left_on: dt.date | None = None
    left_reason: str | None = None

    @property
    def key(self) -> str:
        """What groups this row with its household's: the No. KK, else the source's id."""
        return self.kk if self.kk is not None else "id:" + (self.household_id or "")


@dataclass
class RowContext:
    """What every row of one sheet is checked against."""

    reading: Reading
    regions: RegionIndex
    programs: set[str]
    today: dt.date
    relation_codes: str | None = None  # bdt | dukcapil: forced (CLI) or the layout's

    def __post_init__(self) -> None:
        layout = self.reading.layout
        if self.relation_codes is None and layout is not None:
            self.relation_codes = layout.relation_codes
        self.rows_are_heads = bool(layout and layout.rows_are_heads)
        self.has_relation = "hubungan" in self.reading.fields

    def header(self, name: str) -> str:
        index = self.reading.index(name)
        return str(self.reading.headers[index]).strip() if index is not None else name


def _clean_number(text: str, kind: str) -> bool:
    """The common case, checked fast: 16 plain digits that pass the hard rules of parse_nik /
    parse_kk (docs/domain.md §1). Anything else goes through those parsers for the reason."""
    if len(text) != 16 or not text.isdigit() or not text.isascii():
        return False
    if int(text[:2]) not in PROVINCE_CODES or "00" in (text[2:4], text[4:6]):
        return False
    dd, mm, yy = int(text[6:8]), int(text[8:10]), int(text[10:12])
    if kind == "nik" and dd > 40:
        dd -= 40
    return 1 <= mm <= 12 and 1 <= dd <= 31 and real_day_month(dd, mm, yy) and text[12:] != "0000"




def _number(text: str, kind: str) -> str | Reason:
    """A valid NIK/KK, or why not."""
    if _clean_number(text, kind):
        return text
    try:
        digits = id_number_text(text)
        if _clean_number(digits, kind):
            return digits
        return parse_nik(digits) if kind == "nik" else parse_kk(digits)
    except Invalid as exc:
        if exc.code == "source.excel_rounded":
            return "excel_number", {"value": text}
        return f"{kind}_invalid", {"rule": exc.code, "params": exc.params}


def household_key(values: dict[str, str]) -> str | None:
    """The row's household key if it has one (used to group rows before the full check):
    its valid No. KK, else the source's household id."""
    text = values.get("no_kk", "")
    if text:
        kk = _number(text, "kk")
        if isinstance(kk, str):
            return kk
    source_id = values.get("household_id", "").strip()
    return "id:" + source_id if source_id else None


class _Optional:
    """Reads a row's optional values; a bad one is dropped with a warning."""

    def __init__(self, values: dict[str, str], context: RowContext) -> None:
        self.values = values
        self.context = context
        self.warnings: list[Reason] = []

    def drop(self, name: str, code: str) -> None:
        value = mask_id_numbers(self.values.get(name, ""))[:40]
        self.warnings.append(
            ("value_dropped", {"column": self.context.header(name), "rule": code, "value": value})
        )

    def read(self, name: str, parse: Any) -> Any:
        text = self.values.get(name, "")
        if not text or text.strip() in ("-", "--"):  # what lists write for "nothing"
            return None
        try:
            return parse(text)
        except Invalid as exc:
            self.drop(name, exc.code)
            return None


def check_row(row: int, values: dict[str, str], cells: list[str], context: RowContext
              ) -> Person | list[Reason]:  # fmt: skip
    reasons: list[Reason] = []
    nik: str | None = None
    if values.get("nik", "").strip():
        found = _number(values["nik"], "nik")
        if isinstance(found, str):
            nik = found
        else:
            reasons.append(found)
    name = " ".join(values.get("nama", "").split())[:120]
    if name and not any(c.isalpha() for c in name):
        reasons.append(("name_invalid", {"value": mask_id_numbers(name)[:40]}))
    elif not name and nik is None and not reasons:
        reasons.append(("required", {"column": context.header("nama")}))
    optional = _Optional(values, context)
    if not name and nik is not None:  # a person known by the NIK alone: imported, to check
        optional.warnings.append(("required", {"column": context.header("nama")}))
    kk: str | None = None
    household_id = " ".join(values.get("household_id", "").split())[:64] or None
    kk_text = values.get("no_kk", "").strip()
    if kk_text:
        found = _number(kk_text, "kk")
        if isinstance(found, str):
            kk = found
        elif household_id is not None:  # the source's id still keys the household
            optional.warnings.append(("kk_dropped", {"column": context.header("no_kk")}))
        else:
            reasons.append(found)
    elif household_id is None:
        reasons.append(("required", {"column": context.header("no_kk")}))
    place = _place(values, context, reasons)
    if reasons:
        return reasons
    assert place is not None
    person = Person(
        row=row, cells=cells, kk=kk, household_id=household_id, nik=nik, name=name,
        relation=_relation(optional, context), sex=optional.read("jenis_kelamin", parse_sex),
        birth_date=optional.read("tanggal_lahir", lambda t: _birth_date(t, context.today)),
        address=clean_text(values.get("alamat", ""), 300), rt=None, rw=None,
        desa_code=place[0], kecamatan_code=place[1], programs=(), phone=None,
        severe_disability=optional.read("disabilitas_berat", parse_flag),
        in_school=optional.read("sekolah", parse_flag),
        desil=optional.read("desil", parse_desil), padan=optional.read("padan", parse_padan),
    )  # fmt: skip
    both = optional.read("rt_rw", parse_rt_rw)
    person.rt, person.rw = both or (None, None)
    person.rt = optional.read("rt", parse_rt_or_rw) or person.rt
    person.rw = optional.read("rw", parse_rt_or_rw) or person.rw
    person.phone = optional.read("telepon", parse_phone)
    _programs_of(person, values, context, optional)
    person.source_list = optional.read("daftar_sumber", parse_source_list)
    person.left_on = optional.read("keluar_pada", lambda t: _birth_date(t, context.today))
    person.left_reason = optional.read("alasan_keluar", parse_left_reason)
    if person.left_reason is not None and person.left_on is None:
        optional.drop("alasan_keluar", "source.left_without_date")
        person.left_reason = None
    for name_, limit in TEXT_LIMITS.items():
        text = clean_text(values.get(name_, ""), limit)
        if text:
            person.texts[name_] = text
    person.warnings = optional.warnings
    _nik_agrees(person)
    return person


def _place(values: dict[str, str], context: RowContext, reasons: list[Reason]
           ) -> tuple[str, str] | None:  # fmt: skip
    kecamatan = values.get("kecamatan", "").strip()
    bps_kecamatan = values.get("bps_kecamatan", "").strip()
    bps_desa = values.get("bps_desa", "").strip()  # BDT's KDDESA: only when the rest fails
    desa_text = (values.get("kode_desa", "") or values.get("desa", "") or bps_desa).strip()
    if not desa_text:
        reasons.append(("required", {"column": context.header("desa")}))
        return None
    found = context.regions.place(desa_text, kecamatan, bps_kecamatan)
    if isinstance(found[1], dict):
        code, params = found
        retries = [values.get("desa", "").strip() if values.get("kode_desa") else "", bps_desa]
        for other in retries:  # the code is wrong: try the name; the name is: try BPS
            if other and other != desa_text:
                retry = context.regions.place(other, kecamatan, bps_kecamatan)
                if not isinstance(retry[1], dict):
                    return str(retry[0]), retry[1]
        reasons.append((str(code), params))
        return None
    return str(found[0]), found[1]


def _relation(optional: _Optional, context: RowContext) -> str:
    if context.rows_are_heads:
        return HEAD
    if not context.has_relation:
        return UNKNOWN_RELATION
    found = optional.read("hubungan", lambda t: parse_relation(t, context.relation_codes))
    return found or UNKNOWN_RELATION


def _programs_of(person: Person, values: dict[str, str], context: RowContext,
                 optional: _Optional) -> None:  # fmt: skip
    codes: set[str] = set()
    text = values.get("program", "")
    if text.strip():
        found, problems = _program_codes(text, frozenset(context.programs))
        codes.update(found)
        for _code, params in problems:
            optional.warnings.append(("program_dropped", params))
    names = [name.strip() for name in values.get("program_menurut_daftar", "").split(",")
             if name.strip()]  # fmt: skip
    for key, (program, name) in context.reading.flags.items():
        flag = optional.read(key, parse_flag) if values.get(key) else None
        if flag:
            names.append(name)
            if program in context.programs:
                codes.add(program)
    person.programs = tuple(sorted(codes))
    person.source_programs = tuple(names)


def _birth_date(text: str, today: dt.date) -> dt.date:
    """A day of someone's life (a birth, a move): not in the future, not before 1900."""
    text = text.strip()
    try:
        born = _plain_date(text) or parse_day(text)
    except Invalid:
        if not _YEAR.search(text):  # "kemarin" is a date to a form, not a birth date
            raise
        try:  # "17 Agustus 1985" and the other forms people type
            born = parse_date(text, today=today)
        except Invalid:
            raise Invalid("source.date") from None
    if born is None or born > today or born < EARLIEST_BIRTH:
        raise Invalid("source.date")
    return born


@lru_cache(maxsize=1024)
def _program_codes(text: str, known: frozenset[str]) -> tuple[tuple[str, ...], tuple[Reason, ...]]:
    reasons: list[Reason] = []
    found: set[str] = set()
    for part in _SPLIT_PROGRAMS.split(text):
        code = _SPACES.sub("", part).upper()
        if not code:
            continue
        code = PROGRAM_ALIASES.get(code, code)
        if code not in known:
            reasons.append(
                ("program_unknown", {"value": part.strip(), "allowed": ", ".join(sorted(known))})
            )
            continue
        found.add(code)
    return tuple(sorted(found)), tuple(reasons)


def _plain_date(text: str) -> dt.date | None:
    """The common DD-MM-YYYY / YYYY-MM-DD, read fast; anything else (or a date that does not
    exist) goes to parse_date, which knows every other form and says what is wrong."""
    if len(text) != 10:
        return None
    try:
        if text[2] in "-/" and text[5] == text[2]:
            return dt.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        if text[4] == "-" and text[7] == "-":
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        return None
    return None


def _nik_agrees(person: Person) -> None:
    """Soft checks (docs/domain.md §1): the NIK's birth date and sex against the row's."""
    nik = person.nik
    if nik is None:
        return
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = nik_is_female(nik)
    if person.sex is not None and person.sex != ("P" if female else "L"):
        person.warnings.append(("nik_sex_mismatch", {"sex": person.sex}))
    born = person.birth_date
    if born is None:
        return
    day = dd - 40 if female else dd
    if (day, mm, yy) != (born.day, born.month, born.year % 100):
        person.warnings.append(("nik_birth_mismatch", {"nik_date": f"{day:02d}-{mm:02d}-{yy:02d}"}))
