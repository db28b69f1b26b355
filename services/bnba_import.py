"""Import a list (one row per person, grouped by household) from CSV or XLSX: our BNBA
template, or the lists Dinsos receives (P3KE, DTKS/BDT, Regsosek/DTSEN, SIKS-NG, Kemensos KPM;
services.source_layouts), each sheet of a workbook that a layout recognises.

Used by the bot (`/impor`) and the CLI (`python -m bot import FILE`).

- Each sheet is read twice, as a stream: first only the household keys (to know where each
  household's last row is, so a family whose rows are not together is still one family),
  then row by row. Only the rows of households not yet complete are held in memory.
- Every row is checked (services.bnba_rows): only identity rejects a row (a NIK or a name,
  a household key, the desa); a bad optional value is left out with a warning. A NIK that
  appears twice in a sheet is taken the first time only.
- Good families are written in batches, one transaction each, so a 100,000-row file never
  holds the database (or, on SQLite, the event loop) for long. Each batch's audit entry
  ("bnba.batch_imported") commits with it, so an import killed part way still shows every
  batch it wrote; "bnba.imported" with the totals follows at the end. Both carry the same
  import id.
- Households are keyed by the KK's lookup hash (or the list's own household id when it has
  no KK), people by the NIK's. Each household and
  person keeps a keyed digest of the BNBA data last imported for it: the same data again
  writes nothing ("unchanged"), and only what the BNBA list itself changed overwrites what a
  resident or volunteer corrected since. Verification results are never touched; a new
  household starts as source "bnba", verification "terdaftar".
- A person already on another KK is moved to the KK of the file (one person is on exactly
  one KK) and counted as updated. People of a KK missing from the file are kept: they may
  be linked to an account or a training; staff remove them by hand.
- Programs in the file are added to the household; none is removed (a file may list only
  one program's recipients).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import audit
from db.models.accounts import Account
from db.models.households import AidProgram, Region
from db.protect import Protector
from domain.dates import today_wib
from services.bnba_families import (
    YIELD_ROWS,
    Family,
    ImportSummary,
    families,
    last_row_of_each_household,
)
from services.bnba_file import BnbaFile, FileProblem
from services.bnba_rows import RegionIndex, RowContext
from services.bnba_write import BatchAudit, write_batch
from services.import_mappings import Choice
from services.rejected_file import RejectedFile
from services.source_plan import FilePlan, plan_file

__all__ = ["BATCH_ROWS", "Choice", "FilePlan", "FileProblem", "ImportSummary", "import_file",
           "plan_file"]  # fmt: skip

BATCH_ROWS = 500  # rows per transaction: short write locks, few round trips
Describe = Callable[[str, dict[str, Any]], str]
Progress = Callable[[int], Awaitable[None]]


async def import_file(
    path: Path | str,
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    describe: Describe,
    *,
    actor: Account | None = None,
    via: str = "bot",
    rejected_path: Path | str | None = None,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
    today: dt.date | None = None,
    choice: Choice | None = None,
) -> ImportSummary:
    """Import the file; raises FileProblem if it cannot be read as a list at all.

    ``choice`` (a layout, columns mapped by hand, the relation codes) is remembered for files
    with the same headers; without one, a remembered choice or the headers decide
    (services.source_plan). ``describe(code, params)`` renders a reason (gettext is the
    caller's). Rows that were rejected, or imported with a warning, go to ``rejected_path``
    (XLSX; default: beside the file) with the reason for each."""
    path = Path(path)
    plan = await plan_file(path, sessionmaker, choice)
    try:
        return await _import_plan(plan, path, sessionmaker, protector, describe, actor, via,
                                  rejected_path, progress, batch_rows, today)  # fmt: skip
    finally:
        plan.close()  # the temporary copy of a workbook's rows


async def _import_plan(
    plan: FilePlan,
    path: Path,
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    describe: Describe,
    actor: Account | None,
    via: str,
    rejected_path: Path | str | None,
    progress: Progress | None,
    batch_rows: int,
    today: dt.date | None,
) -> ImportSummary:
    if not plan.sheets:
        raise plan.problem()
    today = today or today_wib()
    async with sessionmaker() as session:
        region_rows = await session.execute(
            select(Region.code, Region.name, Region.level, Region.parent_code)
        )
        regions = RegionIndex([(code, name, level, up) for code, name, level, up in region_rows])
        program_ids = dict((await session.execute(select(AidProgram.code, AidProgram.id))).all())
    out = Path(rejected_path) if rejected_path else path.with_name(path.stem + "_rejected.xlsx")
    rejected = RejectedFile(out, [], describe)
    summary = ImportSummary(sheets=[s.label for s in plan.sheets], skipped=plan.skipped)
    audited = BatchAudit(actor, via)
    try:
        for sheet in plan.sheets:
            assert sheet.source.reading is not None
            rejected.use_sheet(sheet.source.sheet if len(plan.sheets) > 1 else "",
                               sheet.source.header)  # fmt: skip
            context = RowContext(sheet.source.reading, regions, set(program_ids), today,
                                 sheet.relation_codes)  # fmt: skip
            await _import_sheet(sheet.source, context, sessionmaker, protector, program_ids,
                                summary, rejected, audited, progress, batch_rows)  # fmt: skip
    finally:
        summary.rejected_file = rejected.close()
    async with sessionmaker() as session, session.begin():
        await plan.remember(session)
        audit.record(session, actor, "bnba.imported", None, None, via=via,
                     import_id=audited.import_id, batches=audited.batches, **summary.counts())
    if progress is not None:
        await progress(summary.rows)
    return summary


async def _import_sheet(
    source: BnbaFile,
    context: RowContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    program_ids: dict[str, int],
    summary: ImportSummary,
    rejected: RejectedFile,
    audited: BatchAudit,
    progress: Progress | None,
    batch_rows: int,
) -> None:
    last_row = await last_row_of_each_household(source)
    batch: list[Family] = []
    batch_size = yielded_at = 0
    for family in families(source, last_row, context, summary, rejected):
        batch.append(family)
        batch_size += len(family.people)
        if batch_size >= batch_rows:
            await write_batch(sessionmaker, protector, program_ids, batch, summary, audited)
            batch, batch_size = [], 0
            if progress is not None:
                await progress(summary.rows)
            await asyncio.sleep(0)  # let the bot answer others between batches
            yielded_at = summary.rows
        elif summary.rows - yielded_at >= YIELD_ROWS:  # many rejected rows in a row
            await asyncio.sleep(0)
            yielded_at = summary.rows
    if batch:
        await write_batch(sessionmaker, protector, program_ids, batch, summary, audited)
