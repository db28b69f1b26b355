"""End to end: a resident's complaint reaches a person and comes back. Free text the bot did
not understand (through the fallback), answered by the desa's PSM, answered back by the
resident, closed with an outcome the resident reads, feedback and reopening; a voice note
from a resident not linked to a family (kecamatan and desa from buttons); /aduanku. No side
sees the other's Telegram account: messages are sent anew, never forwarded."""

from __future__ import annotations

from sqlalchemy import select

from db.models.cases import CaseMessage
from tests.e2e.complaints_support import (
    family_a,
    number_in,
    resident_of_desa_a,
    send_offered,
    the_case,
)
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, as_role, eventually, t
from tests.volunteers_support import DESA_A, KEC_A, tap, wait_text


async def test_free_text_complaint_answered_both_ways_closed_and_reopened(
    app: BotApp, tg: FakeTelegram
) -> None:
    psm = tg.user(2001, "Pak Budi")
    await as_role(app, psm, "psm", DESA_A)
    resident = tg.user(2002, "Siti")
    await resident_of_desa_a(app, resident)

    await resident.send("qwerty zxcv pak rt tidak peduli")
    confirmation = await send_offered(resident)
    number = number_in(confirmation.text)
    assert t("the PSM of your desa") in confirmation.text

    notice = await wait_text(
        psm, t("📣 New complaint {number} from {desa}.", number=number, desa=family_a())
    )
    assert "pak rt tidak peduli" in notice.text
    await (await psm.click(notice, t("✍️ Reply"))).wait_answered()
    await psm.send("Baik Bu, akan kami cek di daftar minggu ini.")
    await wait_text(psm, t("Sent to the resident of {number}.", number=number))

    answer = await wait_text(
        resident,
        t("💬 Answer to your complaint {number} from {who}:", number=number, who=t("PSM")),
    )
    assert "akan kami cek" in answer.text and "Budi" not in answer.text
    assert "forward_origin" not in answer.raw  # a new message, not a forward
    await (await resident.click(answer, t("✍️ Reply"))).wait_answered()
    await resident.send("Terima kasih Pak, saya tunggu.")
    await wait_text(resident, t("Sent. The officer will answer here."))
    back = await wait_text(
        psm, t("💬 New message in complaint {number} ({desa}).", number=number, desa=family_a())
    )
    # Relayed as a new message: the resident's Telegram account is not shown (the family's
    # name on the list is, as officers may see it).
    assert "saya tunggu" in back.text and "forward_origin" not in back.raw

    # The PSM closes it from /kasus with an outcome and a note.
    await psm.send("/kasus")
    await wait_text(psm, number)
    await tap(psm, f"1. {number}")
    await wait_text(psm, "Terima kasih Pak, saya tunggu.")
    await tap(psm, t("✅ Close"))
    await tap(psm, t("Question answered"))
    await psm.send("Nama sudah ada di daftar 3216061503200001.")
    await wait_text(psm, t("{kind} {number} is closed: {outcome}.", kind=t("Complaint"),
                           number=number, outcome=t("Question answered")))  # fmt: skip

    closed = await wait_text(resident, t("Your complaint {number} is finished.", number=number))
    assert t("Your question has been answered.") in closed.text
    assert "3216********0001" in closed.text and "3216061503200001" not in closed.text
    assert t("Was this helpful?") in closed.text
    await (await resident.click(closed, t("👎 No"))).wait_answered()
    await tap(resident, t("🔁 Reopen {number}", number=number))
    reopened = "Complaint {number} is open again. Please write what is still wrong."
    await wait_text(resident, t(reopened, number=number))
    await wait_text(psm, t("🔁 The resident reopened complaint {number}.", number=number))
    case = await the_case(app, number)
    assert (case.state, case.reopened_count, case.resident_feedback) == ("taken", 1, "not_helped")
    assert case.holder_account_id is not None

    await resident.send("/aduanku")
    mine = await wait_text(resident, t("Your complaints (newest first):"))
    assert number in mine.text and t("being handled") in mine.text


async def test_voice_note_from_an_unlinked_resident_picks_the_desa(
    app: BotApp, tg: FakeTelegram
) -> None:
    tksk = tg.user(2101, "Pak TKSK")
    await as_role(app, tksk, "tksk", KEC_A)  # no PSM in the desa: the TKSK answers
    resident = tg.user(2102, "Ani")
    await agree(resident)

    voice = await resident.send_voice()
    await wait_text(resident, t("Sorry, I did not understand that. An officer can read your "
                                "message and answer you here."))  # fmt: skip
    await tap(resident, t("📣 Send to an officer"))
    await tap(resident, "Tambun Utara")
    await tap(resident, "Satriajaya")
    confirmation = await wait_text(resident, "A-")
    number = number_in(confirmation.text)
    assert t("the TKSK of your kecamatan") in confirmation.text

    await wait_text(tksk, t("📣 New complaint {number} from {desa}.", number=number,
                            desa="Satriajaya"))  # fmt: skip
    relayed = await tksk.wait_for(
        lambda: next((m for m in tksk.messages if m.kind == "voice"), None)
    )
    assert relayed.voice["file_id"] == voice.voice["file_id"]
    assert number in (relayed.caption or "")
    case = await the_case(app, number)
    assert (case.household_id, case.desa_code, case.level) == (None, DESA_A, "tksk")

    async def stored() -> list[CaseMessage]:
        async with app.sessionmaker() as session:
            return list(await session.scalars(select(CaseMessage)))

    messages = await eventually(stored)
    assert [(m.role, m.file_kind) for m in messages] == [("resident", "voice")]


async def test_aduan_collects_text_and_photo_then_sends(app: BotApp, tg: FakeTelegram) -> None:
    psm = tg.user(2201, "PSM")
    await as_role(app, psm, "psm", DESA_A)
    resident = tg.user(2202, "Warga")
    await resident_of_desa_a(app, resident)

    await resident.send(t("📣 Complaint"))
    await wait_text(resident, t("Write your complaint or question, or send a photo or a voice "
                                "note. You can send several. Then tap Send."))  # fmt: skip
    await resident.send("Atap rumah bocor besar")
    await wait_text(resident, t("Received. Send more, or tap Send."))
    secret = await resident.send("KK saya 3216061503200001")  # deleted, kept masked
    await eventually(lambda: _count(resident, t("Received. Send more, or tap Send."), 2))
    assert secret.deleted
    photo = await resident.send_photo(caption="ini fotonya")
    await eventually(lambda: _count(resident, t("Received. Send more, or tap Send."), 3))
    await tap(resident, t("📣 Send"))
    number = number_in((await wait_text(resident, "A-")).text)
    notice = await wait_text(psm, "Atap rumah bocor besar")
    assert number in notice.text
    assert "KK saya 3216********0001" in notice.text and "3216061503200001" not in notice.text
    sent_photo = await psm.wait_for(
        lambda: next((m for m in psm.messages if m.kind == "photo"), None)
    )
    assert sent_photo.photo[-1]["file_id"] == photo.photo[-1]["file_id"]
    assert "ini fotonya" in (sent_photo.caption or "")

    # A second complaint while this one is open adds to it.
    await resident.send("/aduan")
    await resident.send("Tambahan: dinding retak")
    await eventually(lambda: _count(resident, t("Received. Send more, or tap Send."), 4))
    await tap(resident, t("📣 Send"))
    added = await wait_text(resident, t("Thank you. Your message was added to your open "
                                        "complaint {number}. It will be answered here by {who}.",
                                        number=number, who=t("the PSM of your desa")))  # fmt: skip
    assert added


async def _count(user: object, text: str, n: int) -> bool:
    return sum(1 for m in user.messages if m.text == text) >= n  # type: ignore[attr-defined]
