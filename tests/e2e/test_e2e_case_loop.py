"""End to end: every signal becomes a case that a volunteer ends with an outcome that changes
the data and tells the resident.

- aid not received: "collected after all" marks the schedule's row collected; a payment
  problem is passed to staff; "other" needs the reason, which the resident reads;
- a correction request: the volunteer edits the data from the case, closes it "corrected",
  and the resident reads what changed;
- a proposal: a member added during verification, rejected with a reason (no /daftar), one
  objection (sanggah) answered by the TKSK and upheld (verify again), then verified without
  any promise of aid; a second objection is refused.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient
from db.models.base import utcnow
from db.models.cases import Case
from db.models.households import AidProgram, Household, Member
from db.models.system import AuditLog
from services import tasks
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, account_of, agree, as_role, e2e_settings, eventually, t
from tests.residents import Linked, link
from tests.volunteers_support import DESA_A, KEC_A, add_household, new_nik, tap, wait_text

SKIP = t("Skip")
NOTE_PROMPT = "Add a short note for the resident (what was done, what to do next), or skip."
REASON_PROMPT = "Please write the reason in a few words (the resident is told)."


async def after(user: FakeUser, button: str, needle: str) -> FakeMessage:
    """Tap `button` and wait for a newer message containing `needle`."""
    last = user.last_message
    await tap(user, button)

    def newer() -> FakeMessage | None:
        for m in reversed(user.messages):
            if m.message_id > (last.message_id if last else 0) and needle in (m.text or ""):
                return m
        return None

    return await user.wait_for(newer)


async def resident_of(app: BotApp, user: FakeUser, household_id: int) -> Account:
    await agree(user)
    await link(app, user.id, Linked(household_id, []))
    account = await account_of(app, user.id)
    assert account is not None
    return account


async def raise_case(
    app: BotApp, household_id: int, kind: str, account_id: int | None, detail: str,
    source: tuple[str, int] | None = None,
) -> int:  # fmt: skip
    """The signal, as the residents' features raise it (services.tasks)."""
    async with app.sessionmaker() as session, session.begin():
        household = await session.get(Household, household_id)
        actor = await session.get(Account, account_id) if account_id else None
        assert household is not None
        case = await tasks.open_task(
            session, household, kind, detail=detail, actor=actor,
            source_type=source[0] if source else None, source_id=source[1] if source else None,
        )  # fmt: skip
        return case.id


async def finish_from_card(volunteer: FakeUser, name: str, number: str, outcome: str) -> None:
    """From /cari: the family's card, "✅ Finish <number>", the outcome."""
    await volunteer.send(f"/cari {name}")
    found = await volunteer.wait_message()
    await volunteer.click(found, found.buttons[0])
    await wait_text(volunteer, t("🏠 Family card"), since=found)
    await after(volunteer, t("✅ Finish {number}", number=number), number)
    await tap(volunteer, outcome)


async def closed_case(app: BotApp, case_id: int) -> Case:
    async def check() -> Case | None:
        async with app.sessionmaker() as session:
            case = await session.get(Case, case_id)
            return case if case is not None and case.state == "closed" else None

    case = await eventually(check)
    assert case is not None, f"case {case_id} not closed"
    return case


async def test_aid_not_received_ends_collected_passed_to_the_bank_or_explained(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        psm, staff = tg.user(5101, "Bu PSM"), tg.user(5102, "Petugas")
        await as_role(app, psm, "psm", DESA_A)
        await as_role(app, staff, "petugas")
        households = [
            await add_household(app, DESA_A, [name])
            for name in ("Asih Terima", "Budi Bank", "Cecep Lain")
        ]
        residents = [tg.user(5110 + k, f"Warga {k}") for k in range(3)]
        pairs = zip(residents, households, strict=True)
        accounts = [await resident_of(app, r, h) for r, h in pairs]
        async with app.sessionmaker() as session, session.begin():
            program = await session.scalar(select(AidProgram).where(AidProgram.code == "BLT"))
            assert program is not None
            payout = Disbursement(
                program_id=program.id, title="BLT tahap 4", amount=1_500_000,
                scheduled_at=utcnow() - dt.timedelta(days=2), place="Balai Desa",
            )  # fmt: skip
            session.add(payout)
            await session.flush()
            rows = [DisbursementRecipient(disbursement_id=payout.id, household_id=h,
                                          resident_answer="belum") for h in households]  # fmt: skip
            session.add_all(rows)
            await session.flush()
            row_ids = [r.id for r in rows]
        cases = [
            await raise_case(
                app, h, tasks.NOT_RECEIVED, a.id, "Belum terima uangnya",
                ("disbursement_recipient", row),
            )
            for h, a, row in zip(households, accounts, row_ids, strict=True)
        ]

        # Collected after all: the row is marked collected, audited, the resident told.
        await finish_from_card(psm, "Asih", f"B-{cases[0]}", t(
            "Collected after all: mark as collected"))  # fmt: skip
        await wait_text(psm, t(NOTE_PROMPT))
        await tap(psm, SKIP)
        told = await wait_text(residents[0], t("Our records now show the aid as collected."))
        assert t("👍 Yes") in told.buttons and t("Your report {number} is finished.",
                                                 number=f"B-{cases[0]}") in told.text
        case = await closed_case(app, cases[0])
        assert case.outcome == "collected"
        async with app.sessionmaker() as session:
            row = await session.get(DisbursementRecipient, row_ids[0])
            assert row is not None and row.collected_at is not None
            audit = await session.scalar(
                select(AuditLog).where(
                    AuditLog.action == "disbursement.collected", AuditLog.subject_id == payout.id
                )
            )
            assert audit is not None and audit.detail["via"] == "case"

        # A payment problem goes on to staff (who deal with the bank or post office).
        await finish_from_card(psm, "Budi", f"B-{cases[1]}", t(
            "Payment problem: pass to the bank or post office"))  # fmt: skip
        await wait_text(psm, t(NOTE_PROMPT))
        await tap(psm, SKIP)
        await wait_text(
            residents[1],
            t("The problem with the payment has been passed to the paying bank or post office."),
        )
        alert = await wait_text(staff, f"B-{cases[1]}")
        assert "💳" in alert.text and t("📂 Open case") in alert.buttons

        # "Other" needs the reason: no skip; the resident reads it.
        await finish_from_card(psm, "Cecep", f"B-{cases[2]}", t("Other (write a note)"))
        asked = await wait_text(psm, t(REASON_PROMPT))
        assert SKIP not in asked.buttons
        await psm.send("Nama tidak ada di daftar tahap 4, masuk tahap 5")
        reason = await wait_text(residents[2], "tahap 5")
        assert t("Reason: {note}", note="Nama tidak ada di daftar tahap 4, masuk tahap 5") in (
            reason.text
        )
        assert (await closed_case(app, cases[2])).outcome == "other"
        async with app.sessionmaker() as session:
            collected = await session.scalar(select(func.count()).where(
                DisbursementRecipient.collected_at.is_not(None)))  # fmt: skip
        assert collected == 1  # only the first


async def test_a_correction_is_applied_and_the_resident_reads_what_changed(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        psm = tg.user(5201, "Bu PSM")
        await as_role(app, psm, "psm", DESA_A)
        household = await add_household(app, DESA_A, ["Dedi Koreksi"])
        resident = tg.user(5202, "Pak Dedi")
        await resident_of(app, resident, household)

        # The resident asks from /dataku; the desa's PSM gets a notice with a button.
        await resident.press(t("📄 My data"))
        shown = await resident.wait_message()
        await (await resident.click(shown, t("✏️ Ask for a correction"))).wait_answered()
        await resident.wait_message(
            predicate=lambda m: t("Ask for a correction of your data") in m.text
        )
        await resident.send("RT kami sudah pindah ke RT 4 RW 2")
        summary = await wait_text(resident, t("Please check your request:"))
        await (await resident.click(summary, t("✅ Confirm"))).wait_answered()
        notice = await wait_text(psm, "🔵")
        assert "Dedi Koreksi" in notice.text and "RT 4 RW 2" in notice.text
        number = notice.text.split(" ")[3].rstrip(":")
        assert number.startswith("K-")

        # The PSM opens the case, the family's card, edits RT/RW, and closes it "corrected".
        await psm.click(notice, t("📂 Open case"))
        card = await wait_text(psm, number, since=notice)
        await after(psm, t("🏠 Family card"), t("🏠 Family card"))
        await after(psm, t("✏️ Edit data"), t("What should change?"))
        await after(psm, t("RT/RW"), t("To stop, send /batal."))
        await psm.send("4/2")
        await wait_text(psm, t("✅ Saved."))
        assert card is not None
        await finish_from_card(psm, "Dedi", number, t("Data corrected"))
        await wait_text(psm, t(NOTE_PROMPT))
        await tap(psm, SKIP)
        told = await wait_text(resident, t("Your family's data has been corrected."))
        assert t("What changed:") in told.text and "003 → 004" in told.text
        case = await closed_case(app, int(number[2:]))
        assert case.outcome == "corrected"
        async with app.sessionmaker() as session:
            row = await session.get(Household, household)
            assert row is not None and (row.rt, row.rw) == ("004", "002")


async def test_a_proposal_gets_a_member_is_rejected_objected_to_and_verified(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        psm, tksk = tg.user(5301, "Bu PSM"), tg.user(5302, "Pak TKSK")
        await as_role(app, psm, "psm", DESA_A)
        await as_role(app, tksk, "tksk", KEC_A)
        proposer = tg.user(5303, "Bu Usul")
        await agree(proposer)
        account = await account_of(app, proposer.id)
        assert account is not None
        household = await add_household(
            app, DESA_A, ["Emak Usulan"], verification="menunggu_verifikasi",
            proposed_by=account.id,
        )  # fmt: skip
        await link(app, proposer.id, Linked(household, []))
        first = await raise_case(app, household, tasks.USULAN, account.id, "Janda, 3 anak")

        # Verifying at the door: a member the proposer declared is added.
        await proposer_card(psm)
        await after(psm, t("✏️ Edit data"), t("What should change?"))
        await tap(psm, t("➕ Add a member"))
        await wait_text(psm, t("The new member's full name, as on the KK or KTP?"))
        await psm.send("Ujang Anak")
        await tap(psm, t("child"))
        await wait_text(psm, t("Date of birth? For example 17-8-1975 or 17 Agustus 1975."))
        await psm.send("1-2-2012")
        await wait_text(psm, t("NIK (16 digits, on the KTP or KK)? Tap Skip if it is not known."))
        await psm.send(new_nik())
        await wait_text(psm, t("Add this member?"))
        await tap(psm, t("✅ Confirm"))
        await wait_text(psm, t("✅ Saved."))

        # Rejected with a reason: the proposer reads it, is not sent to /daftar, may object.
        await finish_from_card(psm, "Emak", f"U-{first}", t("❌ Not eligible (give the reason)"))
        await wait_text(psm, t(REASON_PROMPT))
        await psm.send("Penghasilan di atas garis kemiskinan")
        rejected = await wait_text(proposer, "Penghasilan di atas garis kemiskinan")
        assert t("After checking, the proposed family could not be accepted.") in rejected.text
        assert "/daftar" not in rejected.text
        assert rejected.buttons == [t("✋ Object to this decision")]
        async with app.sessionmaker() as session:
            row = await session.get(Household, household)
            assert row is not None and row.verification == "ditolak"
            still = await session.get(Account, account.id)
            assert still is not None and still.household_id == household  # stays linked

        # One objection, to the TKSK (not the PSM who decided).
        await proposer.click(rejected, t("✋ Object to this decision"))
        await wait_text(proposer, t("An objection can be sent only once."))
        await proposer.send("Suami sudah tidak bekerja sejak bulan lalu")
        received = await wait_text(proposer, "S-")
        assert t("the TKSK of your kecamatan") in received.text
        notice = await wait_text(tksk, "✋")
        assert "Suami sudah tidak bekerja" in notice.text
        number = received.text.split("S-")[1].split(" ")[0].rstrip(".")
        assert not [m for m in psm.messages if "✋" in (m.text or "")]

        # The TKSK upholds it: the family is to be verified again; the PSM is told.
        await tksk.click(notice, t("📂 Open case"))
        await wait_text(tksk, f"S-{number}", since=notice)
        await after(tksk, t("✅ Close"), f"S-{number}")
        await tap(tksk, t("Objection accepted: verify again"))
        await wait_text(tksk, t(NOTE_PROMPT))
        await tap(tksk, SKIP)
        await wait_text(proposer, t("Your objection was accepted: the family will be checked "
                                    "again."))  # fmt: skip
        async with app.sessionmaker() as session:
            row = await session.get(Household, household)
            assert row is not None and row.verification == "menunggu_verifikasi"
            reopened = await session.scalar(
                select(Case).where(Case.kind == "usulan", Case.state == "open")
            )
            assert reopened is not None and reopened.source_type == "sanggah"
        await wait_text(psm, t(
            "🟡 Proposal {number} ({desa}) is to be verified again after an objection.",
            number=f"U-{reopened.id}", desa="Satriajaya",
        ))  # fmt: skip

        # A second objection is refused (the old button).
        query = await proposer.click(rejected, t("✋ Object to this decision"))
        await query.wait_answered()
        assert query.answer_text == t("An objection can be sent only once.")

        # Verified this time: no promise of aid; both members count.
        await finish_from_card(psm, "Emak", f"U-{reopened.id}",
                               t("✅ Verified: to be proposed to DTKS"))  # fmt: skip
        await wait_text(psm, t(NOTE_PROMPT))
        await tap(psm, SKIP)
        verified = await wait_text(proposer, "DTKS/DTSEN")
        assert "belum keputusan bantuan" in verified.text
        async with app.sessionmaker() as session:
            row = await session.get(Household, household)
            assert row is not None and row.verification == "terverifikasi"
            members = await session.scalar(
                select(func.count()).where(Member.household_id == household,
                                           Member.left_at.is_(None))
            )  # fmt: skip
            assert members == 2


async def proposer_card(volunteer: FakeUser) -> None:
    await volunteer.send("/cari emak")
    found = await volunteer.wait_message()
    await volunteer.click(found, found.buttons[0])
    await wait_text(volunteer, t("🏠 Family card"), since=found)
