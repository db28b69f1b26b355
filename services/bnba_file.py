"""Reading a BNBA file (CSV or XLSX) row by row, without holding the whole file in memory.

Headers are matched loosely (case, spaces, dashes, a few common aliases); each row comes out
as ``(row_number, {column: text})`` where row_number is the spreadsheet line (header = 1).
CSV: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text") or
Windows-1252, separated by comma, semicolon, tab or bar (Excel in Indonesian settings writes
semicolons). XLSX: the first sheet, read-only. A file that is none of these (a NUL byte,
bytes that no text encoding here allows, a broken CSV, a damaged workbook) is refused as a
whole with a FileProblem that names the file, never an error half way through the import.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REQUIRED = (
    "no_kk", "nik", "nama", "hubungan", "jenis_kelamin", "tanggal_lahir",
    "alamat", "rt", "rw", "kecamatan", "desa", "program",
)  # fmt: skip
OPTIONAL = ("telepon", "disabilitas_berat", "sekolah")
COLUMNS = REQUIRED + OPTIONAL

ALIASES = {
    "nomor_kk": "no_kk", "kk": "no_kk", "no_kartu_keluarga": "no_kk", "nokk": "no_kk",
    "nomor_nik": "nik", "no_nik": "nik",
    "nama_lengkap": "nama",
    "hubungan_keluarga": "hubungan", "shdk": "hubungan", "status_hubungan": "hubungan",
    "jk": "jenis_kelamin", "kelamin": "jenis_kelamin",
    "tgl_lahir": "tanggal_lahir", "tanggal_lahir_(dd-mm-yyyy)": "tanggal_lahir",
    "kelurahan": "desa", "desa_kelurahan": "desa", "desa/kelurahan": "desa",
    "kec": "kecamatan",
    "hp": "telepon", "no_hp": "telepon", "nomor_hp": "telepon", "telp": "telepon",
    "difabel_berat": "disabilitas_berat",
    "masih_sekolah": "sekolah",
    "programs": "program", "bantuan": "program",
}  # fmt: skip

# A float above this lost digits in Excel (16-digit NIKs beyond 9007199254740992).
EXACT_FLOAT_LIMIT = 2**53
_HEADER_SPACE = re.compile(r"[\s\-.]+")


class FileProblem(Exception):
    """The file as a whole cannot be imported; ``code`` and ``params`` say why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def text_encoding(head: bytes, chunks: Iterator[bytes], name: str) -> str:
    """The encoding of a text file from its first bytes (``head``, also the first chunk) and
    all of it (``chunks``); FileProblem "not_text" for a NUL byte outside UTF-16, or bytes
    that are neither UTF-8 nor Windows-1252 (a binary file, another encoding)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf8 = codecs.getincrementaldecoder("utf-8-sig")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    is_utf8 = True
    try:
        for chunk in chunks:
            if b"\x00" in chunk:
                raise FileProblem("not_text", name=name)
            cp1252.decode(chunk)
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
        if is_utf8:
            utf8.decode(b"", final=True)
    except UnicodeDecodeError:  # Windows-1252 leaves five bytes undefined (0x81, 0x8D...)
        raise FileProblem("not_text", name=name) from None
    return "utf-8-sig" if is_utf8 else "cp1252"


def canonical_header(name: Any) -> str:
    key = _HEADER_SPACE.sub("_", str(name or "").strip().lower()).strip("_")
    return ALIASES.get(key, key)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value) if abs(value) < EXACT_FLOAT_LIMIT else f"{float(value):.5E}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < EXACT_FLOAT_LIMIT:
            return str(int(value))
        return f"{value:.5E}" if abs(value) >= EXACT_FLOAT_LIMIT else str(value)
    return str(value).strip()


class BnbaFile:
    """One BNBA file; iterate it as often as needed (the importer reads it twice)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            self.kind = "xlsx"
        elif suffix in (".csv", ".txt", ""):
            self.kind = "csv"
        else:
            raise FileProblem("file_type", name=self.path.name)
        self._encoding: str | None = None
        self.header: list[str] = []  # as written in the file
        self.columns: list[str] = []  # canonical names, same order

    # ------------------------------------------------------------------ raw rows

    def _raw_rows(self) -> Iterator[list[str]]:
        try:
            if self.kind == "xlsx":
                yield from self._xlsx_rows()
            else:
                yield from self._csv_rows()
        except csv.Error:  # an open quote swallowing the file, a cell past the size limit
            raise FileProblem("csv_broken", name=self.path.name) from None
        except UnicodeError:  # a UTF-16 file cut in the middle of a character
            raise FileProblem("not_text", name=self.path.name) from None

    def _detect_encoding(self) -> str:
        """Checked up front, over the whole file, so that no row is read twice and a bad
        byte near the end does not stop an import half done."""
        with self.path.open("rb") as handle:
            head = handle.read(4)
            handle.seek(0)
            return text_encoding(head, iter(lambda: handle.read(1 << 20), b""), self.path.name)

    def _csv_rows(self) -> Iterator[list[str]]:
        if self._encoding is None:
            self._encoding = self._detect_encoding()
        with self.path.open(encoding=self._encoding, newline="") as handle:
            first = handle.readline()
            delimiter = max(",;\t|", key=first.count)
            handle.seek(0)
            for row in csv.reader(handle, delimiter=delimiter):
                yield [cell.strip() for cell in row]

    def _xlsx_rows(self) -> Iterator[list[str]]:
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # zip or XML errors: not a workbook
            raise FileProblem("unreadable", name=self.path.name) from exc
        try:
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    return
                except Exception as exc:
                    # A workbook damaged inside stops being readable part way (zip, zlib or
                    # XML errors of many types): the whole file is refused, named.
                    raise FileProblem("unreadable", name=self.path.name) from exc
                yield [_cell_text(value) for value in row]
        finally:
            book.close()

    # ------------------------------------------------------------------ rows as dicts

    def _body(self) -> Iterator[tuple[int, list[str]]]:
        """Reads the header (the first non-empty row), then yields the non-empty rows."""
        raw = self._raw_rows()
        header_line = 0
        for line, cells in enumerate(raw, start=1):
            if any(cells):
                self._read_header(cells)
                header_line = line
                break
        if not header_line:
            raise FileProblem("empty")
        for number, cells in enumerate(raw, start=header_line + 1):
            if any(cells):
                yield number, cells

    def rows(self) -> Iterator[tuple[int, dict[str, str], list[str]]]:
        """(line number, {canonical column: text}, the original cells) per non-empty row."""
        width = 0
        for number, cells in self._body():
            width = width or len(self.columns)
            if len(cells) != width:
                cells = (cells + [""] * width)[:width]
            values = {name: cells[i] for i, name in enumerate(self.columns) if name}
            yield number, values, cells

    def column(self, name: str) -> Iterator[tuple[int, str]]:
        """(line number, text) of one column for every non-empty row: the cheap first pass."""
        index = -1
        for number, cells in self._body():
            if index < 0:
                index = self.columns.index(name)
            yield number, cells[index] if index < len(cells) else ""

    def _read_header(self, cells: list[str]) -> None:
        while cells and not cells[-1]:
            cells = cells[:-1]
        self.header = list(cells)
        self.columns = [canonical_header(cell) for cell in cells]
        missing = [name for name in REQUIRED if name not in self.columns]
        if missing:
            raise FileProblem("columns_missing", missing=", ".join(missing))
        # A name used twice: only the first one counts.
        seen: set[str] = set()
        for i, name in enumerate(self.columns):
            if name in seen:
                self.columns[i] = ""
            seen.add(name)
