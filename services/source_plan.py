"""Deciding how to read each sheet of a file before importing it: the staff member's choice
(a layout, columns mapped by hand, the relation codes), else a remembered choice for the same
headers, else the headers themselves (services.source_layouts). Sheets whose identity
columns no layout finds are skipped; a file where none is left cannot be imported and says
which fields are missing, so the CLI or the bot can ask for them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.source_values import parse_relation
from services.bnba_file import BnbaFile, FileProblem, open_xlsx, sheet_names
from services.import_mappings import Choice, remember, remembered
from services.xlsx_copy import XlsxCopy

RELATION_SAMPLE = 200  # rows looked at to tell a numeric relation column


@dataclass
class Sheet:
    source: BnbaFile
    relation_codes: str | None

    @property
    def label(self) -> str:
        reading = self.source.reading
        name = reading.layout.name if reading and reading.layout else "-"
        return f"{self.source.sheet} ({name})" if self.source.sheet else name


@dataclass
class FilePlan:
    sheets: list[Sheet] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # The first sheet that could not be read, and the identity fields it lacks (or
    # "hubungan" when its relation numbers need a code system).
    unread: BnbaFile | None = None
    missing: list[str] = field(default_factory=list)
    choice: Choice | None = None  # given by hand: remembered after the import
    copy: XlsxCopy | None = None  # a workbook's sheets as CSV: close() deletes them

    def close(self) -> None:
        if self.copy is not None:
            self.copy.close()

    def problem(self) -> FileProblem:
        if "hubungan" in self.missing and self.unread is not None:
            assert self.unread.reading is not None
            index = self.unread.reading.index("hubungan")
            column = self.unread.header[index] if index is not None else "hubungan"
            return FileProblem("relation_codes_needed", column=column)
        return FileProblem("columns_missing", missing=", ".join(self.missing))

    async def remember(self, session: AsyncSession) -> None:
        if self.choice:
            for sheet in self.sheets:
                await remember(session, sheet.source.header, self.choice)


def _numeric_relations(source: BnbaFile) -> bool:
    for count, (_number, values, _cells) in enumerate(source.rows()):
        text = values.get("hubungan", "")
        if text:
            try:
                parse_relation(text, None)
            except ValueError as exc:
                if getattr(exc, "code", "") == "source.relation_system":
                    return True
        if count >= RELATION_SAMPLE:
            break
    return False


def _open(path: Path, name: str, choice: Choice | None, copy: XlsxCopy | None) -> BnbaFile:
    source = BnbaFile(path, name, layout=choice.layout if choice else None,
                      mapping=choice.mapping if choice else None, copy=copy)  # fmt: skip
    source.read_header()
    return source


async def plan_file(path: Path, sessionmaker: async_sessionmaker[AsyncSession],
                    choice: Choice | None = None) -> FilePlan:  # fmt: skip
    """How to read each sheet; close() the plan when done with it (it may hold a copy of
    the workbook's rows)."""
    copy = open_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else None
    plan = FilePlan(choice=choice, copy=copy)
    try:
        # Copying a big workbook takes seconds of CPU: off the event loop, so the bot answers.
        names = await asyncio.to_thread(sheet_names, path, copy)
        await _plan_sheets(plan, path, sessionmaker, choice, names)
    except BaseException:
        plan.close()
        raise
    return plan


async def _plan_sheets(plan: FilePlan, path: Path,
                       sessionmaker: async_sessionmaker[AsyncSession], choice: Choice | None,
                       names: list[str]) -> None:  # fmt: skip
    copy = plan.copy
    for name in names:
        try:
            source = _open(path, name, choice, copy)
        except FileProblem as exc:
            if len(names) == 1:
                raise
            if exc.code == "mapped_column_missing":  # the mapping is another sheet's
                source = _open(path, name, None, copy)
            else:  # an empty sheet
                continue
        used = choice
        if not choice:
            async with sessionmaker() as session:
                used = await remembered(session, source.header)
            if used:
                source = _open(path, name, used, copy)
        assert source.reading is not None
        missing = source.reading.missing()
        codes = used.relation_codes if used else None
        if not missing and codes is None and (source.reading.layout is None
                                              or source.reading.layout.relation_codes is None):
            if "hubungan" in source.reading.fields and _numeric_relations(source):
                missing = ["hubungan"]
        if missing:
            plan.skipped.append(name)
            if plan.unread is None:
                plan.unread, plan.missing = source, missing
            continue
        plan.sheets.append(Sheet(source, codes))
    plan.sheets.sort(key=lambda s: s.source.reading.layout.order
                     if s.source.reading and s.source.reading.layout else 1)  # fmt: skip
