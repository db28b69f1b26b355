"""The staff report of training sign-ups (services.export, kind `pelatihan`): one row per
sign-up with the training, the person, and attendance per day: how many days the training
has, how many the person was present, and which. Written like the others: Indonesian column
names and words (a file format), full NIK/KK for staff only, times in WIB."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from db.models.aid import Enrollment, Training
from db.models.households import Household, Member
from domain.dates import WIB
from services import attendance

ENROLLMENT_COLUMNS = [
    "pelatihan", "penyelenggara", "mulai", "tempat", "nama", "nik", "no_kk", "kecamatan",
    "desa", "status", "didaftarkan_pada", "jumlah_hari", "hari_hadir", "tanggal_hadir",
]  # fmt: skip


async def enrollment_rows(ctx: Any) -> AsyncIterator[list[Any]]:
    statement = ctx.period(
        ctx.area(
            select(Enrollment, Training, Member, Household)
            .join(Training, Training.id == Enrollment.training_id)
            .join(Member, Member.id == Enrollment.member_id)
            .join(Household, Household.id == Member.household_id)
        ),
        Enrollment.created_at,
    )
    async for rows in ctx.chunks(statement, Enrollment.id):
        marks = await attendance.marks(ctx.session, [row[0].id for row in rows])
        for enrollment, training, member, household in rows:
            days = attendance.training_days(training)
            came = [day for day, present in marks.get(enrollment.id, {}).items() if present]
            yield [
                training.title, training.provider, _wib(training.starts_at), training.place,
                member.name, ctx.open(member.nik_encrypted, "nik"), ctx.kk(household),
                *ctx.place(household), enrollment.status, _wib(enrollment.created_at),
                len(days), len(came), ", ".join(day.strftime("%d/%m/%Y") for day in came),
            ]  # fmt: skip


def _wib(when: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: the wall-clock time in Jakarta, which is what staff read.
    return when.astimezone(WIB).replace(tzinfo=None) if when is not None else None
