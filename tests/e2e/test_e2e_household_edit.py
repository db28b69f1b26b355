"""End to end: a volunteer edits a household from its card ("✏️ Ubah data"): adds a member,
fixes a member's birth date (a bad date first), name and relation, the address, RT/RW and
phone, and records a member who married out; each change is audited with before and after,
told to the resident linked to the household and noted in the open correction case; a NIK is
never shown or stored in plain text. Then the area on every path, a second head, a NIK
already on another person, a head who leaves, and a command in the middle of a typed answer.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from db.models.base import utcnow
from db.models.cases import Case, CaseMessage
from db.models.households import Household, Member
from db.models.system import AuditLog
from handlers.volunteers.ui import EditCb
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, as_role, click_data, e2e_settings, eventually, spoken_texts, t
from tests.residents import Linked, link
from tests.volunteers_support import DESA_A, DESA_B, add_household, new_nik, tap, wait_text

SAVED = "✅ Saved."


async def open_card(user: FakeUser, nik: str) -> str:
    await user.send(f"/cari {nik}")
    card = await wait_text(user, t("🏠 Family card"), since=user.last_message)
    return card.text


async def typed(user: FakeUser, button: str, answer: str, expect: str) -> str:
    """Tap an editor button that asks for a typed value, type it, and wait for `expect`."""
    await asked(user, button)
    sent = await user.send(answer)
    return (await wait_text(user, expect, since=sent)).text


async def step(user: FakeUser, button: str, needle: str) -> FakeMessage:
    """Tap `button` and wait for a new message with `needle` (not an earlier one: a tap on a
    button of an old message would be the wrong step)."""
    last = user.last_message
    await tap(user, button)

    def answer() -> FakeMessage | None:
        for m in reversed(user.messages):
            if m.message_id > (last.message_id if last else 0) and needle in (m.text or ""):
                return m
        return None

    return await user.wait_for(answer)


async def asked(user: FakeUser, button: str) -> None:
    await step(user, button, t("To stop, send /batal."))


async def edit_more(user: FakeUser) -> None:
    await step(user, t("✏️ Edit more"), t("What should change?"))


async def test_a_volunteer_edits_a_household_and_the_family_is_told(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        head_nik, new_member_nik = new_nik(), new_nik()
        household_id = await add_household(
            app, DESA_A, ["Ahmad Sobari", "Rina"], niks=[head_nik, new_nik()]
        )
        resident = tg.user(2101, "Pak Ahmad")
        await as_role(app, resident, "warga")
        await link(app, resident.id, Linked(household_id, []))
        async with app.sessionmaker() as session, session.begin():
            session.add(Case(
                kind="koreksi", household_id=household_id, desa_code=DESA_A,
                kecamatan_code=DESA_A.rsplit(".", 1)[0], open_key=f"koreksi:h{household_id}",
                state="open", level="psm", first_answer_due_at=utcnow() + dt.timedelta(days=3),
            ))  # fmt: skip
        volunteer = tg.user(2102, "Bu PSM")
        await as_role(app, volunteer, "psm", DESA_A)

        card = await open_card(volunteer, head_nik)
        assert "Rina" in card
        menu = await step(volunteer, t("✏️ Edit data"), t("What should change?"))
        assert menu.buttons[0] == t("➕ Add a member")
        assert menu.buttons[-3:] == [t("Address"), t("RT/RW"), t("Mobile number")]

        # A new member, through the form: name, relation, date of birth, NIK.
        await tap(volunteer, t("➕ Add a member"))
        await wait_text(volunteer, t("The new member's full name, as on the KK or KTP?"))
        await volunteer.send("Siti  Nurhaliza")
        await tap(volunteer, t("child"))
        await wait_text(volunteer, t("Date of birth? For example 17-8-1975 or 17 Agustus 1975."))
        await volunteer.send("17/08/2010")
        await wait_text(volunteer, t("NIK (16 digits, on the KTP or KK)? Tap Skip if it is "
                                     "not known."))  # fmt: skip
        nik_message = await volunteer.send(new_member_nik)
        await wait_text(volunteer, t("Add this member?"))
        await tap(volunteer, t("✅ Confirm"))
        added = await wait_text(volunteer, t(SAVED))
        masked = new_member_nik[:4] + "********" + new_member_nik[-4:]
        assert t("New member: {name} ({relation})", name="Siti Nurhaliza", relation=t("child")) in (
            added.text
        )
        assert masked in added.text and t("The family was told in the bot.") in added.text
        assert nik_message.message_id in volunteer.deleted_message_ids
        told = await wait_text(resident, t("Your family's data was updated by an officer:"))
        assert "Siti Nurhaliza" in told.text and masked in told.text
        assert "Siti Nurhaliza" in await open_card(volunteer, head_nik)

        # A member's date of birth: a date that does not exist first, then a forgiving one.
        await step(volunteer, t("✏️ Edit data"), t("What should change?"))
        await step(volunteer, f"👤 Rina ({t('child')})", t("What should change?"))
        await asked(volunteer, t("Date of birth"))
        wrong = await volunteer.send("31-02-1990")
        error = await wait_text(volunteer, t("Please try again, or send /batal."), since=wrong)
        assert t("The date {day}-{month}-{year} does not exist. Please check again.",
                 day="31", month="02", year=1990) in error.text  # fmt: skip
        right = await volunteer.send("17 Agustus 1975")
        saved = await wait_text(volunteer, t(SAVED), since=right)
        assert t("{what}: {before} → {after}",
                 what=t("{field} of {name}", field=t("Date of birth"), name="Rina"),
                 before="-", after="17 Agustus 1975") in saved.text  # fmt: skip

        # Name, then relation (buttons), of the same member.
        await edit_more(volunteer)
        await step(volunteer, f"👤 Rina ({t('child')})", t("What should change?"))
        text = await typed(volunteer, t("Name"), "Rina Marlina", t(SAVED))
        assert "Rina → Rina Marlina" in text
        await edit_more(volunteer)
        await step(volunteer, f"👤 Rina Marlina ({t('child')})", t("What should change?"))
        await step(volunteer, t("Relation"), "Rina Marlina: ")
        await tap(volunteer, t("wife"))
        saved = await wait_text(volunteer, f"{t('child')} → {t('wife')}")

        # The household: address, RT/RW, phone.
        await edit_more(volunteer)
        text = await typed(volunteer, t("Address"), "Jl. Mawar No. 5", t(SAVED))
        assert "Jl. Melati → Jl. Mawar No. 5" in text
        await edit_more(volunteer)
        text = await typed(volunteer, t("RT/RW"), "rt 4 rw 2", t(SAVED))
        assert "RT: 003 → 004" in text and "RW: 001 → 002" in text
        await edit_more(volunteer)
        text = await typed(volunteer, t("Mobile number"), "+62 812 3456 7890", t(SAVED))
        assert t("Mobile number") + ": - → 0812-3456-7890" in text

        # The new member married out: gone from the card, kept with the reason.
        await edit_more(volunteer)
        await step(volunteer, f"👤 Siti Nurhaliza ({t('child')})", t("What should change?"))
        await step(volunteer, t("🚪 Remove from the KK"), "Siti Nurhaliza")
        await step(volunteer, t("💍 Married and moved out"), t("married and moved out"))
        await tap(volunteer, t("✅ Yes, remove"))
        sentence = t("{name} married and moved out of the family.", name="Siti Nurhaliza")
        await wait_text(volunteer, sentence)
        await wait_text(resident, sentence)
        card = await open_card(volunteer, head_nik)
        members = card.split(t("Members:"))[1].split("\n\n")[0]  # (the correction case quotes her)
        assert "Siti Nurhaliza" not in members and "Rina Marlina" in members
        assert "Jl. Mawar" in card

        async with app.sessionmaker() as session:
            household = await session.get(Household, household_id)
            assert household is not None
            assert (household.rt, household.rw, household.phone) == ("004", "002", "+6281234567890")
            siti = await session.scalar(select(Member).where(Member.name == "Siti Nurhaliza"))
            assert siti is not None and siti.left_reason == "menikah" and siti.left_at is not None
            assert siti.nik_masked == masked and siti.birth_date == dt.date(2010, 8, 17)
            rows = list(await session.scalars(
                select(AuditLog).where(AuditLog.subject_id == household_id).order_by(AuditLog.id)
            ))  # fmt: skip
            thread = list(await session.scalars(select(CaseMessage.text)))
        changes = {(r.action, r.detail.get("field")): r.detail for r in rows}
        assert changes[("member.left", "left_reason")]["before"] is None
        assert changes[("member.left", "left_reason")]["after"] == "menikah"
        assert changes[("member.changed", "name")] == {
            "field": "name", "before": "Rina", "after": "Rina Marlina",
            "member_id": changes[("member.changed", "name")]["member_id"],
        }  # fmt: skip
        assert changes[("member.changed", "relation")]["after"] == "istri"
        assert changes[("household.changed", "rt")]["before"] == "003"
        assert changes[("member.added", "member")]["after"]["nik"] == masked
        assert len(thread) == 8 and all(text and text.startswith(t("Data changed: {changes}",
               changes="")) for text in thread)  # fmt: skip

        # The NIK typed for the new member is nowhere in plain text.
        assert all(new_member_nik not in json.dumps(r.detail) for r in rows)
        assert all(new_member_nik not in text for text in spoken_texts(tg))
        assert all(new_member_nik not in (text or "") for text in thread)
        resident_told = [m for m in resident.messages if t("Your family's data was updated by an "
                         "officer:") in (m.text or "")]  # fmt: skip
        assert len(resident_told) == 8


async def test_area_refusals_and_the_head_of_the_family(
    tg: FakeTelegram, tmp_path: Path, database_url: str
) -> None:
    async with BotApp(
        tg, e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    ) as app:
        head_nik, taken_nik = new_nik(), new_nik()
        mine = await add_household(
            app, DESA_A, ["Budi Santoso", "Dewi"], niks=[head_nik, taken_nik]
        )
        theirs = await add_household(app, DESA_B, ["Orang Lain"])
        async with app.sessionmaker() as session:
            their_member = await session.scalar(
                select(Member.id).where(Member.household_id == theirs)
            )
        volunteer = tg.user(2201, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)
        await open_card(volunteer, head_nik)
        anchor = volunteer.last_message
        assert anchor is not None

        # Another desa's household, by any button; another household's member.
        for data in (EditCb(a="menu", h=theirs), EditCb(a="addr", h=theirs),
                     EditCb(a="bye", h=theirs, m=their_member, v="meninggal")):  # fmt: skip
            query = await click_data(volunteer, anchor, data.pack())
            await query.wait_answered()
            assert query.answer_text == t("This family was not found in your area.")
        await click_data(volunteer, anchor, EditCb(a="mem", h=mine, m=their_member).pack())
        await wait_text(volunteer, t("This person is no longer a member of the family. Please "
                                     "open the family card again."))  # fmt: skip

        # A second head is refused; so is a NIK already on another person.
        await step(volunteer, t("✏️ Edit data"), t("What should change?"))
        await step(volunteer, f"👤 Dewi ({t('child')})", t("What should change?"))
        await step(volunteer, t("Relation"), "Dewi: ")
        await tap(volunteer, t("head of the family"))
        await wait_text(volunteer, t("The family already has a head. First change the relation "
                                     "of the current head, then choose the new head."))  # fmt: skip
        await step(volunteer, t("✏️ Edit data"), t("What should change?"))
        await tap(volunteer, t("➕ Add a member"))
        await volunteer.send("Anak Baru")
        options = await wait_text(volunteer, t("Relation to the head of the family?"))
        assert t("head of the family") not in options.buttons  # it has one already
        await tap(volunteer, t("child"))
        await tap(volunteer, t("Skip"))
        await volunteer.send(taken_nik)
        await tap(volunteer, t("✅ Confirm"))
        await wait_text(volunteer, t("This NIK is already recorded for another person, so nothing "
                                     "was saved. Please check the number, or add the member "
                                     "without a NIK."))  # fmt: skip

        # The head died: the bot asks who the head is now.
        await step(volunteer, t("✏️ Edit data"), t("What should change?"))
        await step(
            volunteer, f"👤 Budi Santoso ({t('head of the family')})", t("What should change?")
        )
        await step(volunteer, t("🚪 Remove from the KK"), "Budi Santoso")
        await step(volunteer, t("🕊 Died"), t("died"))
        await tap(volunteer, t("✅ Yes, remove"))
        await wait_text(volunteer, t("The family has no head now. Who is the head of the family?"))
        assert (
            t("Nobody of this family uses the bot: please tell them in person.")
            in (await wait_text(volunteer, t(SAVED))).text
        )
        await tap(volunteer, "👤 Dewi")
        await wait_text(volunteer, f"{t('child')} → {t('head of the family')}")

        # A command in the middle of a typed answer does what it says; the next text is not
        # taken as the answer.
        await step(volunteer, t("✏️ Edit more"), t("What should change?"))
        await asked(volunteer, t("Address"))
        await volunteer.send("/menu")
        await volunteer.wait_message(predicate=lambda m: m.text == t(
            "Main menu. Choose a button below."))  # fmt: skip
        await volunteer.send("Jl. Salah Ketik")
        await volunteer.wait_idle()

        async def state() -> tuple[str | None, str | None] | None:
            async with app.sessionmaker() as session:
                household = await session.get(Household, mine)
                budi = await session.scalar(select(Member).where(Member.name == "Budi Santoso"))
            assert household is not None and budi is not None
            return household.address, budi.left_reason

        assert await eventually(state) == ("Jl. Melati", "meninggal")
        async with app.sessionmaker() as session:
            names = list(
                await session.scalars(select(Member.name).where(Member.household_id == mine))
            )
        assert "Anak Baru" not in names


async def test_staff_add_the_kk_of_a_family_that_came_without_one(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    """A P3KE family keyed by its list's id: staff (only staff) add its No. KK in the bot; the
    number is deleted from the chat, stored protected and audited masked; the list's id stays;
    a No. KK of another family is refused."""
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        household_id = await add_household(app, DESA_A, ["Mak Tanpa Kaka"])
        other_kk = new_nik()[:6] + "150312" + "0009"
        await add_household(app, DESA_A, ["Pak Punya Kaka"], kk=other_kk)
        async with app.sessionmaker() as session, session.begin():
            household = await session.get(Household, household_id)
            assert household is not None
            household.kk_hash = household.kk_encrypted = household.kk_masked = None
            household.source_system, household.source_household_id = "p3ke", "P3KE-77"
        psm, staff = tg.user(2401, "Bu PSM"), tg.user(2402, "Petugas")
        await as_role(app, psm, "psm", DESA_A)
        await as_role(app, staff, "petugas")

        for user in (psm, staff):
            await user.send("/cari tanpa kaka")
            found = await user.wait_message()
            await user.click(found, found.buttons[0])
            await wait_text(user, t("🏠 Family card"), since=found)
            menu = await step(user, t("✏️ Edit data"), t("What should change?"))
            assert (t("➕ No. KK") in menu.buttons) == (user is staff)

        await asked(staff, t("➕ No. KK"))
        taken = await staff.send(other_kk)
        refused = await wait_text(staff, t(
            "This No. KK is already recorded for another family, so nothing was saved. "
            "Please check the number."
        ))  # fmt: skip
        assert taken.message_id in staff.deleted_message_ids and refused is not None
        await step(staff, t("✏️ Edit data"), t("What should change?"))
        await asked(staff, t("➕ No. KK"))
        kk = "3216182507150003"
        typed_kk = await staff.send(kk)
        saved = await wait_text(staff, t(SAVED), since=typed_kk)
        assert "3216********0003" in saved.text and kk not in saved.text
        assert typed_kk.message_id in staff.deleted_message_ids
        async with app.sessionmaker() as session:
            household = await session.get(Household, household_id)
            assert household is not None
            assert household.kk_hash == app.resources.protector.lookup_hash(kk)
            assert household.source_household_id == "P3KE-77"  # a later P3KE file still finds it
            audit = await session.scalar(
                select(AuditLog).where(
                    AuditLog.action == "household.changed", AuditLog.subject_id == household_id
                )
            )
        assert audit is not None and audit.detail["after"] == "3216********0003"
        assert all(kk not in text for text in spoken_texts(tg))
