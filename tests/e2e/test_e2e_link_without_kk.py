"""/daftar for a family on a list without a No. KK (a P3KE household): NIK and date of birth,
with the same limits on failed tries."""

from __future__ import annotations

import datetime as dt

from db.models.households import Household
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, t
from tests.residents import protected_member

from .test_e2e_residents_link import LAMBANGSARI, TAMBUN_SELATAN, account_when, failures

NIK = "3216065505820003"
BORN = dt.date(1982, 5, 15)


async def seed_p3ke_family(app: BotApp) -> int:
    async with app.sessionmaker() as session, session.begin():
        household = Household(desa_code=LAMBANGSARI, kecamatan_code=TAMBUN_SELATAN,
                              source_system="p3ke", source_household_id="P3KE-0001",
                              address="Kp. Rawa")  # fmt: skip
        session.add(household)
        await session.flush()
        session.add(protected_member(app.resources.protector, household.id, NIK,
                                     name="Siti Aminah", relationship_to_head="kepala",
                                     birth_date=BORN))  # fmt: skip
        return household.id


async def test_link_with_nik_and_date_of_birth(app: BotApp, tg: FakeTelegram):
    household_id = await seed_p3ke_family(app)
    user = tg.user(1401, "Siti")
    await agree(user)
    await user.send("/daftar")
    await user.wait_message()
    await user.send(NIK)
    step2 = await user.wait_message()
    await user.click(step2, t("🪪 I have no KK number"))
    await user.wait_message()
    await user.send("16-05-1982")  # a wrong day: not found, counted
    wrong = await user.wait_message()
    assert wrong.text.startswith(t(
        "We could not find this NIK with this date of birth among the families on the list "
        "without a KK number. Please check both, or link with your KK number."
    ))  # fmt: skip
    assert await failures(app, 1401) == 1

    await user.send("/daftar")
    await user.wait_message()
    await user.send(NIK)
    step2 = await user.wait_message()
    await user.click(step2, t("🪪 I have no KK number"))
    await user.wait_message()
    await user.send("15-05-1982")
    found = await user.wait_message()
    assert "Lambangsari" in found.text and "None" not in found.text
    await user.click(found, t("✅ Yes, this is my family"))
    await user.wait_message()
    account = await account_when(app, 1401, lambda a: a.household_id == household_id)
    assert account is not None
