"""Shared steps of the complaints' end-to-end tests."""

from __future__ import annotations

import re

from sqlalchemy import select

from db.models.cases import Case
from tests.fake_telegram import FakeMessage, FakeUser
from tests.harness import BotApp, agree, as_role, t
from tests.residents import linked_resident
from tests.volunteers_support import DESA_A, KEC_A, tap, wait_text

DESA_A_NAME = "Satriajaya"


def family_a() -> str:
    """How notices name the family resident_of_desa_a links (head, desa, RT/RW unknown)."""
    return t("family of {name}, {desa} RT {rt}/RW {rw}", name="Siti Aminah", desa=DESA_A_NAME,
             rt="-", rw="-")  # fmt: skip
OFFER = "Sorry, I did not understand that. An officer can read your message and answer you here."
SEND = "📣 Send to an officer"


def number_in(text: str | None) -> str:
    found = re.search(r"\bA-\d+\b", text or "")
    assert found, text
    return found.group(0)


async def resident_of_desa_a(app: BotApp, user: FakeUser) -> None:
    await agree(user)
    await linked_resident(app, user.id, [("Siti Aminah", None)], desa=DESA_A, kecamatan=KEC_A)


async def officers(app: BotApp, tg_user: object, *users: tuple[FakeUser, str, str | None]) -> None:
    for user, role, area in users:
        await as_role(app, user, role, area)


async def send_offered(user: FakeUser) -> FakeMessage:
    """Tap "send to an officer" under the last offer (whatever its lead: not understood, or
    the likeliest journeys); the confirmation with the number."""
    await user.wait_for(lambda: any(t(SEND) in m.buttons for m in user.messages))
    await tap(user, t(SEND))
    return await wait_text(user, "A-")


async def the_case(app: BotApp, number: str) -> Case:
    async with app.sessionmaker() as session:
        case = await session.scalar(select(Case).where(Case.id == int(number[2:])))
    assert case is not None
    return case
