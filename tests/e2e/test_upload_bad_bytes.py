"""Uploaded files with bad bytes (a NUL byte, binary garbage, an encoding that is not text, a
workbook cut short, a broken CSV) get a message that names the file and what is wrong with
it, never the generic error: the BNBA import (/impor and the CLI) and the KK lists of
/jadwalbaru."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cli import main
from db.models.households import Household
from services.bnba_file import FileProblem
from services.kk_list import read_kk_file
from tests import ROOT
from tests.conftest import TEST_SECRET
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import BotApp, as_role, e2e_settings, t
from tests.staff_data import CIBENING, add_household, kk

SAMPLE = ROOT / "docs" / "contoh_bnba.csv"
WAIT = 15.0
NOT_TEXT = (
    "The file {name} is not a text (CSV) file: it holds bytes that are not text, such as a NUL "
    "byte, so it may be damaged or another kind of file. Please save it again in Excel as "
    "\"CSV UTF-8\" or as XLSX and send it again."
)
UNREADABLE = (
    "The file {name} cannot be opened as an Excel workbook (XLSX): it may be damaged or cut "
    "short. Please save it again in Excel and send it again."
)
CSV_BROKEN = (
    "The file {name} cannot be read as CSV: a quotation mark may be left open, or a cell is "
    "far too long. Please check it, save it again in Excel and send it again."
)
ERROR = (
    "Sorry, something went wrong on our side. Please try again in a moment; what you already "
    "answered is kept."
)


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _garbage() -> bytes:
    return bytes(random.Random(7).randrange(256) for _ in range(5000)) + b"\x00"


def bad_files(text: bytes, rows: list[list[str]]) -> list[tuple[str, bytes, str]]:
    """(file name, content, the reason's text) for one good text and workbook content."""
    workbook = _xlsx(rows)
    lines = text.split(b"\n")
    return [
        ("nul.csv", b"\n".join([*lines[:2], lines[2] + b"\x00", *lines[3:]]), NOT_TEXT),
        ("acak.csv", _garbage(), NOT_TEXT),
        ("ejaan.csv", text.replace(b"\n", b"\x81\n", 1), NOT_TEXT),  # not UTF-8 nor cp1252
        ("potong.xlsx", workbook[: len(workbook) // 2], UNREADABLE),
        ("kutip.csv", lines[0] + b'\n"' + b"x" * 200_000 + b"\n", CSV_BROKEN),
    ]


def _sample_rows() -> list[list[str]]:
    return [line.split(",") for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


async def _import(staff: FakeUser, name: str, content: bytes) -> str:
    await staff.send("/impor")
    await staff.wait_message()
    await staff.send_document(name, content)
    prefix = t("The file could not be imported: {reason}").split("{")[0]
    finished = t("Import finished: {rows} rows read.").split("{rows}")[0]
    answer = await staff.wait_message(
        WAIT, predicate=lambda m: m.text.startswith((prefix, finished, t(ERROR)[:20]))
    )
    return answer.text


async def test_bnba_upload_with_bad_bytes_names_the_problem(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(881, "Petugas")
        await as_role(app, staff, "petugas")
        for name, content, reason in bad_files(SAMPLE.read_bytes(), _sample_rows()):
            answer = await _import(staff, name, content)
            assert answer == t("The file could not be imported: {reason}").format(
                reason=t(reason).format(name=name)
            ), name
        async with app.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Household)) == 0
        # Excel's "Unicode text" (UTF-16 with a BOM) is text: it imports.
        utf16 = SAMPLE.read_text(encoding="utf-8").encode("utf-16")
        answer = await _import(staff, "unicode.csv", utf16)
        assert answer.startswith(t("Import finished: {rows} rows read.").format(rows=14))
        assert t(ERROR) not in [m.text for m in staff.messages]


def test_cli_import_with_bad_bytes_exits_2_naming_the_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    for name, content, reason in bad_files(SAMPLE.read_bytes(), _sample_rows()):
        path = tmp_path / name
        path.write_bytes(content)
        assert main(["import", str(path)]) == 2, name
        assert capsys.readouterr().err == f"import: {t(reason).format(name=name)}\n"


def test_kk_list_reader_refuses_bad_bytes_and_reads_utf16() -> None:
    text = f"no_kk\n{kk(1)}\n{kk(2)}\n".encode()
    for name, content, reason in bad_files(text, [["no_kk"], [kk(1)], [kk(2)]]):
        with pytest.raises(FileProblem) as problem:
            read_kk_file(content, name)
        assert problem.value.params == {"name": name}, name
        assert (problem.value.code, reason) in {
            ("not_text", NOT_TEXT), ("unreadable", UNREADABLE), ("csv_broken", CSV_BROKEN)
        }  # fmt: skip
    assert read_kk_file(text.decode().encode("utf-16")).numbers == [kk(1), kk(2)]


async def test_kk_list_upload_with_bad_bytes_names_the_problem(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(882, "Petugas")
        await as_role(app, staff, "petugas")
        await add_household(app, 1, CIBENING, programs=("BLT",))
        await staff.send("/jadwalbaru")
        kinds = await staff.wait_message()
        await staff.click(kinds, t("A list of KK numbers (file)"))
        await staff.wait_for(lambda: kinds.text != t("Who should this schedule reach?"))
        text = f"no_kk\n{kk(1)}\n".encode()
        for name, content, reason in bad_files(text, [["no_kk"], [kk(1)]]):
            await staff.send_document(name, content)
            answer = await staff.wait_message()
            assert answer.text == t(
                "The file could not be read: {reason} Send another file, or /batal."
            ).format(reason=t(reason).format(name=name)), name
        # Still waiting for a file: a good one goes on to the form.
        await staff.send_document("penerima.csv", text)
        question = await staff.wait_message()
        assert t("Which program?") in question.text
        assert t(ERROR) not in [m.text for m in staff.messages]
