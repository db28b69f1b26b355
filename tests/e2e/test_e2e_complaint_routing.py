"""End to end: where complaints go. Unanswered, the clock (a fake `now` handed to the worker's
round) reminds the PSM after a day and passes the case up to the TKSK after 3 days and to
staff after 5 working days; an urgent message reaches PSM, TKSK and staff at once and tells the
resident about the office's line and 112; /kasus shows only the area's cases, and a crafted
button for another area's case is refused (and audited)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from bot.workers.cases import clock_round
from db.models.accounts import Account
from db.models.cases import Case
from db.models.system import AuditLog
from handlers.case_ui import CaseCb
from services import case_queries, cases
from services.cases import Item
from tests.e2e.complaints_support import (
    DESA_A_NAME,
    family_a,
    number_in,
    resident_of_desa_a,
    send_offered,
    the_case,
)
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, account_of, as_role, click_data, e2e_settings, eventually, t
from tests.volunteers_support import DESA_A, DESA_B, KEC_A, KEC_B, tap, wait_text

# A Monday, 09.00 WIB: the clock's rounds below fall in the daytime.
T0 = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


async def test_unanswered_reminded_then_passed_up_by_the_clock(
    app: BotApp, tg: FakeTelegram
) -> None:
    psm, tksk, staff = tg.user(3001, "PSM"), tg.user(3002, "TKSK"), tg.user(3003, "Staf")
    await as_role(app, psm, "psm", DESA_A)
    await as_role(app, tksk, "tksk", KEC_A)
    await as_role(app, staff, "petugas")
    resident = tg.user(3004, "Warga")
    await resident_of_desa_a(app, resident)
    await resident.send("qwerty zxcv pak rt tidak peduli")
    number = number_in((await send_offered(resident)).text)
    await wait_text(psm, number)
    async with app.sessionmaker() as session, session.begin():  # raised at T0
        await session.execute(
            update(Case).values(
                created_at=T0, first_answer_due_at=T0 + dt.timedelta(days=3),
                next_reminder_at=T0 + dt.timedelta(hours=24),
                escalate_at=T0 + dt.timedelta(days=3),
            )
        )  # fmt: skip

    async def round_at(now: dt.datetime) -> tuple[int, int]:
        assert app.bot is not None and app.resources is not None
        done = await clock_round(app.bot, app.sessionmaker, app.resources.i18n, app.settings, now)
        return done.reminded, done.passed_up

    assert await round_at(T0 + dt.timedelta(hours=23)) == (0, 0)
    assert await round_at(T0 + dt.timedelta(hours=24)) == (1, 0)
    assert await round_at(T0 + dt.timedelta(hours=25)) == (0, 0)  # once
    await wait_text(psm, "⏰")
    assert not any("⏰" in (m.text or "") for m in tksk.messages)

    assert await round_at(T0 + dt.timedelta(days=3, hours=1)) == (0, 1)
    up = "↗ Complaint {number} ({desa}) was passed up to you. Please answer it."
    passed = await wait_text(tksk, t(up, number=number, desa=DESA_A_NAME))
    assert passed.button(t("📂 Open case")) is not None
    told = "Your complaint {number} was passed on. It will be answered by {who}."
    await wait_text(resident, t(told, number=number, who=t("the TKSK of your kecamatan")))
    case = await the_case(app, number)
    assert (case.level, case.state, case.escalations) == ("tksk", "passed_up", 1)
    assert case.escalate_at == T0 + dt.timedelta(days=7)  # 5 working days: next Monday

    assert await round_at(T0 + dt.timedelta(days=6)) == (0, 0)  # the weekend does not count
    assert await round_at(T0 + dt.timedelta(days=7)) == (0, 1)
    await wait_text(staff, number)
    assert (await the_case(app, number)).level == "staff"

    # The TKSK sees it in /kasus still (their kecamatan), staff first in theirs.
    await staff.send("/kasus")
    inbox = await wait_text(staff, t("Open complaints in your area: {total} (urgent first, then "
                                     "oldest). Page {page}:", total=1, page=1))  # fmt: skip
    assert number in inbox.text


async def test_urgent_message_reaches_everyone_and_the_resident_gets_112(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    settings = e2e_settings(
        tmp_path, tg, office_phone="(021) 0000-TEST", office_hours="Senin-Jumat 08.00-16.00"
    )
    async with BotApp(tg, settings) as app:
        psm, tksk, staff = tg.user(3101, "PSM"), tg.user(3102, "TKSK"), tg.user(3103, "Staf")
        other_psm = tg.user(3105, "PSM lain")
        await as_role(app, psm, "psm", DESA_A)
        await as_role(app, tksk, "tksk", KEC_A)
        await as_role(app, staff, "petugas")
        await as_role(app, other_psm, "psm", DESA_B)
        resident = tg.user(3104, "Warga")
        await resident_of_desa_a(app, resident)

        await resident.send("/aduan")
        await resident.send("Rumah kami roboh semalam, anak-anak belum makan")
        await tap(resident, t("📣 Send"))
        number = number_in((await wait_text(resident, "A-")).text)
        advice = await wait_text(resident, "112")
        assert "(021) 0000-TEST" in advice.text and "Senin-Jumat 08.00-16.00" in advice.text
        header = t("🔴 URGENT: complaint {number} from {desa}. Please act today.",
                   number=number, desa=family_a())  # fmt: skip
        for officer in (psm, tksk, staff):
            alert = await wait_text(officer, header)
            assert "roboh" in alert.text
        assert not any(number in (m.text or "") for m in other_psm.messages)
        assert (await the_case(app, number)).urgent


async def test_kasus_is_limited_to_the_area(app: BotApp, tg: FakeTelegram) -> None:
    psm_b = tg.user(3201, "PSM B")
    await as_role(app, psm_b, "psm", DESA_B)
    tksk_b = tg.user(3202, "TKSK B")
    await as_role(app, tksk_b, "tksk", KEC_B)
    resident = tg.user(3203, "Warga")
    await resident_of_desa_a(app, resident)
    await resident.send("qwerty zxcv pak rt tidak peduli")
    number = number_in((await send_offered(resident)).text)

    await psm_b.send("/kasus")
    empty = await psm_b.wait_message()
    assert empty.text == t("No open complaints in your area right now. Thank you!")
    for action in ("open", "take", "up", "close", "reply"):
        query = await click_data(psm_b, empty, CaseCb(a=action, id=int(number[2:])).pack())
        await query.wait_answered()
        assert query.answer_text == t("This case was not found in your area.")
    account = await account_of(app, psm_b.id)
    assert account is not None

    async def refused() -> list[str]:
        async with app.sessionmaker() as session:
            rows = await session.scalars(
                select(AuditLog.action).where(
                    AuditLog.actor_account_id == account.id, AuditLog.action == "case.out_of_area"
                )
            )
            return list(rows)

    assert len(await eventually(refused)) >= 5
    case = await the_case(app, number)
    assert (case.state, case.holder_account_id, case.level) == ("open", None, "staff")

    # A resident crafting an officer's button is refused like any staff button.
    query = await click_data(resident, empty, CaseCb(a="open", id=case.id).pack())
    await query.wait_answered()
    assert query.answer_text == t("Sorry, this is only for volunteers (PSM/TKSK) and staff.")


async def test_kasus_pages_with_a_total(app: BotApp, tg: FakeTelegram) -> None:
    psm = tg.user(3301, "PSM")
    await as_role(app, psm, "psm", DESA_A)
    async with app.sessionmaker() as session, session.begin():
        for n in range(case_queries.PAGE_SIZE + 1):
            resident = Account(telegram_id=3400 + n, consent="given")
            session.add(resident)
            await session.flush()
            await cases.raise_or_add(
                session, resident, [Item(text=f"pertanyaan {n}")], desa_code=DESA_A,
                kecamatan_code=KEC_A, household_id=None, now=T0 + dt.timedelta(minutes=n),
                times=app.settings.answer_times,
            )  # fmt: skip
    await psm.send(t("📥 Cases"))
    first = await psm.wait_message()
    header = "Open complaints in your area: {total} (urgent first, then oldest). Page {page}:"
    assert first.text.startswith(t(header, total=case_queries.PAGE_SIZE + 1, page=1))
    assert first.text.count("\n") == case_queries.PAGE_SIZE
    await tap(psm, t("Next »"))
    second = await wait_text(psm, t(header, total=case_queries.PAGE_SIZE + 1, page=2))
    assert second.message_id == first.message_id  # the same message, edited
    assert second.button(t("« Previous")) is not None
