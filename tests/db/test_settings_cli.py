"""Settings errors name the variable; the CLI exits 2 with one line and no traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


# Variables of a developer's shell that must not reach the command under test.
CLEARED = (
    "BOT_TOKEN", "DATABASE_URL", "SECRET_KEY", "ADMIN_IDS", "REDIS_URL", "TELEGRAM_API_BASE",
    "DATA_DIR", "LOG_LEVEL", "WEBHOOK_URL", "WEBHOOK_SECRET", "NIRMISKIN_CALLER_DIR",
)  # fmt: skip


@pytest.fixture
def run_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., Ran]]:
    """`python -m bot ARGS` in this process: bot.cli.main (all that bot/__main__.py runs), in
    tmp_path with no .env and none of the shell's settings, its output captured. A real
    `python -m bot` process costs seconds to start: those are in tests/process."""
    monkeypatch.chdir(tmp_path)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    levels = {name: logging.getLogger(name).level for name in ("aiogram.event", "alembic")}

    def run(*args: str, **env: str) -> Ran:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse: --help, or a wrong argument
            code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    yield run
    for name, level in levels.items():  # main() sets up logging as a process would
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"bot_token": "not-a-token"}, "BOT_TOKEN"),
        ({"admin_ids": "12,abc"}, "ADMIN_IDS"),
        ({"database_url": "mysql://x"}, "DATABASE_URL"),
        ({"database_url": "postgresql://u@h/db"}, "SECRET_KEY"),
        ({"secret_key": "changeme"}, "SECRET_KEY"),
        ({"telegram_api_base": "localhost:8081"}, "TELEGRAM_API_BASE"),
        ({"log_level": "LOUD"}, "LOG_LEVEL"),
        ({"bot_username": "my bot"}, "BOT_USERNAME"),
    ],
)
def test_bad_setting_names_the_variable(overrides: dict, variable: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, data_dir=tmp_path, **overrides)
    assert str(error.value).startswith(variable + ":")
    assert "\n" not in str(error.value)


def test_admin_ids_and_postgres_url_are_normalised(tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None,
        data_dir=tmp_path,
        admin_ids="11, 22;33",
        database_url="postgresql://u@h/db",
        secret_key="s" * 40,
        bot_username="@nirmiskin_bot",
    )
    assert settings.admin_ids == [11, 22, 33]
    assert settings.bot_username == "nirmiskin_bot"  # as it goes into t.me links
    assert settings.db_url == "postgresql+asyncpg://u@h/db"


async def test_secret_is_generated_once_on_the_sqlite_default(tmp_path: Path) -> None:
    from bot.key_check import check_secret_key

    first = await check_secret_key(load_settings(_env_file=None, data_dir=tmp_path))
    second = await check_secret_key(load_settings(_env_file=None, data_dir=tmp_path))
    assert first == second and len(first) >= 32
    assert load_settings(_env_file=None, data_dir=tmp_path).secret == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_run_without_token_says_what_to_set(run_cli: Callable[..., Ran]) -> None:
    result = run_cli("run")
    assert result.returncode == 2
    assert result.stderr.startswith("BOT_TOKEN:")
    assert "Traceback" not in result.stderr and "python -m bot chat" in result.stderr


def test_bad_env_file_setting_exits_2_with_one_line(
    run_cli: Callable[..., Ran], tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=oops\n")
    result = run_cli("run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("BOT_TOKEN:")


def test_grant_and_help(run_cli: Callable[..., Ran]) -> None:
    ok = run_cli("grant", "5551", "--role", "tksk", "--area", "setu")
    assert ok.returncode == 0, ok.stderr
    assert "32.16.18" in ok.stdout
    wrong = run_cli("grant", "5551", "--role", "psm", "--area", "Setu")
    assert wrong.returncode == 1 and "desa" in wrong.stderr
    for args in (
        ["--help"],
        ["run", "--help"],
        ["chat", "--help"],
        ["db", "upgrade", "--help"],
        ["grant", "--help"],
    ):
        shown = run_cli(*args)
        assert shown.returncode == 0 and "usage:" in shown.stdout


def test_grant_with_part_of_a_name_lists_the_candidates(run_cli: Callable[..., Ran]) -> None:
    result = run_cli("grant", "5552", "--role", "tksk", "--area", "cikarang")
    assert result.returncode == 1
    for name in ("Cikarang Barat", "Cikarang Pusat", "Cikarang Selatan", "Cikarang Timur",
                 "Cikarang Utara"):
        assert name in result.stderr
    exact = run_cli("grant", "5552", "--role", "tksk", "--area", "cikarangpusat")
    assert exact.returncode == 0 and "32.16.20" in exact.stdout


def test_file_names_are_taken_from_where_run_sh_was_called(monkeypatch, tmp_path) -> None:
    """run.sh changes to the project folder; `./run.sh import data.csv` still means the
    caller's data.csv, and an export lands where the caller is."""
    from bot.cli import _caller_paths, parser

    monkeypatch.setenv("NIRMISKIN_CALLER_DIR", str(tmp_path))
    args = parser().parse_args(["import", "bnba.csv", "--rejected", "/abs/out.xlsx"])
    _caller_paths(args)
    assert (args.file, args.rejected) == (str(tmp_path / "bnba.csv"), "/abs/out.xlsx")
    args = parser().parse_args(["export", "rumah_tangga"])
    _caller_paths(args)
    assert args.output == str(tmp_path / "rumah_tangga.xlsx")
