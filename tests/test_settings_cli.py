"""Settings errors name the variable; the CLI exits 2 with one line and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "BOT_TOKEN",
            "DATABASE_URL",
            "SECRET_KEY",
            "ADMIN_IDS",
            "REDIS_URL",
            "TELEGRAM_API_BASE",
        }
    }
    clean.update(env)
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
    )
    assert settings.admin_ids == [11, 22, 33]
    assert settings.db_url == "postgresql+asyncpg://u@h/db"


async def test_secret_is_generated_once_on_the_sqlite_default(tmp_path: Path) -> None:
    from bot.key_check import check_secret_key

    first = await check_secret_key(load_settings(_env_file=None, data_dir=tmp_path))
    second = await check_secret_key(load_settings(_env_file=None, data_dir=tmp_path))
    assert first == second and len(first) >= 32
    assert load_settings(_env_file=None, data_dir=tmp_path).secret == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_run_without_token_says_what_to_set(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run")
    assert result.returncode == 2
    assert result.stderr.startswith("BOT_TOKEN:")
    assert "Traceback" not in result.stderr and "python -m bot chat" in result.stderr


def test_bad_env_file_setting_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=oops\n")
    result = run_cli(tmp_path, "run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("BOT_TOKEN:")


def test_grant_and_help(tmp_path: Path) -> None:
    ok = run_cli(tmp_path, "grant", "5551", "--role", "tksk", "--area", "setu")
    assert ok.returncode == 0, ok.stderr
    assert "32.16.18" in ok.stdout
    wrong = run_cli(tmp_path, "grant", "5551", "--role", "psm", "--area", "Setu")
    assert wrong.returncode == 1 and "desa" in wrong.stderr
    for args in (
        ["--help"],
        ["run", "--help"],
        ["chat", "--help"],
        ["db", "upgrade", "--help"],
        ["grant", "--help"],
    ):
        shown = run_cli(tmp_path, *args)
        assert shown.returncode == 0 and "usage:" in shown.stdout


def test_grant_with_part_of_a_name_lists_the_candidates(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "grant", "5552", "--role", "tksk", "--area", "cikarang")
    assert result.returncode == 1
    for name in ("Cikarang Barat", "Cikarang Pusat", "Cikarang Selatan", "Cikarang Timur",
                 "Cikarang Utara"):
        assert name in result.stderr
    exact = run_cli(tmp_path, "grant", "5552", "--role", "tksk", "--area", "cikarangpusat")
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
