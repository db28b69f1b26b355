"""Photos in the staff's exports, as links the bot answers: ``https://t.me/<bot>?start=
foto_<kind>_<id>``. A Telegram file id is useless in a spreadsheet (only the bot can send it),
so a cell holds the link, and the bot sends the photo again to whoever opens it and may see it
(services.volunteer_area's rule: staff everything, a PSM their desa, a TKSK their kecamatan;
anyone else is told it is not found). Each showing is audited (``photo.viewed``).

Kinds: ``kunjungan`` (a field visit's photo), ``laporan`` (a resident's self-report),
``cepat`` (a volunteer's quick report), ``kasus`` (every file of a case: photos, voice notes,
documents). No aiogram here: the handler (handlers.photo_links) sends what this finds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.cases import Case, CaseMessage
from db.models.field import FieldVisit, QuickReport, StatusReport
from db.models.households import Household, Member, Region
from domain.roles import PETUGAS, PSM, TKSK
from services import cases
from services.volunteer_area import covers

VISIT, REPORT, QUICK, CASE = "kunjungan", "laporan", "cepat", "kasus"
KINDS = (VISIT, REPORT, QUICK, CASE)
PREFIX = "foto_"
# A /start payload may hold A-Z, a-z, 0-9, _ and - (at most 64): this fits with room.
PAYLOAD = re.compile(rf"^{PREFIX}({'|'.join(KINDS)})_(\d{{1,12}})$")
MAX_FILES = 10  # files of one case sent at a time: a long thread stays readable


def payload(kind: str, row_id: int) -> str:
    return f"{PREFIX}{kind}_{row_id}"


def link(bot_username: str | None, kind: str, row_id: int) -> str:
    """The cell's text: the deep link, or, when the bot's name is not known (the CLI without
    BOT_USERNAME), the command to send the bot, which does the same."""
    if bot_username:
        return f"https://t.me/{bot_username}?start={payload(kind, row_id)}"
    return f"/start {payload(kind, row_id)}"


def parse(text: str | None) -> tuple[str, int] | None:
    found = PAYLOAD.match((text or "").strip())
    return (found.group(1), int(found.group(2))) if found else None


def looks_like_payload(text: str | None) -> bool:
    return parse(text) is not None


@dataclass(frozen=True)
class File:
    file_id: str
    kind: str  # photo | voice | document


@dataclass
class Shown:
    """What to send and the caption's facts: whose (the family's head, the place), when."""

    kind: str
    files: list[File]
    when: dt.datetime
    head: str | None = None
    place: str | None = None
    case_number: str | None = None
    more: int = 0  # files of a case beyond MAX_FILES


def _may_see(account: Account, desa: str | None, kecamatan: str | None) -> bool:
    if account.role == PETUGAS:
        return True
    if account.role not in (PSM, TKSK) or account.consent != "given":
        return False  # a volunteer's tools wait for their consent (handlers.access)
    return covers(account, desa or "", kecamatan or "")


async def _head_and_place(session: AsyncSession, household_id: int | None
                          ) -> tuple[str | None, str | None, str | None, str | None]:  # fmt: skip
    """The head's name, the desa's name, and the desa and kecamatan codes."""
    if household_id is None:
        return None, None, None, None
    household = await session.get(Household, household_id)
    if household is None:
        return None, None, None, None
    head = await session.scalar(select(Member.name).where(
        Member.household_id == household_id, Member.relationship_to_head == "kepala",
        Member.left_at.is_(None)).order_by(Member.id).limit(1))  # fmt: skip
    desa = await session.scalar(select(Region.name).where(Region.code == household.desa_code))
    return head, desa, household.desa_code, household.kecamatan_code


async def find(session: AsyncSession, account: Account, kind: str, row_id: int) -> Shown | None:
    """What the link shows to this account, audited; None (not found) when there is no such
    photo or the account may not see it (that attempt is audited too)."""
    shown: Shown | None = None
    desa = kecamatan = None
    if kind in (VISIT, REPORT):
        row = await session.get(FieldVisit if kind == VISIT else StatusReport, row_id)
        if isinstance(row, FieldVisit | StatusReport) and row.photo_file_id:
            head, place, desa, kecamatan = await _head_and_place(session, row.household_id)
            when = row.visited_at if isinstance(row, FieldVisit) else row.created_at
            shown = Shown(kind, [File(row.photo_file_id, "photo")], when, head, place)
    elif kind == QUICK:
        quick = await session.get(QuickReport, row_id)
        if quick is not None and quick.photo_file_id:
            area = quick.area_code or ""
            # A PSM reports for a desa (32.16.18.2005), a TKSK for a kecamatan (32.16.18).
            desa, kecamatan = (area, area[:8]) if area.count(".") == 3 else (None, area)
            place = await session.scalar(select(Region.name).where(Region.code == area))
            shown = Shown(kind, [File(quick.photo_file_id, "photo")], quick.created_at,
                          None, place)  # fmt: skip
    elif kind == CASE:
        shown, desa, kecamatan = await _case(session, row_id)
    if shown is None:
        return None
    if not _may_see(account, desa, kecamatan):
        audit.record(session, account, "photo.refused", kind, row_id)
        return None
    audit.record(session, account, "photo.viewed", kind, row_id, files=len(shown.files))
    return shown


async def _case(session: AsyncSession, case_id: int
                ) -> tuple[Shown | None, str | None, str | None]:  # fmt: skip
    case = await session.get(Case, case_id)
    if case is None:
        return None, None, None
    rows = list(await session.execute(
        select(CaseMessage.file_id, CaseMessage.file_kind, CaseMessage.created_at)
        .where(CaseMessage.case_id == case_id, CaseMessage.file_id.is_not(None))
        .order_by(CaseMessage.id)
    ))  # fmt: skip
    if not rows:
        return None, None, None
    head, place, _desa, _kecamatan = await _head_and_place(session, case.household_id)
    if place is None:
        place = await session.scalar(select(Region.name).where(Region.code == case.desa_code))
    files = [File(str(file_id), str(kind or "photo")) for file_id, kind, _at in rows]
    shown = Shown(CASE, files[:MAX_FILES], rows[0][2], head, place,
                  cases.number(case),
                  more=max(0, len(files) - MAX_FILES))  # fmt: skip
    return shown, case.desa_code, case.kecamatan_code
