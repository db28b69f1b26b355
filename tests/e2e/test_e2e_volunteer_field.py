"""End to end: a volunteer's task list (order, pages), search (name, NIK, desa/RT), the
household card, and area isolation on every path, including hand-crafted callback data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from db.models.cases import Case
from db.models.system import AuditLog
from handlers.volunteers.ui import HouseholdCb, SearchCb, TaskPageCb
from services import tasks
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, account_of, as_role, click_data, e2e_settings, eventually, t
from tests.volunteers_support import (
    DESA_A,
    DESA_A2,
    DESA_B,
    KEC_A,
    add_household,
    new_kk,
    new_nik,
    tap,
    wait_text,
)


def label(name: str, rt: str = "003") -> str:
    return t("{name} · RT {rt}", name=name, rt=rt)


async def test_tasks_most_urgent_first_then_not_visited_paginated(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        await add_household(app, DESA_A, ["Koreksi Satu"], task_kinds=(tasks.CORRECTION,))
        await add_household(app, DESA_A, ["Usulan Dua"], task_kinds=(tasks.USULAN,))
        await add_household(app, DESA_A, ["Mendesak Tiga"], task_kinds=(tasks.URGENT_REPORT,))
        await add_household(app, DESA_A, ["Terjangkau Empat"], task_kinds=(tasks.UNREACHABLE,))
        await add_household(
            app, DESA_A, ["Belum Lima"], task_kinds=(tasks.NOT_RECEIVED, tasks.CORRECTION)
        )
        await add_household(app, DESA_A, ["Lama Enam"], last_visit_days=200)
        await add_household(app, DESA_A, ["Lama Tujuh"], last_visit_days=120)
        await add_household(app, DESA_A, ["Baru Delapan"], last_visit_days=10)  # not due
        for n in range(3):
            await add_household(app, DESA_A, [f"Belum Dikunjungi {n}"])
        await add_household(app, DESA_B, ["Desa Lain"], task_kinds=(tasks.URGENT_REPORT,))

        volunteer = tg.user(1001, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)
        await volunteer.send("/tugas")
        page1 = await volunteer.wait_message()
        expected = [
            (tasks.URGENT_REPORT, "Mendesak Tiga"),
            (tasks.NOT_RECEIVED, "Belum Lima"),
            (tasks.USULAN, "Usulan Dua"),
            (tasks.CORRECTION, "Koreksi Satu"),
            (tasks.UNREACHABLE, "Terjangkau Empat"),
            (tasks.NOT_VISITED, "Lama Enam"),
            (tasks.NOT_VISITED, "Lama Tujuh"),
            (tasks.NOT_VISITED, "Belum Dikunjungi 0"),
        ]
        assert page1.buttons[:8] == [
            f"{n}. {label(name)}" for n, (_k, name) in enumerate(expected, 1)
        ]
        # Then the pager, then a filter per kind of task with how many families have it, and
        # the RT filter.
        assert page1.buttons[8:] == [
            t("Next »"), "🔴 1", "🟠 1", "🟡 1", "🔵 2", "📵 1", "⚪ 5", t("🏠 Choose RT")
        ]
        lines = page1.text.splitlines()
        assert lines[0] == t(
            "Families to visit{scope}: {total}, most urgent first. Page {page}:",
            scope="", total=10, page=1,
        )  # fmt: skip
        assert lines[1] == f"1. 🔴 {t('Urgent report')} M-3: {label('Mendesak Tiga')}"
        assert lines[8] == f"8. ⚪ {t('Not visited for 90 days')}: {label('Belum Dikunjungi 0')}"
        assert "Desa Lain" not in page1.text and "Baru Delapan" not in page1.text

        await tap(volunteer, t("Next »"))
        await volunteer.wait_for(lambda: "Belum Dikunjungi 2" in page1.text)
        assert page1.buttons[:3] == [
            f"9. {label('Belum Dikunjungi 1')}",
            f"10. {label('Belum Dikunjungi 2')}",
            t("« Previous"),
        ]

        # One kind only: the corrections (two families), and back to all.
        await tap(volunteer, "🔵 2")
        await volunteer.wait_for(lambda: "Koreksi Satu" in page1.text)
        assert page1.text.splitlines()[0] == t(
            "Families to visit{scope}: {total}, most urgent first. Page {page}:",
            scope=f" ({t('Data correction')})", total=2, page=1,
        )  # fmt: skip
        assert "Mendesak Tiga" not in page1.text and "Belum Lima" in page1.text
        await tap(volunteer, t("All"))
        await volunteer.wait_for(lambda: "Mendesak Tiga" in page1.text)

        # The card of the first task.
        await tap(volunteer, f"1. {label('Mendesak Tiga')}")
        card = await wait_text(volunteer, t("🏠 Family card"))
        assert t("Open cases:") in card.text and t("Urgent report") + " M-3" in card.text
        assert t("Last visit: never") in card.text
        assert card.buttons[0] == t("✅ Finish {number}", number="M-3")
        assert t("📝 Record a visit") in card.buttons and t("📋 Tasks") in card.buttons
        assert t("✏️ Edit data") in card.buttons
        account = await account_of(app, 1001)

        async def viewed() -> AuditLog | None:
            async with app.sessionmaker() as session:
                return await session.scalar(
                    select(AuditLog).where(
                        AuditLog.action == "household.viewed",
                        AuditLog.actor_account_id == account.id,
                    )
                )

        assert await eventually(viewed) is not None


async def test_messages_for_a_family_without_the_bot_are_passed_on_in_one_tap(
    tg: FakeTelegram, tmp_path: Path
):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        household = await add_household(
            app, DESA_A, ["Tanpa Telegram"], task_kinds=(tasks.UNREACHABLE,)
        )
        volunteer = tg.user(1003, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)
        await volunteer.send("/tugas")
        await volunteer.wait_message()
        await tap(volunteer, f"1. {label('Tanpa Telegram')}")
        card = await wait_text(volunteer, t("🏠 Family card"))
        assert t("✅ Messages passed on") in card.buttons
        await tap(volunteer, t("✅ Messages passed on"))
        await wait_text(volunteer, t("Thank you: the messages are recorded as passed on to the "
                                     "family."))  # fmt: skip

        async def closed() -> bool:
            async with app.sessionmaker() as session:
                task = await session.scalar(select(Case).where(Case.household_id == household))
            return task is not None and (task.state, task.outcome) == ("closed", "delivered")

        assert await eventually(closed)


async def test_a_volunteer_of_desa_a_never_reaches_desa_b(
    tg: FakeTelegram, tmp_path: Path, database_url: str
):
    async with BotApp(tg, e2e_settings(tmp_path, tg, database_url=database_url)) as app:
        nik_a, nik_b, kk_b = new_nik(), new_nik(), new_kk()
        mine = await add_household(app, DESA_A, ["Siti Aminah"], niks=[nik_a], rt="002")
        theirs = await add_household(
            app, DESA_B, ["Siti Rahayu"], niks=[nik_b], kk=kk_b, task_kinds=(tasks.URGENT_REPORT,)
        )
        volunteer = tg.user(1002, "Pak PSM")
        await as_role(app, volunteer, "psm", DESA_A)

        # Tasks: only desa A (its never-visited household).
        await volunteer.send("/tugas")
        listing = await volunteer.wait_message()
        assert listing.buttons[0] == f"1. {label('Siti Aminah', '002')}"
        assert "Siti Rahayu" not in listing.text

        # Name search, any case: only desa A.
        await volunteer.send("/cari SITI")
        found = await volunteer.wait_message()
        assert found.buttons == [label("Siti Aminah", "002")]
        await volunteer.send("/cari rahayu")
        none = await volunteer.wait_message()
        assert none.text == t("No family with that name in your area. Try another spelling.")

        # NIK and KK of desa B: "not found in your area", and the number leaves the chat.
        for number in (nik_b, kk_b):
            await volunteer.send("/cari")
            await volunteer.wait_message()
            typed = await volunteer.send(number)
            reply = await volunteer.wait_message()
            assert reply.text == t("Not found in your area. Check the number, or search by name.")
            await volunteer.wait_for(lambda m=typed: m.message_id in volunteer.deleted_message_ids)
        # A mistyped number (15 digits) is deleted too, with a specific hint.
        mistyped = await volunteer.send(f"/cari {nik_a[:15]}")
        hint = await volunteer.wait_message()
        assert hint.text == t(
            "A NIK or No. KK has 16 digits; you typed {count}. Please type it again.", count=15
        )
        await volunteer.wait_for(lambda: mistyped.message_id in volunteer.deleted_message_ids)
        # ... while a NIK of desa A opens the card.
        await volunteer.send("/cari")
        await volunteer.wait_message()
        await volunteer.send(nik_a)
        card = await volunteer.wait_message()
        assert card.text.startswith(t("🏠 Family card"))
        assert "Siti Aminah" in card.text and nik_a not in card.text

        # Hand-crafted callback data for desa B's household: card, visit, desa browse.
        for data in (
            HouseholdCb(action="open", id=theirs).pack(),
            HouseholdCb(action="visit", id=theirs).pack(),
        ):
            query = await click_data(volunteer, card, data)
            await query.wait_answered()
            assert query.answer_text == t("This family was not found in your area.")
            assert query.show_alert
        for data in (
            SearchCb(kind="desa", code=DESA_B).pack(),
            SearchCb(kind="rt", code=DESA_B, rt="003").pack(),
        ):
            query = await click_data(volunteer, card, data)
            await query.wait_answered()
            refused_desa = await volunteer.wait_message()
            assert refused_desa.text == t("This desa is not in your area.")

        # /kunjungan with desa B's KK typed.
        await volunteer.send("/kunjungan")
        await volunteer.wait_message()
        await volunteer.send(kk_b)
        reply = await volunteer.wait_message()
        assert reply.text == t("Not found in your area. Check the number, or search by name.")

        account = await account_of(app, 1002)

        async def refused() -> list[int]:
            async with app.sessionmaker() as session:
                rows = await session.scalars(
                    select(AuditLog.subject_id).where(
                        AuditLog.action == "household.out_of_area",
                        AuditLog.actor_account_id == account.id,
                    )
                )
                return list(rows)

        assert await eventually(lambda: _at_least(refused, 2)), "crafted taps were not audited"
        assert set(await refused()) <= {theirs, None}

        async def kunjungan_lookups() -> list[dict]:
            async with app.sessionmaker() as session:
                rows = await session.scalars(
                    select(AuditLog.detail).where(
                        AuditLog.action == "household.searched",
                        AuditLog.actor_account_id == account.id,
                    )
                )
                return [d for d in rows if d.get("via") == "kunjungan"]

        # The KK typed into /kunjungan is a lookup too: audited, without the number.
        lookups = await eventually(kunjungan_lookups)
        assert lookups == [{"by": "number", "found": False, "via": "kunjungan"}]
        assert not [s for m in volunteer.messages for s in m.callback_data if nik_a in s]
        assert mine != theirs


async def _at_least(check, n: int):
    found = await check()
    return found if len(found) >= n else None


async def test_tksk_sees_the_kecamatan_and_browses_desa_and_rt(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        await add_household(app, DESA_A, ["Ahmad Satu"], rt="001")
        await add_household(app, DESA_A2, ["Ahmad Dua"], rt="004")
        await add_household(app, DESA_B, ["Ahmad Tiga"], rt="001")
        tksk = tg.user(1003, "Bu TKSK")
        await as_role(app, tksk, "tksk", KEC_A)
        await tksk.send("/cari ahmad")
        found = await tksk.wait_message()
        assert found.buttons == [label("Ahmad Satu", "001"), label("Ahmad Dua", "004")]

        await tksk.send("/cari")
        prompt = await tksk.wait_message()
        await tksk.click(prompt, t("🏘 By desa and RT"))
        await wait_text(tksk, t("Choose the desa:"))
        await tap(tksk, "Jejalenjaya")
        await wait_text(tksk, t("{desa}: choose the RT:", desa="Jejalenjaya"))
        await tap(tksk, t("RT {rt}", rt="004"))
        result = await wait_text(
            tksk, t("{desa}, RT {rt}: tap a family to open its card.", desa="Jejalenjaya", rt="004")
        )
        assert result.buttons == [label("Ahmad Dua", "004")]
        query = await click_data(tksk, result, TaskPageCb(page=0).pack())
        await query.wait_answered()


async def test_staff_reach_every_household_and_residents_none(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        household = await add_household(app, DESA_B, ["Rudi Hartono"])
        staff = tg.user(1004)
        await as_role(app, staff, "petugas")
        await staff.send("/cari hartono")
        found = await staff.wait_message()
        assert found.buttons == [label("Rudi Hartono")]
        resident = tg.user(1005)
        await as_role(app, resident, "warga")
        query = await click_data(resident, found, HouseholdCb(action="open", id=household).pack())
        await query.wait_answered()
        assert query.answer_text == t("Sorry, this is only for volunteers (PSM/TKSK) and staff.")


async def test_a_tksk_list_names_the_desa_on_every_line(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        await add_household(app, DESA_A, ["Warga Satu"], task_kinds=(tasks.URGENT_REPORT,))
        await add_household(app, DESA_A2, ["Warga Dua"], task_kinds=(tasks.CORRECTION,))
        tksk = tg.user(1004, "Bu TKSK")
        await as_role(app, tksk, "tksk", KEC_A)
        await tksk.send("/tugas")
        listing = await tksk.wait_message()
        lines = listing.text.splitlines()
        assert t("{name} · {desa} RT {rt}", name="Warga Satu", desa="Satriajaya", rt="003") in (
            lines[1]
        )
        assert "Jejalenjaya" in lines[2]


async def test_staff_see_the_kk_in_full_volunteers_masked(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        kk = new_kk()
        await add_household(app, DESA_A, ["Keluarga Kartu"], kk=kk,
                            task_kinds=(tasks.URGENT_REPORT,))  # fmt: skip
        for telegram_id, role, area in ((1005, "petugas", None), (1006, "psm", DESA_A)):
            user = tg.user(telegram_id, role)
            await as_role(app, user, role, area)
            await user.send("/tugas")
            await user.wait_message()
            await tap(user, next(b for b in user.messages[-1].buttons if "Keluarga Kartu" in b))
            card = await wait_text(user, t("🏠 Family card"))
            if role == "petugas":
                assert kk in card.text  # staff may see it; the view is audited
            else:
                assert kk not in card.text and f"{kk[:4]}********{kk[-4:]}" in card.text


async def test_a_tksk_walks_the_list_by_desa_and_rt(
    tg: FakeTelegram, tmp_path: Path, database_url: str
):
    """A TKSK's list spans the kecamatan: the desa on every line; filtered to one desa it is
    grouped by RT/RW (as a volunteer walks it), then to one RT, with the total each time."""
    async with BotApp(tg, e2e_settings(tmp_path, tg, database_url=database_url)) as app:
        await add_household(app, DESA_A, ["Ani Satu"], rt="001", task_kinds=(tasks.USULAN,))
        await add_household(app, DESA_A, ["Budi Dua"], rt="002",
                            task_kinds=(tasks.URGENT_REPORT,))  # fmt: skip
        await add_household(app, DESA_A, ["Cici Satu"], rt="001")  # never visited
        await add_household(app, DESA_A2, ["Dodi Lain"], rt="001", task_kinds=(tasks.CORRECTION,))
        tksk = tg.user(1010, "Pak TKSK")
        await as_role(app, tksk, "tksk", KEC_A)
        await tksk.send("/tugas")
        listing = await tksk.wait_message()
        lines = listing.text.splitlines()
        assert lines[0] == t(
            "Families to visit{scope}: {total}, most urgent first. Page {page}:",
            scope="", total=4, page=1,
        )  # fmt: skip
        assert t("{name} · {desa} RT {rt}", name="Budi Dua", desa="Satriajaya", rt="002") in (
            lines[1]
        )
        assert "Jejalenjaya" in listing.text  # the other desa, named on its line
        await tap(tksk, t("🏘 Choose desa"))
        await tap(tksk, "Satriajaya")
        only_a = await wait_text(tksk, "(Satriajaya)")
        assert "Dodi Lain" not in only_a.text
        lines = only_a.text.splitlines()
        assert lines[0] == t(
            "Families to visit{scope}: {total}, most urgent first. Page {page}:",
            scope=" (Satriajaya)", total=3, page=1,
        )  # fmt: skip
        # Grouped by RT/RW: RT 001 (its proposal, then its never-visited family), then RT 002.
        assert lines[1] == t("— RT {rt}/RW {rw} —", rt="001", rw="001")
        assert "Ani Satu" in lines[2] and "Cici Satu" in lines[3]
        assert lines[4] == t("— RT {rt}/RW {rw} —", rt="002", rw="001")
        assert "Budi Dua" in lines[5]
        await tap(tksk, t("🏠 Choose RT"))
        await tap(tksk, t("RT {rt}", rt="002"))
        only_rt = await wait_text(tksk, t("RT {rt}", rt="002") + ")")
        assert "Budi Dua" in only_rt.text and "Ani Satu" not in only_rt.text
        assert t("Families to visit{scope}: {total}, most urgent first. Page {page}:",
                 scope=" (Satriajaya, RT 002)", total=1, page=1) in only_rt.text  # fmt: skip
