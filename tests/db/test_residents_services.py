"""The residents' use cases without Telegram: intents, message check, masking, attempt limit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from conversations.usulan import desa_options, kecamatan_options
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.accounts import Account, LinkAttempt
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from db.protect import Protector
from services import linking, message_check
from services.my_data import scrub_numbers
from tests.conftest import TEST_SECRET
from tests.residents import protected_household, protected_member

KK = "3216061503200001"
NIK = "3216065505820003"


def test_numbers_typed_into_free_text_are_masked() -> None:
    assert scrub_numbers(f"NIK saya {NIK} bukan 12345") == "NIK saya 3216********0003 bukan 12345"
    assert scrub_numbers("KK 3216 0615 0320 0001.") == "KK 3216********0001."


def test_normalise_removes_what_forwarding_and_copying_change() -> None:
    a = message_check.normalise("<b>Pencairan BLT</b>\n\nSelasa,  pukul 09.00 WIB &amp; gratis")
    b = message_check.normalise("pencairan blt selasa, pukul 09.00 wib & gratis\u200b")
    assert a == b
    assert message_check.scam_signs("Silakan TRANSFER biaya admin ke rekening")
    assert message_check.scam_signs("kirim kode OTP yang masuk")
    assert not message_check.scam_signs("Bawa KTP dan KK asli ke balai desa")


async def test_match_counts_failures_and_locks_after_five(database_url: str) -> None:
    engine = create_engine(database_url)
    protector = Protector(TEST_SECRET.encode())
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            account = Account(telegram_id=5, consent="given")
            household = protected_household(
                protector, KK, desa_code="32.16.06.2002", kecamatan_code="32.16.06"
            )
            session.add_all([account, household])
            await session.flush()
            session.add(
                protected_member(
                    protector, household.id, NIK, name="Siti Aminah", relationship_to_head="kepala"
                )
            )
            await session.flush()

            hit = await linking.match(session, protector, account, NIK, KK)
            assert hit.outcome == linking.MATCHED and hit.household is not None
            assert hit.household.head_masked == "S*** A*****"
            assert hit.household.desa == "Lambangsari"
            for k in range(1, 6):
                miss = await linking.match(session, protector, account, "3216062002900004", KK)
                assert (miss.outcome, miss.failures) == (linking.NIK_NOT_IN_KK, k)
            assert miss.retry_at is not None
            assert dt.timedelta(hours=23) < miss.retry_at - utcnow() <= dt.timedelta(hours=24)
            locked = await linking.match(session, protector, account, NIK, KK)
            assert locked.outcome == linking.LOCKED  # the right numbers do not help now
            rows = await session.scalars(
                select(LinkAttempt).where(LinkAttempt.account_id == account.id)
            )
            assert len(list(rows)) == 5
            await session.rollback()
    finally:
        await engine.dispose()


async def test_check_matches_only_broadcasts_that_were_sent(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            account = Account(telegram_id=7, consent="given")
            sent = Broadcast(text="Pencairan PKH tahap 3 di Kantor Pos Tambun, Kamis 08.00 WIB.")
            draft = Broadcast(text="Pencairan BPNT di Balai Desa Sukadanau, Jumat 09.00 WIB.")
            session.add_all([account, sent, draft])
            await session.flush()
            session.add(
                Delivery(broadcast_id=sent.id, account_id=account.id, chat_id=7, status="sent")
            )
            session.add(
                Delivery(broadcast_id=draft.id, account_id=account.id, chat_id=7, status="failed")
            )
            await session.flush()
            exact = await message_check.check(
                session, "pencairan pkh tahap 3 di kantor pos tambun, kamis 08.00 wib."
            )
            assert exact.matched and exact.how == "exact" and exact.broadcast_id == sent.id
            near = await message_check.check(
                session, "Pencairan PKH tahap 3 di Kantor Pos Tambun, Kamis 08.00 WlB"
            )
            assert near.matched and near.how == "near"
            assert not (await message_check.check(session, draft.text)).matched
            assert not (await message_check.check(session, "   ")).matched
            await session.rollback()
    finally:
        await engine.dispose()


async def test_check_sees_a_broadcast_sent_later_and_keeps_databases_apart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The in-memory candidates follow the database: a broadcast sent after a first check is
    found by the next one, and another database with the same ids is not confused with it."""
    texts = {
        "a": "Pencairan BLT di Balai Desa Cibening, Senin 09.00 WIB, gratis tanpa biaya.",
        "b": "Pelatihan menjahit di BLK Cikarang, Rabu 08.00 WIB, gratis untuk warga.",
    }
    engines = [create_engine(f"sqlite+aiosqlite:///{tmp_path / name}.db") for name in "ab"]
    try:
        for engine, key in zip(engines, "ab", strict=True):
            await upgrade(engine)
            async with create_sessionmaker(engine).begin() as session:
                account = Account(telegram_id=7, consent="given")
                broadcast = Broadcast(text=texts[key])
                session.add_all([account, broadcast])
                await session.flush()
                session.add(Delivery(broadcast_id=broadcast.id, account_id=account.id,
                                     chat_id=7, status="sent"))  # fmt: skip
        for engine, key, other in ((engines[0], "a", "b"), (engines[1], "b", "a")):
            async with create_sessionmaker(engine)() as session:
                assert (await message_check.check(session, texts[key])).matched
                assert not (await message_check.check(session, texts[other])).matched
        async with create_sessionmaker(engines[0]).begin() as session:
            later = Broadcast(text=texts["b"])
            session.add(later)
            await session.flush()
            session.add(Delivery(broadcast_id=later.id, account_id=1, chat_id=7, status="sent"))
        async with create_sessionmaker(engines[0])() as session:
            found = await message_check.check(session, texts["b"])
            assert found.matched and found.broadcast_id == later.id
    finally:
        for engine in engines:
            await engine.dispose()


def test_region_choices_follow_the_volunteers_area() -> None:
    everything = kecamatan_options({}, {})
    assert len(everything) == 23 and everything[0].label == "Babelan"  # sorted by name
    tksk = {"area": "32.16.06"}
    assert [o.value for o in kecamatan_options({}, tksk)] == ["32.16.06"]
    assert len(desa_options({"kecamatan": "32.16.06"}, tksk)) == 10  # 9 desa + 1 kelurahan
    psm = {"area": "32.16.06.2002"}
    assert [o.value for o in kecamatan_options({}, psm)] == ["32.16.06"]
    assert [o.label for o in desa_options({"kecamatan": "32.16.06"}, psm)] == ["Lambangsari"]
    assert desa_options({"kecamatan": "32.16.05"}, psm) == []


async def test_no_message_reaches_someone_who_withdrew() -> None:
    from conversations.notify import send

    withdrawn = Account(telegram_id=9, consent="withdrawn", bot_blocked=False)
    # No Bot at all: for someone who withdrew, send() must not even reach for it.
    text = "Usulan Bapak/Ibu sudah diverifikasi."
    assert await send(None, withdrawn, text) is False  # type: ignore[arg-type]  # see above
