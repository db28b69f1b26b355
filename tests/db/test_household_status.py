"""A visit that finds the family moved (or died, or not at the address) takes the household
out of new schedules, area broadcasts and the statistics, audited with before and after; a
member found no longer living there is marked as left."""

from __future__ import annotations

from sqlalchemy import select

from db.models.accounts import Account
from db.models.households import Household, Member
from db.models.system import AuditLog
from services import field_reports, schedules, stats
from tests import broadcast_seed as seed
from tests.db.test_broadcasts import _ids, _world, db  # noqa: F401  (the fixture)


async def _visit(db, household_id: int, answers: dict) -> None:  # noqa: F811
    async with db() as s, s.begin():
        volunteer = await s.scalar(select(Account).where(Account.telegram_id == 9100))
        household = await s.get(Household, household_id)
        await field_reports.record_visit(s, volunteer, household, answers)


async def test_a_moved_family_leaves_schedules_broadcasts_and_numbers(db) -> None:  # noqa: F811
    await _world(db)
    async with db() as s:
        moved = await s.scalar(
            select(Household.id).where(Household.desa_code == seed.SETU_DESA).order_by(Household.id)
        )
        area = schedules.Target("kecamatan", kecamatan=seed.SETU)
        before_count = await schedules.count_households(s, area)
        before_stats = {r.code: r.households for r in await stats.per_kecamatan(s)}[seed.SETU]
    assert await _ids(db, {"type": "kecamatan", "codes": [seed.SETU]}) == {9001, 9002}

    await _visit(db, moved, {"outcome": field_reports.MOVED})

    async with db() as s:
        assert (await s.get(Household, moved)).status == "pindah"
        assert await schedules.count_households(s, area) == before_count - 1
        after_stats = {r.code: r.households for r in await stats.per_kecamatan(s)}[seed.SETU]
        assert after_stats == before_stats - 1
        audit = await s.scalar(
            select(AuditLog).where(AuditLog.action == "household.status_changed")
        )
    assert audit is not None and audit.detail == {"before": "aktif", "after": "pindah"}
    # Its residents are no longer in an area broadcast (kept for history and exports).
    assert await _ids(db, {"type": "kecamatan", "codes": [seed.SETU]}) == set()


async def test_a_member_found_gone_is_marked_as_left(db) -> None:  # noqa: F811
    await _world(db)
    async with db() as s:
        member = await s.scalar(select(Member).order_by(Member.id))
        household_id, member_id = member.household_id, member.id
    await _visit(db, household_id, {"outcome": field_reports.MET, "gone": [str(member_id)]})
    async with db() as s:
        member = await s.get(Member, member_id)
        assert member.left_at is not None and member.left_reason == "tidak_tinggal"
        assert (await s.get(Household, household_id)).status == "aktif"  # the family stays
