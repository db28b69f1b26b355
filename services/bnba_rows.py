"""Checking one BNBA row: NIK/KK, names, dates, relation, sex, region, programs.

A row becomes a :class:`Person` or a list of reasons (``(code, params)``) why not; the texts
for the codes are rendered by the caller (bot or CLI) through gettext. Soft findings (a NIK
whose birth date or sex disagrees with the row, docs/domain.md §1) are warnings: the row is
imported and the staff member is asked to check it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from domain.dates import parse_date
from domain.errors import Invalid
from domain.identity import PROVINCE_CODES, nik_is_female, parse_kk, parse_nik, real_day_month
from domain.phone import parse_phone

Reason = tuple[str, dict[str, Any]]

RELATIONS = {
    "kepala keluarga": "kepala", "kepala": "kepala", "kk": "kepala",
    "kepala rumah tangga": "kepala",
    "istri": "istri", "isteri": "istri",
    "suami": "suami",
    "anak": "anak", "anak kandung": "anak", "anak tiri": "anak", "anak angkat": "anak",
    "menantu": "menantu",
    "cucu": "cucu",
    "orang tua": "orang_tua", "orangtua": "orang_tua", "ayah": "orang_tua", "ibu": "orang_tua",
    "mertua": "mertua",
    "famili lain": "famili_lain", "famili": "famili_lain", "saudara": "famili_lain",
    "pembantu": "lainnya", "lainnya": "lainnya", "lain-lain": "lainnya", "lain lain": "lainnya",
}  # fmt: skip
HEAD = "kepala"
SEXES = {
    "l": "L", "lk": "L", "laki-laki": "L", "laki laki": "L", "lakilaki": "L", "pria": "L",
    "male": "L", "m": "L",
    "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P", "w": "P",
}  # fmt: skip
YES = {"ya", "y", "yes", "1", "true", "benar", "iya"}
NO = {"tidak", "t", "no", "n", "0", "false", "bukan", "tdk"}
PROGRAM_ALIASES = {"SEMBAKO": "BPNT", "RTLH": "RUTILAHU", "RS-RTLH": "RUTILAHU", "LAIN": "LAINNYA"}

_SPLIT_PROGRAMS = re.compile(r"[,;/+|]+")
_EXCEL_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?E\+?\d+$", re.IGNORECASE)
_DIGITS = re.compile(r"\d{1,3}")
_SPACES = re.compile(r"\s+")
EARLIEST_BIRTH = dt.date(1900, 1, 1)


@dataclass(slots=True)
class Person:
    row: int
    cells: list[str]
    kk: str
    nik: str
    name: str
    relation: str
    sex: str
    birth_date: dt.date
    address: str | None
    rt: str | None
    rw: str | None
    desa_code: str
    kecamatan_code: str
    programs: tuple[str, ...]
    phone: str | None
    severe_disability: bool | None
    in_school: bool | None
    warnings: list[Reason] = field(default_factory=list)


def _squash(text: str) -> str:
    return _SPACES.sub("", text).lower()


def _digits_of_code(text: str) -> str:
    return re.sub(r"[\s.]", "", text)


class RegionIndex:
    """Kecamatan and desa by code (dotted or not) or name, tolerant of case and spacing."""

    def __init__(self, regions: list[tuple[str, str, str, str | None]]) -> None:
        self.kecamatan_by_key: dict[str, str] = {}
        self.desa_by_code: dict[str, tuple[str, str]] = {}  # code -> (desa, kecamatan)
        self.desa_by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.names: dict[str, str] = {}
        self._places: dict[tuple[str, str], tuple[str, str] | Reason] = {}
        for code, name, level, parent in regions:
            self.names[code] = name
            if level == "kecamatan":
                for key in (code, _digits_of_code(code), _squash(name)):
                    self.kecamatan_by_key[key] = code
            elif level in ("desa", "kelurahan") and parent is not None:
                self.desa_by_code[code] = (code, parent)
                self.desa_by_code[_digits_of_code(code)] = (code, parent)
                self.desa_by_name[_squash(name)].append((code, parent))

    def kecamatan(self, text: str) -> str | None:
        for key in (text, _digits_of_code(text), _squash(text)):
            if key in self.kecamatan_by_key:
                return self.kecamatan_by_key[key]
        return None

    def place(self, desa_text: str, kecamatan_text: str) -> tuple[str, str] | Reason:
        """(desa code, kecamatan code), or why the pair is not a place in Kabupaten Bekasi.
        A file repeats the same few hundred places: each pair is looked up once."""
        key = (desa_text, kecamatan_text)
        found = self._places.get(key)
        if found is None:
            found = self._places[key] = self._place(desa_text, kecamatan_text)
        return found

    def _place(self, desa_text: str, kecamatan_text: str) -> tuple[str, str] | Reason:
        kecamatan = self.kecamatan(kecamatan_text) if kecamatan_text else None
        if kecamatan_text and kecamatan is None:
            return "kecamatan_unknown", {"value": kecamatan_text}
        by_code = self.desa_by_code.get(desa_text) or self.desa_by_code.get(
            _digits_of_code(desa_text)
        )
        if by_code is not None:
            candidates = [by_code]
        else:
            candidates = self.desa_by_name.get(_squash(desa_text), [])
            if kecamatan is not None:
                candidates = [c for c in candidates if c[1] == kecamatan] or candidates
        if not candidates:
            return "desa_unknown", {"value": desa_text}
        if kecamatan is not None:
            if all(c[1] != kecamatan for c in candidates):
                return "desa_not_in_kecamatan", {
                    "desa": desa_text,
                    "kecamatan": self.names[kecamatan],
                }
            candidates = [c for c in candidates if c[1] == kecamatan]
        if len(candidates) > 1:
            options = ", ".join(f"{self.names[c[1]]}" for c in candidates)
            return "desa_ambiguous", {"value": desa_text, "options": options}
        return candidates[0]


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


def _number(values: dict[str, str], column: str, kind: str, reasons: list[Reason]) -> str:
    text = values.get(column, "")
    if _clean_number(text, kind):
        return text
    if not text:
        reasons.append(("required", {"column": column}))
        return ""
    if _EXCEL_SCIENTIFIC.match(text.strip()):
        reasons.append(("excel_number", {"column": column, "value": text}))
        return ""
    try:
        return parse_nik(text) if kind == "nik" else parse_kk(text)
    except Invalid as exc:
        reasons.append((f"{kind}_invalid", {"rule": exc.code, "params": exc.params}))
        return ""


def kk_key(values: dict[str, str]) -> str | None:
    """The row's No. KK if it is valid (used to group rows before the full check)."""
    text = values.get("no_kk", "")
    if _clean_number(text, "kk"):
        return text
    if not text or _EXCEL_SCIENTIFIC.match(text.strip()):
        return None
    try:
        return parse_kk(text)
    except Invalid:
        return None


def _yes_no(values: dict[str, str], column: str, reasons: list[Reason]) -> bool | None:
    text = values.get(column, "").strip().lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    reasons.append(("yes_no_invalid", {"column": column, "value": values[column]}))
    return None


def _rt_rw(values: dict[str, str], column: str, reasons: list[Reason]) -> str | None:
    text = values.get(column, "").strip()
    if not text:
        return None
    if not _DIGITS.fullmatch(text) or int(text) == 0:
        reasons.append(("rt_rw_invalid", {"column": column, "value": text}))
        return None
    return text.zfill(3)


def _programs(text: str, known: set[str], reasons: list[Reason]) -> tuple[str, ...]:
    codes, problems = _program_codes(text, frozenset(known))
    reasons.extend(problems)
    return codes


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


def check_row(
    row: int,
    values: dict[str, str],
    cells: list[str],
    regions: RegionIndex,
    programs: set[str],
    today: dt.date,
) -> Person | list[Reason]:
    reasons: list[Reason] = []
    kk = _number(values, "no_kk", "kk", reasons)
    nik = _number(values, "nik", "nik", reasons)
    name = " ".join(values.get("nama", "").split())
    if not name:
        reasons.append(("required", {"column": "nama"}))
    elif len(name) > 120 or not any(c.isalpha() for c in name):
        reasons.append(("name_invalid", {"value": name[:40]}))
    relation_text = " ".join(values.get("hubungan", "").lower().replace("_", " ").split())
    relation = RELATIONS.get(relation_text)
    if not relation_text:
        reasons.append(("required", {"column": "hubungan"}))
    elif relation is None:
        reasons.append(("relation_invalid", {"value": values["hubungan"]}))
    sex_text = values.get("jenis_kelamin", "").strip().lower()
    sex = SEXES.get(sex_text)
    if not sex_text:
        reasons.append(("required", {"column": "jenis_kelamin"}))
    elif sex is None:
        reasons.append(("sex_invalid", {"value": values["jenis_kelamin"]}))
    birth = _birth_date(values.get("tanggal_lahir", ""), today, reasons)
    desa_text = values.get("desa", "").strip()
    place: tuple[str, str] | None = None
    if not desa_text:
        reasons.append(("required", {"column": "desa"}))
    else:
        desa_or_reason, kecamatan_or_detail = regions.place(
            desa_text, values.get("kecamatan", "").strip()
        )
        if isinstance(kecamatan_or_detail, dict):
            reasons.append((desa_or_reason, kecamatan_or_detail))
        else:
            place = (desa_or_reason, kecamatan_or_detail)
    rt = _rt_rw(values, "rt", reasons)
    rw = _rt_rw(values, "rw", reasons)
    program_codes = _programs(values.get("program", ""), programs, reasons)
    phone = None
    if values.get("telepon", "").strip():
        try:
            phone = parse_phone(values["telepon"])
        except Invalid:
            reasons.append(("phone_invalid", {"value": values["telepon"]}))
    disability = _yes_no(values, "disabilitas_berat", reasons)
    in_school = _yes_no(values, "sekolah", reasons)
    address = " ".join(values.get("alamat", "").split())[:300] or None
    if reasons:
        return reasons
    assert relation is not None and sex is not None and birth is not None and place is not None
    person = Person(
        row=row, cells=cells, kk=kk, nik=nik, name=name, relation=relation, sex=sex,
        birth_date=birth, address=address, rt=rt, rw=rw, desa_code=place[0],
        kecamatan_code=place[1], programs=program_codes, phone=phone,
        severe_disability=disability, in_school=in_school,
    )  # fmt: skip
    _nik_agrees(person)
    return person


def _birth_date(text: str, today: dt.date, reasons: list[Reason]) -> dt.date | None:
    text = text.strip()
    if not text:
        reasons.append(("required", {"column": "tanggal_lahir"}))
        return None
    # XLSX dates arrive as ISO; "1985-12-12 00:00:00" from some exports.
    text = text.split(" 00:00")[0].split("T00:00")[0]
    try:
        born = _plain_date(text) or parse_date(text, today=today)
    except Invalid:
        reasons.append(("date_invalid", {"value": text}))
        return None
    if born > today:
        reasons.append(("date_future", {"value": text}))
        return None
    if born < EARLIEST_BIRTH:
        reasons.append(("date_invalid", {"value": text}))
        return None
    return born


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
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = nik_is_female(nik)
    if person.sex != ("P" if female else "L"):
        person.warnings.append(("nik_sex_mismatch", {"sex": person.sex}))
    born = person.birth_date
    day = dd - 40 if female else dd
    if (day, mm, yy) != (born.day, born.month, born.year % 100):
        person.warnings.append(("nik_birth_mismatch", {"nik_date": f"{day:02d}-{mm:02d}-{yy:02d}"}))
