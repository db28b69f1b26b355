"""Reading the values that the lists Dinsos receives actually hold (P3KE, DTKS/BDT, Regsosek,
SIKS-NG exports, Kemensos KPM lists; docs/domain.md §9).

Pure functions of one cell's text. Each returns the value, or None when the cell is empty;
a value that cannot be read raises `Invalid` with a code the import report words
(`source.<what>`). No framework: the importer (services/) decides what a bad value costs.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from domain.errors import Invalid

# --------------------------------------------------------------------------- headers

_HEADER_NOISE = re.compile(r"[^0-9a-z]+")


def normalise_header(text: object) -> str:
    """``'Kode  Kemdagri'``, ``'KODE_KEMDAGRI'``, ``'kode.kemdagri'`` -> ``'kode_kemdagri'``."""
    return _HEADER_NOISE.sub("_", str(text or "").strip().lower()).strip("_")


# --------------------------------------------------------------------------- NIK / KK

# An exact 16-digit integer written by Excel as a float: "3216180101900001.0" or with all its
# digits in scientific notation ("3.216180101900001E+15"). "3.216E+15" lost digits.
_PLAIN_FLOAT = re.compile(r"(\d{16})\.0+")
_SCIENTIFIC = re.compile(r"(\d)(?:[.,](\d+))?[eE]\+?(\d+)")


def id_number_text(text: str) -> str:
    """The 16 digits a NIK/KK cell means: the backtick SIKS-NG prefixes, the ``.0`` of a
    float, and a scientific notation that still holds every digit are removed. Raises
    ``source.excel_rounded`` for a float Excel rounded (the digits are gone). The result is
    still to be checked by parse_nik / parse_kk."""
    text = text.strip().lstrip("`'").strip()
    plain = _PLAIN_FLOAT.fullmatch(text)
    if plain:
        return plain.group(1)
    scientific = _SCIENTIFIC.fullmatch(text)
    if scientific:
        first, rest, exponent = scientific.group(1), scientific.group(2) or "", scientific.group(3)
        digits = (first + rest).rstrip("0") if len(first + rest) > 16 else first + rest
        if int(exponent) == 15 and len(digits) == 16:
            return digits
        raise Invalid("source.excel_rounded")
    return text


# --------------------------------------------------------------------------- sex

SEXES = {
    "l": "L", "lk": "L", "laki-laki": "L", "laki laki": "L", "lakilaki": "L", "laki": "L",
    "pria": "L", "male": "L", "m": "L", "1": "L",
    "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P", "w": "P",
    "2": "P",
}  # fmt: skip


def parse_sex(text: str) -> str | None:
    """``L``/``P`` from L/P, Laki-laki/Perempuan, LAKI-LAKI, 1/2 (BDT, Regsosek)."""
    key = " ".join(text.strip().lower().replace("_", " ").split())
    if not key:
        return None
    if key.endswith(".0"):
        key = key[:-2]
    found = SEXES.get(key)
    if found is None:
        raise Invalid("source.sex")
    return found


# --------------------------------------------------------------------------- dates

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 with Excel's 1900 leap-day bug
_DMY_TIME = re.compile(
    r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?"
)
_ISO_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SERIAL = re.compile(r"\d{4,5}(?:\.\d+)?")


def parse_day(text: str) -> dt.date | None:
    """A date as the files write it: ``17/08/1985 0:00:00``, ``7/8/1985 12:00:00``,
    ``1985-08-17``, ``1985-08-17 00:00:00`` (an Excel date cell), or an Excel serial number
    (``31276``). Raises ``source.date`` for anything else or a day that does not exist."""
    text = text.strip()
    if not text:
        return None
    try:
        found = _DMY_TIME.fullmatch(text)
        if found:
            return dt.date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        found = _ISO_TIME.fullmatch(text)
        if found:
            return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        if _SERIAL.fullmatch(text):
            return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    except (ValueError, OverflowError):
        pass
    raise Invalid("source.date")


# --------------------------------------------------------------------------- relation

HEAD = "kepala"
UNKNOWN_RELATION = "belum_diketahui"  # a list without a relation column

WORDS = {
    "kepala keluarga": HEAD, "kepala": HEAD, "kk": HEAD, "kepala rumah tangga": HEAD,
    "krt": HEAD,
    "istri": "istri", "isteri": "istri", "suami": "suami", "istri/suami": "istri",
    "suami/istri": "istri", "pasangan": "istri",
    "anak": "anak", "anak kandung": "anak", "anak tiri": "anak", "anak angkat": "anak",
    "menantu": "menantu", "cucu": "cucu",
    "orang tua": "orang_tua", "orangtua": "orang_tua", "ayah": "orang_tua", "ibu": "orang_tua",
    "orang tua/mertua": "orang_tua",
    "mertua": "mertua",
    "famili lain": "famili_lain", "famili": "famili_lain", "saudara": "famili_lain",
    "pembantu": "lainnya", "pembantu rumah tangga": "lainnya", "lainnya": "lainnya",
    "lain-lain": "lainnya", "lain lain": "lainnya", "lain": "lainnya",
}  # fmt: skip

# The same number means different things in different systems (DOMAIN §8): a numeric code is
# read only in the system the file is known to use.
CODES = {
    # BDT (TNP2K) and Regsosek 2022 / DTSEN: Hub_KRT, status_hubungan_keluarga.
    "bdt": {1: HEAD, 2: "istri", 3: "anak", 4: "menantu", 5: "cucu", 6: "orang_tua",
            7: "lainnya", 8: "lainnya"},
    # Dukcapil SHDK, as on the KK.
    "dukcapil": {1: HEAD, 2: "suami", 3: "istri", 4: "anak", 5: "menantu", 6: "cucu",
                 7: "orang_tua", 8: "mertua", 9: "famili_lain", 10: "lainnya", 11: "lainnya"},
}  # fmt: skip
RELATION_SYSTEMS = tuple(CODES)


def parse_relation(text: str, system: str | None) -> str | None:
    """Our relation code from words (any system) or a number in ``system`` (bdt, dukcapil).
    ``source.relation_system`` when the cell is a number and the system is unknown: it is
    not guessed (3 is ISTRI on a KK, Anak in BDT)."""
    key = " ".join(text.strip().lower().replace("_", " ").split())
    if not key:
        return None
    if key in WORDS:
        return WORDS[key]
    number = key[:-2] if key.endswith(".0") else key
    if number.isdigit():
        if system is None:
            raise Invalid("source.relation_system")
        found = CODES[system].get(int(number))
        if found is not None:
            return found
    raise Invalid("source.relation")


# --------------------------------------------------------------------------- flags, numbers

YES = {"ya", "y", "yes", "iya", "benar", "true", "1", "ada", "penerima", "v", "x"}
NO = {"tidak", "t", "tdk", "no", "n", "bukan", "false", "0", "2", "tidak ada"}


def parse_flag(text: str) -> bool | None:
    """``Ya``/``Tidak``, ``YA``/``TIDAK``, Regsosek's ``1``/``2`` (2 = tidak)."""
    key = " ".join(text.strip().lower().split())
    if key.endswith(".0"):
        key = key[:-2]
    if key in ("", "-"):
        return None
    if key in YES:
        return True
    if key in NO:
        return False
    raise Invalid("source.flag")


def parse_desil(text: str) -> int | None:
    """Desil kesejahteraan 1..10 (``Desil 1``, ``1``, ``1.0``)."""
    key = text.strip().lower().removeprefix("desil").strip()
    if not key:
        return None
    try:
        number = Decimal(key.replace(",", "."))
    except InvalidOperation:
        raise Invalid("source.desil") from None
    if number != number.to_integral_value() or not 1 <= number <= 10:
        raise Invalid("source.desil")
    return int(number)


def parse_padan(text: str) -> bool | None:
    """Padan Dukcapil: ``Padan`` (matched with Dukcapil's records) or ``Tidak Padan``."""
    key = " ".join(text.strip().lower().replace("_", " ").split())
    if not key:
        return None
    if key in ("padan", "ya", "sudah padan", "1", "true"):
        return True
    if key in ("tidak padan", "belum padan", "tidak", "0", "2", "false", "non padan"):
        return False
    raise Invalid("source.padan")


# The lists a household can come from (Household.source_system) as a cell names them: our own
# export writes LIST_NAMES, so a household keyed by a list's id reads back under that list.
LIST_NAMES = {"p3ke": "P3KE", "dtks": "DTKS", "regsosek": "Regsosek", "siks": "SIKS-NG",
              "kpm": "KPM"}  # fmt: skip
_LISTS = {
    **{name: name for name in LIST_NAMES}, "bdt": "dtks", "dtks_bdt": "dtks",
    "dtks_bdt_tnp2k": "dtks", "dtsen": "regsosek", "regsosek_dtsen": "regsosek",
    "siks_ng": "siks", "dtks_siks_ng": "siks", "kemensos_kpm": "kpm",
}  # fmt: skip


def parse_source_list(text: str) -> str | None:
    """``P3KE``, ``DTKS/BDT``, ``SIKS-NG``... -> the list's code (p3ke, dtks, ...)."""
    key = normalise_header(text)
    if not key:
        return None
    if key not in _LISTS:
        raise Invalid("source.list")
    return _LISTS[key]


# Why a member left (Member.left_reason), as our export writes it and as people type it.
LEFT_REASON_WORDS = {"pindah": "pindah", "menikah": "menikah", "meninggal": "meninggal",
                     "tidak_tinggal": "tidak tinggal lagi"}  # fmt: skip
_LEFT_REASONS = {
    "pindah": "pindah", "pindah_alamat": "pindah", "menikah": "menikah", "kawin": "menikah",
    "meninggal": "meninggal", "meninggal_dunia": "meninggal", "wafat": "meninggal",
    "tidak_tinggal": "tidak_tinggal", "tidak_tinggal_lagi": "tidak_tinggal",
}  # fmt: skip


def parse_left_reason(text: str) -> str | None:
    """Why a member left: ``pindah``, ``menikah``, ``meninggal``, ``tidak tinggal lagi``."""
    key = normalise_header(text)
    if not key:
        return None
    if key not in _LEFT_REASONS:
        raise Invalid("source.left_reason")
    return _LEFT_REASONS[key]


_RT_RW = re.compile(r"(\d{1,3})\s*[/\-]\s*(\d{1,3})")
_ONE = re.compile(r"\d{1,3}")


def parse_rt_or_rw(text: str) -> str | None:
    """One RT or RW number as stored (``3`` -> ``003``); 0 is not a number here."""
    key = text.strip()
    if key.endswith(".0"):
        key = key[:-2]
    if not key:
        return None
    if not _ONE.fullmatch(key) or int(key) == 0:
        raise Invalid("source.rt_rw")
    return key.zfill(3)


def parse_rt_rw(text: str) -> tuple[str, str] | None:
    """RT and RW in one cell: ``1/03``, ``001/003``, ``1-3`` -> (``001``, ``003``)."""
    key = text.strip()
    if not key:
        return None
    found = _RT_RW.fullmatch(key)
    if not found or int(found.group(1)) == 0 or int(found.group(2)) == 0:
        raise Invalid("source.rt_rw")
    return found.group(1).zfill(3), found.group(2).zfill(3)


_DOTTED = re.compile(r"[\s.]")


def kemendagri_code(text: str) -> str | None:
    """A desa code written as 10 digits (``3216182001``) or dotted (``32.16.18.2001``), as the
    dotted form we store; None when it is neither."""
    digits = _DOTTED.sub("", text.strip().lstrip("`'"))
    if digits.endswith(".0"):
        digits = digits[:-2]
    if len(digits) != 10 or not digits.isdigit():
        return None
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


def clean_text(text: str, limit: int) -> str | None:
    """Free text as kept (spaces squeezed, cut to the column's size); ``-`` and ``0`` mean
    nothing was written."""
    value = " ".join(text.split())
    if value in ("", "-", "0", "--", "."):
        return None
    return value[:limit]
