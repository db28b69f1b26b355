"""Staff trainings end to end: create through the form, sign-ups and waiting list, attendance,
XLSX export, close sign-ups, change (announced; a raised capacity moves the waiting list up)
and cancel (announced)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from db.models.accounts import Account
from db.models.aid import Enrollment, Training
from db.models.broadcasts import Broadcast
from db.models.households import Member
from db.models.system import AuditLog
from domain.dates import WIB
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, as_role, e2e_settings, eventually, t, tp
from tests.staff_data import CIBENING, SRIJAYA, add_household, nik


async def _reply(user: FakeUser, text: str) -> FakeMessage:
    await user.send(text)
    return await user.wait_message()


async def _create_training(staff: FakeUser, before_confirm=None) -> str:
    start = dt.datetime.now(WIB).date() + dt.timedelta(days=3)
    question = await _reply(staff, "/pelatihanbaru")
    assert t("Name of the training?") in question.text
    await _reply(staff, "Menjahit")
    question = await _reply(staff, "PT Maju Garmen")
    await staff.click(question, t("Skip"))  # no description
    await staff.wait_for(lambda: question.edited)
    await _reply(staff, start.strftime("%d-%m-%Y"))
    question = await _reply(staff, "08.00")
    await staff.click(question, t("Skip"))  # one day
    await staff.wait_for(
        lambda: question.text.startswith(t("End time each day (WIB)?"))
    )
    await _reply(staff, "jam 3 sore")
    await _reply(staff, "BLK Cikarang")
    question = await _reply(staff, "2")
    await staff.click(question, t("Keep: {value}").format(value="15"))
    await staff.wait_for(lambda: t("Oldest age that may join?") in question.text)
    await staff.click(question, t("Keep: {value}").format(value="64"))
    await staff.wait_for(
        lambda: (
            t("Last day to sign up?")
            in question.text
        )
    )
    await staff.click(question, t("Skip"))
    await staff.wait_for(lambda: t("Please check the training:") in question.text)
    assert "15.00 WIB" in question.text
    if before_confirm is not None:  # e.g. the role is taken away with the summary on screen
        await before_confirm()
    await staff.click(question, t("✅ Confirm"))
    saved = await staff.wait_message()
    return saved.text


async def _seed_signups(app: BotApp, training_id: int) -> dict[str, int]:
    """Two signed up (seats full), one waiting, one cancelled; each household has a resident."""
    people = [{"name": "Siti Aminah"}, {"name": "Budi Santoso", "rel": "anak"}]
    first = await add_household(app, 1, CIBENING, members=people)
    second = await add_household(app, 2, SRIJAYA, members=[{"name": "Dewi Lestari"}])
    async with app.sessionmaker() as session, session.begin():
        residents = {}
        for k, household in enumerate((first, second)):
            account = Account(
                telegram_id=7000 + k, role="warga", consent="given", household_id=household
            )
            session.add(account)
            await session.flush()
            residents[household] = account.id
        members = list(await session.scalars(select(Member).order_by(Member.id)))
        extra = Member(
            household_id=second,
            nik_hash="x" * 64,
            nik_encrypted="-",
            nik_masked="3216********0099",
            name="Rina",
            relationship_to_head="anak",
        )
        session.add(extra)
        await session.flush()
        statuses = [
            (members[0], "enrolled"),
            (members[1], "enrolled"),
            (members[2], "waiting"),
            (extra, "cancelled"),
        ]
        ids = {}
        for offset, (member, status) in enumerate(statuses):
            enrollment = Enrollment(
                training_id=training_id,
                member_id=member.id,
                account_id=residents[member.household_id],
                status=status,
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10 - offset),
            )
            session.add(enrollment)
            await session.flush()
            ids[member.name] = enrollment.id
        training = await session.get(Training, training_id)
        training.seats_taken = 2
    return ids


async def test_training_admin_flow(tg: FakeTelegram, tmp_path: Path, database_url: str):
    settings = e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    async with BotApp(tg, settings) as app:
        staff = tg.user(821, "Petugas")
        staff_account = await as_role(app, staff, "petugas")
        saved = await _create_training(staff)
        assert saved == t("Saved: training #{id}. Residents can now sign up in the bot.").format(
            id=1
        )
        training = await eventually(lambda: _training(app, 1))
        assert (training.title, training.provider, training.capacity) == (
            "Menjahit",
            "PT Maju Garmen",
            2,
        )
        assert (training.min_age, training.max_age, training.status) == (15, 64, "open")
        assert training.starts_at.astimezone(WIB).hour == 8
        assert training.ends_at.astimezone(WIB).hour == 15
        enrollments = await _seed_signups(app, 1)

        listing = await _reply(staff, "/daftarpelatihan")
        await staff.click(listing, next(b for b in listing.buttons if b.startswith("#1 ")))
        await staff.wait_for(lambda: t("👥 Sign-ups") in listing.buttons)
        assert (
            t("Signed up: {enrolled}, attended: {attended}, waiting list: {waiting}.").format(
                enrolled=2, attended=0, waiting=1
            )
            in listing.text
        )

        await staff.click(listing, t("👥 Sign-ups"))
        signups = await staff.wait_message()
        assert "Siti Aminah (3216********0010)" in signups.text
        assert "Budi Santoso" in signups.text and "Dewi" not in signups.text
        assert nik(10) not in signups.text
        await staff.click(listing, t("⏳ Waiting list"))
        waiting = await staff.wait_message()
        assert "Dewi Lestari" in waiting.text and "Siti" not in waiting.text

        # Attendance: tap Siti.
        await staff.click(listing, t("✅ Attendance"))
        attendance = await staff.wait_message()
        await staff.click(attendance, "◻️ Siti Aminah")
        await staff.wait_for(lambda: "✅ Siti Aminah" in attendance.buttons)
        assert await eventually(lambda: _status(app, enrollments["Siti Aminah"], "attended"))

        # Export: every sign-up and the waiting list, NIK masked.
        await staff.click(listing, t("📄 Export (Excel)"))
        document = await staff.wait_message()
        assert document.kind == "document"
        book = load_workbook(io.BytesIO(tg.file(document.document["file_id"]).content))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][0] == "Menjahit"
        assert rows[1][1] == t("Name")
        names = [(row[1], row[2], row[6]) for row in rows[2:]]
        assert names == [
            ("Siti Aminah", "3216********0010", t("attended")),
            ("Budi Santoso", "3216********0011", t("signed up")),
            ("Dewi Lestari", "3216********0020", t("waiting list")),
        ]

        # Close sign-ups.
        await staff.click(listing, t("🔒 Close sign-ups"))
        await staff.wait_for(lambda: t("🔒 Close sign-ups") not in listing.buttons)
        assert (await eventually(lambda: _training(app, 1, "closed"))).status == "closed"

        # Change: one more seat moves Dewi up from the waiting list; notice queued.
        await staff.click(listing, t("✏️ Change"))
        summary = await staff.wait_message()
        assert t("Please check the training:") in summary.text
        await staff.click(summary, t("✏️ Change"))
        await staff.wait_for(lambda: summary.text == t("Which answer do you want to change?"))
        await staff.click(summary, t("Seats"))  # the field's short label
        await staff.wait_for(lambda: summary.text.startswith(t("How many seats?")))
        summary = await _reply(staff, "3")
        await staff.click(summary, t("✅ Confirm"))
        done = await staff.wait_message()
        assert done.text.startswith(
            t("Saved. Everyone signed up for training #{id} will be told of the change.").format(
                id=1
            )
        )
        assert t("{count} people moved up from the waiting list.").format(count=1) in done.text
        assert await eventually(lambda: _status(app, enrollments["Dewi Lestari"], "enrolled"))
        dewi = tg.user(7001)
        told = await dewi.wait_message()
        assert "Menjahit" in told.text
        notices = await eventually(lambda: _notices(app, 1))
        assert notices[0].audience == {"type": "training", "id": 1}
        assert notices[0].kind == "notice" and notices[0].status == "queued"
        assert t("📢 A training you signed up for has changed. Now:") in notices[0].text

        # Cancel: confirmation, then a notice.
        listing = await _reply(staff, "/daftarpelatihan")
        await staff.click(listing, next(b for b in listing.buttons if b.startswith("#1 ")))
        await staff.wait_for(lambda: t("✖️ Cancel training") in listing.buttons)
        await staff.click(listing, t("✖️ Cancel training"))
        await staff.wait_for(lambda: t("Yes, cancel it") in listing.buttons)
        assert listing.buttons[1] == tp("training cancel", "No, keep it")
        assert listing.buttons[1] == "Tidak, jangan dibatalkan"  # not "tetap ikut"
        await staff.click(listing, t("Yes, cancel it"))
        await staff.wait_for(lambda: not listing.buttons)
        notices = await eventually(lambda: _notices(app, 2))
        assert notices[1].audience == {"type": "training", "id": 1}
        assert notices[1].dedup_key == "notice:training:1:cancelled"
        async with app.sessionmaker() as session:
            training = await session.get(Training, 1)
            assert (training.status, training.seats_taken, training.capacity) == (
                "cancelled",
                3,
                3,
            )
            actions = list(
                await session.scalars(
                    select(AuditLog.action).where(AuditLog.actor_account_id == staff_account.id)
                )
            )
        for action in (
            "training.created",
            "training.signups_viewed",
            "training.attendance",
            "training.exported",
            "training.closed",
            "training.changed",
            "training.cancelled",
        ):
            assert action in actions


async def _training(app: BotApp, training_id: int, status: str | None = None) -> Training | None:
    async with app.sessionmaker() as session:
        training = await session.get(Training, training_id)
        if training is None or (status and training.status != status):
            return None
        return training


async def _status(app: BotApp, enrollment_id: int, status: str) -> bool:
    async with app.sessionmaker() as session:
        enrollment = await session.get(Enrollment, enrollment_id)
        return enrollment is not None and enrollment.status == status


async def _notices(app: BotApp, count: int) -> list[Broadcast]:
    async with app.sessionmaker() as session:
        rows = list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))
    return rows if len(rows) >= count else []
