"""`/pelatihan` end to end: open trainings, sign up a chosen member, age limits refused with
the reason, full -> waiting list with its number, my trainings, cancel -> the first waiting
person is promoted and told; and the last seat raced by two residents through the bot."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from domain.dates import format_date_long, to_wib
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, agree, click_data, e2e_settings, eventually, in_id, t, tp
from tests.residents import linked_resident


async def add_training(app: BotApp, capacity: int, title: str = "Menjahit") -> Training:
    start = (utcnow() + dt.timedelta(days=10)).replace(hour=1, minute=0, second=0, microsecond=0)
    async with app.sessionmaker() as session, session.begin():
        training = Training(
            title=title, provider="BLK Kabupaten Bekasi", place="BLK Cikarang Barat",
            starts_at=start, ends_at=start + dt.timedelta(days=4, hours=7), capacity=capacity,
        )  # fmt: skip
        session.add(training)
    return training


async def open_list(user: FakeUser) -> FakeMessage:
    await user.send("/pelatihan")
    return await user.wait_message()


async def choose(user: FakeUser, title: str, name: str) -> FakeMessage:
    listing = await open_list(user)
    query = await user.click(listing, t("✍️ Sign up: {title}", title=title))
    await query.wait_answered()
    who = await user.wait_message()
    assert who.text == t("Who in your household will join “{title}”?", title=title)
    query = await user.click(who, name)
    await query.wait_answered()
    sure = await user.wait_message()  # a sign-up is confirmed first
    query = await user.click(sure, t("✅ Yes, sign up"))
    await query.wait_answered()
    return await user.wait_message()


async def test_training_sign_up_waiting_list_cancel_and_promotion(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        mother, neighbour = tg.user(3301), tg.user(3302)
        await agree(mother)
        await agree(neighbour)
        # Nothing open yet: a clear message, not an empty list.
        await linked_resident(
            app, mother.id,
            [("Sumi", dt.date(1985, 5, 5)), ("Dani", dt.date(2015, 3, 3)),
             ("Kakek Sarmin", dt.date(1950, 1, 1))],
        )  # fmt: skip
        empty = await open_list(mother)
        assert empty.text == t(
            "There is no open training right now. We will announce new trainings here. "
            "Your sign-ups: tap “My trainings”."
        )
        assert empty.buttons == [t("📋 My trainings")]

        training = await add_training(app, capacity=1)
        other = await linked_resident(app, neighbour.id, [("Budi", dt.date(1990, 2, 2))])
        listing = await open_list(mother)
        assert t(
            "🎓 {title}\nBy: {provider}\nWhen: {when}\nWhere: {place}\n{seats}\n"
            "Who may join: aged {min_age}-{max_age} years",
            title="Menjahit", provider="BLK Kabupaten Bekasi",
            # The days and the daily hours (08.00-15.00 each day, in WIB).
            when=t("{first} to {last}, every day {start}-{end} WIB",
                   first=in_id(format_date_long, to_wib(training.starts_at).date()),
                   last=in_id(format_date_long, to_wib(training.ends_at).date()),
                   start="08.00", end="15.00"),
            place="BLK Cikarang Barat",
            seats=t("Seats left: {left} of {capacity}", left=1, capacity=1),
            min_age=15, max_age=64,
        ) in listing.text  # fmt: skip

        too_young = await choose(mother, "Menjahit", "Dani")
        assert too_young.text.startswith("Maaf, Dani belum cukup umur untuk “Menjahit”")
        assert "15 sampai 64 tahun" in too_young.text
        too_old = await choose(mother, "Menjahit", "Kakek Sarmin")
        assert too_old.text.startswith("Maaf, usia Kakek Sarmin melewati batas")
        done = await choose(mother, "Menjahit", "Sumi")
        assert done.text.startswith("Berhasil: Sumi terdaftar di “Menjahit”.")
        again = await choose(mother, "Menjahit", "Sumi")
        assert again.text == t(
            "{name} is already signed up for “{title}”.", name="Sumi", title="Menjahit"
        )

        full = await open_list(neighbour)
        assert t("Full. Waiting list: {count} people", count=0) in full.text
        waiting = await choose(neighbour, "Menjahit", "Budi")
        assert waiting.text.startswith(
            t(
                "“{title}” is full. {name} is on the waiting list, number {position}. We will "
                "tell you here as soon as a seat frees up.",
                title="Menjahit", name="Budi", position=1,
            )
        )  # fmt: skip

        # A hand-made tap to sign up someone of another household is refused.
        forged = await click_data(
            mother, listing, f"trn:join:{training.id}:{other.member_ids[0]}:0"
        )
        await forged.wait_answered()
        assert forged.answer_text == t("This person is not in your household.")

        # My trainings, then cancel: the seat passes to Budi, who is told.
        listing = await open_list(mother)
        query = await mother.click(listing, t("📋 My trainings"))
        await query.wait_answered()
        mine = await mother.wait_message()
        assert "Sumi: “Menjahit”" in mine.text and t("signed up") in mine.text
        query = await mother.click(mine, t("✖️ Cancel: {name}, {title}", name="Sumi",
                                           title="Menjahit"))  # fmt: skip
        await query.wait_answered()
        sure = await mother.wait_message()
        assert sure.text == t("Cancel the sign-up of {name} for “{title}”?", name="Sumi",
                              title="Menjahit")  # fmt: skip
        assert sure.buttons == [t("Yes, cancel"), tp("enrolment", "No, keep it")]
        assert tp("enrolment", "No, keep it") == "Tidak, tetap ikut"
        cancel_data = sure.callback_data[0]
        query = await mother.click(sure, t("Yes, cancel"))
        await query.wait_answered()
        cancelled = await mother.wait_message()
        assert cancelled.text == t(
            "The sign-up of {name} for “{title}” is cancelled.", name="Sumi", title="Menjahit"
        )
        told = await neighbour.wait_message(predicate=lambda m: "Kabar baik" in (m.text or ""))
        assert "Budi sekarang terdaftar di “Menjahit”" in told.text
        # The same tap again (an old keyboard) changes nothing more.
        query = await click_data(mother, sure, cancel_data)
        await query.wait_answered()
        repeat = await mother.wait_message()
        assert repeat.text == t("This sign-up was already cancelled.")

        async with app.sessionmaker() as session:
            stored = await session.get(Training, training.id)
            rows = {e.member_id: e.status for e in await session.scalars(select(Enrollment))}
        assert stored.seats_taken == 1
        assert rows[other.member_ids[0]] == "enrolled"
        assert sorted(rows.values()) == ["cancelled", "enrolled"]

        query = await neighbour.click(await open_list(neighbour), t("📋 My trainings"))
        await query.wait_answered()
        mine = await neighbour.wait_message()
        assert "Budi: “Menjahit”" in mine.text and t("signed up") in mine.text


async def test_last_seat_raced_through_the_bot(tg: FakeTelegram, tmp_path: Path, database_url: str):
    settings = e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    async with BotApp(tg, settings) as app:
        users = [tg.user(3310 + k) for k in range(2)]
        pickers = []
        training = await add_training(app, capacity=1, title="Las")
        for k, user in enumerate(users):
            await agree(user)
            await linked_resident(app, user.id, [(f"Peserta {k}", dt.date(1995, 1, 1))])
            listing = await open_list(user)
            query = await user.click(listing, t("✍️ Sign up: {title}", title="Las"))
            await query.wait_answered()
            pickers.append(await user.wait_message())
        # Both tap at the same moment.
        for k, (user, picker) in enumerate(zip(users, pickers, strict=True)):
            await (await user.click(picker, f"Peserta {k}")).wait_answered()
        sure = [await user.wait_message() for user in users]
        queries = await asyncio.gather(
            *(user.click(ask, t("✅ Yes, sign up")) for user, ask in
              zip(users, sure, strict=True))
        )  # fmt: skip
        await asyncio.gather(*(q.wait_answered() for q in queries))
        replies = [await user.wait_message() for user in users]
        texts = sorted(r.text.split(":")[0].split(" ")[0] for r in replies)
        assert texts == ["Berhasil", "“Las”"]  # one seat, one waiting list place

        async def both_saved() -> tuple[int, list[str]] | None:
            # A reply goes out just before its update commits: wait for both commits.
            async with app.sessionmaker() as session:
                stored = await session.get(Training, training.id)
                statuses = sorted(e.status for e in await session.scalars(select(Enrollment)))
            return (stored.seats_taken, statuses) if len(statuses) == 2 else None

        assert await eventually(both_saved) == (1, ["enrolled", "waiting"])
