"""Role-gated forms check the role again when they are submitted: staff demoted while filling
/jadwalbaru or /pelatihanbaru, or composing a broadcast, save nothing; /usul asks a volunteer
who never agreed to the privacy notice to agree first."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from conversations import get_form
from conversations.field_visit import VISIT, VISIT_PROPOSAL
from conversations.schedule_form import FORM_NAME as SCHEDULE_FORM
from conversations.training_form import FORM_NAME as TRAINING_FORM
from conversations.usulan import CORRECTION_FORM, RESIDENT_FORM, VOLUNTEER_FORM
from db import accounts
from db.engine import account_cache
from db.models.aid import Disbursement, Training
from db.models.broadcasts import Broadcast
from db.models.system import AuditLog
from domain.roles import STAFF, VOLUNTEERS_AND_STAFF
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import BotApp, account_of, agree, as_role, e2e_settings, t
from tests.staff_data import CIBENING, add_household

from .test_staff_schedules import make_schedule
from .test_staff_trainings import _create_training

STAFF_ONLY = "Sorry, this is only for Dinas Sosial staff."
CONSENT_FIRST = "Please first agree to the privacy notice."


def test_every_role_gated_form_declares_who_may_submit_it() -> None:
    for name in (SCHEDULE_FORM, TRAINING_FORM):
        assert get_form(name).roles == STAFF
    for name in (VOLUNTEER_FORM, VISIT, VISIT_PROPOSAL):
        form = get_form(name)
        assert form.roles == VOLUNTEERS_AND_STAFF and form.consent
    for name in (RESIDENT_FORM, CORRECTION_FORM):  # residents' own forms: anyone
        assert get_form(name).roles is None


async def _demote(app: BotApp, user: FakeUser) -> None:
    """As another staff member (or `python -m bot grant`) would: the role is gone at once."""
    async with app.sessionmaker() as session, session.begin():
        await accounts.grant_role(session, user.id, "warga", None)
    account_cache(app.sessionmaker).drop(user.id)


async def _denied_on_submit(app: BotApp, telegram_id: int, feature: str) -> int:
    account = await account_of(app, telegram_id)
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditLog.detail).where(
                AuditLog.actor_account_id == account.id, AuditLog.action == "access.denied"
            )
        )
        return sum(1 for d in rows if d == {"feature": feature, "attempted": "submit"})


async def test_staff_demoted_mid_form_cannot_submit_a_schedule(
    tg: FakeTelegram, tmp_path: Path, database_url: str
) -> None:
    settings = e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    async with BotApp(tg, settings) as app:
        staff = tg.user(861, "Petugas")
        await as_role(app, staff, "petugas")
        await add_household(app, 1, CIBENING, programs=("BLT",))
        answer = await make_schedule(
            staff, expect_count=1, before_confirm=lambda: _demote(app, staff)
        )
        assert answer == t(STAFF_ONLY)
        assert await _denied_on_submit(app, 861, SCHEDULE_FORM) == 1
        async with app.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Disbursement)) == 0
            assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_staff_demoted_mid_form_cannot_submit_a_training(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(862, "Petugas")
        await as_role(app, staff, "petugas")
        answer = await _create_training(staff, before_confirm=lambda: _demote(app, staff))
        assert answer == t(STAFF_ONLY)
        assert await _denied_on_submit(app, 862, TRAINING_FORM) == 1
        async with app.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Training)) == 0


async def test_staff_demoted_while_composing_cannot_send_a_broadcast(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(863, "Petugas")
        await as_role(app, staff, "petugas")
        await staff.send("/siaran")
        await staff.wait_message()
        await staff.send("Rapat warga besok")
        ask = await staff.wait_message(predicate=lambda m: m.text == t("Who should receive it?"))
        await (await staff.click(ask, t("A kecamatan"))).wait_answered()
        await tg.wait_for(lambda: ask.text == t("Which kecamatan?"))
        await (await staff.click(ask, "Setu")).wait_answered()
        confirm = await staff.wait_message(predicate=lambda m: bool(m.buttons))
        await _demote(app, staff)
        query = await staff.click(confirm, confirm.buttons[0])
        await query.wait_answered()
        assert query.answer_text == t(STAFF_ONLY)
        async with app.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_usul_asks_a_volunteer_to_consent_first(tg: FakeTelegram, tmp_path: Path) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        psm = tg.user(864, "Bu PSM")
        async with app.sessionmaker() as session, session.begin():
            # Given the role (invite or grant) but never agreed to the privacy notice.
            await accounts.grant_role(session, psm.id, "psm", "32.16.18.2005")
        await psm.send("/usul")
        refused = await psm.wait_message()
        assert refused.text == t(CONSENT_FIRST)
        assert t("✅ I agree") in refused.buttons
        await agree(psm)
        await psm.send("/usul")
        asked = await psm.wait_message()
        assert asked.text.startswith(t("Propose a household (usulan)"))
