"""`/lapor` end to end: forgiving answers, prefilled counts, summary, history of reports,
computed figures, urgent answers raising a volunteer task; a restart in the middle resumes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models.field import StatusReport
from db.models.households import Household
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, agree, as_role, e2e_settings, eventually, t
from tests.residents import linked_resident
from tests.volunteers_support import case_with_text

MEMBERS = [
    ("Sarmin", dt.date(1950, 1, 1)),  # elderly
    ("Sumi", dt.date(1985, 5, 5)),
    ("Dani", dt.date(2012, 3, 3)),
    ("Ani", dt.date(2020, 1, 1)),
]


async def screen(user: FakeUser, msgid: str, **params: object) -> FakeMessage:
    """The bot's latest message once it shows the question `msgid`."""
    wanted = t(msgid, **params)

    def latest() -> FakeMessage | None:
        shown = [m for m in user.messages if not m.deleted]
        return shown[-1] if shown and wanted in (shown[-1].text or "") else None

    return await user.wait_for(latest)


async def tap(user: FakeUser, msgid: str, label: str, next_msgid: str) -> FakeMessage:
    message = await screen(user, msgid)
    query = await user.click(message, t(label))
    await query.wait_answered()
    return await screen(user, next_msgid)


async def type_(user: FakeUser, text: str, next_msgid: str) -> FakeMessage:
    """Type an answer; the bot's next new message shows `next_msgid`."""
    await user.send(text)
    wanted = t(next_msgid)
    return await user.wait_message(predicate=lambda m: wanted in (m.text or ""))


Q_WORK = "What is the main work of the head of household?"
Q_INCOME = "How much is the income of the whole household in a month?"
Q_MEMBERS = "How many people live in the household?"
Q_ELDERLY = "How many of them are elderly (60 years or older)?"
Q_DISABLED = "How many of them have a severe disability?"
Q_SCHOOL = "How many children of school age (7-18 years) do not go to school?"
Q_FLOOR = "What is the floor of the house?"
Q_WALLS = "What are the walls of the house?"
Q_ROOF = "What is the roof of the house?"
Q_WATER = "Where does your drinking water come from?"
Q_TOILET = "What toilet does the household use?"
Q_POWER = "What electricity does the house have?"
Q_NEEDS = "What does the household need most urgently now?"
Q_FOOD = "Is there food at home for today?"
Q_HOUSE = "Is the house safe to live in?"
Q_PHOTO = "A photo of the house (optional)."
Q_LOCATION = "The location of the house (optional)."
Q_NOTE = "Anything else you want to tell us? (optional)"
SUMMARY = "Please check your report:"
THANKS = "Thank you, Bapak/Ibu. Your report is saved."
TITLE = "Report your household's condition now. It takes about 3 minutes."


async def first_half(user: FakeUser) -> None:
    await user.send("/lapor")
    first = await screen(user, Q_WORK)
    assert first.text.startswith(t(TITLE))
    await tap(user, Q_WORK, "Daily labourer", Q_INCOME)
    # not an amount: a specific message, the question again
    error = await type_(user, "sejuta lebih", Q_INCOME)
    assert error.text.startswith(
        t("Please type an amount in rupiah, for example 1.500.000 or 1,5 juta.")
    )
    members_q = await type_(user, "1,5 juta", Q_MEMBERS)
    assert t("Keep: {value}", value="4") in members_q.buttons  # from the members on record


async def second_half(user: FakeUser) -> None:
    members_q = await screen(user, Q_MEMBERS)
    query = await user.click(members_q, t("Keep: {value}", value="4"))
    await query.wait_answered()
    elderly_q = await screen(user, Q_ELDERLY)
    query = await user.click(elderly_q, t("Keep: {value}", value="1"))  # Sarmin, born 1950
    await query.wait_answered()
    await type_(user, "0", Q_SCHOOL)
    too_many = await type_(user, "9", Q_SCHOOL)
    assert too_many.text.startswith(
        t(
            "That is more than the {count} members of the household. Please check again.",
            count=4,
        )
    )
    await type_(user, "0", Q_FLOOR)
    typo = await type_(user, "tanh", Q_FLOOR)  # a typo: the buttons are offered again
    assert typo.text.startswith(t("Please choose one of the options with the buttons."))
    await tap(user, Q_FLOOR, "Earth", Q_WALLS)
    await type_(user, "bambu atau BILIK", Q_ROOF)  # typed label, any case, counts as the button
    await tap(user, Q_ROOF, "Zinc or asbestos", Q_WATER)
    await tap(user, Q_WATER, "Open well", Q_TOILET)
    await tap(user, Q_TOILET, "Shared", Q_POWER)
    needs = await tap(user, Q_POWER, "From a neighbour", Q_NEEDS)
    for label in ("Food", "House repair"):
        query = await user.click(needs, "◻️ " + t(label))
        await query.wait_answered()
    await tap(user, Q_NEEDS, "Done", Q_FOOD)
    await tap(user, Q_FOOD, "No food at all", Q_HOUSE)
    await tap(user, Q_HOUSE, "Unsafe, may collapse", Q_PHOTO)
    await user.send_photo()
    await user.wait_message(predicate=lambda m: t(Q_LOCATION) in (m.text or ""))
    await user.send_location(-6.2349, 107.0633)
    await user.wait_message(predicate=lambda m: t(Q_NOTE) in (m.text or ""))
    summary = await type_(user, "Atap   bocor kalau hujan", SUMMARY)
    assert t("Rp1.500.000") in summary.text or "Rp1.500.000" in summary.text
    assert f"{t('Food today')}: {t('No food at all')}" in summary.text
    query = await user.click(summary, t("✅ Confirm"))
    await query.wait_answered()


async def report_count(app: BotApp, wanted: int) -> bool:
    async with app.sessionmaker() as session:
        return len(list(await session.scalars(select(StatusReport.id)))) == wanted


async def check_first_report(app: BotApp, household_id: int, user: FakeUser) -> None:
    thanks = await user.wait_message(predicate=lambda m: (m.text or "").startswith(t(THANKS)))
    assert t("Income per person per day: {amount}.", amount="Rp12.500") in thanks.text
    assert (
        t(
            "Your report says you need help urgently. A volunteer (PSM/TKSK) of your area has been "
            "asked to visit you soon."
        )
        in thanks.text
    )
    assert await eventually(lambda: report_count(app, 1))  # the reply goes out before the commit
    async with app.sessionmaker() as session:
        reports = list(await session.scalars(select(StatusReport)))
        assert len(reports) == 1
        report = reports[0]
        assert report.household_id == household_id and report.account_id is not None
        assert report.income_monthly == 1_500_000 and report.members_count == 4
        assert report.income_per_person_day == 12_500  # 1.500.000 / 4 / 30
        assert report.extreme_poor is False  # 375.000 a person a month > 322.170
        assert report.urgent is True
        assert report.photo_file_id and report.latitude == pytest.approx(-6.2349)
        assert report.answers["work"] == "buruh_harian"
        assert report.answers["walls"] == "bambu"
        assert report.answers["needs"] == ["food", "house"]
        assert report.answers["note"] == "Atap bocor kalau hujan"
        household = await session.get(Household, household_id)
        assert household.needs_visit and household.needs_visit_reason == "laporan_mendesak"
        task, detail = await case_with_text(session)
        assert task.kind == "laporan_mendesak" and task.household_id == household_id
        assert (task.source_type, task.source_id) == ("status_report", report.id)
        assert detail == "food, house_safety" and task.urgent


async def test_lapor_end_to_end_keeps_history(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        psm, tksk, far_psm = tg.user(3111), tg.user(3112), tg.user(3113)
        await as_role(app, psm, "psm", "32.16.05.2001")
        await as_role(app, tksk, "tksk", "32.16.05")
        await as_role(app, far_psm, "psm", "32.16.05.2002")
        staff = tg.user(3114, "Petugas")
        await as_role(app, staff, "petugas")
        user = tg.user(3101, "Sumi")
        await agree(user)
        assert t("📝 Report condition") in [b for row in user.reply_keyboard for b in row]
        linked = await linked_resident(app, user.id, MEMBERS)
        await first_half(user)
        await second_half(user)
        await check_first_report(app, linked.household_id, user)
        # The area's volunteers and staff are told at once; another desa's PSM is not. The
        # resident is told what to do now (112, the office).
        assert t("If someone's life is in danger, call 112 now (free).") in user.messages[-1].text
        for volunteer in (psm, tksk, staff):
            alert = await volunteer.wait_message(predicate=lambda m: "⚠️" in (m.text or ""))
            # The family by name and place (staff can search a name, not a masked KK), with a
            # button to the case.
            assert alert.text.startswith("⚠️ Laporan mendesak M-1: keluarga ")
            assert "Satriajaya RT" in alert.text and "3216" not in alert.text
            assert "Tidak ada makanan, Tidak aman, bisa roboh" in alert.text
            assert t("📂 Open case") in alert.buttons
        await far_psm.wait_idle(quiet=0.1)
        assert not [m for m in far_psm.messages if "⚠️" in (m.text or "")]

        # A second, short report: history is kept, the first is unchanged.
        await user.send("/lapor")
        await tap(user, Q_WORK, "Not working", Q_INCOME)
        await type_(user, "800rb", Q_MEMBERS)
        await type_(user, "4", Q_ELDERLY)
        for question in (Q_ELDERLY, Q_DISABLED):
            await type_(user, "0", {Q_ELDERLY: Q_DISABLED, Q_DISABLED: Q_SCHOOL}[question])
        await type_(user, "1", Q_FLOOR)
        await tap(user, Q_FLOOR, "Cement", Q_WALLS)
        await tap(user, Q_WALLS, "Brick, good", Q_ROOF)
        await tap(user, Q_ROOF, "Roof tiles", Q_WATER)
        await tap(user, Q_WATER, "Piped or bought water", Q_TOILET)
        await tap(user, Q_TOILET, "Own toilet", Q_POWER)
        await tap(user, Q_POWER, "PLN 450 VA", Q_NEEDS)
        await tap(user, Q_NEEDS, "Done", Q_PHOTO)  # nothing urgent
        await tap(user, Q_PHOTO, "Skip", Q_LOCATION)
        await type_(user, t("Skip"), Q_NOTE)  # the reply keyboard's "Lewati", typed
        summary = await tap(user, Q_NOTE, "Skip", SUMMARY)
        query = await user.click(summary, t("✅ Confirm"))
        await query.wait_answered()
        thanks = await user.wait_message(predicate=lambda m: (m.text or "").startswith(t(THANKS)))
        assert t("Income per person per day: {amount}.", amount="Rp6.667") in thanks.text
        assert await eventually(lambda: report_count(app, 2))
        async with app.sessionmaker() as session:
            reports = list(await session.scalars(select(StatusReport).order_by(StatusReport.id)))
        assert len(reports) == 2
        assert reports[0].income_monthly == 1_500_000 and reports[0].urgent
        assert reports[1].income_monthly == 800_000 and not reports[1].urgent
        assert reports[1].income_per_person_day == 6_667 and reports[1].extreme_poor is True
        assert reports[1].answers["out_of_school"] == 1

        # The PSM ends the urgent case from the notice's button: the household no longer
        # waits for a visit, and the resident hears how it ended.
        notice = next(m for m in psm.messages if "⚠️" in (m.text or ""))
        await (await psm.click(notice, t("📂 Open case"))).wait_answered()
        card = await psm.wait_message(predicate=lambda m: "M-1" in (m.text or "") and
                                      t("✅ Close") in m.buttons)  # fmt: skip
        await (await psm.click(card, t("✅ Close"))).wait_answered()
        outcomes = await psm.wait_message(predicate=lambda m: t("Handled: help given") in m.buttons)
        await (await psm.click(outcomes, t("Handled: help given"))).wait_answered()
        ask = await psm.wait_message(predicate=lambda m: t("Skip") in m.buttons)
        await (await psm.click(ask, t("Skip"))).wait_answered()
        told = await user.wait_message(
            predicate=lambda m: t("A volunteer has handled your report.") in (m.text or "")
        )
        assert t("Your report {number} is finished.", number="M-1") in told.text

        async def visit_not_needed() -> bool:
            async with app.sessionmaker() as session:
                household = await session.get(Household, linked.household_id)
                return household is not None and not household.needs_visit

        assert await eventually(visit_not_needed)
        async with app.sessionmaker() as session:
            household = await session.get(Household, linked.household_id)
            # The latest finding on income is the second report's (extreme poor).
            assert household is not None and household.extreme_poor is True


async def test_lapor_survives_a_restart_in_the_middle(
    tg: FakeTelegram, tmp_path: Path, database_url: str
):
    settings = e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    async with BotApp(tg, settings) as app:
        user = tg.user(3102, "Sumi")
        await agree(user)
        linked = await linked_resident(app, user.id, MEMBERS)
        await first_half(user)
        await app.restart()  # the connection drops / the bot restarts: nothing typed is lost
        await second_half(user)  # goes on with the buttons of the question shown before
        await check_first_report(app, linked.household_id, user)


async def test_lapor_needs_a_linked_household(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        user = tg.user(3103)
        await user.send("/lapor")
        reply = await user.wait_message()
        assert reply.text == t("First please read and agree to the privacy notice: /privasi")
        await agree(user)
        await user.send(t("📝 Report condition"))
        reply = await user.wait_message()
        assert "/daftar" in reply.text
        async with app.sessionmaker() as session:
            assert list(await session.scalars(select(StatusReport))) == []
