"""Shared steps and data for the volunteers' end-to-end tests."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from services import invites, tasks
from tests.fake_telegram import FakeCallbackQuery, FakeMessage, FakeUser
from tests.harness import BotApp, eventually
from tests.residents import protected_household, protected_member

KEC_A = "32.16.05"  # Tambun Utara
DESA_A = "32.16.05.2001"  # Satriajaya
DESA_A2 = "32.16.05.2002"  # Jejalenjaya (same kecamatan)
KEC_B = "32.16.06"  # Tambun Selatan
DESA_B = "32.16.06.2002"  # Lambangsari

_serial = iter(range(1000, 9999))


def new_kk() -> str:
    return f"3216050101{next(_serial):06d}"


def new_nik() -> str:
    return f"3216054107{next(_serial) % 100:02d}{next(_serial):04d}"


async def add_household(
    app: BotApp,
    desa: str,
    names: list[str],
    *,
    rt: str = "003",
    kk: str | None = None,
    niks: list[str] | None = None,
    births: list[dt.date | None] | None = None,
    verification: str = "terdaftar",
    proposed_by: int | None = None,
    last_visit_days: int | None = None,
    task_kinds: tuple[str, ...] = (),
) -> int:
    """A household with members (the first is the head) straight into the database."""
    protector = app.resources.protector
    async with app.sessionmaker() as session, session.begin():
        household = protected_household(
            protector,
            kk or new_kk(),
            address="Jl. Melati",
            rt=rt,
            rw="001",
            desa_code=desa,
            kecamatan_code=desa.rsplit(".", 1)[0],
            verification=verification,
            source="bnba" if verification == "terdaftar" else "usulan_warga",
            proposed_by_account_id=proposed_by,
            last_visit_at=utcnow() - dt.timedelta(days=last_visit_days)
            if last_visit_days is not None
            else None,
        )
        session.add(household)
        await session.flush()
        for n, name in enumerate(names):
            session.add(
                protected_member(
                    protector,
                    household.id,
                    niks[n] if niks else new_nik(),
                    name=name,
                    relationship_to_head="kepala" if n == 0 else "anak",
                    birth_date=births[n] if births else None,
                )
            )
        for kind in task_kinds:
            await tasks.open_task(session, household, kind)
        return household.id


async def make_invite(
    app: BotApp, role: str, area: str, *, days_ago: int = 0, creator_tg: int | None = None
) -> str:
    async with app.sessionmaker() as session, session.begin():
        creator = None
        if creator_tg is not None:
            creator = await session.scalar(select(Account).where(Account.telegram_id == creator_tg))
        if creator is None:
            creator = Account(telegram_id=999_000 + next(_serial), role="petugas")
            session.add(creator)
            await session.flush()
        code, _invite = await invites.create(
            session,
            app.resources.protector,
            creator,
            role,
            area,
            now=utcnow() - dt.timedelta(days=days_ago),
        )
        return code


def code_in(text: str) -> str:
    found = re.search(r"(?:Kode|Code): ([A-Z0-9]{8})", text)
    assert found, text
    return found.group(1)


def latest_with(user: FakeUser, label: str) -> FakeMessage | None:
    for message in reversed(user.messages):
        if not message.deleted and message.button(label) is not None:
            return message
    return None


async def tap(user: FakeUser, label: str) -> FakeCallbackQuery:
    """Tap the button `label` (Indonesian) on the most recent message showing it (waiting
    for it to be shown: a tap's answer may arrive before the message is edited)."""
    message = await user.wait_for(lambda: latest_with(user, label))
    query = await user.click(message, label)
    await query.wait_answered()
    return query


async def wait_text(
    user: FakeUser, needle: str, timeout: float = 5.0, since: FakeMessage | None = None
) -> FakeMessage:
    """The latest message (sent or edited) whose text contains `needle`; with `since`, only
    that message or newer ones count."""
    first = since.message_id if since is not None else 0

    def find() -> Any:
        for message in reversed(user.messages):
            if message.message_id >= first and message.text and needle in message.text:
                return message
        return None

    return await user.wait_for(find, timeout)


async def committed(app: BotApp, telegram_id: int, **expected: Any) -> Account:
    """The account once the update that changed it has committed (replies go out just
    before the commit)."""

    async def check() -> Account | None:
        async with app.sessionmaker() as session:
            account = await session.scalar(
                select(Account).where(Account.telegram_id == telegram_id)
            )
        if account is not None and all(getattr(account, k) == v for k, v in expected.items()):
            return account
        return None

    account = await eventually(check)
    assert account is not None, f"account {telegram_id} never became {expected}"
    return account


async def case_with_text(session: Any, *where: Any) -> tuple[Case | None, str | None]:
    """The first case matching `where` (oldest first) and its thread's texts, one per line
    (what a volunteer's task said before tasks became cases)."""
    case = await session.scalar(select(Case).where(*where).order_by(Case.id).limit(1))
    if case is None:
        return None, None
    texts = (await tasks.details(session, [case.id]))[case.id]
    return case, "\n".join(texts) if texts else None
