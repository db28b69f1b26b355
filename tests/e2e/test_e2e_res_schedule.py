"""`/jadwal` end to end: upcoming and past disbursements, none at all, the reminder switch,
and the "Sudah menerima bantuan?" follow-up (asked once; "belum" -> complaint, task, TKSK and
staff told)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.workers.aid_followup import ask_round
from conversations.validators import format_datetime_id
from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient
from db.models.base import utcnow
from db.models.cases import Case
from db.models.households import AidProgram
from tests.fake_telegram import FakeTelegram
from tests.harness import (
    BotApp,
    account_of,
    agree,
    as_role,
    click_data,
    e2e_settings,
    eventually,
    in_id,
    t,
)
from tests.residents import linked_resident
from tests.volunteers_support import case_with_text

MEMBERS = [("Sarmin", dt.date(1970, 1, 1))]


@pytest.fixture
async def app(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as running:
        yield running


async def add_disbursement(
    app: BotApp,
    household_ids: list[int],
    when: dt.datetime,
    *,
    title: str = "BLT Dana Desa tahap 1",
    status: str = "scheduled",
    bring: str | None = None,
    collected: Set[int] = frozenset(),
) -> dict[int, int]:
    """A disbursement to the households; returns household id -> recipient id."""
    async with app.sessionmaker() as session, session.begin():
        program = await session.scalar(select(AidProgram).where(AidProgram.code == "BLT"))
        disbursement = Disbursement(
            program_id=program.id, title=title, amount=1_500_000, scheduled_at=when,
            place="Balai Desa Satriajaya", bring=bring, status=status,
        )  # fmt: skip
        session.add(disbursement)
        await session.flush()
        out = {}
        for household_id in household_ids:
            recipient = DisbursementRecipient(
                disbursement_id=disbursement.id,
                household_id=household_id,
                collected_at=when if household_id in collected else None,
            )
            session.add(recipient)
            await session.flush()
            out[household_id] = recipient.id
        return out


async def test_jadwal_without_a_schedule_says_so(app: BotApp, tg: FakeTelegram):
    user = tg.user(3201)
    await agree(user)
    await linked_resident(app, user.id, MEMBERS)
    await user.send(t("📅 Aid schedule"))
    reply = await user.wait_message()
    assert reply.text.startswith(
        t(
            "There is no aid scheduled for your household yet. We will send you a message as "
            "soon as there is one."
        )
    )
    assert reply.buttons == [t("🔕 Turn off reminders")]


async def test_jadwal_lists_upcoming_and_past_with_status(app: BotApp, tg: FakeTelegram):
    user = tg.user(3202)
    await agree(user)
    linked = await linked_resident(app, user.id, MEMBERS)
    other = await linked_resident(app, (await _stranger(app, tg)).telegram_id, MEMBERS)
    hid = linked.household_id
    soon = (utcnow() + dt.timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
    march = dt.datetime(2024, 3, 19, 2, 0, tzinfo=dt.UTC)  # 09.00 WIB
    await add_disbursement(app, [hid], soon, bring="KTP, KK")
    await add_disbursement(app, [hid], soon + dt.timedelta(days=7), title="BLT batal",
                           status="cancelled")  # fmt: skip
    await add_disbursement(app, [hid], march, collected={hid})
    await add_disbursement(app, [hid], march + dt.timedelta(days=30), title="BLT tahap 2")
    await add_disbursement(app, [other.household_id], soon, title="Bukan untuk kami")

    await user.send("/jadwal")
    reply = await user.wait_message()
    text = reply.text
    assert text.startswith(t("Your household's upcoming aid:"))
    assert t(
        "📅 {program}: {title}\nAmount: {amount}\nWhen: {when}\nWhere: {place}\nBring: {bring}",
        program="BLT", title="BLT Dana Desa tahap 1", amount="Rp1.500.000",
        when=in_id(format_datetime_id, soon), place="Balai Desa Satriajaya", bring="KTP, KK",
    ) in text  # fmt: skip
    assert "pukul 09.00 WIB" in text
    assert t("❌ {program}: {title}\n{when}\nThis disbursement has been cancelled.",
             program="BLT", title="BLT batal",
             when=in_id(format_datetime_id, soon + dt.timedelta(days=7))) in text  # fmt: skip
    assert "Bukan untuk kami" not in text  # another household's schedule
    assert t("Earlier aid:") in text
    assert "• BLT, Selasa, 19 Maret 2024, pukul 09.00 WIB, Rp1.500.000: diterima" in text
    assert "• BLT, Kamis, 18 April 2024, pukul 09.00 WIB, Rp1.500.000: belum diambil" in text
    # newest past first
    assert text.index("18 April 2024") < text.index("19 Maret 2024")


async def _stranger(app: BotApp, tg: FakeTelegram, user_id: int = 3299) -> Account:
    user = tg.user(user_id)
    await agree(user)
    account = await account_of(app, user.id)
    assert account is not None
    return account


async def reminders_are(app: BotApp, telegram_id: int, wanted: bool) -> bool:
    account = await account_of(app, telegram_id)
    return account is not None and account.reminders_enabled is wanted


async def test_reminder_switch(app: BotApp, tg: FakeTelegram):
    user = tg.user(3203)
    await agree(user)
    await linked_resident(app, user.id, MEMBERS)
    await user.send("/jadwal")
    reply = await user.wait_message()
    assert t("We send you a reminder the day before each disbursement.") in reply.text
    query = await user.click(reply, t("🔕 Turn off reminders"))
    await query.wait_answered()
    assert query.answer_text == t("Reminders are off.")
    off = await user.wait_message()
    assert off.buttons == [t("🔔 Turn on reminders")]
    assert await eventually(lambda: reminders_are(app, user.id, False))
    query = await user.click(off, t("🔔 Turn on reminders"))
    await query.wait_answered()
    await user.wait_message()
    assert await eventually(lambda: reminders_are(app, user.id, True))


async def test_followup_asked_once_and_belum_opens_a_complaint(app: BotApp, tg: FakeTelegram):
    staff = tg.user(3210)
    tksk = tg.user(3211)
    other_tksk = tg.user(3212)
    await as_role(app, staff, "petugas")
    await as_role(app, tksk, "tksk", "32.16.05")
    await as_role(app, other_tksk, "tksk", "32.16.06")
    yes_user, no_user, skip_user, collected_user = (tg.user(i) for i in (3221, 3222, 3223, 3224))
    linked = {}
    for user in (yes_user, no_user, skip_user, collected_user):
        await agree(user)
        linked[user.id] = await linked_resident(app, user.id, MEMBERS)
    household = {uid: item.household_id for uid, item in linked.items()}
    # Daytime in Jakarta (10.00 WIB), the payout was the day before.
    now = utcnow().replace(hour=3, minute=0, second=0, microsecond=0)
    recipients = await add_disbursement(
        app, list(household.values()), now - dt.timedelta(days=1),
        collected={household[collected_user.id]},
    )  # fmt: skip

    assert app.bot is not None and app.resources is not None
    night = now.replace(hour=17)  # 00.00 WIB: nobody is woken up
    assert await ask_round(app.bot, app.sessionmaker, app.resources.i18n, night) == 0
    assert await ask_round(app.bot, app.sessionmaker, app.resources.i18n, now) == 3
    assert await ask_round(app.bot, app.sessionmaker, app.resources.i18n, now) == 0  # once
    question_text = t(
        "Have you received the aid {program} ({title}) of {when}?",
        program="BLT", title="BLT Dana Desa tahap 1",
        when=in_id(format_datetime_id, now - dt.timedelta(days=1)),
    )  # fmt: skip
    for user in (yes_user, no_user, skip_user):
        asked = [m for m in user.messages if m.text == question_text]
        assert len(asked) == 1
    assert not [m for m in collected_user.messages if m.text == question_text]

    # "Ya": recorded; a second tap changes nothing.
    question = next(m for m in yes_user.messages if m.text == question_text)
    query = await yes_user.click(question, t("✅ Yes, received"))
    await query.wait_answered()
    thanks = await yes_user.wait_message()
    assert thanks.text == t("Thank you. We have recorded that you received the aid.")
    # A hand-made tap on another household's question is refused.
    forged = await click_data(yes_user, question, f"aidq:{recipients[household[no_user.id]]}:belum")
    await forged.wait_answered()
    assert forged.answer_text == t("This question is not for your household.")

    # "Belum" with a complaint.
    question = next(m for m in no_user.messages if m.text == question_text)
    query = await no_user.click(question, t("❌ Not yet"))
    await query.wait_answered()
    ask = await no_user.wait_message()
    assert ask.buttons == [t("Skip")]
    await no_user.send("Nama   saya tidak ada di daftar")
    done = await no_user.wait_message()
    assert done.text == t(
        "Thank you. Your complaint is recorded with number {number} and sent to the "
        "volunteers of your area and to Dinas Sosial. A volunteer will contact you.",
        number="B-1",
    )
    for officer in (staff, tksk):
        # The family by name and place (never a KK), the schedule, and a button to the case.
        alert = await officer.wait_message(predicate=lambda m: "🟠" in (m.text or ""))
        assert "Satriajaya" in alert.text and "Nama saya tidak ada di daftar" in alert.text
        assert t("📂 Open case") in alert.buttons and "****" not in alert.text
    await other_tksk.wait_idle(quiet=0.1)
    assert not [m for m in other_tksk.messages if "🟠" in (m.text or "")]

    # "Belum", skipping the complaint.
    question = next(m for m in skip_user.messages if m.text == question_text)
    query = await skip_user.click(question, t("❌ Not yet"))
    await query.wait_answered()
    ask = await skip_user.wait_message()
    query = await skip_user.click(ask, t("Skip"))
    await query.wait_answered()
    await skip_user.wait_message()
    await skip_user.wait_idle(quiet=0.1)

    async def answered() -> bool:  # the last reply goes out just before its commit
        async with app.sessionmaker() as session:
            found = await session.scalars(select(DisbursementRecipient.resident_answer))
            return sorted(a for a in found if a) == ["belum", "belum", "ya"]

    assert await eventually(answered)
    async with app.sessionmaker() as session:
        rows = {r.household_id: r for r in await session.scalars(select(DisbursementRecipient))}
        tasks = {t_.source_id: t_ for t_ in await session.scalars(select(Case))}
        no_id = rows[household[no_user.id]].id
        no_case_text = (await case_with_text(session, Case.source_id == no_id))[1]
    assert rows[household[yes_user.id]].resident_answer == "ya"
    no_row = rows[household[no_user.id]]
    assert no_row.resident_answer == "belum" and no_row.complaint == "Nama saya tidak ada di daftar"
    skip_row = rows[household[skip_user.id]]
    assert skip_row.resident_answer == "belum" and skip_row.complaint is None
    assert rows[household[collected_user.id]].asked_at is None
    assert set(tasks) == {no_row.id, skip_row.id}
    assert tasks[no_row.id].kind == "belum_menerima"
    assert tasks[no_row.id].source_type == "disbursement_recipient"
    assert no_case_text == "Nama saya tidak ada di daftar"

    # After the answers, /jadwal shows the one that said "ya" as received.
    await yes_user.send("/jadwal")
    reply = await yes_user.wait_message()
    assert ": diterima" in reply.text
