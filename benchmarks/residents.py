"""Figures for the residents' features: how long one /cek and one NIK+KK match take, on SQLite,
with a realistic amount of data (reading free text: benchmarks/understanding.py).

    .venv/bin/python benchmarks/residents.py [--broadcasts 2000] [--households 20000]

/cek compares a text with every sent broadcast of the last year (at most 2,000): the worst case
is a text that matches none (a scam), so that is what is measured, with and without a near
candidate. Prints mean and p95 per call.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.broadcasts import Broadcast, Delivery
from db.models.households import Household, Member
from db.protect import Protector
from services import linking, message_check

TEMPLATE = (
    "Pencairan {program} tahap {n} untuk warga Desa {desa}: {day} pukul {hour}.00 WIB di Balai "
    "Desa. Bawa KTP dan KK asli. Bantuan ini gratis, tidak dipungut biaya apa pun. Info: PSM "
    "desa atau Dinas Sosial Kabupaten Bekasi."
)
SCAM = (
    "SELAMAT! Keluarga Anda terpilih menerima BLT Rp600.000 dari Dinas Sosial. Segera transfer "
    "biaya admin Rp50.000 ke rekening BRI 1234567890 a.n. Dinsos Bekasi."
)


def _stats(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return f"mean {statistics.mean(samples) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def main(broadcasts: int, households: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await upgrade(engine)
        protector = Protector(b"benchmark-secret-0123456789-abcdefghijkl")
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session, session.begin():
            account = Account(telegram_id=1, consent="given")
            session.add(account)
            await session.flush()
            for k in range(broadcasts):
                text = TEMPLATE.format(
                    program=("BLT", "PKH", "BPNT")[k % 3], n=k, desa=f"Desa {k % 187}",
                    day=("Senin", "Selasa", "Rabu")[k % 3], hour=8 + k % 5,
                )  # fmt: skip
                broadcast = Broadcast(text=text, status="done")
                session.add(broadcast)
                await session.flush()
                session.add(
                    Delivery(broadcast_id=broadcast.id, account_id=account.id, chat_id=1,
                             status="sent")
                )  # fmt: skip
            for k in range(households):
                kk_hash, kk_enc, kk_mask = protector.protect(f"3216{k:012d}")
                household = Household(
                    kk_hash=kk_hash,
                    kk_encrypted=kk_enc,
                    kk_masked=kk_mask,
                    desa_code="32.16.06.2002",
                    kecamatan_code="32.16.06",
                )
                session.add(household)
                await session.flush()
                nik_hash, nik_enc, nik_mask = protector.protect(f"3217{k:012d}")
                session.add(Member(household_id=household.id, nik_hash=nik_hash,
                                   nik_encrypted=nik_enc, nik_masked=nik_mask, name="Siti Aminah",
                                   relationship_to_head="kepala"))  # fmt: skip

        async def timed(
            call: Callable[[AsyncSession], Awaitable[Any]], runs: int
        ) -> list[float]:
            samples = []
            for _ in range(runs):
                async with sessionmaker() as session:
                    start = time.perf_counter()
                    await call(session)
                    samples.append(time.perf_counter() - start)
                    await session.rollback()
            return samples

        near_miss = TEMPLATE.format(program="BLT", n=7, desa="Desa 7", day="Senin", hour=9)
        near_miss = near_miss.replace("gratis", "GRATIS!!") + " Transfer ongkos Rp10.000."
        print(f"SQLite, {broadcasts} sent broadcasts, {households} households")
        print(
            "/cek scam text (no match):   ",
            _stats(await timed(lambda s: message_check.check(s, SCAM), 30)),
        )
        print(
            "/cek doctored copy (near):   ",
            _stats(await timed(lambda s: message_check.check(s, near_miss), 30)),
        )
        exact = TEMPLATE.format(program="BLT", n=0, desa="Desa 0", day="Senin", hour=8)
        print(
            "/cek oldest broadcast exact: ",
            _stats(await timed(lambda s: message_check.check(s, exact), 30)),
        )

        async def match(session: AsyncSession) -> None:
            who = await session.get(Account, 1)
            assert who is not None
            await linking.match(session, protector, who, f"3217{123:012d}", f"3216{123:012d}")

        print("NIK+KK match (hit):          ", _stats(await timed(match, 200)))
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--broadcasts", type=int, default=2000)
    parser.add_argument("--households", type=int, default=20000)
    args = parser.parse_args()
    asyncio.run(main(args.broadcasts, args.households))
