"""The file of rows that were not imported (or imported with a warning), with the reason.

XLSX, streamed (openpyxl write-only), so a file where every row is wrong still fits in
memory. Columns: ``baris`` (line in the original file), the original columns as they were,
``status`` and ``alasan``. The original columns come first after ``baris``: fix the rows
and import this file again (the extra columns are ignored). A workbook of several sheets
gets one sheet of rows to check per sheet it had (``use_sheet``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from db.private_files import create_private

Reason = tuple[str, dict[str, Any]]


class RejectedFile:
    def __init__(
        self, path: Path, header: list[str], describe: Callable[[str, dict[str, Any]], str]
    ) -> None:
        self.path = path
        self.header = header
        self.describe = describe
        self.count = 0
        self.title = ""
        self._book: Any = None
        self._sheet: Any = None

    def use_sheet(self, title: str, header: list[str]) -> None:
        """Rows added from now on come from this sheet of the original file."""
        self.title, self.header, self._sheet = title, header, None

    def _open(self) -> None:
        from openpyxl import Workbook

        if self._book is None:
            self._book = Workbook(write_only=True)
        title = self.describe("sheet_title", {})
        if self.title:
            title = f"{title} - {self.title}"[:31]  # Excel's limit for a sheet's name
        self._sheet = self._book.create_sheet(title)
        self._sheet.append(
            [self.describe("column_row", {}), *self.header,
             self.describe("column_status", {}), self.describe("column_reason", {})]
        )  # fmt: skip

    def add(self, row: int, cells: list[str], reasons: list[Reason], *, warning: bool = False
            ) -> None:
        if self._sheet is None:
            self._open()
        text = "; ".join(self.describe(code, params) for code, params in reasons)
        status = self.describe("status_warning" if warning else "status_rejected", {})
        cells = (list(cells) + [""] * len(self.header))[: len(self.header)]
        self._sheet.append([row, *cells, status, text])
        self.count += 1

    def close(self) -> Path | None:
        """Write the file; its path, or None when no row needed one."""
        if self._book is None:
            return None
        create_private(self.path)  # it holds the rows' NIK/KK as they were typed
        self._book.save(self.path)
        self._book = self._sheet = None
        return self.path
