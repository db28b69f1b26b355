"""Staff trainings end to end: create through the form, sign-ups and waiting list, attendance
per day, XLSX export, close sign-ups, change (announced; a raised capacity moves the waiting
list up) and cancel (announced)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from db.models.accounts import Account
from db.models.aid import Enrollment, Training, TrainingAttendance
from db.models.broadcasts import Broadcast
from db.models.households import Member
from db.models.system import AuditLog
from domain.dates import WIB, format_date_long
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, as_role, click_data, e2e_settings, eventually, t, tp
from tests.staff_data import CIBENING, SRIJAYA, add_household, nik


async def _reply(user: FakeUser, text: str) -> FakeMessage:
    await user.send(text)
    return await user.wait_message()


async def _create_training(staff: FakeUser, before_confirm=None) -> str:
    saved, _offer = await create_training(staff, before_confirm)
    return saved.text


async def create_training(
    staff: FakeUser, before_confirm=None, days: int = 3, last_day: dt.date | None = None
) -> tuple[FakeMessage, FakeMessage | None]:
    """Fill /pelatihanbaru; the saved answer and, when saved, the offer to announce it."""
    start = dt.datetime.now(WIB).date() + dt.timedelta(days=days)
    question = await _reply(staff, "/pelatihanbaru")
    assert t("Name of the training?") in question.text
    await _reply(staff, "Menjahit")
    question = await _reply(staff, "PT Maju Garmen")
    await staff.click(question, t("Skip"))  # no description
    await staff.wait_for(lambda: question.edited)
    await _reply(staff, start.strftime("%d-%m-%Y"))
    question = await _reply(staff, "08.00")
    if last_day is None:
        await staff.click(question, t("Skip"))  # one day
        await staff.wait_for(lambda: question.text.startswith(t("End time each day (WIB)?")))
    else:
        await _reply(staff, last_day.strftime("%d-%m-%Y"))
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
    saved_words = t("Saved: training #{id}. Residents can now sign up in the bot.").split("#")[0]
    if not saved.text.startswith(saved_words):  # refused (e.g. the role was taken away)
        return saved, None
    offer = await staff.wait_message(predicate=lambda m: m.text.startswith("📣"))
    return saved, offer


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

        # Attendance (one day): the day, then tap Siti.
        await staff.click(listing, t("✅ Attendance"))
        days = await staff.wait_message()
        day = dt.datetime.now(WIB).date() + dt.timedelta(days=3)
        await staff.click(days, t("{date} · {n} present").format(date=format_date_long(day), n=0))
        await staff.wait_for(lambda: "◻️ Siti Aminah · Cibening" in days.buttons)
        assert t("Present {present} of {total}.").format(present=0, total=2) in days.text
        await staff.click(days, "◻️ Siti Aminah · Cibening")
        await staff.wait_for(lambda: "✅ Siti Aminah · Cibening" in days.buttons)
        assert t("Present {present} of {total}.").format(present=1, total=2) in days.text
        assert await eventually(lambda: _status(app, enrollments["Siti Aminah"], "attended"))

        # Export: every sign-up and the waiting list, NIK masked.
        await staff.click(listing, t("📄 Export (Excel)"))
        document = await staff.wait_message()
        assert document.kind == "document"
        book = load_workbook(io.BytesIO(tg.file(document.document["file_id"]).content))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][0] == "Menjahit"
        assert rows[1][1] == t("Name")
        assert rows[1][8:] == (day.strftime("%d-%m-%Y"), t("Days present"))
        names = [(row[1], row[2], row[6], row[8], row[9]) for row in rows[2:]]
        assert names == [
            ("Siti Aminah", "3216********0010", t("attended"), t("present"), 1),
            ("Budi Santoso", "3216********0011", t("signed up"), None, 0),
            ("Dewi Lestari", "3216********0020", t("waiting list"), None, 0),
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


async def test_attendance_on_two_days_and_the_export(tg: FakeTelegram, tmp_path: Path):
    """A two-day training: the days to choose from, one tap per person (a family without
    Telegram too), "Present n of m" as you go, a double tap changes nothing, and the export
    has a column per day and the days present."""
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(831, "Petugas")
        await as_role(app, staff, "petugas")
        first = dt.datetime.now(WIB).date() + dt.timedelta(days=3)
        second = first + dt.timedelta(days=1)
        saved, _offer = await create_training(staff, last_day=second)
        saved_text = t("Saved: training #{id}. Residents can now sign up in the bot.", id=1)
        assert saved.text == saved_text
        await _seat(app, 1)

        listing = await _reply(staff, "/daftarpelatihan")
        await staff.click(listing, next(b for b in listing.buttons if b.startswith("#1 ")))
        await staff.wait_for(lambda: t("✅ Attendance") in listing.buttons)
        assert t("✅ Attendance") == "✅ Absensi"
        await staff.click(listing, t("✅ Attendance"))
        days = await staff.wait_message()
        day_button = t("{date} · {n} present")
        assert days.buttons == [
            day_button.format(date=format_date_long(first), n=0),
            day_button.format(date=format_date_long(second), n=0),
        ]

        # Day 1: Siti and Rina (no Telegram) came.
        await staff.click(days, day_button.format(date=format_date_long(first), n=0))
        await staff.wait_for(lambda: "◻️ Siti Aminah · Cibening" in days.buttons)
        assert days.buttons[:3] == [
            "◻️ Budi Santoso · Cibening", "◻️ Rina Marlina · Srijaya", "◻️ Siti Aminah · Cibening",
        ]  # by name
        assert t("Present {present} of {total}.").format(present=0, total=3) in days.text
        await staff.click(days, "◻️ Siti Aminah · Cibening")
        await staff.wait_for(lambda: "✅ Siti Aminah · Cibening" in days.buttons)
        budi = days.button("◻️ Budi Santoso · Cibening")["callback_data"]
        await staff.click(days, "◻️ Rina Marlina · Srijaya")
        await staff.wait_for(lambda: "✅ Rina Marlina · Srijaya" in days.buttons)
        assert t("Present {present} of {total}.").format(present=2, total=3) in days.text
        await staff.click(days, "✅ Rina Marlina · Srijaya")  # a mistake, undone
        await staff.wait_for(lambda: "◻️ Rina Marlina · Srijaya" in days.buttons)
        await staff.click(days, "◻️ Rina Marlina · Srijaya")
        await staff.wait_for(lambda: "✅ Rina Marlina · Srijaya" in days.buttons)

        # Day 2: Budi came; tapping his button twice (a double tap) marks him once.
        await staff.click(days, t("📅 Another day"))
        await staff.wait_for(
            lambda: day_button.format(date=format_date_long(first), n=2) in days.buttons
        )
        await staff.click(days, day_button.format(date=format_date_long(second), n=0))
        await staff.wait_for(lambda: t("Present {present} of {total}.").format(
            present=0, total=3) in days.text)  # fmt: skip
        day2_budi = budi.replace(str(_day_number(first)), str(_day_number(second)))
        for _ in range(2):
            await (await click_data(staff, days, day2_budi)).wait_answered()
        await staff.wait_for(lambda: "✅ Budi Santoso · Cibening" in days.buttons)
        assert t("Present {present} of {total}.").format(present=1, total=3) in days.text

        statuses = await eventually(lambda: _statuses(app, 1, 3))
        assert statuses == {"Siti Aminah": "attended", "Budi Santoso": "attended",
                            "Rina Marlina": "attended"}  # fmt: skip
        async with app.sessionmaker() as session:
            marks = await session.scalar(select(func.count()).select_from(TrainingAttendance))
            audited = await session.scalar(
                select(func.count()).where(AuditLog.action == "training.attendance")
            )
        assert marks == 3 and audited == 6

        # The export: a column per day (present / not present / not marked), days present.
        await staff.click(listing, t("📄 Export (Excel)"))
        document = await staff.wait_message(predicate=lambda m: m.kind == "document")
        book = load_workbook(io.BytesIO(tg.file(document.document["file_id"]).content))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[1][8:] == (
            first.strftime("%d-%m-%Y"), second.strftime("%d-%m-%Y"), t("Days present")
        )
        assert {row[1]: row[8:] for row in rows[2:]} == {
            "Siti Aminah": (t("present"), None, 1),
            "Rina Marlina": (t("present"), None, 1),
            "Budi Santoso": (None, t("present"), 1),
        }
        assert t("present") == "hadir"


def _day_number(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


async def _seat(app: BotApp, training_id: int) -> None:
    """Siti and Budi (their family uses the bot) and Rina (hers does not) have a seat."""
    people = [{"name": "Siti Aminah"}, {"name": "Budi Santoso", "rel": "anak"}]
    first = await add_household(app, 1, CIBENING, members=people)
    await add_household(app, 2, SRIJAYA, members=[{"name": "Rina Marlina"}])
    async with app.sessionmaker() as session, session.begin():
        account = Account(telegram_id=7100, role="warga", consent="given", household_id=first)
        session.add(account)
        await session.flush()
        for member in await session.scalars(select(Member).order_by(Member.id)):
            linked = account.id if member.household_id == first else None
            session.add(Enrollment(training_id=training_id, member_id=member.id,
                                   account_id=linked, status="enrolled"))  # fmt: skip
        training = await session.get(Training, training_id)
        training.capacity = training.seats_taken = 3


async def _statuses(app: BotApp, training_id: int, count: int) -> dict[str, str] | None:
    async with app.sessionmaker() as session:
        rows = await session.execute(
            select(Member.name, Enrollment.status)
            .join(Enrollment, Enrollment.member_id == Member.id)
            .where(Enrollment.training_id == training_id)
        )
        found = dict(rows.all())
    done = [status for status in found.values() if status == "attended"]
    return found if len(done) == count else None


async def test_a_long_attendance_list_is_paged(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(832, "Petugas")
        await as_role(app, staff, "petugas")
        start = dt.datetime.now(WIB).replace(hour=8, minute=0, second=0, microsecond=0)
        async with app.sessionmaker() as session, session.begin():
            course = Training(title="Las", provider="BLK", place="BLK Cikarang", capacity=11,
                              seats_taken=11, starts_at=start + dt.timedelta(days=1))  # fmt: skip
            session.add(course)
        people = [{"name": f"Peserta {k:02d}", "rel": "anak"} for k in range(11)]
        await add_household(app, 1, CIBENING, members=people)
        async with app.sessionmaker() as session, session.begin():
            for member in await session.scalars(select(Member)):
                session.add(Enrollment(training_id=1, member_id=member.id, status="enrolled"))
        listing = await _reply(staff, "/daftarpelatihan")
        await staff.click(listing, next(b for b in listing.buttons if b.startswith("#1 ")))
        await staff.wait_for(lambda: t("✅ Attendance") in listing.buttons)
        await staff.click(listing, t("✅ Attendance"))
        days = await staff.wait_message()
        await staff.click(days, days.buttons[0])
        await staff.wait_for(lambda: "◻️ Peserta 00 · Cibening" in days.buttons)
        assert t("Page {page} of {pages}.").format(page=1, pages=2) in days.text
        assert "◻️ Peserta 10 · Cibening" not in days.buttons
        await staff.click(days, t("Next »"))
        await staff.wait_for(lambda: "◻️ Peserta 10 · Cibening" in days.buttons)
        await staff.click(days, "◻️ Peserta 10 · Cibening")  # stays on its page
        await staff.wait_for(lambda: "✅ Peserta 10 · Cibening" in days.buttons)
        assert t("Present {present} of {total}.").format(present=1, total=11) in days.text
        assert t("Page {page} of {pages}.").format(page=2, pages=2) in days.text
