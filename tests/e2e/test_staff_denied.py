"""A resident (and a volunteer) trying every staff command and hand-crafted staff callback of
the schedules, trainings and statistics features: refused politely, audited, nothing done."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models.aid import Disbursement, Training
from db.models.base import utcnow
from db.models.broadcasts import Broadcast
from db.models.households import AidProgram
from db.models.system import AuditLog
from handlers.staff.schedule import ScheduleCb
from handlers.staff.schedule_target import TargetCb
from handlers.staff.training import TrainingCb
from tests.fake_telegram import FakeTelegram
from tests.harness import (
    BotApp,
    account_of,
    agree,
    as_role,
    click_data,
    e2e_settings,
    eventually,
    t,
)

# (/statistik is for volunteers too: each sees their own area, tests/e2e/test_staff_stats.py)
COMMANDS = ["/jadwalbaru", "/daftarjadwal", "/pelatihanbaru", "/daftarpelatihan"]
CALLBACKS = [
    TargetCb(s="type", v="kecamatan").pack(),
    TargetCb(s="kec", v="32.16.18").pack(),
    ScheduleCb(a="view", id=1).pack(),
    ScheduleCb(a="cancel_yes", id=1).pack(),
    ScheduleCb(a="collect", id=1).pack(),
    TrainingCb(a="signups", id=1).pack(),
    TrainingCb(a="export", id=1).pack(),
    TrainingCb(a="cancel_yes", id=1).pack(),
    TrainingCb(a="att", id=1, e=1).pack(),
]
REFUSED = "Sorry, this is only for Dinas Sosial staff."


async def _seed(app: BotApp) -> None:
    async with app.sessionmaker() as session, session.begin():
        program = await session.scalar(select(AidProgram).where(AidProgram.code == "BLT"))
        session.add(
            Disbursement(
                program_id=program.id,
                title="BLT",
                amount=1,
                scheduled_at=utcnow() + dt.timedelta(days=2),
                place="Balai",
            )
        )
        session.add(
            Training(
                title="Menjahit",
                provider="PT",
                starts_at=utcnow() + dt.timedelta(days=2),
                place="BLK",
                capacity=5,
            )
        )


@pytest.mark.parametrize("role", ["warga", "psm"])
async def test_staff_commands_and_callbacks_refused(tg: FakeTelegram, tmp_path: Path, role: str):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        await _seed(app)
        user = tg.user(831, "Warga")
        if role == "warga":
            await agree(user)
        else:
            await as_role(app, user, "psm", "32.16.18.2005")
        account = await account_of(app, user.id)
        for command in COMMANDS:
            await user.send(command)
            answer = await user.wait_message()
            assert answer.text == t(REFUSED), command
        anchor = user.messages[-1]
        for data in CALLBACKS:
            query = await click_data(user, anchor, data)
            await query.wait_answered()
            assert query.answer_text == t(REFUSED) and query.show_alert, data

        async def denied() -> list[dict]:
            async with app.sessionmaker() as session:
                rows = await session.scalars(
                    select(AuditLog.detail).where(
                        AuditLog.actor_account_id == account.id,
                        AuditLog.action == "access.denied",
                    )
                )
                found = list(rows)
            return found if len(found) == len(COMMANDS) + len(CALLBACKS) else []

        details = await eventually(denied)
        assert [d["attempted"] for d in details] == COMMANDS + CALLBACKS
        async with app.sessionmaker() as session:
            assert (await session.get(Disbursement, 1)).status == "scheduled"
            assert (await session.get(Training, 1)).status == "open"
            assert await session.scalar(select(func.count(Broadcast.id))) == 0
        # Staff menu buttons are not offered, and typing a label is just not understood.
        labels = [button["text"] for row in anchor.keyboard for button in row]
        staff_labels = [t(x) for x in ("📊 Statistics", "🗓 New schedule", "🎓 Manage trainings")]
        assert labels and not set(labels) & set(staff_labels)
        await user.send(t("📊 Statistics"))
        answer = await user.wait_message()
        not_understood = (
            # A resident is offered to pass it to an officer (handlers.residents.complaint).
            "Sorry, I did not understand that. An officer can read your message and answer you "
            "here."
            if role == "warga"
            else "Sorry, I did not understand that. Please choose a button below, or send /bantuan."
        )
        assert answer.text == t(not_understood)
