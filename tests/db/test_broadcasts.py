"""Broadcasts on SQLite and PostgreSQL: who an audience is, the queue is made once, the sender
delivers each message once against the fake Bot API (403, 429, errors), and reminders are
queued once even when two instances look at the same moment."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, update

from bot.i18n import create_i18n
from bot.workers import broadcast_sender, reminders
from bot.workers.broadcast_sender import RateLimiter, Sender
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from db.models.cases import Case
from db.models.system import WorkerLease
from domain.dates import WIB
from services import broadcasts, tasks
from tests import broadcast_seed as seed
from tests.fake_telegram import FakeTelegram


@pytest.fixture
async def db(database_url: str) -> AsyncIterator:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_sessionmaker(engine, 0)
    await engine.dispose()


async def _world(sessionmaker) -> dict:
    """Setu: three households with residents (one blocked, one declined), one never linked;
    Tambun: one household in PKH; a disbursement, a training, two volunteers."""
    async with sessionmaker() as s, s.begin():
        h1 = await seed.household(s, seed.SETU_DESA, ("BLT",))
        h2 = await seed.household(s, seed.SETU_DESA_2, ("BLT",))
        h3 = await seed.household(s, seed.SETU_DESA)
        unlinked = await seed.household(s, seed.SETU_DESA, ("BLT",))
        h4 = await seed.household(s, seed.TAMBUN_DESA, ("PKH",))
        a1 = await seed.resident(s, 9001, h1)
        a1b = await seed.resident(s, 9002, h1, reminders=False)
        await seed.resident(s, 9003, h2, blocked=True)
        await seed.resident(s, 9004, h3, consent="declined")
        a4 = await seed.resident(s, 9005, h4)
        await seed.resident(s, 9100, None, role="psm", area=seed.SETU_DESA)
        await seed.resident(s, 9101, None, role="tksk", area=seed.TAMBUN)
        m4 = await seed.member(s, h4)
        m1 = await seed.member(s, h1)
        when = dt.datetime(2030, 1, 10, 2, 0, tzinfo=dt.UTC)
        payout = await seed.disbursement(s, when, [h1, h2, unlinked])
        course = await seed.training(s, when, [(m4, a4), (m1, None)])
        return {"payout": payout.id, "course": course.id, "a1": a1.id, "a1b": a1b.id,
                "a4": a4.id}


async def _ids(sessionmaker, audience, kind="manual") -> set[int]:
    async with sessionmaker() as s:
        rows = await s.execute(broadcasts.recipients(audience, kind))
        accounts = {row[0] for row in rows}
        telegram = await s.scalars(select(Account.telegram_id).where(Account.id.in_(accounts)))
        return set(telegram)


async def test_audiences_resolve_to_reachable_linked_accounts(db) -> None:
    w = await _world(db)
    assert await _ids(db, {"type": "residents"}) == {9001, 9002, 9005}
    assert await _ids(db, {"type": "kecamatan", "codes": [seed.SETU]}) == {9001, 9002}
    assert await _ids(db, {"type": "desa", "codes": [seed.TAMBUN_DESA]}) == {9005}
    assert await _ids(db, {"type": "program", "code": "BLT"}) == {9001, 9002}
    assert await _ids(db, {"type": "disbursement", "id": w["payout"]}) == {9001, 9002}
    # Reminders skip those who switched them off.
    assert await _ids(db, {"type": "disbursement", "id": w["payout"]}, "reminder") == {9001}
    # Enrolled with an account, or through the member's household.
    assert await _ids(db, {"type": "training", "id": w["course"]}) == {9005, 9001, 9002}
    assert await _ids(db, {"type": "volunteers", "area": None}) == {9100, 9101}
    assert await _ids(db, {"type": "volunteers", "area": seed.SETU}) == {9100}
    async with db() as s:
        assert await broadcasts.count_recipients(s, {"type": "residents"}) == 3
    with pytest.raises(broadcasts.AudienceError):
        broadcasts.recipients({"type": "kecamatan", "codes": []})


async def test_a_payout_audience_can_leave_out_families_that_collected(db) -> None:
    w = await _world(db)
    waiting = {"type": "disbursement", "id": w["payout"], "waiting": True}
    assert await _ids(db, waiting) == {9001, 9002}
    async with db() as s, s.begin():
        on_payout = DisbursementRecipient.disbursement_id == w["payout"]
        for row in await s.scalars(select(DisbursementRecipient).where(on_payout)):
            row.collected_at = dt.datetime(2030, 1, 10, 3, 0, tzinfo=dt.UTC)
    assert await _ids(db, waiting) == set()  # everyone collected: nobody to remind
    assert await _ids(db, {"type": "disbursement", "id": w["payout"]}) == {9001, 9002}


async def test_materialise_once_and_unreachable_households_become_tasks(db) -> None:
    w = await _world(db)
    async with db() as s, s.begin():
        b = await broadcasts.queue(
            s, text="Info", audience={"type": "disbursement", "id": w["payout"]}, created_by=None
        )
        assert await broadcasts.materialise(s, b) == 2
        assert await broadcasts.materialise(s, b) == 0  # already started: nothing added
        bid = b.id
    async with db() as s, s.begin():
        rows = list(await s.scalars(select(Delivery).where(Delivery.broadcast_id == bid)))
        assert len(rows) == 2
        for row in rows:  # 9001 got it; 9002 failed
            row.status = "sent" if row.account_id == w["a1"] else "failed"
        b = await s.get(Broadcast, bid)
        b.status = "done"
        # h1 reached; h2 (blocked) and the never-linked household become tasks, once.
        assert await broadcasts.open_unreachable_tasks(s, b) == 2
        await broadcasts.open_unreachable_tasks(s, b)
    async with db() as s, s.begin():
        tasks = await s.scalar(select(func.count()).select_from(Case))
        assert tasks == 2
        assert await broadcasts.resend_failed(s, bid) == 1
        assert (await s.get(Broadcast, bid)).status == "sending"
        assert (await broadcasts.counts(s, bid))["pending"] == 1


async def test_an_unreachable_household_has_one_task_listing_every_message(db) -> None:
    """Two notices to a family the bot cannot reach: one visit, with both messages to pass on."""
    w = await _world(db)
    ids = []
    async with db() as s, s.begin():
        for text in ("Jadwal BLT: Senin, Balai Desa", "Pelatihan menjahit: Selasa"):
            b = await broadcasts.queue(
                s, text=text, audience={"type": "disbursement", "id": w["payout"]},
                created_by=None,
            )  # fmt: skip
            await broadcasts.materialise(s, b)
            b.status = "done"
            ids.append(b.id)
    async with db() as s, s.begin():
        for bid in ids:
            for row in await s.scalars(select(Delivery).where(Delivery.broadcast_id == bid)):
                row.status = "sent" if row.account_id == w["a1"] else "failed"
            b = await s.get(Broadcast, bid)
            await broadcasts.open_unreachable_tasks(s, b)
            await broadcasts.open_unreachable_tasks(s, b)  # again: nothing added
    async with db() as s:
        found = list(await s.scalars(select(Case).order_by(Case.id)))
        texts = await tasks.details(s, [c.id for c in found])
    assert len(found) == 2  # two households, one open case each
    for case in found:
        assert case.kind == "tidak_terjangkau" and case.state == "open"
        assert texts[case.id] == [
            f"#{ids[0]}: Jadwal BLT: Senin, Balai Desa", f"#{ids[1]}: Pelatihan menjahit: Selasa"
        ]


async def _run_sender_until_done(
    db, tg: FakeTelegram, rate: float = 200
) -> Sender:
    bot = tg.make_bot()
    sender = Sender(broadcast_sender.sender_bot(bot), db, create_i18n(), rate)
    task = asyncio.create_task(sender.run())

    async def finished() -> bool:
        async with db() as s:
            left = await s.scalar(
                select(func.count()).where(Broadcast.status.in_(broadcasts.ACTIVE))
            )
            return left == 0

    try:
        for _ in range(400):
            if await finished():
                break
            await asyncio.sleep(0.05)
        assert await finished(), "the sender did not finish"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sender.bot.session.close()
        await bot.session.close()
    return sender


async def test_sender_delivers_once_through_403_429_and_errors(db, monkeypatch) -> None:
    monkeypatch.setattr(broadcast_sender, "BACKOFF", 0.05)
    async with db() as s, s.begin():
        homes = [await seed.household(s, seed.SETU_DESA) for _ in range(30)]
        for i, home in enumerate(homes):
            await seed.resident(s, 7000 + i, home)
        b = await broadcasts.queue(
            s, text="Pengumuman & info", audience={"type": "kecamatan", "codes": [seed.SETU]},
            created_by=None,
        )
        bid = b.id
    async with FakeTelegram() as tg:
        tg.block(7003)
        tg.block(7004)
        tg.fail_next("sendMessage", 1, retry_after=1)  # flood control on the first message
        tg.fail_next("sendMessage", 2, error_code=500, description="Internal Server Error")
        await _run_sender_until_done(db, tg)
        for i in range(30):
            got = [m for m in tg.chat_messages(7000 + i) if m.text == "Pengumuman & info"]
            assert len(got) == (0 if i in (3, 4) else 1), (i, got)
        assert tg.too_many_requests == 1
    async with db() as s:
        counts = await broadcasts.counts(s, bid)
        assert counts["sent"] == 28 and counts["blocked"] == 2 and counts["failed"] == 0
        blocked = await s.scalars(select(Account.telegram_id).where(Account.bot_blocked))
        assert set(blocked) == {7003, 7004}
        assert (await s.get(Broadcast, bid)).status == "done"
        # The two households that blocked the bot are now visit tasks.
        assert await s.scalar(select(func.count()).select_from(Case)) == 2
        # Blocked accounts are left out of the next audience.
        audience = {"type": "kecamatan", "codes": [seed.SETU]}
        assert await broadcasts.count_recipients(s, audience) == 28


async def test_stale_sending_rows_are_uncertain_never_resent(db) -> None:
    """What a killed sender leaves in flight is marked unknown by the next one, not resent."""
    async with db() as s, s.begin():
        for i in range(3):
            await seed.resident(s, 7100 + i, await seed.household(s, seed.SETU_DESA))
        b = await broadcasts.queue(s, text="Halo", audience={"type": "residents"},
                                   created_by=None)
        await broadcasts.materialise(s, b)
        await s.flush()
        first = await s.scalar(select(Delivery).where(Delivery.broadcast_id == b.id).limit(1))
        first.status = "sending"  # a sender died after claiming it
        bid, stale_chat = b.id, first.chat_id
    async with FakeTelegram() as tg:
        await _run_sender_until_done(db, tg)
        assert tg.chat_messages(stale_chat) == []
        assert sum(len(tg.chat_messages(7100 + i)) for i in range(3)) == 2
    async with db() as s:
        counts = await broadcasts.counts(s, bid)
        assert counts["unknown"] == 1 and counts["sent"] == 2


async def test_a_second_sender_stands_by_while_the_first_holds_the_lease(db) -> None:
    async with FakeTelegram() as tg:
        bot = tg.make_bot()
        one = Sender(bot, db, create_i18n(), 25, holder="one")
        two = Sender(bot, db, create_i18n(), 25, holder="two")
        assert await one.hold_lease()
        assert not await two.hold_lease()
        await one.release()
        assert await two.hold_lease()
        # "two" claims a row and dies; "one" (which still believes it led once) takes over
        # after the lease expired and must treat that row as uncertain.
        async with db() as s, s.begin():
            home = await seed.household(s, seed.SETU_DESA)
            await seed.resident(s, 7400, home)
            b = await broadcasts.queue(s, text="x", audience={"type": "residents"},
                                       created_by=None)
            await broadcasts.materialise(s, b)
            await s.execute(update(Delivery).values(status="sending"))
            await s.execute(update(WorkerLease).values(expires_at=utcnow() - dt.timedelta(1)))
        one.leader = True
        assert await one.hold_lease()
        async with db() as s:
            assert (await broadcasts.counts(s, b.id))["unknown"] == 1
        await bot.session.close()


async def test_rate_limiter_spaces_sends_and_pauses() -> None:
    limiter = RateLimiter(100)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(20):
        await limiter.acquire()
    assert loop.time() - start >= 0.18  # 20 slots at 100/s, the first one at once
    limiter.pause(0.2)
    before = loop.time()
    await limiter.acquire()
    assert loop.time() - before >= 0.19


def _wib(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 1, day, hour, minute, tzinfo=WIB).astimezone(dt.UTC)


async def test_reminders_queued_once_at_the_hour_the_day_before(db) -> None:
    async with db() as s, s.begin():
        h1 = await seed.household(s, seed.SETU_DESA)
        h2 = await seed.household(s, seed.SETU_DESA)
        a1 = await seed.resident(s, 7201, h1)
        await seed.resident(s, 7202, h2, reminders=False)
        payout = await seed.disbursement(s, _wib(10, 9), [h1, h2])
        person = await seed.member(s, h1)
        course = await seed.training(s, _wib(10, 13), [(person, a1)])
        later = await seed.disbursement(s, _wib(12, 9), [h1])
        payout_id, course_id, later_id = payout.id, course.id, later.id
    i18n = create_i18n()
    assert await reminders.queue_due_reminders(db, i18n, 16, now=_wib(9, 15, 59)) == []
    # Two instances look at 16:00 at the same moment: each reminder is queued once.
    found = await asyncio.gather(
        reminders.queue_due_reminders(db, i18n, 16, now=_wib(9, 16)),
        reminders.queue_due_reminders(db, i18n, 16, now=_wib(9, 16)),
    )
    keys = sorted(found[0] + found[1])
    assert keys == [
        reminders.dedup_key("disbursement", payout_id, _wib(10, 9)),
        reminders.dedup_key("training", course_id, _wib(10, 13)),
    ]
    assert await reminders.queue_due_reminders(db, i18n, 16, now=_wib(9, 17)) == []
    async with db() as s:
        rows = list(await s.scalars(select(Broadcast).order_by(Broadcast.id)))
        assert [b.kind for b in rows] == ["reminder", "reminder"]
        assert "Balai Desa" in rows[0].text and "KTP dan KK" in rows[0].text
        assert all(b.dedup_key.split(":")[2] != str(later_id) for b in rows)
    async with FakeTelegram() as tg:
        await _run_sender_until_done(db, tg)
        texts = [m.text for m in tg.chat_messages(7201)]
        assert len(texts) == 2  # the payout and the training, once each
        assert tg.chat_messages(7202) == []  # switched reminders off
    async with db() as s:
        # Reached, or switched reminders off (their choice): no visit task for either.
        assert await s.scalar(select(func.count()).select_from(Case)) == 0

    # Staff move the payout a day later: its recipients are reminded again before the new date.
    async with db() as s, s.begin():
        (await s.get(Disbursement, payout_id)).scheduled_at = _wib(11, 9)
    assert await reminders.queue_due_reminders(db, i18n, 16, now=_wib(10, 16)) == [
        reminders.dedup_key("disbursement", payout_id, _wib(11, 9))
    ]


async def test_two_instances_send_each_message_once(db) -> None:
    """Two bot processes run the sender side by side: one sends, the other stands by."""
    async with db() as s, s.begin():
        for i in range(40):
            await seed.resident(s, 7300 + i, await seed.household(s, seed.SETU_DESA))
        await broadcasts.queue(s, text="Dua", audience={"type": "residents"}, created_by=None)
    async with FakeTelegram() as tg:
        bots = [tg.make_bot(), tg.make_bot()]
        senders = [Sender(bot, db, create_i18n(), 200, holder=f"p{n}") for n, bot in
                   enumerate(bots)]
        tasks = [asyncio.create_task(sender.run()) for sender in senders]
        try:
            for _ in range(400):
                if sum(len(tg.chat_messages(7300 + i)) for i in range(40)) == 40:
                    break
                await asyncio.sleep(0.05)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for bot in bots:
                await bot.session.close()
        assert [len(tg.chat_messages(7300 + i)) for i in range(40)] == [1] * 40
        assert [s.leader for s in senders].count(True) <= 1
    async with db() as s:
        holders = set(await s.scalars(select(Delivery.claimed_by)))
        assert len(holders) == 1  # one process did all the sending
