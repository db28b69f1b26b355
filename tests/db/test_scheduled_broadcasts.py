"""Broadcasts sent later and a training's ages, on SQLite and PostgreSQL: a scheduled broadcast
is not started before its time and is started once after it (a stale second look, two sender
processes on a fake clock), staff can cancel or pause it before, "not collected yet" is counted
when it goes out, and an audience with `ages` reaches households with someone of those ages."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.i18n import create_i18n
from bot.workers.broadcast_sender import Sender
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.aid import DisbursementRecipient
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from services import audiences, broadcasts
from tests import broadcast_seed as seed
from tests.fake_telegram import FakeTelegram


@pytest.fixture
async def db(database_url: str) -> AsyncIterator:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_sessionmaker(engine, 0)
    await engine.dispose()


async def _residents(db, first: int, count: int) -> None:
    async with db() as s, s.begin():
        for i in range(count):
            await seed.resident(s, first + i, await seed.household(s, seed.SETU_DESA))


async def _schedule(db, text: str, at: dt.datetime, audience=None) -> int:
    async with db() as s, s.begin():
        b = await broadcasts.queue(
            s, text=text, audience=audience or {"type": "residents"}, created_by=None, send_at=at
        )
        return b.id


async def _deliveries(db, bid: int) -> int:
    async with db() as s:
        return int(await s.scalar(select(func.count()).where(Delivery.broadcast_id == bid)) or 0)


async def test_not_started_before_its_time_and_started_once_after(db) -> None:
    await _residents(db, 7500, 3)
    at = utcnow() + dt.timedelta(hours=2)
    bid = await _schedule(db, "Nanti", at)
    async with db() as s, s.begin():
        b = await s.get(Broadcast, bid)
        assert await broadcasts.materialise(s, b, at - dt.timedelta(seconds=1)) == 0
        assert b.status == "queued" and b.started_at is None
        assert [x.id for x in await broadcasts.scheduled(s, at - dt.timedelta(minutes=1))] == [bid]
    assert await _deliveries(db, bid) == 0
    # Two looks at the same moment, each with the broadcast read as queued: one starts it.
    async with db() as first, db() as second:
        one, two = await first.get(Broadcast, bid), await second.get(Broadcast, bid)
        assert one.status == two.status == "queued"
        assert await broadcasts.materialise(first, one, at) == 3
        await first.commit()
        assert await broadcasts.materialise(second, two, at) == 0  # found it started
        await second.commit()
    assert await _deliveries(db, bid) == 3
    async with db() as s:
        assert await broadcasts.scheduled(s, at - dt.timedelta(minutes=1)) == []


async def test_cancelled_or_paused_before_its_time(db) -> None:
    await _residents(db, 7520, 2)
    at = utcnow() + dt.timedelta(hours=1)
    cancelled, paused = await _schedule(db, "Batal", at), await _schedule(db, "Jeda", at)
    async with db() as s, s.begin():
        assert (await broadcasts.set_status(s, cancelled, "cancel")).status == "cancelled"
        assert await broadcasts.set_status(s, cancelled, "cancel") is None  # once
        assert (await broadcasts.set_status(s, paused, "pause")).status == "paused"
    async with db() as s, s.begin():
        for bid in (cancelled, paused):
            b = await s.get(Broadcast, bid)
            assert await broadcasts.materialise(s, b, at + dt.timedelta(minutes=1)) == 0
    async with db() as s, s.begin():
        # Resumed before it started: queued again, still waiting for its time.
        resumed = await broadcasts.set_status(s, paused, "resume")
        assert resumed.status == "queued" and resumed.send_at == at
        assert await broadcasts.materialise(s, resumed, at - dt.timedelta(seconds=1)) == 0
        assert await broadcasts.materialise(s, resumed, at) == 2
    assert await _deliveries(db, cancelled) == 0


async def test_not_collected_yet_is_counted_when_it_goes_out(db) -> None:
    async with db() as s, s.begin():
        homes = [await seed.household(s, seed.SETU_DESA) for _ in range(2)]
        await seed.resident(s, 7531, homes[0])
        await seed.resident(s, 7532, homes[1])
        payout = await seed.disbursement(s, utcnow() + dt.timedelta(days=1), homes)
        payout_id, collected = payout.id, homes[0].id
    at = utcnow() + dt.timedelta(hours=3)
    bid = await _schedule(db, "Belum ambil?", at, {"type": "disbursement", "id": payout_id,
                                                   "waiting": True})  # fmt: skip
    async with db() as s, s.begin():  # one family collects before the reminder goes out
        row = await s.scalar(
            select(DisbursementRecipient).where(DisbursementRecipient.household_id == collected)
        )
        row.collected_at = utcnow()
    async with db() as s, s.begin():
        assert await broadcasts.materialise(s, await s.get(Broadcast, bid), at) == 1
        chat = await s.scalar(select(Delivery.chat_id).where(Delivery.broadcast_id == bid))
    assert chat == 7532


async def test_two_senders_send_a_scheduled_broadcast_once_at_its_time(db) -> None:
    await _residents(db, 7600, 12)
    at = utcnow() + dt.timedelta(days=1)
    bid = await _schedule(db, "Besok pagi", at)
    clock = {"now": at - dt.timedelta(minutes=5)}
    async with FakeTelegram() as tg:
        bots = [tg.make_bot(), tg.make_bot()]
        senders = [
            Sender(bot, db, create_i18n(), 200, holder=f"p{k}", clock=lambda: clock["now"])
            for k, bot in enumerate(bots)
        ]
        tasks = [asyncio.create_task(sender.run()) for sender in senders]

        def received() -> int:
            return sum(len(tg.chat_messages(7600 + i)) for i in range(12))

        try:
            await asyncio.sleep(2.5)  # a few rounds of both: its time has not come
            assert received() == 0
            assert await _deliveries(db, bid) == 0
            clock["now"] = at + dt.timedelta(seconds=1)
            for _ in range(200):
                if received() == 12:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.2)  # more rounds: nothing is sent again
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for bot in bots:
                await bot.session.close()
        assert [len(tg.chat_messages(7600 + i)) for i in range(12)] == [1] * 12
    async with db() as s:
        assert len(set(await s.scalars(select(Delivery.claimed_by)))) == 1
        b = await s.get(Broadcast, bid)
        assert b.status == "done" and b.started_at >= at


async def test_an_audience_of_a_trainings_ages(db) -> None:
    day = dt.date(2030, 3, 1)
    people = {7701: dt.date(2000, 3, 1), 7702: dt.date(1960, 1, 1), 7703: None,
              7704: dt.date(2015, 3, 2), 7705: dt.date(1965, 3, 2)}  # fmt: skip
    async with db() as s, s.begin():
        for telegram_id, born in people.items():
            home = await seed.household(s, seed.SETU_DESA if telegram_id != 7705 else
                                        seed.TAMBUN_DESA)  # fmt: skip
            member = await seed.member(s, home)
            member.birth_date = born
            await seed.resident(s, telegram_id, home)
    ages = audiences.ages(15, 64, day)

    async def reached(audience) -> set[int]:
        async with db() as s:
            ids = [row[0] for row in await s.execute(broadcasts.recipients(audience))]
            return set(await s.scalars(select(Account.telegram_id).where(Account.id.in_(ids))))

    # 30, unknown (not refused at sign-up), 64 the day before turning 65; not 70, not 14.
    assert await reached({"type": "residents", "ages": ages}) == {7701, 7703, 7705}
    assert await reached({"type": "kecamatan", "codes": [seed.SETU], "ages": ages}) == {
        7701, 7703,
    }  # fmt: skip
    assert await reached({"type": "residents"}) == set(people)
    with pytest.raises(audiences.AudienceError):
        broadcasts.recipients({"type": "residents", "ages": {"min": 15}})
