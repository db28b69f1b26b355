"""End to end: proposing a household (usulan by a resident, /usul by a volunteer), /dataku with a
correction request and withdrawal (also through /privasi), and /cek."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from db.models.accounts import Account
from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from db.models.cases import Case
from db.models.field import StatusReport
from db.models.households import Household, Member
from db.models.system import AuditLog
from db.protect import mask_name
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, account_of, agree, as_role, e2e_settings, eventually, t
from tests.volunteers_support import case_with_text

from .test_e2e_residents_link import (
    KK,
    KK_UNLISTED,
    LAMBANGSARI,
    NIK_HEAD,
    NIK_STRANGER,
    NIK_WIFE,
    NOT_LISTED,
    OFFICE,
    TAMBUN_SELATAN,
    WIFE_NAME,
    account_when,
    household_text,
    link,
    seed_household,
    type_numbers,
)

PHONE = "+6281234567890"
DESCRIBE = (
    "Briefly describe the family's situation: work and income, the house, health, "
    "children's school."
)
PHONE_QUESTION = (
    "A phone number we can call? Tap the button to send yours, type another one, or tap Skip."
)
ADDRESS = "Address: street or kampung, house number (no RT/RW yet)."
PROPOSAL_THANKS = (
    "Thank you. Your proposal is saved and waits for verification.\n\n"
    "What happens next: a volunteer (PSM) of Desa {desa} will visit your family to check "
    "the data. You will get a message here when it is verified or rejected. Meanwhile "
    "you can see its state in /dataku and report your condition with /lapor."
)
VOLUNTEER_THANKS = (
    "Thank you. The proposal is saved as waiting for verification, and it is in the task "
    "list of Desa {desa}."
)
CORRECTION_THANKS = (
    "Thank you. Your request was sent to the volunteers of your desa with number "
    "{number}. They will check it, and may visit or contact you. You will be told what "
    "was changed."
)
CHECK_PROMPT = (
    "Forward the message you got to this chat (tap and hold it, then Forward), or copy "
    "its text and paste it here. We will tell you whether this bot sent it."
)
WITHDRAWN = (
    "Done. Your consent is withdrawn, your account is unlinked and the data you entered "
    "is deleted or anonymised. This is the last message we send you. To use the service "
    "again, send /privasi. Questions: {contact}."
)


async def tap(user: FakeUser, message: FakeMessage, label: str, then: str) -> None:
    """Tap a form button and wait until the same message shows the next question."""
    query = await user.click(message, label)
    await query.wait_answered()
    await user.wait_for(lambda: t(then) in message.text)


async def answer(user: FakeUser, text: str, then: str) -> FakeMessage:
    await user.send(text)
    return await user.wait_message(predicate=lambda m: t(then) in m.text)


# --------------------------------------------------------------------------- usulan


async def test_resident_proposes_a_household_not_on_the_list(
    tg: FakeTelegram, tmp_path: Path, database_url: str
):
    async with BotApp(tg, e2e_settings(tmp_path, tg, database_url=database_url)) as app:
        user = tg.user(941, "Dedi", phone_number=PHONE)
        await agree(user)
        await type_numbers(user, NIK_STRANGER, KK_UNLISTED)
        missing = await user.wait_message()
        assert missing.text.startswith(t(NOT_LISTED))
        query = await user.click(missing, t("📝 Propose my household"))
        await query.wait_answered()
        q = await user.wait_message(
            predicate=lambda m: t("Your full name, as on the KTP?") in m.text
        )
        assert q.text.startswith(t("Propose your household (usulan)"))
        q = await answer(user, "Dedi Kurniawan", "Your place in the family?")
        await tap(user, q, t("Head of the family"), "Which kecamatan does the family live in?")
        assert len(q.buttons) == 23 + 2  # every kecamatan, « Back and Cancel
        await tap(user, q, "Tambun Selatan", "Which desa or kelurahan?")
        assert "Lambangsari" in q.buttons and "Sagara Makmur" not in q.buttons
        await tap(user, q, "Lambangsari", ADDRESS)
        await answer(user, "Kp. Sawah No. 7", "RT number? (for example 3)")
        await answer(user, "003", "RW number? (for example 5)")
        await answer(user, "5", "How many people are on the family card (KK)?")
        await answer(
            user,
            "4 orang",
            PHONE_QUESTION,
        )
        await user.press(t("📱 Send my number"))
        await user.wait_message(predicate=lambda m: t(DESCRIBE) in m.text)
        summary = await answer(
            user,
            "Suami buruh harian lepas, rumah bilik bambu, dua anak SD.",
            "Please check the proposal:",
        )
        assert "3216" not in summary.text.replace("3216********", "")  # NIK/KK only masked
        query = await user.click(summary, t("✅ Confirm"))
        await query.wait_answered()
        thanks = await user.wait_message(
            predicate=lambda m: m.text == t(PROPOSAL_THANKS, desa="Lambangsari")
        )
        assert "Lambangsari" in thanks.text and "/dataku" in thanks.text

        protector = app.resources.protector
        account = await account_when(app, 941, lambda a: a.household_id is not None)
        async with app.sessionmaker() as session:
            household = await session.scalar(
                select(Household).where(Household.kk_hash == protector.lookup_hash(KK_UNLISTED))
            )
            assert household is not None
            assert household.source == "usulan_warga"
            assert household.verification == "menunggu_verifikasi"
            assert household.proposed_by_account_id == account.id
            assert (household.desa_code, household.kecamatan_code) == (LAMBANGSARI, TAMBUN_SELATAN)
            assert (household.rt, household.rw, household.declared_members) == ("003", "005", 4)
            assert household.phone == PHONE
            member = await session.get(Member, account.member_id)
            assert member.name == "Dedi Kurniawan" and member.nik_hash == protector.lookup_hash(
                NIK_STRANGER
            )
            assert account.household_id == household.id
            task = await session.scalar(select(Case).where(Case.household_id == household.id))
            assert (task.kind, task.desa_code, task.state) == ("usulan", LAMBANGSARI, "open")

        # /dataku shows the proposal waiting for verification.
        await user.send("/dataku")
        shown = await user.wait_message()
        assert t("proposed, waiting for verification") in shown.text


async def test_volunteer_proposes_with_usul_in_their_area_without_kk(app: BotApp, tg: FakeTelegram):
    psm = tg.user(951, "Pak RT")
    await as_role(app, psm, "psm", LAMBANGSARI)
    await psm.send("/usul")
    q = await psm.wait_message()
    assert q.text.startswith(t("Propose a household (usulan)"))
    assert q.buttons == ["Tambun Selatan", t("Cancel")]  # a PSM sees their own area only
    await tap(psm, q, "Tambun Selatan", "Which desa or kelurahan?")
    assert q.buttons[0] == "Lambangsari" and len(q.buttons) == 3
    await tap(
        psm, q, "Lambangsari", "The family's KK number (16 digits)? Tap Skip if nobody knows it."
    )
    kota = await psm.send("3275011503200001")  # Kota Bekasi: refused with the reason
    error = await psm.wait_message()
    await psm.wait_for(lambda: kota.message_id in psm.deleted_message_ids)
    assert error.text.startswith(
        t(
            "This KK number is from Kota Bekasi (32.75). This service is for Kabupaten Bekasi: "
            "the family should go to Dinas Sosial Kota Bekasi. Type another KK number or tap Skip."
        )
    )
    query = await psm.click(error, t("Skip"))
    await query.wait_answered()
    await psm.wait_for(lambda: t("Full name of the head of the family?") in error.text)
    q = await answer(
        psm, "Mak Icih", "NIK of the head of the family (16 digits)? Tap Skip if unknown."
    )
    query = await psm.click(q, t("Skip"))
    await query.wait_answered()
    await psm.wait_for(lambda: t(ADDRESS) in q.text)
    await answer(psm, "Gubuk di pinggir kali", "RT number? (for example 3)")
    await answer(psm, "2", "RW number? (for example 5)")
    await answer(psm, "7", "How many people are on the family card (KK)?")
    q = await answer(psm, "1", "The family's phone number, if they have one? Type it, or tap Skip.")
    assert t("📱 Send my number") not in str(psm.reply_keyboard)  # not the volunteer's own phone
    query = await psm.click(q, t("Skip"))
    await query.wait_answered()
    await psm.wait_for(lambda: t(DESCRIBE) in q.text)
    summary = await answer(
        psm, "Lansia sendirian, tidak punya KTP dan KK.", "Please check the proposal:"
    )
    query = await psm.click(summary, t("✅ Confirm"))
    await query.wait_answered()
    done = await psm.wait_message(
        predicate=lambda m: m.text == t(VOLUNTEER_THANKS, desa="Lambangsari")
    )
    assert "Lambangsari" in done.text
    volunteer = await account_of(app, 951)

    async def proposed() -> Household | None:
        async with app.sessionmaker() as session:
            return await session.scalar(
                select(Household).where(Household.proposed_by_account_id == volunteer.id)
            )

    household = await eventually(proposed)
    async with app.sessionmaker() as session:
        assert household.kk_hash is None and household.source == "usulan_relawan"
        member = await session.scalar(select(Member).where(Member.household_id == household.id))
        assert member.name == "Mak Icih" and member.nik_hash is None
        task = await session.scalar(select(Case).where(Case.household_id == household.id))
        assert task.kind == "usulan" and task.raised_by_account_id == volunteer.id

    resident = tg.user(952, "Warga")
    await agree(resident)
    await resident.send("/usul")
    refused = await resident.wait_message()
    assert refused.text == t("Sorry, this is only for volunteers (PSM/TKSK) and staff.")


# --------------------------------------------------------------------------- /dataku


async def _seed_own_data(app: BotApp, account: Account) -> dict[str, int]:
    async with app.sessionmaker() as session, session.begin():
        report = StatusReport(
            household_id=account.household_id,
            account_id=account.id,
            answers={"catatan": "Anak saya sakit panas sejak Senin", "lantai": "tanah", "n": 4},
            income_monthly=1_200_000,
            members_count=4,
            income_per_person_day=10_000,
            extreme_poor=True,
            photo_file_id="photo-123",
            latitude=-6.26,
            longitude=107.05,
        )
        training = Training(
            title="Pelatihan Menjahit",
            provider="BLK Bekasi",
            starts_at=utcnow() + dt.timedelta(days=7),
            place="BLK Cikarang",
            capacity=10,
            seats_taken=1,
        )
        broadcast = Broadcast(kind="manual", text="Info", status="sending", audience={})
        session.add_all([report, training, broadcast])
        await session.flush()
        enrollment = Enrollment(
            training_id=training.id,
            member_id=account.member_id,
            account_id=account.id,
            status="enrolled",
        )
        delivery = Delivery(
            broadcast_id=broadcast.id, account_id=account.id, chat_id=account.telegram_id
        )
        session.add_all([enrollment, delivery])
        await session.flush()
        return {"report": report.id, "training": training.id, "delivery": delivery.id}


async def test_my_data_correction_and_withdrawal(app: BotApp, tg: FakeTelegram):
    household_id = await seed_household(app)
    user = tg.user(961, "Siti", phone_number=PHONE)
    await agree(user)
    await link(app, user, NIK_WIFE)
    account = await account_of(app, 961)
    ids = await _seed_own_data(app, account)

    await user.press(t("📄 My data"))
    shown = await user.wait_message()
    assert shown.text.startswith(t("Your household") + "\n" + household_text())
    assert f"{mask_name(WIFE_NAME)} ({t('wife')}), NIK 3216********0003 — {t('you')}" in shown.text
    assert "Pelatihan Menjahit" in shown.text and t("registered") in shown.text
    assert "Rp10.000" in shown.text
    assert WIFE_NAME not in shown.text and NIK_WIFE not in shown.text

    # A correction request goes to the volunteers' tasks of the desa, without the NIK typed.
    query = await user.click(shown, t("✏️ Ask for a correction"))
    await query.wait_answered()
    await user.wait_message(predicate=lambda m: t("Ask for a correction of your data") in m.text)
    summary = await answer(
        user, f"Suami saya sudah meninggal tahun 2024, NIK {KK}", "Please check your request:"
    )
    query = await user.click(summary, t("✅ Confirm"))
    await query.wait_answered()
    await user.wait_message(
        predicate=lambda m: t(CORRECTION_THANKS, number="K-").split("K-")[0] in m.text
    )
    async with app.sessionmaker() as session:
        task, detail = await case_with_text(session, Case.kind == "koreksi")
        assert task.household_id == household_id and task.desa_code == LAMBANGSARI
        assert KK not in detail and "3216********0001" in detail

    # Withdrawal: confirmation asked first, then everything of the list.
    await user.send("/dataku")
    shown = await user.wait_message()
    query = await user.click(shown, t("🗑 Withdraw consent and unlink"))
    await query.wait_answered()
    ask = await user.wait_message()
    query = await user.click(ask, t("Yes, withdraw and delete my data"))
    await query.wait_answered()
    final = await user.wait_message()
    assert final.text == t(WITHDRAWN, contact=OFFICE)
    assert final.button_rows == [[t("🔎 Check a message"), t("❓ Help")], [t("🔒 Privacy")]]
    await account_when(app, 961, lambda a: a.consent == "withdrawn")

    async with app.sessionmaker() as session:
        after = await session.get(Account, account.id)
        assert (after.household_id, after.member_id, after.consent) == (None, None, "withdrawn")
        assert after.first_name is None and after.reminders_enabled is False
        report = await session.get(StatusReport, ids["report"])
        assert report.account_id is None and report.photo_file_id is None
        assert report.latitude is None and report.answers == {"lantai": "tanah", "n": 4}
        assert report.extreme_poor is True and report.income_per_person_day == 10_000
        training = await session.get(Training, ids["training"])
        assert training.seats_taken == 0
        enrollment = await session.scalar(select(Enrollment))
        assert enrollment.status == "cancelled"
        delivery = await session.get(Delivery, ids["delivery"])
        assert delivery.status == "failed"
        task, detail = await case_with_text(session, Case.kind == "koreksi")
        assert detail is None and task.state == "closed"  # the resident's words are gone
        # The BNBA record stays with the office.
        household = await session.get(Household, household_id)
        assert household is not None and household.kk_hash is not None
        assert len(list(await session.scalars(select(Member)))) == 2
        audits = list(
            await session.scalars(
                select(AuditLog)
                .where(AuditLog.actor_account_id == account.id)
                .order_by(AuditLog.id)
            )
        )
    actions = [a.action for a in audits]
    for action in (
        "correction.requested",
        "household.unlinked",
        "consent.withdrawn",
        "personal_data.anonymised",
    ):
        assert action in actions
    anonymised = next(a for a in audits if a.action == "personal_data.anonymised")
    assert anonymised.detail["reports_anonymised"] == 1
    assert anonymised.detail["enrollments_cancelled"] == 1
    # Nothing more is sent: /dataku now asks for consent first.
    await user.send("/dataku")
    again = await user.wait_message()
    assert again.text == t("To see your data, please first agree to the privacy notice.")


async def test_refusing_in_privasi_after_consent_withdraws_and_unlinks(
    app: BotApp, tg: FakeTelegram
):
    await seed_household(app)
    user = tg.user(971, "Siti")
    await agree(user)
    await link(app, user, NIK_WIFE)
    await user.send("/privasi")
    notice = await user.wait_message()
    query = await user.click(notice, t("✖️ I do not agree"))
    await query.wait_answered()
    sure = await user.wait_message()  # asked first: it cannot be undone
    query = await user.click(sure, t("Yes, withdraw and delete my data"))
    await query.wait_answered()
    final = await user.wait_message()
    assert final.text == t(WITHDRAWN, contact=OFFICE)
    account = await account_when(app, 971, lambda a: a.consent == "withdrawn")
    assert account.household_id is None and account.consent == "withdrawn"
    async with app.sessionmaker() as session:
        actions = list(
            await session.scalars(
                select(AuditLog.action).where(AuditLog.actor_account_id == account.id)
            )
        )
    assert "personal_data.anonymised" in actions and "household.unlinked" in actions


async def test_withdrawal_of_an_unverified_own_proposal_erases_what_was_typed(
    app: BotApp, tg: FakeTelegram
):
    user = tg.user(981, "Dedi")
    await agree(user)
    account = await account_of(app, 981)
    from services.proposals import FROM_RESIDENT, Proposal, propose

    async with app.sessionmaker() as session, session.begin():
        attached = await session.get(Account, account.id)
        household = await propose(
            session, app.resources.protector, attached,
            Proposal("Dedi", "kepala", "Kp. Sawah", "001", "002", TAMBUN_SELATAN, LAMBANGSARI,
                     3, "Buruh harian", PHONE, NIK_STRANGER, KK_UNLISTED),
            FROM_RESIDENT,
        )  # fmt: skip
        household_id = household.id
    from db.engine import account_cache

    account_cache(app.sessionmaker).drop(981)
    await user.send("/dataku")
    shown = await user.wait_message()
    query = await user.click(shown, t("🗑 Withdraw consent and unlink"))
    await query.wait_answered()
    ask = await user.wait_message()
    query = await user.click(ask, t("Yes, withdraw and delete my data"))
    await query.wait_answered()
    await user.wait_message()
    await account_when(app, 981, lambda a: a.consent == "withdrawn")
    async with app.sessionmaker() as session:
        household = await session.get(Household, household_id)
        assert household.kk_hash is None and household.phone is None
        assert household.description is None and household.verification == "ditolak"
        member = await session.scalar(select(Member).where(Member.household_id == household_id))
        assert member.nik_hash is None and member.name == "-"
        task = await session.scalar(select(Case).where(Case.household_id == household_id))
        assert task.state == "closed"


# --------------------------------------------------------------------------- /cek

REAL = (
    "<b>Pencairan BLT tahap 2</b>\nBalai Desa Lambangsari, Selasa 19 Maret 2024 pukul 09.00 WIB.\n"
    "Bawa KTP dan KK asli. Gratis, tidak dipungut biaya apa pun."
)
REAL_PLAIN = (
    "Pencairan BLT tahap 2\nBalai Desa Lambangsari, Selasa 19 Maret 2024 pukul 09.00 WIB.\n"
    "Bawa KTP dan KK asli. Gratis, tidak dipungut biaya apa pun."
)
SCAM = (
    "SELAMAT! Keluarga Anda terpilih menerima BLT Rp600.000 dari Dinas Sosial. Segera "
    "transfer biaya admin Rp50.000 ke rekening BRI 1234567890 a.n. Dinsos."
)
NEVER_SENT = "Pembagian sembako di Kantor Kecamatan Tambun Selatan hari Jumat pukul 08.00 WIB."
REMINDER = (
    "Remember: Dinas Sosial never asks for money, PIN or OTP codes, and aid is free. "
    "Never send a transfer or a code to anyone. In doubt, ask the PSM volunteer of your "
    "desa or {contact}."
)


async def _seed_broadcasts(app: BotApp, recipient: Account) -> None:
    async with app.sessionmaker() as session, session.begin():
        sent = Broadcast(kind="manual", text=REAL, status="done", audience={"type": "residents"})
        queued = Broadcast(kind="manual", text=NEVER_SENT, status="queued", audience={})
        session.add_all([sent, queued])
        await session.flush()
        session.add(
            Delivery(
                broadcast_id=sent.id,
                account_id=recipient.id,
                chat_id=recipient.telegram_id,
                status="sent",
                sent_at=utcnow(),
            )
        )


async def test_check_a_message(app: BotApp, tg: FakeTelegram):
    user = tg.user(991, "Ani")
    await agree(user)
    await _seed_broadcasts(app, await account_of(app, 991))
    reminder = t(REMINDER, contact=OFFICE)

    async def check(text: str) -> str:
        await user.send("/cek")
        prompt = await user.wait_message()
        assert prompt.text == t(CHECK_PROMPT)
        await user.send(text)
        reply = await user.wait_message()
        assert reply.text.endswith("\n\n" + reminder)
        return reply.text

    # Pasted with other spacing and case: the same message.
    pasted = (
        "  pencairan blt TAHAP 2 balai desa lambangsari,   selasa 19 maret 2024 pukul 09.00 WIB. "
        "bawa ktp dan kk asli. gratis, tidak dipungut biaya apa pun.  "
    )
    assert (await check(pasted)).startswith("✅")
    # Part of it, pasted inline after the command.
    await user.send("/cek Bawa KTP dan KK asli. Gratis, tidak dipungut biaya apa pun.")
    assert (await user.wait_message()).text.startswith("✅")
    # A scam imitating Dinsos.
    assert (await check(SCAM)).startswith(
        t(
            "❌ This message was NOT sent by this bot, and it asks for money, a transfer or a "
            "secret code: it is a scam. Do not reply and do not send anything."
        )
    )
    # Our message with a bank account added: not ours.
    doctored = REAL_PLAIN + " Biaya admin Rp25.000, transfer ke rekening 1234567890."
    assert (await check(doctored)).startswith("❌")
    # Nearly the same (a typo from copying by hand): the original is shown to compare.
    typo = REAL_PLAIN.replace("Lambangsari", "Lambangsary").replace("asli", "asl")
    near = await check(typo)
    assert near.startswith("⚠️") and "Balai Desa Lambangsari" in near
    # Queued but never sent: not a message this bot sent.
    assert (await check(NEVER_SENT)).startswith(
        t(
            "❌ This bot did not send this message. Be careful: it may be a scam. Official "
            "notices of Dinas Sosial Kabupaten Bekasi come in this chat."
        )
    )
    # Forwarded from this bot's own chat: genuine.
    await user.send("/cek")
    prompt = await user.wait_message()
    await user.forward(prompt)
    assert (await user.wait_message()).text.startswith(
        t("✅ Yes: this message was sent by this bot{when}.", when="")
    )
    # Forwarded from some other account.
    await user.send("/cek")
    await user.wait_message()
    await user.forward(text="Bantuan PKH cair besok, hubungi nomor ini.")
    forwarded = await user.wait_message()
    assert t("It was forwarded from another account, not from this bot.") in forwarded.text


async def test_withdrawal_hands_a_freed_training_seat_to_the_waiting_list(
    app: BotApp, tg: FakeTelegram
):
    """Withdrawing consent cancels the resident's sign-ups like a cancel would: the first on the
    waiting list moves up and is told."""
    await seed_household(app)
    wife = tg.user(971, "Siti")
    await agree(wife)
    await link(app, wife, NIK_WIFE)
    husband = tg.user(972, "Sutisna")
    await agree(husband)
    await link(app, husband, NIK_HEAD)
    wife_account = await account_of(app, 971)
    husband_account = await account_of(app, 972)
    async with app.sessionmaker() as session, session.begin():
        training = Training(
            title="Pelatihan Menjahit",
            provider="BLK Bekasi",
            starts_at=utcnow() + dt.timedelta(days=7),
            place="BLK Cikarang",
            capacity=1,
            seats_taken=1,
        )
        session.add(training)
        await session.flush()
        session.add_all(
            [
                Enrollment(
                    training_id=training.id,
                    member_id=wife_account.member_id,
                    account_id=wife_account.id,
                    status="enrolled",
                ),
                Enrollment(
                    training_id=training.id,
                    member_id=husband_account.member_id,
                    account_id=husband_account.id,
                    status="waiting",
                ),
            ]
        )
        training_id = training.id

    await wife.send("/privasi")
    notice = await wife.wait_message()
    query = await wife.click(notice, t("✖️ I do not agree"))
    await query.wait_answered()
    sure = await wife.wait_message()
    await (await wife.click(sure, t("Yes, withdraw and delete my data"))).wait_answered()
    await account_when(app, 971, lambda a: a.consent == "withdrawn")
    told = await husband.wait_message(predicate=lambda m: "Pelatihan Menjahit" in (m.text or ""))
    assert told.text.startswith("Kabar baik: ada kursi kosong. Sutisna Ahmad sekarang terdaftar")
    async with app.sessionmaker() as session:
        training = await session.get(Training, training_id)
        assert training.seats_taken == 1
        statuses = {
            e.account_id: e.status
            for e in await session.scalars(select(Enrollment).order_by(Enrollment.id))
        }
        assert statuses == {None: "cancelled", husband_account.id: "enrolled"}
