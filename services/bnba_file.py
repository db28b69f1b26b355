"""Reading a list (CSV or XLSX) row by row, without holding the whole file in memory.

Each sheet's headers are read by a layout (services.source_layouts: P3KE, DTKS, Regsosek,
SIKS-NG, KPM or our template) and an optional mapping by hand; each row comes out as
``(row_number, {field: text}, cells)`` where row_number is the spreadsheet line (header = 1).
A workbook imports every sheet a layout recognises. CSV: UTF-8 (with or without BOM), UTF-16
with a BOM (Excel's "Unicode text") or Windows-1252, separated by comma, semicolon, tab or bar
(Excel in Indonesian settings writes semicolons). XLSX: read-only. A file that is none of
these (a NUL byte, bytes that no text encoding here allows, a broken CSV, a damaged
workbook) is refused as a whole with a FileProblem that names the file, never an error half
way through the import.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from services.source_layouts import Reading, recognise
from services.xlsx_copy import XlsxCopy

# Our own template's columns (docs/contoh_bnba.csv), in its order.
COLUMNS = (
    "no_kk", "nik", "nama", "hubungan", "jenis_kelamin", "tanggal_lahir",
    "alamat", "rt", "rw", "kecamatan", "desa", "program",
    "telepon", "disabilitas_berat", "sekolah",
)  # fmt: skip

# A float above this lost digits in Excel (16-digit NIKs beyond 9007199254740992).
EXACT_FLOAT_LIMIT = 2**53


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


def open_xlsx(path: Path) -> XlsxCopy:
    return XlsxCopy(path, _cell_text, lambda: FileProblem("unreadable", name=path.name))


def sheet_names(path: Path, copy: XlsxCopy | None) -> list[str]:
    """The sheets of a workbook in their order (``copy`` reads it); a CSV is one sheet
    without a name."""
    if copy is None:
        return [""]
    return copy.sheet_names()


class BnbaFile:
    """One sheet of a list; iterate it as often as needed (the importer reads it twice).

    ``layout`` forces a layout by name, ``mapping`` (our field -> header as written) sets
    columns by hand; otherwise the headers choose (services.source_layouts.recognise)."""

    def __init__(
        self,
        path: Path | str,
        sheet: str = "",
        *,
        layout: str | None = None,
        mapping: dict[str, str] | None = None,
        copy: XlsxCopy | None = None,
    ) -> None:
        self.path = Path(path)
        self.sheet = sheet
        self.layout_name = layout
        self.mapping = mapping or {}
        suffix = self.path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            self.kind = "xlsx"
        elif suffix in (".csv", ".txt", ""):
            self.kind = "csv"
        else:
            raise FileProblem("file_type", name=self.path.name)
        self._encoding: str | None = None
        # XLSX: the workbook's sheets copied to CSV, shared by the sheets of one file.
        self.copy: XlsxCopy | None = copy
        self._own_copy: XlsxCopy | None = None
        self.header: list[str] = []  # as written in the file
        self.reading: Reading | None = None

    def read_header(self) -> Reading:
        """Reads the header only: how this sheet would be read."""
        body = self._body()
        try:
            next(body, None)
        finally:
            body.close()  # closes the workbook now, not when collected
        if self.reading is None:
            raise FileProblem("empty")
        return self.reading

    def preview(self, rows: int = 3) -> list[list[str]]:
        """The first rows' cells (for a staff member choosing columns)."""
        out: list[list[str]] = []
        body = self._body()
        try:
            for _number, cells in body:
                out.append(cells)
                if len(out) >= rows:
                    break
        finally:
            body.close()
        return out

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
        if self.copy is None:  # one sheet on its own: its own copy of the workbook
            self.copy = self._own_copy = open_xlsx(self.path)
        yield from self.copy.rows(self.sheet)

    def close(self) -> None:
        """Delete the temporary copy of the workbook this sheet made, if any."""
        if self._own_copy is not None:
            self._own_copy.close()
            self.copy = self._own_copy = None

    # ------------------------------------------------------------------ rows as dicts

    def _body(self) -> Generator[tuple[int, list[str]], None, None]:
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
        """(line number, {field: text}, the original cells) per non-empty row."""
        width = 0
        columns: list[tuple[int, str]] = []
        for number, cells in self._body():
            if not width:
                width = len(self.header)
                assert self.reading is not None
                columns = [(i, name) for i, name in enumerate(self.reading.fields) if name]
            if len(cells) != width:
                cells = (cells + [""] * width)[:width]
            yield number, {name: cells[i] for i, name in columns}, cells

    def _read_header(self, cells: list[str]) -> None:
        while cells and not cells[-1]:
            cells = cells[:-1]
        self.header = list(cells)
        try:
            self.reading = recognise(cells, layout_name=self.layout_name, mapping=self.mapping)
        except KeyError:
            raise FileProblem("layout_unknown", layout=self.layout_name) from None
        except LookupError as exc:
            raise FileProblem("mapped_column_missing", column=str(exc.args[0])) from None
