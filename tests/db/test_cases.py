"""Cases (services.cases, services.case_clock): one open case per household and kind, who
answers at each level, the answer-time clock claiming once, reopening, the area inbox; and
opting out of broadcasts. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import create_engine, create_sessionmaker
from db.models.accounts import Account
from db.models.broadcasts import Broadcast, Delivery
from db.models.cases import Case, CaseMessage
from db.models.households import Household
from services import broadcasts, case_clock, case_queries, cases, opt_out
from services.case_times import AnswerTimes, add_working_days
from services.cases import Item

DESA, DESA2, KEC = "32.16.05.2001", "32.16.05.2002", "32.16.05"
OTHER_DESA, OTHER_KEC = "32.16.06.2002", "32.16.06"
TIMES = AnswerTimes()
# A Monday, 09.00 WIB
T0 = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
async def session(database_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def _people(session: AsyncSession) -> dict[str, Account]:
    people = {
        "warga": Account(telegram_id=1, consent="given"),
        "warga2": Account(telegram_id=2, consent="given"),
        "psm": Account(telegram_id=10, role="psm", area_code=DESA, consent="given"),
        "psm_b": Account(telegram_id=11, role="psm", area_code=OTHER_DESA, consent="given"),
        "tksk": Account(telegram_id=20, role="tksk", area_code=KEC, consent="given"),
        "staff": Account(telegram_id=30, role="petugas", consent="given"),
    }
    session.add_all(people.values())
    household = Household(desa_code=DESA, kecamatan_code=KEC)
    session.add(household)
    await session.flush()
    people["warga"].household_id = household.id
    people["warga2"].household_id = household.id
    await session.flush()
    return people


async def _raise(session: AsyncSession, account: Account, text: str, now: dt.datetime = T0,
                 desa: str = DESA, kec: str = KEC) -> cases.Raised:
    return await cases.raise_or_add(
        session, account, [Item(text=text)], desa_code=desa, kecamatan_code=kec,
        household_id=account.household_id, now=now, times=TIMES,
    )


async def test_one_open_case_per_household_and_the_thread(session: AsyncSession) -> None:
    people = await _people(session)
    first = await _raise(session, people["warga"], "Bantuan saya belum cair 3216061503200001")
    assert first.created and not first.became_urgent
    case = first.case
    assert (case.state, case.level, case.kind) == ("open", "psm", "aduan")
    assert cases.number(case) == f"A-{case.id}"
    assert case.first_answer_due_at == T0 + dt.timedelta(days=3)
    # A family member writing too adds to the same case; an urgent word makes it urgent.
    again = await _raise(session, people["warga2"], "Kami belum makan dari kemarin")
    assert not again.created and again.case.id == case.id and again.became_urgent
    messages = await case_queries.thread(session, case.id)
    assert [m.text for m in messages] == [
        "Bantuan saya belum cair 3216********0001", "Kami belum makan dari kemarin",
    ]
    # Nobody in the desa: the office answers from the start.
    stranger = Account(telegram_id=3, consent="given")
    session.add(stranger)
    await session.flush()
    elsewhere = await _raise(session, stranger, "halo", desa=DESA2)
    assert elsewhere.created and elsewhere.case.level == "tksk"
    assert elsewhere.case.household_id is None


async def test_take_reply_resident_answer_close_feedback_reopen(session: AsyncSession) -> None:
    people = await _people(session)
    case = (await _raise(session, people["warga"], "Kapan BLT cair?")).case
    assert await cases.answerers(session, case) == [people["psm"]]
    assert cases.take(session, case, people["psm"])
    assert case.state == "taken"
    later = T0 + dt.timedelta(hours=2)
    await cases.reply(session, case, people["psm"], Item(text="Minggu depan, Bu."), later)
    assert (case.state, case.answered_at, case.escalate_at) == ("waiting", later, None)
    await cases.resident_message(
        session, case, people["warga"], Item(file_id="voice-1", file_kind="voice"), later, TIMES
    )
    assert case.state == "taken"
    assert case.next_reminder_at == later + TIMES.reminder_after
    assert not cases.close(session, case, people["psm"], "made_up", None, later)
    assert cases.close(session, case, people["psm"], "answered", "Dijawab", later)
    assert case.state == "closed" and case.open_key is None
    assert not cases.feedback(case, people["warga2"], True)  # not who raised it
    assert cases.feedback(case, people["warga"], False)
    assert case.resident_feedback == "not_helped"
    # A new complaint meanwhile is a new case; the old one cannot be reopened while it is open.
    assert await cases.reopen(session, case, people["warga"], later, TIMES)
    assert (case.state, case.reopened_count, case.answered_at) == ("taken", 1, None)
    cases.close(session, case, people["psm"], "resolved", None, later)
    too_late = later + dt.timedelta(days=cases.REOPEN_DAYS, minutes=1)
    assert not await cases.reopen(session, case, people["warga"], too_late, TIMES)


async def test_inbox_is_the_area_urgent_first_then_oldest(session: AsyncSession) -> None:
    people = await _people(session)
    old = (await _raise(session, people["warga"], "pertanyaan")).case
    stranger = Account(telegram_id=4, consent="given")
    session.add(stranger)
    await session.flush()
    urgent = (await _raise(session, stranger, "rumah kami roboh", T0 + dt.timedelta(hours=1)))
    other = Account(telegram_id=5, consent="given")
    session.add(other)
    await session.flush()
    away = (await _raise(session, other, "halo", desa=OTHER_DESA, kec=OTHER_KEC)).case
    ids = [c.id for c in (await case_queries.inbox(session, people["psm"], 0))[0]]
    assert ids == [urgent.case.id, old.id]
    assert (await case_queries.inbox(session, people["psm_b"], 0)) == ([away], 1)
    assert (await case_queries.inbox(session, people["staff"], 0))[1] == 3
    assert await case_queries.in_area(session, people["psm"], away.id) is None
    assert await case_queries.in_area(session, people["tksk"], old.id) is old
    # Passed up to staff: first in the staff's inbox.
    await cases.pass_up(session, away, people["psm_b"], T0, TIMES)
    assert away.level == "staff"  # no TKSK in that kecamatan
    staff_ids = [c.id for c in (await case_queries.inbox(session, people["staff"], 0))[0]]
    assert staff_ids[0] == away.id


async def test_the_clock_reminds_then_passes_up_once(session: AsyncSession) -> None:
    people = await _people(session)
    case = (await _raise(session, people["warga"], "tolong")).case
    await session.commit()
    assert await case_clock.due_reminders(session, T0 + dt.timedelta(hours=23)) == []
    at = T0 + dt.timedelta(hours=24)
    assert await case_clock.due_reminders(session, at) == [case.id]
    assert await case_clock.claim_reminder(session, case.id, at) is not None
    assert await case_clock.claim_reminder(session, case.id, at) is None  # only once
    at = T0 + dt.timedelta(days=3)
    assert await case_clock.due_escalations(session, at) == [case.id]
    claimed = await case_clock.claim_escalation(session, case.id, at, TIMES)
    assert claimed is not None and claimed[1] == "tksk"
    assert await case_clock.claim_escalation(session, case.id, at, TIMES) is None
    assert case.escalate_at == add_working_days(T0, 5) == T0 + dt.timedelta(days=7)
    await session.commit()
    at = T0 + dt.timedelta(days=7)
    claimed = await case_clock.claim_escalation(session, case.id, at, TIMES)
    assert claimed is not None and claimed[1] == "staff" and case.escalations == 2
    assert case.escalate_at is None
    system = await session.scalars(select(CaseMessage).where(CaseMessage.role == "system"))
    assert len(list(system)) == 2
    # Still open: another message from the household goes to the same case.
    second = (await _raise(session, people["warga2"], "satu lagi", desa=DESA2)).case
    assert second.id == case.id  # same household, still open


async def test_opt_out_drops_queued_messages_and_skips_broadcasts(session: AsyncSession) -> None:
    people = await _people(session)
    broadcast = Broadcast(
        kind="manual", status="sending", text="Info", audience={"type": "residents"}
    )
    session.add(broadcast)
    await session.flush()
    session.add(Delivery(broadcast_id=broadcast.id, account_id=people["warga"].id, chat_id=1))
    await session.flush()
    assert await opt_out.stop(session, people["warga"], T0) == 1
    assert await broadcasts.count_recipients(session, {"type": "residents"}) == 1  # warga2
    assert opt_out.resume(session, people["warga"])
    assert not opt_out.resume(session, people["warga"])
    await session.flush()
    assert await broadcasts.count_recipients(session, {"type": "residents"}) == 2
    assert (await session.scalar(select(Case.id))) is None


def test_urgent_words() -> None:
    assert cases.looks_urgent("Anak saya SAKIT  PARAH tidak ada biaya")
    assert cases.looks_urgent("suami saya kdrt")
    assert not cases.looks_urgent("kapan bansos cair")
    assert not cases.looks_urgent(None)


async def test_two_openings_at_once_make_one_case(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two family members' messages in two sessions at the same moment: the second found no
    open case, but the first committed one before the second inserted; the unique open key
    turns the second into a message of the first case. PostgreSQL only: SQLite has one
    writer, and the engine one connection for it, so two writers cannot interleave there."""
    if database_url.startswith("sqlite"):
        pytest.skip("one writer on SQLite")
    engine = create_engine(database_url)
    try:
        maker = create_sessionmaker(engine)
        async with maker() as session:
            people = await _people(session)
            ids = (people["warga"].id, people["warga2"].id)
            await session.commit()
        first_level = cases.first_level
        first_id: list[int] = []
        raced: list[bool] = []

        async def the_other_one_first(session: AsyncSession, *args: str, **kw: str) -> str:
            if not raced:
                raced.append(True)
                async with maker() as other:
                    one = await other.get(Account, ids[0])
                    assert one is not None
                    first_id.append((await _raise(other, one, "pertama")).case.id)
                    await other.commit()
            return await first_level(session, *args, **kw)

        monkeypatch.setattr(cases, "first_level", the_other_one_first)
        async with maker() as second:
            two = await second.get(Account, ids[1])
            assert two is not None
            raised = await _raise(second, two, "kedua")
            await second.commit()
            assert not raised.created and raised.case.id == first_id[0]
        async with maker() as session:
            assert len(list(await session.scalars(select(Case)))) == 1
            assert [m.text for m in await case_queries.thread(session, first_id[0])] == [
                "pertama", "kedua",
            ]
    finally:
        await engine.dispose()


async def test_withdrawn_consent_empties_the_residents_messages(session: AsyncSession) -> None:
    people = await _people(session)
    case = (await _raise(session, people["warga"], "rahasia keluarga saya")).case
    await cases.reply(session, case, people["psm"], Item(text="Baik Bu"), T0)
    assert await cases.forget_resident(session, people["warga"], T0) == 1
    await session.flush()
    assert (case.state, case.outcome, case.open_key, case.raised_by_account_id) == (
        "closed", cases.CONSENT_WITHDRAWN, None, None,
    )
    texts = [(m.role, m.text) for m in await case_queries.thread(session, case.id)]
    assert texts == [("resident", None), ("volunteer", "Baik Bu")]
