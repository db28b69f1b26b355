"""Reading an XLSX sheet's rows straight from its XML (the rows and cells by regular
expressions, the shared strings and styles with expat), for the import's copy of a workbook
(services.xlsx_copy).

openpyxl's read-only mode builds objects for every cell and, without lxml (not a
dependency), read about 1,000 rows of a P3KE sheet a second here: a 100,000-row list took
minutes. This reads only what an import needs, the cell values: shared and inline strings,
numbers, booleans, and dates (a number whose cell style is a date format). Values come out
as Python values (str, int/float, bool, datetime) for services.bnba_file's _cell_text.
Anything it does not understand raises, and the caller falls back to openpyxl.
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import re
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from xml.parsers import expat

CHUNK = 1 << 20
_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.DOTALL)
_ROW_END = re.compile(r"</(?:\w+:)?row>|<(?:\w+:)?row\b[^>]*/>")
# Excel and openpyxl write a cell's attributes as r, s, t: read in one match; any other
# attribute order is caught by the last group and read one by one.
_FAST_CELL = re.compile(
    r'<(?:\w+:)?c(?: r="([A-Z]+\d*)")?(?: s="(\d+)")?(?: t="(\w+)")?([^>/]*)'
    r"(?:/>|>(.*?)</(?:\w+:)?c>)",
    re.DOTALL,
)
_TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.DOTALL)
# Built-in number formats that are dates or times (ECMA-376 18.8.30).
DATE_FORMAT_IDS = frozenset({*range(14, 23), 27, 30, 36, 45, 46, 47, 50, 57})
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_COLUMN = re.compile(r"[A-Z]+")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


@lru_cache(maxsize=16384)
def _column_index(ref: str) -> int:
    letters = _COLUMN.match(ref)
    if letters is None:
        raise ValueError(ref)
    index = 0
    for char in letters.group(0):
        index = index * 26 + ord(char) - 64
    return index - 1


def _parse(zf: zipfile.ZipFile, name: str, start: Any, end: Any, text: Any) -> None:
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    with zf.open(name) as handle:
        parser.ParseFile(handle)


class XlsxReader:
    """A workbook's sheet names and each sheet's rows (lists of values, None for empty)."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.sheets = self._sheets()
        self.strings = self._shared_strings()
        self.date_styles = self._date_styles()

    def _sheets(self) -> list[tuple[str, str]]:
        import xml.etree.ElementTree as ET

        names = set(self.zf.namelist())
        rels = ET.fromstring(self.zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): str(r.get("Target")) for r in rels.iter(f"{RELS}Relationship")}
        book = ET.fromstring(self.zf.read("xl/workbook.xml"))
        out = []
        for element in book.iter():
            if _local(element.tag.split("}")[-1]) != "sheet":
                continue
            rid = next(v for k, v in element.attrib.items() if k.endswith("}id"))
            target = targets[rid].lstrip("/")
            path = target if target.startswith("xl/") else "xl/" + target
            if path not in names:
                raise KeyError(path)
            out.append((str(element.get("name")), path))
        return out

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.zf.namelist():
            return []
        strings: list[str] = []
        parts: list[str] = []
        state = {"in_t": False, "in_rph": False}

        def start(name: str, _attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "si":
                parts.clear()
            elif local == "t" and not state["in_rph"]:
                state["in_t"] = True
            elif local == "rPh":  # phonetic hints: not part of the text
                state["in_rph"] = True

        def end(name: str) -> None:
            local = _local(name)
            if local == "si":
                strings.append("".join(parts))
            elif local == "t":
                state["in_t"] = False
            elif local == "rPh":
                state["in_rph"] = False

        def text(data: str) -> None:
            if state["in_t"]:
                parts.append(data)

        _parse(self.zf, "xl/sharedStrings.xml", start, end, text)
        return strings

    def _date_styles(self) -> set[int]:
        if "xl/styles.xml" not in self.zf.namelist():
            return set()
        custom: dict[int, str] = {}
        formats: list[int] = []
        state = {"in_xfs": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "numFmt":
                custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["in_xfs"] = True
            elif local == "xf" and state["in_xfs"]:
                formats.append(int(attrs.get("numFmtId", "0")))

        def end(name: str) -> None:
            if _local(name) == "cellXfs":
                state["in_xfs"] = False

        _parse(self.zf, "xl/styles.xml", start, end, None)

        def is_date(format_id: int) -> bool:
            if format_id in custom:
                return bool(_DATE_CODE.search(_QUOTED.sub("", custom[format_id])))
            return format_id in DATE_FORMAT_IDS

        return {index for index, format_id in enumerate(formats) if is_date(format_id)}

    def rows(self, path: str) -> Iterator[list[Any]]:
        """The sheet's rows in order (a row left out of the XML comes as an empty one, so
        row numbers stay the spreadsheet's). Regular expressions over the XML text: a
        sheet's rows and cells have a fixed, simple shape, and matching them in C is
        several times faster than a callback per XML element."""
        strings, date_styles = self.strings, self.date_styles
        line = 0
        buffer = ""
        with self.zf.open(path) as raw:
            decoder = codecs.getincrementaldecoder("utf-8")()
            while True:
                chunk = raw.read(CHUNK)
                buffer += decoder.decode(chunk, final=not chunk)
                cut = _last_row_end(buffer) if chunk else len(buffer)
                for found in _ROW.finditer(buffer, 0, cut):
                    number = _attr(found.group(1), "r")
                    current = int(number) if number else line + 1
                    while line < current - 1:  # rows left out of the XML are empty
                        yield []
                        line += 1
                    line = current
                    yield _cells(found.group(2) or "", strings, date_styles)
                buffer = buffer[cut:]
                if not chunk:
                    return


def _last_row_end(text: str) -> int:
    """Where the last complete row of the text ends (0: none yet)."""
    closing = max(text.rfind("row>"), text.rfind("/>"))
    while closing >= 0:
        found = _ROW_END.search(text, max(0, closing - 20), closing + 4)
        if found is not None:
            return found.end()
        closing = max(text.rfind("row>", 0, closing), text.rfind("/>", 0, closing))
    return 0


def _attr(attrs: str, name: str) -> str | None:
    found = re.search(rf'(?:^|\s){name}="([^"]*)"', attrs)
    return found.group(1) if found else None


def _cells(body: str, strings: list[str], date_styles: set[int]) -> list[Any]:
    row: list[Any] = []
    for ref, style, kind, rest, inner in _FAST_CELL.findall(body):
        if "=" in rest:  # attributes in another order: read them one by one
            attrs = (f' r="{ref}"' * bool(ref) + f' s="{style}"' * bool(style)
                     + f' t="{kind}"' * bool(kind) + rest)  # fmt: skip
            ref, style, kind = (_attr(attrs, "r") or "", _attr(attrs, "s") or "",
                                _attr(attrs, "t") or "")  # fmt: skip
        index = _column_index(ref.rstrip("0123456789")) if ref else len(row)
        if kind == "inlineStr":
            start = inner.find("t>")
            if start >= 0 and inner.count("t>") == 2:  # one plain run: <is><t>text</t></is>
                text = inner[start + 2 : inner.find("<", start)]
            else:  # rich text in runs, or <t xml:space="preserve">
                text = "".join(_TEXT.findall(inner))
        else:
            start = inner.find("v>")
            text = inner[start + 2 : inner.find("<", start)] if start >= 0 else ""
        if "&" in text:
            text = html.unescape(text)
        if index >= len(row):
            row.extend([None] * (index - len(row) + 1))
        row[index] = _value(kind or "n", int(style) if style else 0, text, strings, date_styles)
    return row


def _value(kind: str, style: int, text: str, strings: list[str], date_styles: set[int]
           ) -> Any:  # fmt: skip
    if kind == "s":
        return strings[int(text)] if text else None
    if kind in ("inlineStr", "str"):
        return text
    if kind == "b":
        return text == "1"
    if kind == "e":
        return None  # #N/A, #REF!...: no value
    if not text:
        return None
    number = float(text)
    if style in date_styles:
        return EXCEL_EPOCH + dt.timedelta(days=number)
    if number.is_integer() and "." not in text and "E" not in text.upper():
        return int(text)
    return number
