"""End to end: staff invite volunteers, volunteers redeem (command and deep link), wrong /
used / expired codes, throttling, a race for one code, listing and revoking volunteers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from db.models.accounts import Account, VolunteerInvite
from handlers.privacy import privacy_notice
from services import invites
from tests.fake_telegram import FakeTelegram
from tests.harness import (
    BotApp,
    account_of,
    agree,
    as_role,
    audit_actions,
    e2e_settings,
    eventually,
    in_id,
    t,
)
from tests.volunteers_support import (
    DESA_A,
    KEC_A,
    code_in,
    committed,
    make_invite,
    tap,
    wait_text,
)


async def _with(app: BotApp, account_id: int, action: str) -> list[str] | None:
    actions = await audit_actions(app, account_id)
    return actions if action in actions else None


async def test_staff_invites_a_psm_who_redeems_with_the_command(app: BotApp, tg: FakeTelegram):
    staff = tg.user(900, "Bu Ani")
    await as_role(app, staff, "petugas")
    await staff.send("/undang")
    await wait_text(staff, t("Invite a volunteer. Which role?"))
    await tap(staff, t("PSM (desa)"))
    await tap(staff, "Tambun Utara")
    await tap(staff, "Satriajaya")
    offer = await wait_text(staff, "t.me/nirmiskin_test_bot?start=")
    code = code_in(offer.text)
    assert f"https://t.me/nirmiskin_test_bot?start={code}" in offer.text

    async def stored() -> VolunteerInvite | None:
        async with app.sessionmaker() as session:
            return await session.scalar(select(VolunteerInvite))

    invite = await eventually(stored)
    assert invite is not None and invite.role == "psm" and invite.area_code == DESA_A
    assert code not in invite.code_hash  # only the keyed hash is stored

    volunteer = tg.user(901, "Pak Budi")
    await agree(volunteer)
    sent = await volunteer.send(f"/petugas {code.lower()}")
    welcome = await volunteer.wait_message()
    assert welcome.text.startswith(
        t("Welcome, you are now {role} for {area}.", role=t("PSM (desa)"), area="Satriajaya")
    )
    await volunteer.wait_for(lambda: sent.message_id in volunteer.deleted_message_ids)
    assert [t("📋 Tasks"), t("📥 Cases")] in volunteer.reply_keyboard, (
        volunteer.reply_keyboard
    )
    account = await committed(app, 901, role="psm", area_code=DESA_A)
    assert "invite.redeemed" in await audit_actions(app, account.id)

    # The same code a second time, by someone else: already used.
    other = tg.user(902)
    await agree(other)
    await other.send(f"/petugas {code}")
    used = await other.wait_message()
    assert used.text == t("That code has already been used. Please ask Dinas Sosial for a new one.")
    still = await account_of(app, 902)
    assert still is not None and still.role == "warga"

    # Cancelling it now is too late; a fresh one cancelled from its button stops working.
    await staff.click(offer, t("✖️ Cancel this invitation"))
    await wait_text(staff, t("This invitation was already used, cancelled or expired."))
    await staff.send("/undang")
    await tap(staff, t("TKSK (kecamatan)"))
    await tap(staff, "Tambun Selatan")
    await staff.wait_for(lambda: "t.me/" in (staff.last_message.text or ""))
    second = staff.last_message
    await staff.click(second, t("✖️ Cancel this invitation"))
    await wait_text(staff, t("The invitation is cancelled; its code no longer works."))
    await other.send(f"/petugas {code_in(second.text)}")
    cancelled = await other.wait_message()
    assert cancelled.text == t("That code was cancelled. Please ask Dinas Sosial for a new one.")


async def test_deep_link_redeems_before_consent_and_tools_wait_for_it(
    app: BotApp, tg: FakeTelegram
):
    code = await make_invite(app, "tksk", KEC_A)
    volunteer = tg.user(910, "Pak Dedi")
    await volunteer.send(f"/start {code}")
    welcome = await volunteer.wait_message()
    assert welcome.text == (
        t(
            "Welcome, you are now {role} for {area}.",
            role=t("TKSK (kecamatan)"),
            area="Tambun Utara",
        )
        + "\n\n"
        + t("Before you start, please read and agree to the privacy notice.")
    )
    notice = await volunteer.wait_message()
    assert notice.text == in_id(privacy_notice, app.settings)
    await committed(app, 910, role="tksk", consent="none")

    # The tools show personal data: not before consent.
    await volunteer.send("/tugas")
    asked = await volunteer.wait_message()
    assert asked.text == t("Please first agree to the privacy notice.")
    await volunteer.click(notice, t("✅ I agree"))
    await wait_text(
        volunteer, t("Thank you. Your consent is recorded. Choose what you need from the menu.")
    )
    await volunteer.send("/tugas")
    tasks_reply = await volunteer.wait_message()
    assert tasks_reply.text == t("No families to visit in your area right now. Thank you!")

    # /start without an argument is unchanged.
    await volunteer.send("/start")
    again = await volunteer.wait_message()
    assert again.text.startswith("Selamat datang di Nirmiskin")


async def test_expired_wrong_and_throttled_codes(app: BotApp, tg: FakeTelegram):
    expired = await make_invite(app, "psm", DESA_A, days_ago=8)
    user = tg.user(920)
    await agree(user)
    await user.send(f"/petugas {expired}")
    reply = await user.wait_message()
    assert reply.text == t("That code has expired. Please ask Dinas Sosial for a new one.")

    # A first contact through an expired link: told why, and greeted with the notice.
    newcomer = tg.user(921)
    await newcomer.send(f"/start {expired}")
    told = await newcomer.wait_message()
    assert told.text == t("That code has expired. Please ask Dinas Sosial for a new one.")
    notice = await newcomer.wait_message()
    assert notice.text == in_id(privacy_notice, app.settings)

    # A code cancelled by staff (the button under the invitation).
    cancelled = await make_invite(app, "psm", DESA_A)
    async with app.sessionmaker() as session, session.begin():
        invite = await session.scalar(select(VolunteerInvite).order_by(VolunteerInvite.id.desc()))
        assert await invites.revoke_invite(session, None, invite.id)
    await user.send(f"/petugas {cancelled}")
    reply = await user.wait_message()
    assert reply.text == t("That code was cancelled. Please ask Dinas Sosial for a new one.")

    good = await make_invite(app, "psm", DESA_A)
    for _ in range(invites.MAX_WRONG):
        await user.send("/petugas ZZZZ2222")
        wrong = await user.wait_message()
        assert wrong.text == t("That code is not right. Please check it and try again.")
    await user.send(f"/petugas {good}")  # even a right code waits once too many were wrong
    throttled = await user.wait_message()
    assert throttled.text == t("Too many wrong codes. Please wait an hour and try again.")
    account = await account_of(app, 920)
    assert account is not None and account.role == "warga"
    actions = await eventually(lambda: _with(app, account.id, "invite.throttled"))
    assert actions.count("invite.wrong_code") == invites.MAX_WRONG
    assert "invite.throttled" in actions

    await user.send("/petugas")
    hint = await user.wait_message()
    assert "/petugas ABCD2345" in hint.text


async def test_staff_list_and_revoke_a_volunteer(app: BotApp, tg: FakeTelegram):
    staff = tg.user(930, "Bu Ani")
    await as_role(app, staff, "petugas")
    volunteer = tg.user(931, "Pak Eko")
    await as_role(app, volunteer, "psm", DESA_A)
    await volunteer.send("/tugas")
    await volunteer.wait_message()

    await staff.send("/relawan")
    listing = await staff.wait_message()
    assert listing.text == t("Volunteers ({count}):", count=1) + "\n1. Pak Eko — PSM Satriajaya"
    await tap(staff, t("Revoke {n}. {name}", n=1, name="Pak Eko"))
    await tap(staff, t("Yes, revoke"))
    await wait_text(staff, t("{name} is no longer a volunteer.", name="Pak Eko"))
    await committed(app, 931, role="warga", area_code=None)

    await volunteer.send("/tugas")  # at once: the running app forgot the cached role
    refused = await volunteer.wait_message()
    assert refused.text == t("Sorry, this is only for volunteers (PSM/TKSK) and staff.")
    staff_account = await account_of(app, 930)
    assert staff_account is not None
    assert "role.revoked" in await audit_actions(app, staff_account.id)

    # A long list is paged.
    for n in range(16):
        async with app.sessionmaker() as session, session.begin():
            session.add(Account(telegram_id=5000 + n, role="psm", area_code=DESA_A))
    await staff.send("/relawan")
    long_list = await staff.wait_message()
    assert long_list.text.startswith(t("Volunteers ({count}):", count=16))
    assert long_list.buttons[-1] == t("Next »") and len(long_list.buttons) == 16
    await tap(staff, t("Next »"))
    await staff.wait_for(lambda: long_list.text.splitlines()[1].startswith("16. 5015"))
    assert long_list.buttons == [t("Revoke {n}. {name}", n=16, name="5015"), t("« Previous")]

    # A resident cannot invite.
    await volunteer.send("/undang")
    no = await volunteer.wait_message()
    assert no.text == t("Sorry, this is only for Dinas Sosial staff.")


async def test_two_people_race_for_one_code(tg: FakeTelegram, tmp_path: Path, database_url: str):
    async with BotApp(tg, e2e_settings(tmp_path, tg, database_url=database_url)) as app:
        code = await make_invite(app, "psm", DESA_A)
        users = [tg.user(940 + n) for n in range(4)]
        await asyncio.gather(*(agree(u) for u in users))
        await asyncio.gather(*(u.send(f"/petugas {code}") for u in users))
        replies = [await u.wait_message() for u in users]
        welcome = t(
            "Welcome, you are now {role} for {area}.", role=t("PSM (desa)"), area="Satriajaya"
        )
        winners = [r for r in replies if r.text.startswith(welcome)]
        assert len(winners) == 1, [r.text for r in replies]
        used = t("That code has already been used. Please ask Dinas Sosial for a new one.")
        assert sum(r.text == used for r in replies) == 3

        async def psm_count() -> int:
            async with app.sessionmaker() as session:
                return await session.scalar(
                    select(func.count(Account.id)).where(Account.role == "psm")
                )

        assert await eventually(psm_count) == 1
