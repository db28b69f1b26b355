"""`python -m bot`: run | chat | db upgrade | grant | import | export | understand."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("nirmiskin")

EXIT_CONFIG = 2


def setup_logging(level: str) -> None:
    # One structured line per event; handlers never put personal data in the message.
    logging.basicConfig(
        level=level,
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bot",
        description="Nirmiskin: the Telegram bot of Dinas Sosial Kabupaten Bekasi.",
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser(
        "run",
        help="apply database migrations and run the bot on Telegram",
        description="Apply migrations, then run the bot: long polling, or a webhook server "
        "when WEBHOOK_URL is set. Needs BOT_TOKEN (in the environment or .env).",
    )

    chat = sub.add_parser(
        "chat",
        help="talk to the real bot in this terminal, without Telegram",
        description="A terminal conversation with the real dispatcher, database and background "
        "workers (broadcasts, reminders and follow-ups to the other local accounts are shown "
        "labelled with who gets them). Buttons are numbered: type the number to press one. "
        'Chat commands: :teks TEXT (or "TEXT" in quotes) sends text as typed, e.g. a number; '
        ":berkas FILE [| CAPTION] sends a document; :foto [FILE] [| CAPTION] a photo; "
        ":lokasi LAT,LON a location; :kontak your phone number; :keluar (or Ctrl-D/Ctrl-C) "
        "quits. A form left unfinished is asked again at start.",
    )
    chat.add_argument(
        "--as",
        dest="role",
        choices=["warga", "psm", "tksk", "petugas"],
        default="warga",
        help="the role to chat as (default: warga)",
    )
    chat.add_argument("--user-id", type=int, default=None, help="Telegram id to pretend to be")
    chat.add_argument("--area", default=None, help="area code for psm/tksk (e.g. 32.16.18)")
    chat.add_argument(
        "--files",
        default=None,
        metavar="DIR",
        help="where to save the files and photos the bot sends (default: DATA_DIR/chat_files)",
    )

    db = sub.add_parser("db", help="database tasks", description="Database tasks.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="TASK")
    db_sub.add_parser(
        "upgrade", help="apply all migrations", description="Apply all Alembic migrations."
    )

    grant = sub.add_parser(
        "grant",
        help="give a Telegram user a role (and an area for volunteers)",
        description="Give a Telegram user id a role. PSM needs a desa/kelurahan area, TKSK a "
        "kecamatan; give the area by code (32.16.18.2001) or name (Setu).",
    )
    grant.add_argument("telegram_id", type=int, help="the user's numeric Telegram id")
    grant.add_argument("--role", required=True, choices=["warga", "psm", "tksk", "petugas"])
    grant.add_argument("--area", default=None, help="kecamatan or desa code or name")

    imp = sub.add_parser(
        "import",
        help="import the BNBA list (CSV or XLSX, one row per person)",
        description="Import a BNBA file (columns in the README, sample in docs/contoh_bnba.csv). "
        "Prints progress and a summary; rows not imported go to an XLSX file with the reason.",
    )
    imp.add_argument("file", help="the CSV or XLSX file")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="the column holding one of our fields, for a file no layout knows (repeatable; "
        "fields: nik, nama, no_kk, household_id, desa, kode_desa, kecamatan, hubungan, "
        "jenis_kelamin, tanggal_lahir, ...); remembered for files with the same headers",
    )
    imp.add_argument(
        "--layout",
        default=None,
        help="read every sheet as this layout (P3KE Keluarga, P3KE Individu, DTKS/BDT (TNP2K), "
        "Regsosek/DTSEN, DTKS (SIKS-NG), Kemensos KPM, Nirmiskin (BNBA))",
    )
    imp.add_argument(
        "--relation-codes",
        choices=["dukcapil", "bdt"],
        default=None,
        help="what the numbers of a relation column mean: dukcapil (SHDK on the KK, 3 = istri) "
        "or bdt (BDT/Regsosek, 3 = anak)",
    )
    imp.add_argument(
        "--rejected",
        default=None,
        help="where to write the rows to check (default: FILE_rejected.xlsx)",
    )

    from services.export import KINDS
    from services.export_sources import SOURCE_KIND, SOURCES

    exp = sub.add_parser(
        "export",
        help="write a report as XLSX (full NIK/KK: keep it safe)",
        description="Write an XLSX report. Area by code or name; dates as DD-MM-YYYY or "
        "YYYY-MM-DD (WIB, both days included). Every export is written to the audit log. "
        f"{SOURCE_KIND} (verification results in a list's own layout) needs --source. "
        "Photo cells are t.me links when BOT_USERNAME is set.",
    )
    exp.add_argument("kind", choices=KINDS, help="which report")
    exp.add_argument(
        "--source",
        choices=list(SOURCES),
        default=None,
        help=f"for {SOURCE_KIND}: the list whose households and layout to use",
    )
    exp.add_argument("--kecamatan", default=None, help="kecamatan code or name")
    exp.add_argument("--desa", default=None, help="desa/kelurahan code or name")
    exp.add_argument("--from", dest="date_from", default=None, help="first day")
    exp.add_argument("--to", dest="date_to", default=None, help="last day")
    exp.add_argument("-o", "--output", default=None, help="output file (default: KIND.xlsx)")

    understand = sub.add_parser(
        "understand",
        help="show how the bot reads residents' messages",
        description="For each message (the arguments, or one per line from standard input) "
        "print: the journey the bot would act on, or - where it would ask instead of "
        "guessing; the confidence; darurat when it reads an emergency, else -; the text. "
        "Tab-separated. Needs no database and no BOT_TOKEN.",
    )
    understand.add_argument("message", nargs="*", help="messages (default: standard input)")
    return root


def cmd_understand(messages: Sequence[str]) -> int:
    from services.understanding import reader

    model = reader()
    lines = messages or (line.rstrip("\n") for line in sys.stdin)
    for text in lines:
        if not text.strip():
            continue
        reading = model.read(text)
        flag = "darurat" if reading.urgent else "-"
        one_line = " ".join(text.split())
        print(
            f"{reading.intent or '-'}\t{reading.confidence:.2f}\t{flag}\t{one_line}", flush=True
        )
    return 0


async def _upgrade(settings: Settings) -> None:
    from bot.key_check import prepare_sqlite_file
    from db.engine import create_engine
    from db.migrate import upgrade

    prepare_sqlite_file(settings.db_url)
    engine = create_engine(settings.db_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def cmd_run(settings: Settings) -> int:
    if not settings.bot_token:
        print(
            "BOT_TOKEN: not set. Create a bot with @BotFather on Telegram, put "
            "BOT_TOKEN=123456789:ABC... in .env (see .env.example) and run again. "
            "To try the bot without Telegram: python -m bot chat",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from bot.runner import run

    asyncio.run(run(settings))
    return 0


def _check_key(settings: Settings) -> None:
    """Before anything reads or writes NIK/KK: the key must be the database's (bot.key_check)."""
    from bot.key_check import check_secret_key

    asyncio.run(check_secret_key(settings))


def cmd_grant(settings: Settings, args: argparse.Namespace) -> int:
    from services.grant import GrantError

    _check_key(settings)
    try:
        message = asyncio.run(_grant(settings, args.telegram_id, args.role, args.area))
    except GrantError as exc:
        print(f"grant: {exc}", file=sys.stderr)
        return 1
    print(message)
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.data_cli import EXIT_BAD_ARGUMENT, run_import

    if not Path(args.file).is_file():
        print(f"import: no such file: {args.file}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    _check_key(settings)
    return asyncio.run(run_import(settings, args))


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.data_cli import run_export

    _check_key(settings)
    return asyncio.run(run_export(settings, args))


def _caller_paths(args: argparse.Namespace) -> None:
    """`./run.sh` changes to the project folder (for `.env`, `data/` and `.venv`); file names a
    person typed are meant from where they typed them (run.sh passes that folder on)."""
    caller = os.environ.get("NIRMISKIN_CALLER_DIR")
    if not caller:
        return
    for name in ("file", "rejected", "output", "files"):
        value = getattr(args, name, None)
        if value and not os.path.isabs(value):
            setattr(args, name, os.path.join(caller, value))
    if getattr(args, "command", None) == "export" and not args.output:
        args.output = os.path.join(caller, f"{args.kind}.xlsx")


async def _grant(settings: Settings, telegram_id: int, role: str, area: str | None) -> str:
    from services.grant import grant_role

    message = await grant_role(settings.db_url, telegram_id, role, area)
    if settings.redis_url:  # running instances keep accounts: tell them this one changed
        from redis.asyncio import Redis

        from db.account_versions import AccountVersions

        redis = Redis.from_url(settings.redis_url)
        versions = AccountVersions(redis)
        versions.bump_soon([telegram_id])
        await versions.settled()
        await redis.aclose()
    return message


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "understand":  # reads no settings: staff may run it anywhere
        return cmd_understand(args.message)
    _caller_paths(args)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level)
    try:
        return _dispatch(settings, args)
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "db":
        # Migrating reads no NIK/KK: it works without the key (e.g. before restoring it).
        asyncio.run(_upgrade(settings))
        print("database is up to date")
        return 0
    if args.command == "grant":
        return cmd_grant(settings, args)
    if args.command == "import":
        return cmd_import(settings, args)
    if args.command == "export":
        return cmd_export(settings, args)
    if args.command == "chat":
        from bot.chat import run_chat

        _check_key(settings)
        try:
            return asyncio.run(run_chat(settings, args.role, args.user_id, args.area, args.files))
        except KeyboardInterrupt:  # Ctrl-C: the chat has already stopped its workers
            print()
            return 130
    return EXIT_CONFIG
