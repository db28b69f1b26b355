"""Read No. KK numbers from a file staff upload: plain text (one per line), CSV (any column)
or an Excel workbook (.xlsx, any cell). Numbers are matched by their keyed hash only. Text is
read by the BNBA import's rules (services.bnba_file.text_encoding), so both refuse the same
bad bytes with the same named problem."""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.households import Household
from db.protect import Protector
from services.bnba_file import FileProblem, text_encoding

_SEPARATORS = re.compile(r"[\s.\-'\"\u00a0]+")
_KK = re.compile(r"[0-9]{16}")
_DIGIT = re.compile(r"[0-9]")
MAX_ROWS = 100_000


@dataclass
class KkFile:
    numbers: list[str] = field(default_factory=list)  # distinct 16-digit numbers, in file order
    invalid_rows: int = 0  # rows with digits but no 16-digit number (typos, Excel's 3.2E+15)


@dataclass
class KkMatch:
    household_ids: list[int]
    unknown: int  # valid-looking numbers not on our list
    invalid_rows: int


def _rows(content: bytes, name: str) -> list[list[str]]:
    if content[:2] == b"PK":  # a zip: an .xlsx workbook
        return _workbook_rows(content, name)
    encoding = text_encoding(content[:4], iter([content]), name)
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:  # a UTF-16 file cut in the middle of a character
        raise FileProblem("not_text", name=name) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        return list(itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter),
                                     MAX_ROWS))  # fmt: skip
    except csv.Error:
        raise FileProblem("csv_broken", name=name) from None


def _workbook_rows(content: bytes, name: str) -> list[list[str]]:
    from openpyxl import load_workbook  # only when a workbook is sent

    rows: list[list[str]] = []
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    rows.append(["" if v is None else str(v) for v in row])
                    if len(rows) >= MAX_ROWS:
                        return rows
        finally:
            book.close()
    except Exception as exc:  # zip, zlib or XML errors of a damaged or cut-short workbook
        raise FileProblem("unreadable", name=name) from exc
    return rows


def read_kk_file(content: bytes, name: str = "") -> KkFile:
    """Every distinct 16-digit number in the file; a header row (no digits) is ignored.
    Raises FileProblem (services.bnba_file) for a file that is not readable text or a
    readable workbook: staff are told what is wrong with the file."""
    out = KkFile()
    seen: set[str] = set()
    for row in _rows(content, name):
        found = False
        for cell in row:
            number = _SEPARATORS.sub("", cell)
            if _KK.fullmatch(number):
                found = True
                if number not in seen:
                    seen.add(number)
                    out.numbers.append(number)
        if not found and any(_DIGIT.search(cell) for cell in row):
            out.invalid_rows += 1
    return out


async def match_households(
    session: AsyncSession, protector: Protector, numbers: list[str]
) -> tuple[list[int], int]:
    """Household ids for the numbers (by keyed hash), and how many numbers are unknown."""
    hashes = [protector.lookup_hash(n) for n in numbers]
    ids: list[int] = []
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        found = await session.scalars(select(Household.id).where(Household.kk_hash.in_(chunk)))
        ids.extend(found)
    return ids, len(numbers) - len(ids)


async def match_file(
    session: AsyncSession, protector: Protector, content: bytes, name: str = ""
) -> KkMatch:
    parsed = read_kk_file(content, name)
    ids, unknown = await match_households(session, protector, parsed.numbers)
    return KkMatch(ids, unknown, parsed.invalid_rows)
