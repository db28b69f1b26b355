"""Staff disbursement schedules end to end: target → count → form → recipients; change and
cancel queue a notice for the recipients; households marked as having collected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select, update

from db.models.aid import Disbursement, DisbursementRecipient
from db.models.broadcasts import Broadcast
from db.models.system import AuditLog
from domain.dates import WIB
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import BotApp, as_role, e2e_settings, eventually, t, tp
from tests.staff_data import (
    BURANGKENG,
    CIBENING,
    CIJENGKOL,
    SRIJAYA,
    add_household,
    kk,
)


def _tomorrow() -> dt.date:
    return dt.datetime.now(WIB).date() + dt.timedelta(days=1)


async def _seed(app: BotApp) -> dict[str, int]:
    ids = {
        "cibening": await add_household(app, 1, CIBENING, programs=("BLT",)),
        "cijengkol": await add_household(app, 2, CIJENGKOL, verification="terverifikasi"),
        "burangkeng": await add_household(app, 3, BURANGKENG, programs=("BLT",)),
        "rejected": await add_household(app, 4, CIBENING, verification="ditolak"),
        "proposed": await add_household(app, 5, CIBENING, verification="menunggu_verifikasi"),
        "tambun": await add_household(app, 6, SRIJAYA, programs=("BLT", "PKH")),
    }
    return ids


async def _fill_form(staff: FakeUser, *, expect_count: int, before_confirm=None) -> str:
    """Answer the schedule form (program question on screen); returns the saved text.
    ``before_confirm``: awaited with the summary on screen (e.g. to take the role away)."""
    question = await staff.wait_message(predicate=lambda m: t("Which program?") in (m.text or ""))
    await staff.click(question, next(b for b in question.buttons if b.endswith(t("BLT"))))
    await staff.wait_for(lambda: t("Name of this disbursement?") in (staff.last_message.text or ""))
    await staff.send("BLT Dana Desa tahap 2")
    await staff.wait_message(predicate=lambda m: t("Amount per household?") in (m.text or ""))
    await staff.send("300rb")
    await staff.wait_message(predicate=lambda m: "17-08-2025" in (m.text or ""))
    await staff.send(_tomorrow().strftime("%d-%m-%Y"))
    await staff.wait_message(predicate=lambda m: "09.00" in (m.text or ""))
    await staff.send("jam 9 pagi")
    await staff.wait_message(predicate=lambda m: "Cibening" in (m.text or ""))
    await staff.send("Balai Desa Cibening")
    await staff.wait_message(predicate=lambda m: "KTP" in (m.text or ""))
    await staff.send("KTP dan KK asli")
    summary = await staff.wait_message(
        predicate=lambda m: t("Please check the schedule:") in (m.text or "")
    )
    assert t("This schedule reaches {count} households: {target}.").split("{")[0] in summary.text
    assert f" {expect_count} " in summary.text
    if before_confirm is not None:
        await before_confirm()
        await staff.click(summary, t("✅ Confirm"))
        return (await staff.wait_message()).text
    await staff.click(summary, t("✅ Confirm"))
    saved = await staff.wait_message(predicate=lambda m: "#" in (m.text or ""))
    return saved.text


async def _recipients(app: BotApp, disbursement_id: int) -> set[int]:
    """The schedule's households, once its update is committed (the reply comes first)."""
    return await eventually(lambda: _recipients_now(app, disbursement_id))


async def _recipients_now(app: BotApp, disbursement_id: int) -> set[int]:
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(DisbursementRecipient.household_id).where(
                DisbursementRecipient.disbursement_id == disbursement_id
            )
        )
        return set(rows)


async def test_schedule_for_a_kecamatan_and_for_a_kk_list(
    tg: FakeTelegram, tmp_path: Path, database_url: str
):
    settings = e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    async with BotApp(tg, settings) as app:
        staff = tg.user(801, "Petugas")
        await as_role(app, staff, "petugas")
        ids = await _seed(app)

        saved = await make_schedule(staff)
        assert saved == t(
            "Saved: schedule #{id} for {count} households. Residents with the bot are told now "
            "and reminded the day before. See all schedules with /daftarjadwal."
        ).format(id=1, count=3)
        assert await _recipients(app, 1) == {ids["cibening"], ids["cijengkol"], ids["burangkeng"]}
        async with app.sessionmaker() as session:
            first = await session.get(Disbursement, 1)
            assert first.target == {"type": "kecamatan", "kecamatan": "32.16.18", "households": 3}
            assert first.amount == 300_000 and first.bring == "KTP dan KK asli"
            local = first.scheduled_at.astimezone(WIB)
            assert (local.date(), local.hour, local.minute) == (_tomorrow(), 9, 0)

        # A KK list: two known (one of them outside the area rules), one unknown, one typo.
        await staff.send("/jadwalbaru")
        kinds = await staff.wait_message()
        await staff.click(kinds, t("A list of KK numbers (file)"))
        await staff.wait_for(lambda: kinds.text != t("Who should this schedule reach?"))
        content = f"no_kk;nama\n{kk(1)};Siti\n{kk(5)};Budi\n3216180101209999;X\n12345;Y\n"
        await staff.send_document("penerima.csv", content.encode())
        saved = await _fill_form(staff, expect_count=2)
        assert "#2" in saved
        assert await _recipients(app, 2) == {ids["cibening"], ids["proposed"]}
        async with app.sessionmaker() as session:
            second = await session.get(Disbursement, 2)
            assert second.target == {"type": "list", "households": 2}
        bodies = [m.text or "" for m in staff.messages]
        assert not any(kk(1) in body for body in bodies)


async def test_program_and_desa_targets_count(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(802, "Petugas")
        await as_role(app, staff, "petugas")
        ids = await _seed(app)
        await staff.send("/jadwalbaru")
        kinds = await staff.wait_message()
        await staff.click(kinds, t("All households of a program"))
        await staff.wait_for(lambda: kinds.text == t("Which program?"))
        await staff.click(kinds, t("BLT"))
        await _fill_form(staff, expect_count=3)
        assert await _recipients(app, 1) == {ids["cibening"], ids["burangkeng"], ids["tambun"]}

        await staff.send("/jadwalbaru")
        kinds = await staff.wait_message()
        await staff.click(kinds, t("Some desa"))
        await staff.wait_for(lambda: kinds.text == t("Which kecamatan?"))
        await staff.click(kinds, "Setu")
        await staff.wait_for(lambda: any("Cibening" in b for b in kinds.buttons))
        await staff.click(kinds, t("Done"))  # nothing chosen yet: refused
        await staff.click(kinds, "◻️ Cibening")
        await staff.wait_for(lambda: "✅ Cibening" in kinds.buttons)
        await app.restart()  # the desa picked so far are kept in the conversation state
        await staff.click(kinds, "◻️ Cijengkol")
        await staff.wait_for(lambda: "✅ Cijengkol" in kinds.buttons)
        await staff.click(kinds, t("Done"))
        which = await staff.wait_message(
            predicate=lambda m: t("All households there") in (m.buttons or [])
        )
        await staff.click(which, t("All households there"))
        await _fill_form(staff, expect_count=2)
        assert await _recipients(app, 2) == {ids["cibening"], ids["cijengkol"]}

        # A programme in an area: only the BLT households of Kecamatan Setu (not Cijengkol's,
        # which has none; not Srijaya's, in another kecamatan).
        await staff.send("/jadwalbaru")
        kinds = await staff.wait_message()
        await staff.click(kinds, t("One kecamatan"))
        await staff.wait_for(lambda: kinds.text == t("Which kecamatan?"))
        await staff.click(kinds, "Setu")
        which = await staff.wait_message(
            predicate=lambda m: t("All households there") in (m.buttons or [])
        )
        await staff.click(which, t("Only {program}").format(program=t("BLT")))
        await _fill_form(staff, expect_count=2)
        assert await _recipients(app, 3) == {ids["cibening"], ids["burangkeng"]}
        async with app.sessionmaker() as session:
            third = await session.get(Disbursement, 3)
            assert third.target["program"] == "BLT" and third.target["kecamatan"] == "32.16.18"


async def make_schedule(
    staff: FakeUser, kecamatan: str = "Setu", expect_count: int = 3, before_confirm=None
) -> str:
    """A BLT payout for one kecamatan, made through /jadwalbaru; returns the saved message."""
    await staff.send("/jadwalbaru")
    kinds = await staff.wait_message()
    await staff.click(kinds, t("One kecamatan"))
    await staff.wait_for(lambda: t("Which kecamatan?") == kinds.text)
    await staff.click(kinds, kecamatan)
    which = await staff.wait_message(
        predicate=lambda m: t("All households there") in (m.buttons or [])
    )
    await staff.click(which, t("All households there"))
    return await _fill_form(staff, expect_count=expect_count, before_confirm=before_confirm)


async def _broadcasts(app: BotApp, count: int) -> list[Broadcast]:
    async def found() -> list[Broadcast]:
        async with app.sessionmaker() as session:
            rows = list(await session.scalars(
                select(Broadcast).where(Broadcast.kind == "notice").order_by(Broadcast.id)
            ))  # fmt: skip
        return rows if len(rows) >= count else []

    return await eventually(found)


async def test_change_cancel_and_collected(tg: FakeTelegram, tmp_path: Path, database_url: str):
    settings = e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    async with BotApp(tg, settings) as app:
        staff = tg.user(803, "Petugas")
        account = await as_role(app, staff, "petugas")
        ids = await _seed(app)
        await make_schedule(staff)

        # Change the place: the form opens at the summary; only the place is asked.
        await staff.send("/daftarjadwal")
        listing = await staff.wait_message()
        await staff.click(listing, listing.buttons[0])
        await staff.wait_for(lambda: t("✏️ Change") in listing.buttons)
        await staff.click(listing, t("✏️ Change"))
        summary = await staff.wait_message(
            predicate=lambda m: t("Please check the schedule:") in (m.text or "")
        )
        await staff.click(summary, t("✏️ Change"))
        await staff.wait_for(lambda: summary.text == t("Which answer do you want to change?"))
        await staff.click(summary, t("Place"))  # the field's short label
        await staff.wait_for(lambda: (summary.text or "").startswith(t("Place?")))
        await staff.send("Kantor Kecamatan Setu")
        summary = await staff.wait_message(
            predicate=lambda m: t("Please check the schedule:") in (m.text or "")
        )
        await staff.click(summary, t("✅ Confirm"))
        done = await staff.wait_message(predicate=lambda m: "#1" in (m.text or ""))
        assert done.text == t(
            "Saved. The {count} households of schedule #{id} will be told of the change."
        ).format(count=3, id=1)
        notices = await _broadcasts(app, 2)
        assert len(notices) == 2
        # Told at once when it was made (not only the day before), then of the change.
        created, changed = notices
        assert created.dedup_key == "notice:disbursement:1:created"
        assert t("📢 There is an aid schedule for your household:") in created.text
        assert "Balai Desa Cibening" in created.text
        assert changed.kind == "notice" and changed.status == "queued"
        assert changed.audience == {"type": "disbursement", "id": 1}
        assert "Kantor Kecamatan Setu" in changed.text
        assert t("📢 An aid schedule for your household has changed. The new schedule:") in (
            changed.text
        )

        # A resident answered "belum" (written by the residents' feature): staff see the count.
        async with app.sessionmaker() as session, session.begin():
            await session.execute(
                update(DisbursementRecipient)
                .where(DisbursementRecipient.household_id == ids["burangkeng"])
                .values(resident_answer="belum")
            )

        # Mark collected: a typed KK (deleted from the chat), a wrong one, then a file.
        await staff.send("/daftarjadwal")
        listing = await staff.wait_message()
        await staff.click(listing, listing.buttons[0])
        await staff.wait_for(lambda: t("✔️ Mark collected") in listing.buttons)
        assert (
            t("{count} households said they have not received it.").format(count=1) in listing.text
        )
        await staff.click(listing, t("✔️ Mark collected"))
        await staff.wait_message()
        typed = await staff.send(kk(1))
        reply = await staff.wait_message()
        assert typed.deleted
        assert reply.text.startswith(t("✔️ Marked as collected: {who}.").split("{")[0])
        assert "3216********0001" in reply.text
        assert (
            t("{collected} of {total} households have collected.").format(collected=1, total=3)
            in reply.text
        )
        await staff.send("1234")
        reply = await staff.wait_message()
        assert t("The KK number must be 16 digits; you typed {count}.").format(count=4) in (
            reply.text
        )
        await staff.send_document("ambil.txt", f"{kk(1)}\n{kk(2)}\n{kk(6)}\n".encode())
        reply = await staff.wait_message()
        assert (
            t("{collected} of {total} households have collected.").format(collected=2, total=3)
            in reply.text
        )
        wanted = {ids["cibening"], ids["cijengkol"]}

        async def collected() -> set[int]:
            async with app.sessionmaker() as session:
                rows = await session.scalars(
                    select(DisbursementRecipient.household_id).where(
                        DisbursementRecipient.collected_at.is_not(None)
                    )
                )
                found = set(rows)
            return found if found == wanted else set()

        assert await eventually(collected) == wanted
        async with app.sessionmaker() as session:
            details = list(
                await session.scalars(
                    select(AuditLog.detail).where(AuditLog.action == "disbursement.collected")
                )
            )
            assert {
                "via": "file",
                "marked": 1,
                "already": 1,
                "not_recipient": 1,
                "unknown": 0,
            } in details
            assert not any(kk(1) in str(d) for d in details)
        # A menu button ends the marking instead of being read as a KK number, and does what
        # it says (handlers.form_parking).
        await staff.send(t("📊 Statistics"))
        stats = await staff.wait_message()
        assert stats.text.startswith("📊 Kabupaten Bekasi")
        await staff.wait_message()  # its chart
        progress = await staff.wait_message()  # the payouts of these days
        assert progress.text.startswith(t("Payouts of these days:"))
        state = app.dp.fsm.get_context(app.bot, chat_id=staff.id, user_id=staff.id)
        assert await state.get_state() is None

        # Cancel: confirmation, then a notice queued once.
        await staff.send("/daftarjadwal")
        listing = await staff.wait_message()
        await staff.click(listing, listing.buttons[0])
        await staff.wait_for(lambda: t("✖️ Cancel schedule") in listing.buttons)
        await staff.click(listing, t("✖️ Cancel schedule"))
        await staff.wait_for(lambda: t("Yes, cancel it") in listing.buttons)
        assert listing.buttons[1] == tp("schedule cancel", "No, keep it")
        assert listing.buttons[1] == "Tidak, jangan dibatalkan"  # not "tetap ikut"
        await staff.click(listing, t("Yes, cancel it"))
        await staff.wait_for(lambda: not listing.buttons)
        assert listing.text == t(
            "Schedule #{id} is cancelled. The {count} households will be told."
        ).format(id=1, count=3)
        notices = await _broadcasts(app, 3)
        assert len(notices) == 3
        cancelled = notices[2]
        assert cancelled.audience == {"type": "disbursement", "id": 1}
        assert cancelled.dedup_key == "notice:disbursement:1:cancelled"
        assert "Kantor Kecamatan Setu" in cancelled.text
        async with app.sessionmaker() as session:
            assert (await session.get(Disbursement, 1)).status == "cancelled"
            actions = list(
                await session.scalars(
                    select(AuditLog.action).where(AuditLog.actor_account_id == account.id)
                )
            )
            count = await session.scalar(
                select(func.count(Broadcast.id)).where(Broadcast.kind == "notice")
            )
        assert count == 3  # made, changed, cancelled: each told once
        for action in ("disbursement.created", "disbursement.changed", "disbursement.cancelled"):
            assert action in actions
