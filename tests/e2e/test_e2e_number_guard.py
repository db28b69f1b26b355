"""A NIK or KK typed where none is asked for (free text, a correction request, a quick report,
a field visit note) is deleted from the chat once read, the sender is told why, and only the
masked number is stored or sent on to volunteers and staff."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from db.models.cases import Case
from db.models.field import FieldVisit, QuickReport
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, agree, as_role, bot_texts, e2e_settings, eventually, t
from tests.volunteers_support import DESA_A, add_household, case_with_text, tap, wait_text

from .test_e2e_residents_data import answer
from .test_e2e_residents_link import KK, NIK_WIFE, link, seed_household
from .test_e2e_volunteer_visit import SKIP, open_visit, step

NIK = "3216181205780003"
NIK_TYPED = "3216 1812.0578-0003"  # grouped as people type it
NIK_MASKED = "3216********0003"
KK_MASKED = "3216********0001"
NOTICE = (
    "For your safety, we deleted your message because it contained a NIK or KK number. "
    "Please do not send these numbers in a chat; we only keep them hidden (for example "
    "3216********0001)."
)


async def deleted_with_notice(user: FakeUser, sent: FakeMessage) -> None:
    await user.wait_message(predicate=lambda m: m.text == t(NOTICE))
    assert await user.wait_for(lambda: sent.message_id in user.deleted_message_ids)


def never_sent(tg: FakeTelegram, *numbers: str) -> None:
    """No text the bot sent anyone (messages, captions, buttons) holds the numbers."""
    texts = bot_texts(tg)
    for number in numbers:
        assert not any(number in text for text in texts), number


async def test_free_text_with_a_nik_is_deleted(app: BotApp, tg: FakeTelegram) -> None:
    resident = tg.user(1501, "Bu Warga")
    await agree(resident)
    sent = await resident.send(f"NIK saya {NIK_TYPED} belum dapat bansos")
    await deleted_with_notice(resident, sent)
    stranger = tg.user(1502)  # no consent yet: deleted all the same
    sent = await stranger.send(f"halo {NIK}")
    await deleted_with_notice(stranger, sent)
    never_sent(tg, NIK, NIK_TYPED)


async def test_correction_request_keeps_only_the_masked_number(
    app: BotApp, tg: FakeTelegram
) -> None:
    await seed_household(app)
    user = tg.user(1503, "Siti")
    await agree(user)
    await link(app, user, NIK_WIFE)
    await user.press(t("📄 My data"))
    shown = await user.wait_message()
    query = await user.click(shown, t("✏️ Ask for a correction"))
    await query.wait_answered()
    await user.wait_message(predicate=lambda m: t("Ask for a correction of your data") in m.text)
    typed = f"Suami saya sudah meninggal, KK {KK}"
    summary = await answer(user, typed, "Please check your request:")
    sent = next(m for m in user.history if m.text == typed)
    assert await user.wait_for(lambda: sent.message_id in user.deleted_message_ids)
    assert t(NOTICE) in [m.text for m in user.messages]
    assert KK_MASKED in summary.text and KK not in summary.text
    await (await user.click(summary, t("✅ Confirm"))).wait_answered()

    async def task() -> str | None:
        async with app.sessionmaker() as session:
            return (await case_with_text(session, Case.kind == "koreksi"))[1]

    found = await eventually(task)
    assert found is not None and found.endswith(f"KK {KK_MASKED}")
    never_sent(tg, KK)


async def test_quick_report_with_a_nik_reaches_staff_masked(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(1504, "Bu Staf")
        await as_role(app, staff, "petugas")
        volunteer = tg.user(1505, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)
        await volunteer.send("/laporcepat")
        await volunteer.wait_message()
        sent = await volunteer.send(f"Ibu dengan NIK {NIK_TYPED} sakit keras di RT 03")
        await deleted_with_notice(volunteer, sent)
        await wait_text(volunteer, t("Add the location? Tap the button, or send without it."))
        await volunteer.press(t("Send without location"))
        heading = await staff.wait_message(predicate=lambda m: "RT 03" in (m.text or ""))
        assert f"Ibu dengan NIK {NIK_MASKED} sakit keras di RT 03" in heading.text

        async def stored() -> QuickReport | None:
            async with app.sessionmaker() as session:
                return await session.scalar(select(QuickReport))

        report = await eventually(stored)
        assert report is not None
        assert report.text == f"Ibu dengan NIK {NIK_MASKED} sakit keras di RT 03"
        never_sent(tg, NIK, NIK_TYPED)


async def test_field_visit_note_keeps_only_the_masked_number(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        await add_household(app, DESA_A, ["Wawan Catatan"])
        volunteer = tg.user(1506, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)
        await open_visit(volunteer, "wawan")
        await step(volunteer, t("Data is wrong"), "A photo of the house?")
        await step(volunteer, SKIP, "The location of the house?")
        await volunteer.press(SKIP)
        await wait_text(volunteer, t("A note? (optional)"))
        sent = await volunteer.send(f"KK aslinya {NIK_TYPED}, bukan yang tercatat")
        await deleted_with_notice(volunteer, sent)
        summary = await wait_text(volunteer, t("Please check the visit report:"))
        assert NIK_MASKED in summary.text
        await tap(volunteer, t("✅ Confirm"))
        await wait_text(volunteer, t("Thank you, the visit is saved."))

        async def stored() -> FieldVisit | None:
            async with app.sessionmaker() as session:
                return await session.scalar(select(FieldVisit))

        visit = await eventually(stored)
        assert visit is not None and visit.note == f"KK aslinya {NIK_MASKED}, bukan yang tercatat"
        never_sent(tg, NIK, NIK_TYPED)
