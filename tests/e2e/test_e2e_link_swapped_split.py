"""/daftar when the numbers are swapped (the NIK typed as the KK and the KK as the NIK) and
when the NIK is on the list under another KK (the family split: pecah KK)."""

from __future__ import annotations

from conversations.usulan import SPLIT_KEY
from db.models.cases import Case
from services import proposals
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, t
from tests.volunteers_support import case_with_text

from .test_e2e_residents_link import (
    FOUND,
    KK,
    KK_UNLISTED,
    NIK_HEAD,
    NIK_WIFE,
    household_text,
    seed_household,
    type_numbers,
)

SWAPPED = "The KK number and the NIK were typed the other way round; we recognised them."
SPLIT = (
    "Your NIK is on the list, but under another KK (for example, the family split: "
    "pecah KK). You can propose this new KK with your NIK: the PSM volunteer of your "
    "desa will check it."
)


async def test_swapped_numbers_are_recognised(app: BotApp, tg: FakeTelegram):
    await seed_household(app)
    for telegram_id, nik in ((1201, NIK_HEAD), (1202, NIK_WIFE)):  # the wife's NIK: day + 40
        user = tg.user(telegram_id, "Warga")
        await agree(user)
        await type_numbers(user, nik=KK, kk=nik)
        found = await user.wait_message()
        assert found.text == t(SWAPPED) + "\n\n" + t(FOUND, household=household_text()), (
            user.transcript()
        )
        assert t("✅ Yes, this is my family") in found.buttons


async def test_a_womans_nik_in_the_kk_step_is_named(app: BotApp, tg: FakeTelegram):
    await seed_household(app)
    user = tg.user(1203, "Warga")
    await agree(user)
    await type_numbers(user, nik=NIK_HEAD, kk=NIK_WIFE)  # two NIKs: not a swap
    reply = await user.wait_message()
    assert reply.text == t(
        "This looks like a NIK, not a KK number. The KK number is at the top of the "
        "Kartu Keluarga. Please type the KK number."
    )


async def test_a_nik_under_another_kk_is_a_split_family_proposal(app: BotApp, tg: FakeTelegram):
    await seed_household(app)
    user = tg.user(1204, "Siti")
    await agree(user)
    await type_numbers(user, nik=NIK_WIFE, kk=KK_UNLISTED)
    reply = await user.wait_message()
    assert reply.text.startswith(t(SPLIT))
    assert t("📝 Propose my household") in reply.buttons
    state = app.dp.fsm.get_context(app.bot, chat_id=user.id, user_id=user.id)
    assert (await state.get_data()).get(SPLIT_KEY) is True


async def test_a_split_family_proposal_tells_the_volunteer(app: BotApp):
    """The proposal reaches the desa's PSM as a task that says the family split."""
    assert app.resources is not None
    await seed_household(app)
    async with app.sessionmaker() as session, session.begin():
        from db.models.accounts import Account

        proposer = Account(telegram_id=1205, role="warga", consent="given")
        session.add(proposer)
        await session.flush()
        household = await proposals.propose(
            session, app.resources.protector, proposer,
            proposals.Proposal(
                name="Siti Aminah", relationship="kepala", address="Kp. Baru", rt="001",
                rw="002", kecamatan_code="32.16.06", desa_code="32.16.06.2002", members=2,
                description="Pisah KK setelah menikah", nik=NIK_WIFE, kk=KK_UNLISTED,
                split=True, split_note="Pecah KK",
            ),
            proposals.FROM_RESIDENT,
        )  # fmt: skip
        task, detail = await case_with_text(session, Case.household_id == household.id)
    assert task is not None and task.kind == "usulan" and detail == "Pecah KK"
