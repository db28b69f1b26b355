"""The fast XLSX reader (services.xlsx_rows) on a workbook written as Excel writes one:
shared strings, a custom date format, a formula's cached value, a row left out, another
namespace prefix; and it agrees with openpyxl on a workbook openpyxl wrote."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from services.bnba_file import _cell_text
from services.xlsx_rows import XlsxReader

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_like(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                    '<sheet name="Individu" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels",
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="rId1" Type="x" '
                    'Target="worksheets/sheet1.xml"/></Relationships>')
        zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}"><si><t>NIK</t></si>'
                    "<si><t>Tanggal Lahir</t></si><si><r><t>SITI </t></r><r><t>AMINAH</t></r>"
                    "<rPh><t>x</t></rPh></si><si><t>`3216186308820002</t></si></sst>")
        zf.writestr("xl/styles.xml", f'<styleSheet xmlns="{MAIN}"><numFmts><numFmt '
                    'numFmtId="164" formatCode="dd/mm/yyyy;@"/><numFmt numFmtId="165" '
                    'formatCode="&quot;Rp&quot;#,##0"/></numFmts><cellXfs><xf numFmtId="0"/>'
                    '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs>'
                    "</styleSheet>")
        zf.writestr("xl/worksheets/sheet1.xml",
                    f'<x:worksheet xmlns:x="{MAIN}"><x:dimension ref="A1:C4"/><x:sheetData>'
                    '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s">'
                    "<x:v>1</x:v></x:c></x:row>"
                    '<x:row r="3"><x:c r="A3" t="s"><x:v>3</x:v></x:c><x:c r="B3" s="1">'
                    '<x:v>30186</x:v></x:c><x:c r="C3" s="2"><x:f>1+1</x:f><x:v>2</x:v></x:c>'
                    '</x:row><x:row r="4"><x:c r="B4" s="3"><x:v>38356</x:v></x:c>'
                    '<x:c r="C4" t="s"><x:v>2</x:v></x:c><x:c r="D4" t="b"><x:v>1</x:v></x:c>'
                    "</x:row></x:sheetData></x:worksheet>")
    return path


def test_an_excel_written_workbook(tmp_path: Path) -> None:
    with zipfile.ZipFile(excel_like(tmp_path / "e.xlsx")) as zf:
        reader = XlsxReader(zf)
        assert [name for name, _path in reader.sheets] == ["Individu"]
        rows = list(reader.rows(reader.sheets[0][1]))
    assert rows == [
        ["NIK", "Tanggal Lahir"],
        [],
        ["`3216186308820002", dt.datetime(1982, 8, 23), 2],
        [None, dt.datetime(2005, 1, 4), "SITI AMINAH", True],
    ]


def test_it_agrees_with_openpyxl(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "Angka", "Tanggal", "Teks"])
    sheet.append([3216181503120001, 3.5, dt.datetime(2020, 1, 2, 3, 4), "Ya"])
    sheet.append([None, 1e20, dt.date(1999, 12, 31), True])
    book.save(tmp_path / "o.xlsx")
    theirs = [[_cell_text(v) for v in row] for row in
              load_workbook(tmp_path / "o.xlsx", read_only=True).active.iter_rows(values_only=True)]
    with zipfile.ZipFile(tmp_path / "o.xlsx") as zf:
        reader = XlsxReader(zf)
        ours = [[_cell_text(v) for v in row] for row in reader.rows(reader.sheets[0][1])]
    assert ours == theirs
