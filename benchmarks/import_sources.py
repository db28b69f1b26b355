"""Importing a P3KE-shaped workbook (a Keluarga sheet and an Individu sheet, no No. KK, the
values as real files hold them; written straight as XLSX XML, which openpyxl reads too) into
a fresh SQLite database, through the same service as /impor and `python -m bot import`.

Prints the generation time, the first import's rate (all rows of both sheets, wall clock and
CPU time), a re-import's rate, and the process's peak memory (ru_maxrss) before and after.
Goals: 100,000 rows at >= 5,000 rows/s; 1,000,000 rows with a peak RSS under 300 MB (rows are
streamed: the workbook copied once to temporary CSVs by services/xlsx_rows, read twice as a
stream, written in batches).

    .venv/bin/python benchmarks/import_sources.py [--rows 100000] [--keep DIR] [--no-reimport]
        [--file WORKBOOK]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.protect import Protector
from db.seed import read_regions
from services.bnba_import import import_file

NAMES = ["AHMAD", "SITI", "BUDI", "DEWI", "JOKO", "SRI", "AGUS", "NUR", "RINA", "SLAMET",
         "WATI", "ANDI", "PUTRI", "BAYU", "YANTI", "DEDI", "LILIS", "ASEP", "EUIS"]  # fmt: skip
FAMILY = ["SURYADI", "SANTOSO", "LESTARI", "WIJAYA", "PRATAMA", "HIDAYAT", "SAPUTRA", "RAHAYU"]
KELUARGA = ["ID Keluarga P3KE", "Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan",
            "Kode Kemdagri", "Desil Kesejahteraan", "Alamat", "Kepala Keluarga", "NIK",
            "Padan Dukcapil", "Jenis Kelamin", "Tanggal Lahir", "Pekerjaan", "Pendidikan",
            "Atap", "Dinding", "Lantai", "Penerangan", "Bahan Bakar", "Air Minum", "BAB",
            "Penerima BPNT", "Penerima PKH", "Penerima BST"]  # fmt: skip
INDIVIDU = ["ID Keluarga P3KE", "Kecamatan", "Desa/Kelurahan", "Kode Kemdagri",
            "Desil Kesejahteraan", "ID Individu", "Nama", "NIK", "Padan Dukcapil",
            "Jenis Kelamin", "Hubungan dengan Kepala Keluarga", "Tanggal Lahir", "Status Kawin",
            "Pekerjaan", "Pendidikan", "Penerima PKH"]  # fmt: skip
RELATIONS = ["Kepala Keluarga", "Istri", "Anak", "Anak", "Anak", "Lainnya"]


def _nik(rng: random.Random, region: str, born: dt.date, female: bool, used: set[int]) -> str:
    while True:
        day = born.day + (40 if female else 0)
        text = f"{region}{day:02d}{born:%m%y}{rng.randrange(1, 10000):04d}"
        if int(text) not in used:
            used.add(int(text))
            return text


class SheetWriter:
    """A worksheet's XML written straight into the zip, rows as inline strings or numbers:
    openpyxl's write-only mode (without lxml) took 13 minutes for a million rows."""

    def __init__(self, zf: zipfile.ZipFile, index: int) -> None:
        # A zip takes one entry at a time: each sheet is written beside it, then added.
        self.zf, self.name = zf, f"xl/worksheets/sheet{index}.xml"
        self.part = Path(str(zf.filename) + f".sheet{index}")
        self.handle = self.part.open("wb")
        self.handle.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
        self.line = 0

    def append(self, values: list[object]) -> None:
        self.line += 1
        cells = []
        for column, value in enumerate(values):
            ref = f"{_letters(column)}{self.line}"
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        self.handle.write(f'<row r="{self.line}">{"".join(cells)}</row>'.encode())

    def close(self) -> None:
        self.handle.write(b"</sheetData></worksheet>")
        self.handle.close()
        self.zf.write(self.part, self.name)
        self.part.unlink()


def _letters(column: int) -> str:
    out = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


class Workbook:
    """The parts of an XLSX package Excel needs, and one SheetWriter per sheet."""

    def __init__(self, path: Path, titles: list[str]) -> None:
        self.zf = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        sheets = "".join(f'<sheet name="{t}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, t in enumerate(titles, 1))  # fmt: skip
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(titles) + 1))
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType='
                            f'"{SHEET_TYPE}"/>' for i in range(1, len(titles) + 1))
        self.zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides=overrides))
        self.zf.writestr("_rels/.rels", ROOT_RELS)
        self.zf.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
                         f"<sheets>{sheets}</sheets></workbook>")
        self.zf.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">'
                         f"{rels}</Relationships>")
        self.sheets = [SheetWriter(self.zf, i) for i in range(1, len(titles) + 1)]

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.close()
        self.zf.close()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
)
ROOT_RELS = (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/'
             'officeDocument" Target="xl/workbook.xml"/></Relationships>')


def generate(path: Path, rows: int, seed: int = 11) -> tuple[int, int]:
    """Write the workbook (streamed); (families, people) written."""
    rng = random.Random(seed)
    desa = [(str(r["code"]), str(r["name"]), str(r["parent_code"])) for r in read_regions()
            if r["level"] in ("desa", "kelurahan")]  # fmt: skip
    kecamatan = {str(r["code"]): str(r["name"]) for r in read_regions()
                 if r["level"] == "kecamatan"}  # fmt: skip
    book = Workbook(path, ["Keluarga", "Individu"])
    keluarga, individu = book.sheets
    keluarga.append(KELUARGA)
    individu.append(INDIVIDU)
    used: set[int] = set()
    families = people = 0
    while people < rows:
        code, name, parent = rng.choice(desa)
        region = parent.replace(".", "")
        family_id = f"P3KE{families + 1:09d}"
        desil = rng.randint(1, 4)
        size = min(rng.randint(1, 6), rows - people)
        address = f"KP. {rng.choice(FAMILY)} RT {rng.randint(1, 9)}/{rng.randint(1, 9)}"
        kode = code.replace(".", "") if rng.random() < 0.8 else code
        for i in range(size):
            female = i == 1 or (i > 1 and rng.random() < 0.5)
            born = dt.date(1950 if i < 2 else 1995, 1, 1) + dt.timedelta(
                days=rng.randrange(40 * 365 if i < 2 else 28 * 365))
            nik = _nik(rng, region, born, female, used)
            full = f"{rng.choice(NAMES)} {rng.choice(FAMILY)}"
            sex = "Perempuan" if female else "Laki-laki"
            day = f"{born:%d/%m/%Y} 0:00:00" if rng.random() < 0.7 else born.isoformat()
            if i == 0:
                keluarga.append([
                    family_id, "JAWA BARAT", "KAB. BEKASI", kecamatan[parent].upper(),
                    name.upper(), kode, desil, address, full, nik, "Padan", sex, day,
                    "BURUH HARIAN LEPAS", "SD", "Seng", "Bambu", "Tanah", "PLN tanpa meteran",
                    "Kayu bakar", "Sumur", "Tidak ada", rng.choice(["Ya", "Tidak"]),
                    rng.choice(["Ya", "Tidak"]), "Tidak",
                ])  # fmt: skip
            individu.append([
                family_id, kecamatan[parent].upper(), name.upper(), kode, desil,
                f"{family_id}-{i + 1}", full, nik if rng.random() < 0.9 else float(nik),
                rng.choice(["Padan", "Tidak Padan"]), sex, RELATIONS[min(i, 5)], day,
                "Kawin" if i < 2 else "Belum Kawin", "-", "SD", rng.choice(["Ya", "Tidak"]),
            ])  # fmt: skip
        people += size
        families += 1
    book.close()
    return families, people


def describe(code: str, params: dict) -> str:
    return code


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(rows: int, folder: Path, reimport: bool, existing: Path | None = None) -> None:
    path = existing or folder / "p3ke.xlsx"
    if existing is None:
        started = time.perf_counter()
        families, people = generate(path, rows)
        size = path.stat().st_size / 1e6
        print(f"generated {people:,} Individu rows + {families:,} Keluarga rows ({size:.1f} MB "
              f"XLSX) in {time.perf_counter() - started:.1f} s")
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    protector = Protector(os.urandom(32))
    rss_before = _rss()
    print(f"process max RSS before the import: {rss_before:.0f} MB")
    try:
        for label in ("first import", "re-import") if reimport else ("first import",):
            wall, cpu = time.perf_counter(), time.process_time()
            summary = await import_file(path, sessionmaker, protector, describe, via="benchmark",
                                        rejected_path=folder / "rejected.xlsx")  # fmt: skip
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"{label}: {summary.rows:,} rows (added {summary.added:,}, unchanged "
                  f"{summary.unchanged:,}, rejected {summary.rejected}, to check "
                  f"{summary.warnings}; households added {summary.households_added:,}): "
                  f"{summary.rows / wall:,.0f} rows/s wall ({wall:.1f} s), "
                  f"{summary.rows / cpu:,.0f} rows/s of CPU time; max RSS {_rss():.0f} MB")
    finally:
        await engine.dispose()
    peak = _rss()
    print(f"process max RSS after: {peak:.0f} MB (+{peak - rss_before:.0f} MB)")
    print(f"goal >= 5,000 rows/s at 100,000 rows; peak RSS < 300 MB at 1,000,000: "
          f"peak {'under' if peak < 300 else 'OVER'} 300 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Individu rows")
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    parser.add_argument("--no-reimport", action="store_true", help="only the first import")
    parser.add_argument("--file", type=Path, default=None,
                        help="import this workbook (kept with --keep before) instead of "
                        "generating one: the peak memory is then the import's alone")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(args.rows, args.keep, not args.no_reimport, args.file))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.rows, Path(folder), not args.no_reimport, args.file))


if __name__ == "__main__":
    main()
