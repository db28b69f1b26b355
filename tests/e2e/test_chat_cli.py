"""`python -m bot chat`: the real bot in a terminal, buttons as numbers (no network).

The chat runs in-process with a script for the typed lines: the real dispatcher, database
(SQLite in tmp_path), workers and files, as a trainee would see them."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.chat import DEFAULT_USER_IDS, run_chat
from bot.chat_terminal import Terminal
from db.engine import create_engine, create_sessionmaker
from db.models.households import Member
from tests import ROOT
from tests.conftest import make_settings
from tests.harness import t

SAMPLE = ROOT / "docs" / "contoh_bnba.csv"
WARGA, PSM = DEFAULT_USER_IDS["warga"], DEFAULT_USER_IDS["psm"]


@dataclass
class Wait:
    """A step that types nothing: it waits until the chat has shown `text`."""

    text: str
    timeout: float = 30.0


Step = str | Callable[[Terminal], str] | Wait


def press(label: str) -> Callable[[Terminal], str]:
    """Type the number of the button labelled `label`, as a person reading the screen."""

    def number(terminal: Terminal) -> str:
        labels = terminal.labels()
        assert label in labels, (label, labels)
        return str(labels.index(label) + 1)

    return number


class Script:
    """Types its steps into the chat, then ends the input (as Ctrl-D does). `replies[i]` is
    what the chat showed after the i-th typed line, until the next was typed."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.out = io.StringIO()
        self.typed: list[str] = []
        self.replies: list[str] = []
        self._mark = 0

    async def __call__(self, terminal: Terminal) -> str | None:
        self._close_reply()
        while self.steps:
            step = self.steps.pop(0)
            if isinstance(step, Wait):
                await self._wait(step)
                continue
            line = step(terminal) if callable(step) else step
            self.typed.append(line)
            return line
        return None

    def _close_reply(self) -> None:
        text = self.out.getvalue()
        if self.typed:
            self.replies.append(text[self._mark :])
        self._mark = len(text)

    async def _wait(self, step: Wait) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + step.timeout
        while step.text not in self.out.getvalue()[self._mark :]:
            assert loop.time() < deadline, f"not shown: {step.text!r}\n{self.out.getvalue()}"
            await asyncio.sleep(0.05)

    def reply_to(self, line: str) -> str:
        return self.replies[self.typed.index(line)]

    @property
    def text(self) -> str:
        return self.out.getvalue()


async def chat(tmp_path: Path, role: str, *steps: Step, files: Path | None = None) -> Script:
    script = Script(*steps)
    settings = make_settings(tmp_path)
    code = await run_chat(settings, role, files_dir=files, read=script, out=script.out)
    assert code == 0
    return script


AGREE = press("✅ Saya setuju")


async def test_resident_agrees_by_number_and_reads_help(tmp_path: Path) -> None:
    script = await chat(tmp_path, "warga", "1", "/bantuan", "qwerty")
    out = script.text
    assert "Selamat datang di Nirmiskin" in out
    assert "[1] ✅ Saya setuju" in out and "[2] ✖️ Saya tidak setuju" in out
    assert "Terima kasih. Persetujuan Bapak/Ibu sudah dicatat." in script.reply_to("1")
    assert "/jadwal" in script.reply_to("/bantuan")  # a few lines; all commands one tap away
    assert "Maaf, saya belum mengerti." in script.reply_to("qwerty")


async def test_a_number_is_sent_as_text_with_teks_or_quotes_and_presses_a_button_bare(
    tmp_path: Path,
) -> None:
    script = await chat(tmp_path, "warga", ":teks 2", '"2"', "'2'", ":teks", "2")
    # As text, "2" is no answer to the privacy question; bare, it presses button 2: "I do not
    # agree".
    for typed in (":teks 2", '"2"', "'2'"):
        assert "Mohon pilih dulu apakah Bapak/Ibu setuju" in script.reply_to(typed), typed
        assert "kami menghormati pilihan Bapak/Ibu" not in script.reply_to(typed)
    assert "Ketik seperti ini: :teks 3" in script.reply_to(":teks")
    assert "🤖" not in script.reply_to(":teks")  # nothing was sent
    assert "Baik, kami menghormati pilihan Bapak/Ibu" in script.reply_to("2")


async def test_staff_broadcast_reaches_another_local_account_labelled(tmp_path: Path) -> None:
    await chat(tmp_path, "psm")  # a volunteer account in the same database
    text = "Rapat relawan hari Senin pukul 09.00."
    sent = t("✅ Send to {n} people").format(n="1")
    script = await chat(
        tmp_path,
        "petugas",
        AGREE,
        "/siaran",
        text,
        press(t("Volunteers (PSM/TKSK)")),
        press(sent),
        Wait(f"→ [pengguna {PSM} (psm)] 🤖 {text}"),
        Wait(t("✅ Broadcast #{id} is finished.").format(id=1)),
    )
    lines = script.text.splitlines()
    # The preview is the staff member's own; the delivery is the volunteer's, labelled.
    assert lines.count(f"🤖 {text}") == 1
    assert lines.count(f"→ [pengguna {PSM} (psm)] 🤖 {text}") == 1


async def test_staff_imports_a_file_sent_with_berkas_and_gets_files_saved(tmp_path: Path) -> None:
    files = tmp_path / "berkas"
    missing = str(tmp_path / "tidak_ada.csv")
    script = await chat(
        tmp_path,
        "petugas",
        AGREE,
        "/impor",
        f":berkas {missing}",
        f":berkas {SAMPLE}",
        Wait(t("Import finished: {rows} rows read.").format(rows=14)),
        "/ekspor",
        press(t("Households: latest status, verification")),
        press(t("Whole kabupaten")),
        press(t("All time")),
        files=files,
    )
    # The sample the bot sends with /impor is saved, and where is shown.
    sample = files / SAMPLE.name
    assert f"📎 Berkas disimpan: {sample}" in script.reply_to("/impor")
    assert sample.read_bytes() == SAMPLE.read_bytes()
    # A path that does not exist: said so, nothing sent, the import still waits for a file.
    refused = script.reply_to(f":berkas {missing}")
    assert f"Berkas tidak ditemukan: {missing}. Tidak ada yang dikirim." in refused
    assert "🤖" not in refused
    # The file is served to the bot's download: the import reads it.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'nirmiskin.db'}")
    try:
        async with create_sessionmaker(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(Member)) == 14
    finally:
        await engine.dispose()
    # The export arrives as a document, saved as an XLSX file with the imported households.
    saved = [p for p in files.iterdir() if p.suffix == ".xlsx" and p.name.startswith("rumah")]
    assert len(saved) == 1, list(files.iterdir())
    assert f"📎 Berkas disimpan: {saved[0]}" in script.replies[-1]
    assert load_workbook(saved[0]).active.max_row > 1


async def test_restarted_chat_asks_the_pending_question_again(tmp_path: Path) -> None:
    first = await chat(tmp_path, "petugas", AGREE, "/pelatihanbaru", "Menjahit")
    question = t("Who gives it?")
    assert question in first.reply_to("Menjahit")

    again = await chat(tmp_path, "petugas", "BLK Cikarang")
    lines = again.text.splitlines()
    assert lines[1] == "Bapak/Ibu masih punya isian yang belum selesai. Ini pertanyaannya lagi:"
    assert lines[2] == f"🤖 {question}"
    assert "Selamat datang" not in again.text  # no /start: the form is what waits
    assert t("Description?") in again.reply_to("BLK Cikarang")  # the form goes on


async def test_unknown_chat_command_is_explained_not_sent(tmp_path: Path) -> None:
    script = await chat(tmp_path, "warga", ":bantuan", ":)")
    assert ":bantuan bukan perintah obrolan." in script.reply_to(":bantuan")
    assert "🤖" not in script.reply_to(":bantuan")
    assert "🤖" in script.reply_to(":)")  # a smiley is a message
