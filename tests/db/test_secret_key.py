"""SECRET_KEY is checked against the database on every start; files with personal data or the
key are created with mode 0600; an export goes on past a NIK/KK it cannot decrypt."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.cli import main
from bot.key_check import CHECK_NAME, check_secret_key, check_value
from bot.settings import SettingsError
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.households import Member
from db.models.system import AppMeta
from db.protect import Protector
from services.bnba_import import import_file
from tests import ROOT
from tests.conftest import TEST_SECRET, make_settings

SAMPLE = ROOT / "docs" / "contoh_bnba.csv"
KEY_A = "a" * 20 + "-first-key-0123456789-abcdef"
KEY_B = "b" * 20 + "-other-key-0123456789-abcdef"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI on the SQLite default in tmp_path/data, no .env, no SECRET_KEY; a umask that
    would leave new files world-readable, so the 0600 modes are not the umask's doing."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "SECRET_KEY", "BOT_TOKEN", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    old = os.umask(0o002)
    try:
        yield tmp_path / "data"
    finally:
        os.umask(old)


def refused(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert err.startswith("SECRET_KEY:")
    return err


def test_a_changed_key_stops_every_command(cli: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SECRET_KEY", KEY_A)
    assert main(["grant", "5551", "--role", "tksk", "--area", "setu"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SECRET_KEY", KEY_B)
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST-token")
    for command in (["run"], ["grant", "5552", "--role", "petugas"], ["import", str(SAMPLE)],
                    ["export", "rumah_tangga", "-o", str(cli / "x.xlsx")], ["chat"]):  # fmt: skip
        assert main(command) == 2, command
        assert "differs" in refused(capsys)
    assert not (cli / "x.xlsx").exists()
    monkeypatch.setenv("SECRET_KEY", KEY_A)  # the right key again: works
    assert main(["grant", "5552", "--role", "petugas"]) == 0


def test_a_lost_key_file_is_not_replaced_while_data_exists(cli: Path, capsys) -> None:
    assert main(["import", str(SAMPLE)]) == 0  # fresh database: the key is generated
    key_file = cli / "secret.key"
    assert mode(key_file) == 0o600 and len(key_file.read_text()) >= 32
    assert mode(cli / "nirmiskin.db") == 0o600
    key_file.unlink()
    capsys.readouterr()
    for command in (["export", "rumah_tangga"], ["grant", "5551", "--role", "petugas"]):
        assert main(command) == 2
        assert "secret.key is missing" in refused(capsys)
        assert not key_file.exists()
    assert main(["db", "upgrade"]) == 0  # migrating needs no key


async def test_the_check_value_is_recorded_once_and_is_not_the_key(database_url, tmp_path):
    settings = make_settings(tmp_path, database_url=database_url, secret_key=KEY_A)
    assert await check_secret_key(settings) == KEY_A.encode()
    assert await check_secret_key(settings) == KEY_A.encode()
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            stored = await session.scalar(select(AppMeta.value).where(AppMeta.name == CHECK_NAME))
    finally:
        await engine.dispose()
    assert stored == check_value(KEY_A.encode()) and KEY_A not in stored
    with pytest.raises(SettingsError, match=r"^SECRET_KEY: differs"):
        await check_secret_key(make_settings(tmp_path, database_url=database_url,
                                             secret_key=KEY_B))  # fmt: skip


async def test_data_from_before_the_check_without_a_key_is_refused(tmp_path: Path) -> None:
    """A database with households but no check value yet (made before this check existed)
    and no key: refused, no key generated."""
    settings = make_settings(tmp_path, secret_key=None)
    url = settings.db_url
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await import_file(SAMPLE, create_sessionmaker(engine), Protector(TEST_SECRET.encode()),
                          lambda code, params: code)  # fmt: skip
    finally:
        await engine.dispose()
    with pytest.raises(SettingsError, match=r"^SECRET_KEY: not set"):
        await check_secret_key(settings)
    assert not settings.secret_file.exists()


def test_export_names_the_rows_it_cannot_decrypt(cli: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    assert main(["import", str(SAMPLE)]) == 0
    # One head of household's NIK as a row protected with another key would be.
    foreign = Protector(KEY_B.encode()).encrypt("3216181205780003")

    async def damage() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{cli / 'nirmiskin.db'}")
        try:
            async with create_sessionmaker(engine).begin() as session:
                await session.execute(
                    update(Member).where(Member.name == "Ahmad Suryadi")
                    .values(nik_encrypted=foreign)
                )  # fmt: skip
        finally:
            await engine.dispose()

    asyncio.run(damage())
    capsys.readouterr()
    output = cli.parent / "rt.xlsx"
    assert main(["export", "rumah_tangga", "-o", str(output)]) == 0
    out = capsys.readouterr()
    assert "4 rows written" in out.out
    assert "1 rows hold a NIK/KK that could not be decrypted" in out.err
    assert mode(output) == 0o600
    book = load_workbook(output)
    rows = list(book["rumah_tangga"].iter_rows(values_only=True))
    line = next(i for i, r in enumerate(rows, start=1) if r[1] == "Ahmad Suryadi")
    assert rows[line - 1][0] == "3216181503120001"  # the KK of that row still opens
    assert rows[line - 1][2] == "(tidak dapat dibuka)"
    assert list(book["tidak_terbaca"].iter_rows(values_only=True)) == [
        ("baris", "kolom"), (line, "nik_kepala")
    ]  # fmt: skip
    assert f"rows {line};" in out.err


def test_the_rejected_rows_file_is_private(cli: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    bad = cli.parent / "bad.csv"
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace(",Sukamahi,", ",Atlantis,", 1))
    assert main(["import", str(bad)]) == 0
    assert mode(cli.parent / "bad_rejected.xlsx") == 0o600
    # An output file that was there with a wide mode is narrowed when it is written again.
    output = cli.parent / "old.xlsx"
    output.write_text("")
    output.chmod(0o644)
    assert main(["export", "siaran", "-o", str(output)]) == 0
    assert mode(output) == 0o600
