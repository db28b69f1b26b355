"""End to end: residents link their household (/daftar), propose one (usulan, and /usul for
volunteers), see and correct their data (/dataku), withdraw consent, check a message (/cek),
and type free questions. Real dispatcher over HTTP against the fake Bot API.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models.accounts import Account, LinkAttempt
from db.models.base import utcnow
from db.models.households import Member
from db.models.system import AuditLog, FsmRecord
from db.protect import mask_name
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import (
    CONSENT_THANKS,
    BotApp,
    account_of,
    agree,
    audit_actions,
    bot_texts,
    e2e_settings,
    eventually,
    t,
)
from tests.residents import protected_household, protected_member

KK = "3216061503200001"
NIK_HEAD = "3216061201800002"
NIK_WIFE = "3216065505820003"
NIK_STRANGER = "3216062002900004"  # valid, on no list
KK_UNLISTED = "3216062208190002"
KK_KOTA_BEKASI = "3275011503200001"
HEAD_NAME = "Sutisna Ahmad"
WIFE_NAME = "Siti Aminah"
LAMBANGSARI = "32.16.06.2002"
TAMBUN_SELATAN = "32.16.06"

STEP1 = (
    "Link your household (step 1 of 2).\n\n"
    "Please type your NIK: the 16 digits on your KTP or on the family card (KK). "
    "Spaces and dots are fine. For your safety, the message is deleted right after "
    "we read it."
)
STEP2 = (
    "Thank you, NIK {masked} received (the message was deleted).\n\n"
    "Step 2 of 2: please type the number of your family card (No. KK), 16 digits, "
    "at the top of the Kartu Keluarga."
)
FOUND = "We found this household:\n{household}\n\nIs this your family?"
HOUSEHOLD = "KK {kk}, Head of family: {head}, Desa {desa}, Kecamatan {kecamatan}"
LINKED = (
    "Done: your account is linked to KK {kk}. You will get notices about aid for your "
    "family here. Choose what you need from the menu: report your condition, the aid "
    "schedule, trainings, or your data."
)
NOT_IN_KK = (
    "This KK is on the list, but the NIK you typed is not one of its members. "
    "Please check both numbers on your Kartu Keluarga. If a family member is "
    "missing from the KK data, ask the PSM volunteer of your desa."
)
NOT_LISTED = (
    "We could not find this KK and NIK on the list of Dinas Sosial. Please check the "
    "numbers and try again. If your family is really not on the list, you can propose "
    "it (usulan): a volunteer will come and verify it."
)
LEFT = "You can try {count} more times today."
OFFER = (
    "Next step: link your household with your NIK and KK number, so that we can tell "
    "you about aid for your family. Tap the button, or send /daftar later."
)
OFFICE = "Dinas Sosial Kabupaten Bekasi, Cikarang Pusat"
LOCKED = (
    "The numbers did not match too many times (5 times in 24 hours). To protect families' "
    "data, please try again after {when}. If you are sure the numbers are right, ask the "
    "PSM volunteer of your desa or contact {contact}: they can check your data."
)
ALREADY = (
    "Your account is already linked to this household:\n{household}\n\nTo see your data, "
    "send /dataku. To link another household, first withdraw and unlink in /dataku."
)


def locked_prefix() -> str:
    return t(LOCKED, when="§", contact=OFFICE).split("§")[0]


async def seed_household(app: BotApp) -> int:
    """A BNBA household of Desa Lambangsari with two members (as the office's import does)."""
    protector = app.resources.protector
    async with app.sessionmaker() as session, session.begin():
        household = protected_household(
            protector,
            KK,
            address="Kp. Rawa Bebek No. 3",
            rt="001",
            rw="002",
            desa_code=LAMBANGSARI,
            kecamatan_code=TAMBUN_SELATAN,
        )
        session.add(household)
        await session.flush()
        for nik, name, relation in (
            (NIK_HEAD, HEAD_NAME, "kepala"),
            (NIK_WIFE, WIFE_NAME, "istri"),
        ):
            session.add(
                protected_member(
                    protector, household.id, nik, name=name, relationship_to_head=relation
                )
            )
        return household.id


def household_text() -> str:
    return t(
        HOUSEHOLD,
        kk="3216********0001",
        head=mask_name(HEAD_NAME),
        desa="Lambangsari",
        kecamatan="Tambun Selatan",
    )


async def type_numbers(user: FakeUser, nik: str, kk: str) -> tuple[int, int]:
    """/daftar, NIK, KK: returns the ids of the two messages that carried the numbers."""
    await user.send("/daftar")
    assert (await user.wait_message()).text == t(STEP1)
    nik_message = await user.send(nik)
    await user.wait_message()
    kk_message = await user.send(kk)
    return nik_message.message_id, kk_message.message_id


async def link(app: BotApp, user: FakeUser, nik: str) -> None:
    await type_numbers(user, nik, KK)
    found = await user.wait_message()
    assert found.text == t(FOUND, household=household_text()), user.transcript()
    query = await user.click(found, t("✅ Yes, this is my family"))
    await query.wait_answered()
    done = await user.wait_message()
    assert done.text == t(LINKED, kk="3216********0001")
    await account_when(app, user.id, lambda a: a.household_id is not None)


async def account_when(
    app: BotApp, telegram_id: int, condition: Callable[[Account], bool]
) -> Account:
    """The account once `condition(account)` holds: a reply is sent just before its update
    commits, so what a test reads right after a reply may not be there yet."""

    async def check() -> Account | None:
        account = await account_of(app, telegram_id)
        return account if account is not None and condition(account) else None

    account = await eventually(check)
    assert account is not None, "the account never reached the expected state"
    return account


async def failures_are(app: BotApp, telegram_id: int, expected: int) -> bool:
    async def check() -> bool:
        return await failures(app, telegram_id) == expected

    return bool(await eventually(check))


async def failures(app: BotApp, telegram_id: int) -> int:
    account = await account_of(app, telegram_id)
    assert account is not None
    async with app.sessionmaker() as session:
        count = await session.scalar(
            select(func.count(LinkAttempt.id)).where(
                LinkAttempt.account_id == account.id, LinkAttempt.succeeded.is_(False)
            )
        )
    return int(count or 0)


# --------------------------------------------------------------------------- linking


async def _link_journey(tg: FakeTelegram, tmp_path: Path, caplog, **settings_values) -> None:
    caplog.set_level(logging.DEBUG)
    settings = e2e_settings(tmp_path, tg, **settings_values)
    async with BotApp(tg, settings) as app:
        household_id = await seed_household(app)
        wife = tg.user(901, "Siti")
        await agree(wife)
        # /daftar is offered right after consent, before the thanks and the menu.
        texts = [m.text for m in wife.messages]
        assert texts.index(t(OFFER)) == texts.index(t(CONSENT_THANKS)) - 1
        offer = next(m for m in wife.messages if m.text == t(OFFER))
        query = await wife.click(offer, t("🏠 Link my household"))
        await query.wait_answered()
        assert (await wife.wait_message()).text == t(STEP1)

        nik_message = await wife.send("3216 0655.0582-0003")  # separators are tolerated
        assert (await wife.wait_message()).text == t(STEP2, masked="3216********0003")
        await wife.wait_for(lambda: nik_message.message_id in wife.deleted_message_ids)

        await app.restart()  # between the two numbers: nothing typed is lost

        kk_message = await wife.send(KK)
        found = await wife.wait_message()
        assert found.text == t(FOUND, household=household_text()), wife.transcript()
        await wife.wait_for(lambda: kk_message.message_id in wife.deleted_message_ids)
        query = await wife.click(found, t("✅ Yes, this is my family"))
        await query.wait_answered()
        assert (await wife.wait_message()).text == t(LINKED, kk="3216********0001")

        account = await account_when(app, 901, lambda a: a.household_id is not None)
        assert account.household_id == household_id
        async with app.sessionmaker() as session:
            member = await session.get(Member, account.member_id)
            assert member is not None and member.name == WIFE_NAME
        assert "household.linked" in await audit_actions(app, account.id)

        # A second family member links the same household; one account, one household.
        head = tg.user(902, "Sutisna")
        await agree(head)
        await link(app, head, NIK_HEAD)
        head_account = await account_of(app, 902)
        assert head_account is not None and head_account.household_id == household_id
        await head.send("/daftar")
        already = await head.wait_message()
        assert already.text == t(ALREADY, household=household_text())
        await head.wait_idle(quiet=0.1)

        # No NIK or KK went back to Telegram, into callback data, the FSM storage or a log.
        numbers = (KK, NIK_HEAD, NIK_WIFE, "3216065505820003")
        assert not [s for s in bot_texts(tg) for n in numbers if n in s]
        async with app.sessionmaker() as session:
            records = list(await session.scalars(select(FsmRecord)))
            details = list(await session.scalars(select(AuditLog.detail)))
        assert not [r for r in records for n in numbers if n in json.dumps(r.data)]
        assert not [d for d in details for n in numbers if n in json.dumps(d)]
        assert not [r for r in caplog.records for n in numbers if n in r.getMessage()]


async def test_link_household_end_to_end(
    tg: FakeTelegram, tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
):
    await _link_journey(tg, tmp_path, caplog, database_url=database_url)


async def test_link_household_with_redis_conversation_state(
    tg: FakeTelegram, tmp_path: Path, redis_url: str, caplog: pytest.LogCaptureFixture
):
    """The NIK typed before a restart waits in Redis (sealed), as it would with several
    instances behind a load balancer."""
    await _link_journey(tg, tmp_path, caplog, redis_url=redis_url)


async def test_bad_inputs_get_specific_messages_and_guessing_is_stopped(
    app: BotApp, tg: FakeTelegram
):
    await seed_household(app)
    user = tg.user(911, "Dedi")
    await agree(user)
    await user.send("/daftar")
    await user.wait_message()

    # Wrong length and an impossible NIK: specific messages, not counted as attempts.
    short = await user.send("321606120180000")
    error = await user.wait_message()
    assert error.text == (
        t("NIK must be 16 digits; you typed {count}.", count=15)
        + "\n\n"
        + t("Please type your NIK again (16 digits).")
    )
    await user.wait_for(lambda: short.message_id in user.deleted_message_ids)
    await user.send("9916061201800002")
    error = await user.wait_message()
    assert error.text.startswith(
        t(
            "The first two digits of the NIK ({code}) are not a province code. "
            "Please check the NIK on the KTP or KK.",
            code="99",
        )
    )
    await user.send("hello")
    assert (await user.wait_message()).text.startswith(
        t("The NIK may contain only digits (16 digits).")
    )
    await user.send(NIK_STRANGER)
    await user.wait_message()
    await user.send("3216061503200")
    assert (await user.wait_message()).text.startswith(
        t("The KK number must be 16 digits; you typed {count}.", count=13)
    )
    # Kota Bekasi: told where to go, not counted.
    await user.send(KK_KOTA_BEKASI)
    kota = await user.wait_message()
    assert kota.text == t(
        "This KK number is from Kota Bekasi (32.75). This service is run by Kabupaten Bekasi, "
        "so we cannot find your family here. Please contact Dinas Sosial Kota Bekasi, or ask "
        "your RT/RW or kelurahan office. Questions: {contact}.",
        contact=OFFICE,
    )
    assert await failures_are(app, 911, 0)

    # NIK not in this KK: counted.
    await type_numbers(user, NIK_STRANGER, KK)
    wrong = await user.wait_message()
    assert wrong.text == t(NOT_IN_KK) + "\n\n" + t(LEFT, count=4)
    assert wrong.buttons == [t("🔁 Try again")]
    assert await failures_are(app, 911, 1)

    # Not on the list: counted; the resident may propose the household.
    query = await user.click(wrong, t("🔁 Try again"))
    await query.wait_answered()
    await user.wait_message()
    await user.send(NIK_STRANGER)
    await user.wait_message()
    await user.send(KK_UNLISTED)
    missing = await user.wait_message()
    assert missing.text == t(NOT_LISTED) + "\n\n" + t(LEFT, count=3)
    assert missing.buttons == [t("📝 Propose my household"), t("🔁 Try again")]

    # Two earlier failures in the window and one older than 24 h (not counted).
    account = await account_of(app, 911)
    assert account is not None
    async with app.sessionmaker() as session, session.begin():
        now = utcnow()
        session.add(LinkAttempt(account_id=account.id, at=now - dt.timedelta(hours=30)))
        session.add(LinkAttempt(account_id=account.id, at=now - dt.timedelta(hours=3)))
        session.add(LinkAttempt(account_id=account.id, at=now - dt.timedelta(hours=2)))
    # The fifth failure in 24 hours: told when to try again and whom to ask.
    await type_numbers(user, NIK_STRANGER, KK)
    locked = await user.wait_message()
    assert locked.text.startswith(t(NOT_IN_KK) + "\n\n")
    assert locked.text.startswith(t(NOT_IN_KK) + "\n\n" + locked_prefix())
    assert OFFICE in locked.text and "WIB" in locked.text
    assert locked.buttons == []
    # The sixth is refused at once, without asking for numbers.
    await user.send("/daftar")
    refused = await user.wait_message()
    assert refused.text.startswith(locked_prefix()) and "WIB" in refused.text
    assert await failures_are(app, 911, 6)  # 5 in the window + 1 older one
    # ... and the right numbers do not help while locked (no oracle for guessers).
    async with app.sessionmaker() as session:
        assert (await session.get(Account, account.id)).household_id is None


async def test_link_declined_and_cancel(app: BotApp, tg: FakeTelegram):
    await seed_household(app)
    user = tg.user(921, "Rina")
    await agree(user)
    await type_numbers(user, NIK_WIFE, KK)
    found = await user.wait_message()
    query = await user.click(found, t("✖️ No, this is not my family"))
    await query.wait_answered()
    answer = await user.wait_message()
    assert answer.text == t(
        "All right, nothing was linked. Check the numbers and send /daftar to try "
        "again, or ask the PSM volunteer of your desa for help."
    )
    assert (await account_of(app, 921)).household_id is None
    await user.send("/daftar")
    ask = await user.wait_message()
    query = await user.click(ask, t("Cancel"))
    await query.wait_answered()
    assert (await user.wait_message()).text == t(
        "Cancelled. Nothing was saved. Here is the main menu."
    )
    # After cancelling, digits are not taken for a NIK.
    await user.send("/daftar")
    await user.wait_message()
    await user.send("/batal")
    await user.wait_message()
    await user.send(NIK_WIFE)
    reply = await user.wait_message()
    assert reply.text != t(STEP2, masked="3216********0003")


async def test_link_needs_consent(app: BotApp, tg: FakeTelegram):
    user = tg.user(931, "Ujang")
    await user.send("/daftar")
    answer = await user.wait_message()
    assert answer.text == t("Before linking your household, please agree to the privacy notice.")
    assert t("✅ I agree") in answer.buttons
