"""`python -m bot import FILE` and `python -m bot export KIND`: the staff data tasks on the
server, through the same services as the bot's /impor and /ekspor.

Summaries and the rejected-rows file are in Indonesian (the staff's language, same texts as
the bot); errors about the command line itself are in English like the rest of the CLI.
Exit code 2 for a bad argument (missing file, unknown area, bad date, not a BNBA file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.settings import Settings
from db import regions
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.protect import Protector
from domain.dates import parse_date
from domain.errors import Invalid
from domain.source_values import normalise_header
from services.import_mappings import Choice
from services.source_layouts import BY_NAME, FIELDS, LAYOUTS
from texts.catalog import install_catalog

EXIT_BAD_ARGUMENT = 2
PROGRESS_ROWS = 5000  # a progress line per this many rows


def _fail(command: str, message: str) -> int:
    print(f"{command}: {message}", file=sys.stderr)
    return EXIT_BAD_ARGUMENT


def import_choice(args: argparse.Namespace) -> Choice | str:
    """The staff member's choice from ``--map field=Column``, ``--layout``,
    ``--relation-codes``; or what is wrong with it."""
    mapping: dict[str, str] = {}
    for item in args.map:
        field, _sep, column = item.partition("=")
        field, column = field.strip().lower(), column.strip()
        if field not in FIELDS or not column:
            return f"--map {item!r}: use FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}"
        mapping[field] = column
    if args.layout is not None and normalise_header(args.layout) not in BY_NAME:
        names = ", ".join(layout.name for layout in LAYOUTS)
        return f"--layout {args.layout!r}: one of {names}"
    return Choice(mapping, args.layout, args.relation_codes)


async def run_import(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.staff.bnba_texts import describe, summary_text
    from services.bnba_import import FileProblem, import_file

    path = Path(args.file)  # checked by the caller
    choice = import_choice(args)
    if isinstance(choice, str):
        return _fail("import", choice)
    install_catalog()  # the report in Indonesian, without the Telegram framework
    engine = create_engine(settings.db_url)
    try:
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)

        shown = 0

        async def progress(rows: int) -> None:
            nonlocal shown
            if rows - shown >= PROGRESS_ROWS or (rows != shown and shown == 0):
                shown = rows
                print(f"import: {rows} rows read", file=sys.stderr, flush=True)

        try:
            summary = await import_file(
                path, sessionmaker, Protector(settings.secret), describe,
                via="cli", rejected_path=args.rejected, progress=progress,
                choice=choice or None,
            )  # fmt: skip
        except FileProblem as exc:
            return _fail("import", describe(exc.code, exc.params))
        print(summary_text(summary))
        if summary.rejected_file is not None:
            print(str(summary.rejected_file))
    finally:
        await engine.dispose()
    return 0


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    from services.export import UNREADABLE_SHEET, Filters, export
    from services.export_sources import SOURCE_KIND

    if (args.kind == SOURCE_KIND) != bool(args.source):
        return _fail("export", f"--source goes with {SOURCE_KIND} (and it needs one)")
    try:
        date_from = parse_date(args.date_from) if args.date_from else None
        date_to = parse_date(args.date_to) if args.date_to else None
    except Invalid:
        return _fail("export", "dates are DD-MM-YYYY or YYYY-MM-DD")
    if date_from and date_to and date_from > date_to:
        return _fail("export", "--from is after --to")
    output = Path(args.output or f"{args.kind}.xlsx")
    engine = create_engine(settings.db_url)
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine).begin() as session:
            codes: dict[str, str | None] = {"kecamatan": None, "desa": None}
            for level, text in (("kecamatan", args.kecamatan), ("desa", args.desa)):
                if not text:
                    continue
                levels = ("kecamatan",) if level == "kecamatan" else ("desa", "kelurahan")
                found = await regions.find(session, text, levels)
                if len(found) != 1:
                    options = ", ".join(f"{r.code} {r.name}" for r in found) or "none"
                    return _fail("export", f"--{level} {text!r} matches {options}")
                codes[level] = found[0].code
            filters = Filters(codes["kecamatan"], codes["desa"], date_from, date_to,
                              args.source)  # fmt: skip
            result = await export(
                session, Protector(settings.secret), args.kind, filters, output, via="cli",
                bot_username=settings.bot_username,
            )
    finally:
        await engine.dispose()
    print(f"{result.rows} rows written to {output}")
    if result.unreadable:
        lines = ", ".join(str(line) for line, _columns in result.unreadable[:20])
        more = " ..." if len(result.unreadable) > 20 else ""
        print(
            f"export: {len(result.unreadable)} rows hold a NIK/KK that could not be decrypted "
            f"(another SECRET_KEY or damaged data): rows {lines}{more}; listed on the sheet "
            f"{UNREADABLE_SHEET}",
            file=sys.stderr,
        )
    return 0
