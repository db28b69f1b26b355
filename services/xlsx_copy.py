"""A workbook's sheets as private temporary CSV files, made in one read of the workbook.

Parsing XLSX XML is most of an import's reading time, and a sheet is read several times (its
header, the relation check, the import's two passes). Each openpyxl load also parses the
workbook's shared strings and styles, and, for a sheet whose size is not written up front
(streamed writers), the whole sheet once more just to open it. So the workbook is loaded once
and every sheet is copied to CSV (cells as text, as services.bnba_file reads them) by the
fast reader of services.xlsx_rows (openpyxl when that one cannot read the file); every later
read is of the copies. They hold NIKs: mode 0600 in a 0700 folder, deleted by close().
"""

from __future__ import annotations

import csv
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from db.private_files import create_private
from services.xlsx_rows import XlsxReader


class XlsxCopy:
    def __init__(self, path: Path, cell_text: Callable[[Any], str],
                 problem: Callable[[], Exception]) -> None:  # fmt: skip
        self.path = path
        self._cell_text = cell_text
        self._problem = problem  # what to raise for a damaged workbook
        self._folder: Path | None = None
        self._names: list[str] = []

    def sheet_names(self) -> list[str]:
        self._copy()
        return list(self._names)

    def rows(self, sheet: str) -> Iterator[list[str]]:
        self._copy()
        assert self._folder is not None
        index = self._names.index(sheet) if sheet else 0
        with (self._folder / f"{index}.csv").open(encoding="utf-8", newline="") as handle:
            yield from csv.reader(handle)

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _copy(self) -> None:
        if self._folder is not None:
            return
        from openpyxl import load_workbook

        folder = Path(tempfile.mkdtemp(prefix="nirmiskin-xlsx-"))
        try:
            try:
                self._names = self._copy_fast(folder)
                self._folder = folder
                return
            except Exception:
                pass
            try:
                book = load_workbook(self.path, read_only=True, data_only=True)
            except Exception as exc:  # zip or XML errors: not a workbook
                raise self._problem() from exc
            try:
                self._names = list(book.sheetnames)
                for index, name in enumerate(self._names):
                    out = folder / f"{index}.csv"
                    create_private(out)
                    with out.open("w", encoding="utf-8", newline="") as handle:
                        csv.writer(handle).writerows(self._sheet_rows(book[name]))
            finally:
                book.close()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._folder = folder

    def _copy_fast(self, folder: Path) -> list[str]:
        with zipfile.ZipFile(self.path) as zf:
            reader = XlsxReader(zf)
            for index, (_name, sheet_path) in enumerate(reader.sheets):
                out = folder / f"{index}.csv"
                create_private(out)
                cell_text = self._cell_text
                with out.open("w", encoding="utf-8", newline="") as handle:
                    csv.writer(handle).writerows(
                        [cell_text(value) for value in row] for row in reader.rows(sheet_path)
                    )
            return [name for name, _path in reader.sheets]

    def _sheet_rows(self, sheet: Any) -> Iterator[list[str]]:
        sheet.reset_dimensions()  # read every row, whatever size the file claims
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                # A workbook damaged inside stops being readable part way (zip, zlib or XML
                # errors of many types): the whole file is refused, named.
                raise self._problem() from exc
            yield [self._cell_text(value) for value in row]
