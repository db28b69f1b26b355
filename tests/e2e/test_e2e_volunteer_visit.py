"""End to end: a full field visit (photo, location, member categories), verification of a
proposed household that tells the resident who proposed it, a visit resumed after a restart
(continue or discard), and a quick report reaching staff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from conversations.telegram import ANSWERED_AT, STATE_KEY
from db.models.accounts import Account
from db.models.cases import Case
from db.models.field import FieldVisit, QuickReport, StatusReport
from db.models.households import Household, Member
from services import tasks
from services.field_reports import distance_km
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import BotApp, account_of, agree, as_role, e2e_settings, eventually, t
from tests.volunteers_support import DESA_A, add_household, tap, wait_text

DONE = t("Done")
SKIP = t("Skip")
PRESS_LOCATION = t("📍 Send my location")
FAKE_LOCATION = (-6.2383, 107.0)  # what FakeUser.press sends for a location button


async def step(user: FakeUser, label: str, next_text: str) -> None:
    """Tap `label`; wait for the next question on that message or a newer one."""
    query = await tap(user, label)
    await wait_text(user, t(next_text), since=query.message)


async def open_visit(user: FakeUser, name: str) -> None:
    await user.send(f"/cari {name}")
    found = await user.wait_message()
    await user.click(found, found.buttons[0])
    card = await user.wait_message(predicate=lambda m: m.text.startswith(t("🏠 Family card")))
    query = await user.click(card, t("📝 Record a visit"))
    await query.wait_answered()
    await user.wait_message(predicate=lambda m: t("What happened at the visit?") in m.text)


async def met_fields(user: FakeUser) -> None:
    """Outcome "met" and the member / household questions, quickly."""
    await step(
        user,
        t("Met the family"),
        "Who no longer lives here? Tap nobody if everyone still lives here.",
    )
    await step(user, DONE, "Who is of working age (15–64) and able to work?")
    await step(user, DONE, "Who is elderly (60 or older)?")
    await step(user, DONE, "Who has a severe disability?")
    await step(user, DONE, "Main work of the head of the family?")
    await step(user, t("Daily labourer"), "Income of the whole family in a month? (0 if none)")
    await user.send("750rb")
    await wait_text(user, t("Which parts of the house are in bad condition? (for Rutilahu)"))
    await step(user, DONE, "Which aid does the family receive now?")
    await step(user, DONE, "What does the family need most?")


async def test_full_visit_with_photo_location_and_member_categories(
    tg: FakeTelegram, tmp_path: Path
):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        household_id = await add_household(
            app,
            DESA_A,
            ["Hasan Basri", "Rina Hasan"],
            births=[dt.date(1950, 5, 1), dt.date(2000, 1, 2)],
            task_kinds=(tasks.URGENT_REPORT, tasks.CORRECTION),
        )
        async with app.sessionmaker() as session, session.begin():  # seen here before
            session.add(StatusReport(household_id=household_id, latitude=-6.30, longitude=107.10))
        volunteer = tg.user(1101, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)

        await open_visit(volunteer, "hasan basri")
        intro = await wait_text(volunteer, "Hasan Basri")
        assert intro.text.startswith(
            t(
                "Visit to the family of {name} (No. KK {kk}).",
                name="Hasan Basri",
                kk=intro.text.split("KK ")[1][:16],
            )
        )
        await step(
            volunteer,
            t("Met the family"),
            "Who no longer lives here? Tap nobody if everyone still lives here.",
        )
        await step(volunteer, DONE, "Who is of working age (15–64) and able to work?")
        question = await wait_text(volunteer, t("Who is of working age (15–64) and able to work?"))
        assert "✅ Rina Hasan" in question.buttons and "◻️ Hasan Basri" in question.buttons
        await step(volunteer, DONE, "Who is elderly (60 or older)?")
        assert "✅ Hasan Basri" in question.buttons and "◻️ Rina Hasan" in question.buttons
        await step(volunteer, DONE, "Who has a severe disability?")
        await tap(volunteer, "◻️ Rina Hasan")
        await volunteer.wait_for(lambda: "✅ Rina Hasan" in question.buttons)
        await step(volunteer, DONE, "Main work of the head of the family?")
        await step(
            volunteer, t("Daily labourer"), "Income of the whole family in a month? (0 if none)"
        )
        await volunteer.send("750rb")
        await wait_text(
            volunteer, t("Which parts of the house are in bad condition? (for Rutilahu)")
        )
        await tap(volunteer, "◻️ " + t("Roof"))
        await step(volunteer, DONE, "Which aid does the family receive now?")
        await tap(volunteer, "◻️ " + t("PKH"))
        await step(volunteer, DONE, "What does the family need most?")
        await tap(volunteer, "◻️ " + t("Food"))
        await step(volunteer, DONE, "A photo of the house?")
        await volunteer.send_photo(b"\xff\xd8\xff\xe0house")
        await wait_text(volunteer, t("The location of the house?"))
        await volunteer.press(PRESS_LOCATION)
        await wait_text(volunteer, t("A note? (optional)"))
        await volunteer.send("Atap bocor")
        summary = await wait_text(volunteer, t("Please check the visit report:"))
        assert f"{t('Severe disability')}: Rina Hasan" in summary.text
        await tap(volunteer, t("✅ Confirm"))
        saved = await wait_text(volunteer, t("Thank you, the visit is saved."))
        km = str(round(distance_km((-6.30, 107.10), FAKE_LOCATION), 1)).replace(".", ",")
        assert (
            t(
                "Note: this location is {km} km from where the family was recorded before. "
                "If it is wrong, please tell the office.",
                km=km,
            )
            in saved.text
        )

        account = await account_of(app, 1101)

        async def saved_visit() -> FieldVisit | None:
            async with app.sessionmaker() as session:
                return await session.scalar(select(FieldVisit))

        assert await eventually(saved_visit) is not None
        async with app.sessionmaker() as session:
            visit = await session.scalar(select(FieldVisit))
            household = await session.get(Household, household_id)
            members = list(await session.scalars(select(Member).order_by(Member.id)))
            open_tasks = list(
                await session.scalars(
                    select(Case).where(Case.state != "closed").order_by(Case.priority)
                )
            )
        assert visit is not None and visit.volunteer_account_id == account.id
        assert visit.outcome == "ditemui" and visit.photo_file_id
        assert (visit.latitude, visit.longitude) == FAKE_LOCATION
        assert visit.note == "Atap bocor"
        assert visit.answers["income"] == 750_000 and visit.answers["house"] == ["atap"]
        assert visit.answers["needs"] == ["pangan"] and visit.answers["aid"] == ["PKH"]
        assert visit.answers["lansia"] == [str(members[0].id)]
        assert [m.severe_disability for m in members] == [False, True]
        assert household.last_visit_at is not None and not household.needs_visit
        # A visit closes no case by itself: the volunteer says which it resolved.
        assert [c.kind for c in open_tasks] == ["laporan_mendesak", "koreksi"]
        assert visit.income_monthly == 750_000 and visit.members_count == 2
        assert visit.extreme_poor is False and visit.income_per_person_day == 12_500
        urgent, correction = open_tasks
        follow_up = await wait_text(volunteer, t(
            "Open cases of this family. Did this visit resolve any? Tap to finish it:"
        ))  # fmt: skip
        finish = t("✅ Finish {number}", number=f"M-{urgent.id}")
        assert finish in follow_up.buttons
        assert t("✅ Finish {number}", number=f"K-{correction.id}") in follow_up.buttons
        await tap(volunteer, finish)
        await tap(volunteer, t("Handled: help given"))
        await wait_text(volunteer, t(
            "Add a short note for the resident (what was done, what to do next), or skip."
        ))  # fmt: skip
        await tap(volunteer, SKIP)
        await wait_text(volunteer, t("{kind} {number} is closed: {outcome}.", kind=t(
            "Urgent report"), number=f"M-{urgent.id}", outcome=t("Handled: help given")))

        async def closed() -> Case | None:
            async with app.sessionmaker() as session:
                found = await session.get(Case, urgent.id)
                return found if found is not None and found.state == "closed" else None

        done = await eventually(closed)
        assert done is not None and done.outcome == "handled"
        async with app.sessionmaker() as session:
            assert (await session.get(Case, correction.id)).state == "open"


async def test_visit_verifies_a_proposed_household_and_tells_the_resident(
    tg: FakeTelegram, tmp_path: Path, database_url: str
):
    async with BotApp(
        tg, e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    ) as app:
        resident = tg.user(1201, "Bu Warga")
        await agree(resident)
        proposer = await account_of(app, 1201)
        verified_id = await add_household(
            app, DESA_A, ["Usman Usulan"], verification="menunggu_verifikasi",
            proposed_by=proposer.id, task_kinds=(tasks.USULAN,),
        )  # fmt: skip
        rejected_id = await add_household(
            app, DESA_A, ["Joko Usulan"], verification="menunggu_verifikasi",
            proposed_by=proposer.id, task_kinds=(tasks.USULAN,),
        )  # fmt: skip
        # A resident's proposal links their account to it (services.proposals).
        async with app.sessionmaker() as session, session.begin():
            (await session.get(Account, proposer.id)).household_id = rejected_id
        volunteer = tg.user(1202, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)

        await open_visit(volunteer, "usman")
        await met_fields(volunteer)
        await step(volunteer, DONE, "This family was proposed for the list. Is it eligible?")
        await step(volunteer, t("✅ Eligible: verify"), "A photo of the house?")
        await step(volunteer, SKIP, "The location of the house?")
        await volunteer.press(SKIP)
        await wait_text(volunteer, t("A note? (optional)"))
        await step(volunteer, SKIP, "Please check the visit report:")
        await tap(volunteer, t("✅ Confirm"))
        saved = await wait_text(volunteer, t("The proposed family is now verified."))
        assert t("The person who proposed it has been told.") in saved.text
        told = await resident.wait_message(predicate=lambda m: "DTKS/DTSEN" in m.text)
        # Verified is no promise of aid.
        assert "belum keputusan bantuan" in told.text and "masuk daftar bantuan" not in told.text

        # Rejected with a reason, from a shorter path ("data is wrong").
        await open_visit(volunteer, "joko")
        await step(
            volunteer, t("Data is wrong"), "This family was proposed for the list. Is it eligible?"
        )
        await step(
            volunteer,
            t("✖️ Not eligible: reject"),
            "Why is it not eligible? (the proposer will read this)",
        )
        await volunteer.send("Sudah pindah ke Karawang")
        await wait_text(volunteer, t("A photo of the house?"))
        await step(volunteer, SKIP, "The location of the house?")
        await volunteer.press(SKIP)
        await wait_text(volunteer, t("A note? (optional)"))
        await step(volunteer, SKIP, "Please check the visit report:")
        await tap(volunteer, t("✅ Confirm"))
        await wait_text(volunteer, t("The proposed family is rejected."))
        reason = await resident.wait_message(predicate=lambda m: "Karawang" in m.text)
        assert "Sudah pindah ke Karawang" in reason.text and "/daftar" not in reason.text
        assert t("✋ Object to this decision") in reason.buttons

        async def decided() -> tuple[Household, Household, Case | None] | None:
            async with app.sessionmaker() as session:
                verified = await session.get(Household, verified_id)
                rejected = await session.get(Household, rejected_id)
                still_open = await session.scalar(select(Case).where(Case.state != "closed"))
            return (
                (verified, rejected, still_open)
                if rejected.verification != "menunggu_verifikasi"
                else None
            )

        found = await eventually(decided)  # the reply goes out just before the commit
        assert found is not None
        verified, rejected, still_open = found
        assert verified.verification == "terverifikasi" and verified.verification_note is None
        assert rejected.verification == "ditolak"
        assert rejected.verification_note == "Sudah pindah ke Karawang"
        assert still_open is None
        # The proposer is not sent back to /daftar: they stay linked and may object once.
        after = await account_of(app, 1201)
        assert after is not None and after.household_id == rejected_id


async def test_an_interrupted_visit_resumes_after_a_restart_or_is_discarded(
    tg: FakeTelegram, tmp_path: Path, database_url: str
):
    app = BotApp(tg, e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000))
    await app.start()
    try:
        await add_household(app, DESA_A, ["Sari Lestari"], births=[dt.date(1990, 1, 1)])
        volunteer = tg.user(1301, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)
        await open_visit(volunteer, "lestari")
        await step(
            volunteer,
            t("Met the family"),
            "Who no longer lives here? Tap nobody if everyone still lives here.",
        )
        await step(volunteer, DONE, "Who is of working age (15–64) and able to work?")

        await app.restart()  # lost signal, days later, another process: the state is kept

        await volunteer.send("/kunjungan")
        await wait_text(
            volunteer,
            t("You have an unfinished visit report. Continue where you stopped, or discard it?"),
        )
        await tap(volunteer, t("▶️ Continue the visit"))
        again = await volunteer.wait_message(
            predicate=lambda m: t("Who is of working age (15–64) and able to work?") in m.text
        )
        assert "✅ Sari Lestari" in again.buttons  # the question where it stopped
        await step(volunteer, DONE, "Who is elderly (60 or older)?")
        await step(volunteer, DONE, "Who has a severe disability?")
        await step(volunteer, DONE, "Main work of the head of the family?")
        await step(
            volunteer, t("Small trader"), "Income of the whole family in a month? (0 if none)"
        )
        await volunteer.send("0")
        await wait_text(
            volunteer, t("Which parts of the house are in bad condition? (for Rutilahu)")
        )
        await step(volunteer, DONE, "Which aid does the family receive now?")
        await step(volunteer, DONE, "What does the family need most?")
        await step(volunteer, DONE, "A photo of the house?")
        await step(volunteer, SKIP, "The location of the house?")
        await volunteer.press(SKIP)
        await wait_text(volunteer, t("A note? (optional)"))
        await step(volunteer, SKIP, "Please check the visit report:")
        await tap(volunteer, t("✅ Confirm"))
        await wait_text(volunteer, t("Thank you, the visit is saved."))

        # A second interrupted visit, discarded from the menu.
        await open_visit(volunteer, "lestari")
        await step(volunteer, t("Nobody home"), "A photo of the house?")
        await app.restart()
        # The menu answers (the visit is set aside, handlers.form_parking); /kunjungan then
        # asks what to do with the unfinished one.
        await volunteer.send("/menu")
        await wait_text(volunteer, t("Main menu. Choose a button below."))
        await wait_text(
            volunteer,
            t("Your unfinished form is kept: /lanjut to continue it, /batal to cancel it."),
        )
        await volunteer.send("/kunjungan")
        await wait_text(
            volunteer,
            t("You have an unfinished visit report. Continue where you stopped, or discard it?"),
        )
        await tap(volunteer, t("🗑 Discard it"))
        await wait_text(volunteer, t("The unfinished visit was discarded. Nothing was saved."))
        state = app.dp.fsm.get_context(app.bot, chat_id=1301, user_id=1301)

        async def form_dropped() -> bool:
            return STATE_KEY not in await state.get_data()

        assert await eventually(form_dropped)  # committed just after the reply
        async with app.sessionmaker() as session:
            visits = list(await session.scalars(select(FieldVisit)))
        assert len(visits) == 1

        # Left for hours, then a plain answer (not a command): asked first, not taken as the
        # answer to an old question; after "continue" the answers go on normally.
        await open_visit(volunteer, "lestari")
        await step(volunteer, t("Nobody home"), "A photo of the house?")
        await app.restart()
        state = app.dp.fsm.get_context(app.bot, chat_id=1301, user_id=1301)
        data = await state.get_data()
        data[STATE_KEY] = {**data[STATE_KEY], ANSWERED_AT: data[STATE_KEY][ANSWERED_AT] - 3 * 3600}
        await state.set_data(data)
        await volunteer.send("rumahnya kosong")
        await wait_text(
            volunteer,
            t("You have an unfinished visit report. Continue where you stopped, or discard it?"),
        )
        await tap(volunteer, t("▶️ Continue the visit"))
        await wait_text(volunteer, t("A photo of the house?"))
        await step(volunteer, SKIP, "The location of the house?")
    finally:
        await app.stop()


async def test_quick_report_reaches_staff_with_photo_and_location(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(1401, "Bu Staf")
        await as_role(app, staff, "petugas")
        volunteer = tg.user(1402, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)
        await volunteer.send("/laporcepat")
        await volunteer.wait_message()
        await volunteer.send_photo(b"\xff\xd8\xff\xe0roboh", caption="Rumah roboh di RT 03")
        await wait_text(volunteer, t("Add the location? Tap the button, or send without it."))
        await volunteer.press(PRESS_LOCATION)
        await wait_text(volunteer, t("Thank you, your report was sent to the office."))

        heading = await staff.wait_message(
            predicate=lambda m: "Rumah roboh di RT 03" in (m.text or "")
        )
        assert heading.text.startswith("⚡ Lapor cepat #1 dari PSM Pak PSM, Satriajaya:")
        photo = await staff.wait_message(predicate=lambda m: m.kind == "photo")
        assert photo.photo
        assert "https://maps.google.com/?q=-6.238300,107.000000" in heading.text

        async def stored() -> QuickReport | None:
            async with app.sessionmaker() as session:
                return await session.scalar(select(QuickReport))

        report = await eventually(stored)
        assert report is not None and report.text == "Rumah roboh di RT 03"
        assert report.area_code == DESA_A and report.role == "psm" and report.photo_file_id
        assert (report.latitude, report.longitude) == FAKE_LOCATION

        # Staff have no /laporcepat (it is the volunteers' way to reach them).
        await staff.send("/laporcepat")
        refused = await staff.wait_message()
        assert refused.text == t("Sorry, this is only for volunteers (PSM/TKSK) and staff.")


async def test_an_interrupted_visit_resumes_from_redis_after_a_restart(
    tg: FakeTelegram, tmp_path: Path, redis_url: str
):
    app = BotApp(tg, e2e_settings(tmp_path, tg, redis_url=redis_url, throttle_rate=1000))
    await app.start()
    try:
        await add_household(app, DESA_A, ["Wati Redis"])
        volunteer = tg.user(1501, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)
        await open_visit(volunteer, "wati")
        await step(volunteer, t("Nobody home"), "A photo of the house?")
        await app.restart()
        await volunteer.send(t("📝 Visit"))  # the menu button, not a command
        await wait_text(
            volunteer,
            t("You have an unfinished visit report. Continue where you stopped, or discard it?"),
        )
        await tap(volunteer, t("▶️ Continue the visit"))
        await volunteer.wait_message(predicate=lambda m: t("A photo of the house?") in m.text)
        await volunteer.send_photo(b"\xff\xd8\xff\xe0wati")
        await wait_text(volunteer, t("The location of the house?"))
        await volunteer.press(SKIP)
        await wait_text(volunteer, t("A note? (optional)"))
        await step(volunteer, SKIP, "Please check the visit report:")
        await tap(volunteer, t("✅ Confirm"))
        await wait_text(volunteer, t("Thank you, the visit is saved."))
    finally:
        await app.stop()
