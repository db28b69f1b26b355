"""A mix of data for the statistics' tests (tests/db/test_stats.py, tests/e2e/test_staff_stats.py),
and the figures it should give, counted here in plain Python from the same lists.

Households whose latest finding on income changes the answer (a report saying extreme poor
then a visit saying not, and the reverse; a visit that measured nothing; a report and a visit
at the same moment; a moved and a rejected household), open, overdue, answered and closed
cases with known answer times, visits by several volunteers, and payouts: one held, one
cancelled and one still to come (those two not counted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient, Enrollment, Training
from db.models.cases import Case
from db.models.field import FieldVisit, StatusReport
from db.models.households import AidProgram, Household, Member
from services import findings

SETU, TAMBUN_UTARA = "32.16.18", "32.16.05"
CIBENING, CIJENGKOL, SRIJAYA = "32.16.18.2005", "32.16.18.2001", "32.16.05.2006"
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)

# name: (desa, status, verification)
HOUSEHOLDS = {
    "report_then_visit": (CIBENING, "aktif", "terverifikasi"),
    "visit_then_report": (CIBENING, "aktif", "terdaftar"),
    "old_report": (CIJENGKOL, "aktif", "menunggu_verifikasi"),
    "nobody_home": (CIJENGKOL, "aktif", "terdaftar"),
    "no_income_later": (CIJENGKOL, "aktif", "terdaftar"),
    "moved": (CIBENING, "pindah", "terdaftar"),
    "rejected": (CIBENING, "aktif", "ditolak"),
    "same_moment": (SRIJAYA, "aktif", "terdaftar"),
    "quiet": (SRIJAYA, "aktif", "terdaftar"),
}
# Welfare deciles from the lists (the moved household is not counted).
DESIL = {"report_then_visit": 1, "moved": 1, "quiet": 2}
# (household, "report" | "visit", days ago, extreme poor (None: no income measured), who)
FINDINGS = [
    ("report_then_visit", "report", 10, True, None),
    ("report_then_visit", "visit", 2, False, "psm_cibening"),
    ("visit_then_report", "visit", 45, True, "psm_cibening"),  # 45 days: not a recent visit
    ("visit_then_report", "visit", 20, False, "psm_cibening"),
    ("visit_then_report", "report", 5, True, None),
    ("old_report", "report", 40, True, None),
    ("nobody_home", "report", 3, False, None),
    ("nobody_home", "visit", 1, None, "psm_cijengkol"),  # nobody met: no income
    ("no_income_later", "report", 3, True, None),
    ("no_income_later", "report", 1, None, None),  # a report without the income
    ("moved", "visit", 15, True, "psm_cibening"),
    ("rejected", "report", 4, True, None),
    ("same_moment", "report", 6, False, None),
    ("same_moment", "visit", 6, True, "tksk_tambun"),  # the same moment: the visit counts
]
VOLUNTEERS = {  # name: (role, area, first name)
    "psm_cibening": ("psm", CIBENING, "Rina"),
    "psm_cijengkol": ("psm", CIJENGKOL, "Yanti"),
    "tksk_setu": ("tksk", SETU, "Dedi"),
    "tksk_tambun": ("tksk", TAMBUN_UTARA, "Asep"),
}


# Accounts linked to a household: two people of one family count as one household linked.
LINKED = ["report_then_visit", "report_then_visit", "same_moment", "moved"]
# Training sign-ups (a member of the household each): cancelled ones are not counted.
SIGN_UPS = [("report_then_visit", "enrolled"), ("visit_then_report", "waiting"),
            ("old_report", "cancelled"), ("same_moment", "attended")]  # fmt: skip


@dataclass
class CaseSpec:
    desa: str
    created_ago: dt.timedelta
    due_after: dt.timedelta  # from creation
    answered_after: dt.timedelta | None = None  # from creation
    closed_ago: dt.timedelta | None = None
    closed_by: str | None = None
    holder: str | None = None

    @property
    def state(self) -> str:
        if self.closed_ago is not None:
            return "closed"
        return "waiting" if self.answered_after is not None else "open"


CASES = [
    CaseSpec(CIBENING, 5 * DAY, 3 * DAY),  # open, overdue
    CaseSpec(CIBENING, 4 * DAY, 3 * DAY, answered_after=10 * HOUR, holder="psm_cibening"),
    CaseSpec(CIJENGKOL, 1 * DAY, 3 * DAY),  # open, due later
    CaseSpec(CIBENING, 5 * DAY, 3 * DAY, answered_after=2 * DAY, closed_ago=3 * DAY,
             closed_by="psm_cibening"),  # closing answered it
    CaseSpec(CIJENGKOL, 50 * DAY, 3 * DAY, answered_after=5 * DAY, closed_ago=40 * DAY,
             closed_by="psm_cijengkol"),  # long ago: in no 30-day figure
    CaseSpec(SRIJAYA, 3 * DAY, 3 * DAY, answered_after=24 * HOUR, closed_ago=1 * DAY,
             closed_by="tksk_tambun", holder="tksk_tambun"),
    CaseSpec(CIJENGKOL, 10 * DAY, 3 * DAY, answered_after=6 * HOUR, holder="psm_cijengkol"),
    CaseSpec(CIJENGKOL, 6 * DAY, 3 * DAY, answered_after=1 * DAY, closed_ago=5 * DAY,
             closed_by="tksk_setu"),
]  # fmt: skip


@dataclass
class Seeded:
    now: dt.datetime
    households: dict[str, int] = field(default_factory=dict)
    volunteers: dict[str, int] = field(default_factory=dict)


def kecamatan(desa: str) -> str:
    return desa.rsplit(".", 1)[0]


async def seed(
    session: AsyncSession, now: dt.datetime, volunteers: dict[str, int] | None = None
) -> Seeded:
    """Write the mix; `volunteers` maps the names above to existing accounts (the e2e test's
    users), else the accounts are made here."""
    seeded = Seeded(now)
    for name, (desa, status, verification) in HOUSEHOLDS.items():
        household = Household(desa_code=desa, kecamatan_code=kecamatan(desa), status=status,
                              verification=verification, desil=DESIL.get(name))  # fmt: skip
        session.add(household)
        await session.flush()
        seeded.households[name] = household.id
    seeded.volunteers = dict(volunteers or {})
    for k, (name, (role, area, first_name)) in enumerate(VOLUNTEERS.items()):
        if name not in seeded.volunteers:
            account = Account(telegram_id=7000 + k, role=role, area_code=area,
                              first_name=first_name, consent="given")  # fmt: skip
            session.add(account)
            await session.flush()
            seeded.volunteers[name] = account.id
    for k, name in enumerate(LINKED):
        session.add(Account(telegram_id=7100 + k, household_id=seeded.households[name]))
    for name, source, days, extreme, who in FINDINGS:
        at, household_id = now - days * DAY, seeded.households[name]
        if source == "report":
            session.add(StatusReport(household_id=household_id, extreme_poor=extreme,
                                     created_at=at))  # fmt: skip
        else:
            session.add(FieldVisit(household_id=household_id, outcome="ditemui",
                                   volunteer_account_id=seeded.volunteers[str(who)],
                                   extreme_poor=extreme, visited_at=at))  # fmt: skip
    for spec in CASES:
        created = now - spec.created_ago
        session.add(
            Case(
                kind="aduan", desa_code=spec.desa, kecamatan_code=kecamatan(spec.desa),
                state=spec.state, level="psm", created_at=created, last_message_at=created,
                first_answer_due_at=created + spec.due_after,
                answered_at=created + spec.answered_after if spec.answered_after else None,
                closed_at=now - spec.closed_ago if spec.closed_ago else None,
                closed_by_account_id=seeded.volunteers[spec.closed_by] if spec.closed_by else None,
                holder_account_id=seeded.volunteers[spec.holder] if spec.holder else None,
            )
        )  # fmt: skip
    await _payouts(session, seeded)
    await _sign_ups(session, seeded)
    await session.flush()
    # Written as rows, not through save_report / record_visit: each household's latest
    # finding is worked out from them, as migration 0015 did for the data already there.
    await findings.recompute(session)
    return seeded


async def _sign_ups(session: AsyncSession, seeded: Seeded) -> None:
    training = Training(title="Menjahit", provider="BLK", place="BLK", capacity=5,
                        starts_at=seeded.now + 5 * DAY)  # fmt: skip
    session.add(training)
    for name, status in SIGN_UPS:
        member = Member(household_id=seeded.households[name], name="Siti",
                        relationship_to_head="kepala")  # fmt: skip
        session.add(member)
        await session.flush()
        session.add(Enrollment(training_id=training.id, member_id=member.id, status=status))


# Recipients of the payout held yesterday: (household, collected).
HELD = [("report_then_visit", True), ("visit_then_report", False), ("same_moment", True)]


async def _payouts(session: AsyncSession, seeded: Seeded) -> None:
    program = await session.scalar(select(AidProgram).where(AidProgram.code == "BLT"))
    assert program is not None
    now = seeded.now
    held = Disbursement(program_id=program.id, title="BLT", amount=300000, place="Balai",
                        scheduled_at=now - DAY)  # fmt: skip
    # Not counted: a cancelled payout, and one still to come.
    cancelled = Disbursement(program_id=program.id, title="Batal", amount=1, place="Balai",
                             scheduled_at=now - DAY, status="cancelled")  # fmt: skip
    future = Disbursement(program_id=program.id, title="Nanti", amount=1, place="Balai",
                          scheduled_at=now + 3 * DAY)  # fmt: skip
    session.add_all([held, cancelled, future])
    await session.flush()
    for name, collected in HELD:
        session.add(DisbursementRecipient(disbursement_id=held.id,
                                          household_id=seeded.households[name],
                                          collected_at=now if collected else None))  # fmt: skip
    for other in (cancelled, future):
        for name in ("visit_then_report", "quiet"):
            session.add(DisbursementRecipient(disbursement_id=other.id,
                                              household_id=seeded.households[name],
                                              collected_at=now))  # fmt: skip


# ----------------------------------------------------------- the expected figures, by hand


def counted(name: str) -> bool:
    _desa, status, verification = HOUSEHOLDS[name]
    return status == "aktif" and verification != "ditolak"


def extreme_poor_households() -> set[str]:
    """Each counted household's latest finding that measured the income: newest date, the
    visit first at the same moment, then the later written."""
    latest: dict[str, tuple[int, int, int, bool]] = {}
    for order, (name, source, days, extreme, _who) in enumerate(FINDINGS):
        if extreme is None or not counted(name):
            continue
        key = (-days, source == "visit", order, extreme)
        if name not in latest or key[:3] > latest[name][:3]:
            latest[name] = key  # type: ignore[assignment]
    return {name for name, key in latest.items() if key[3]}


def in_area(desa: str, area: str) -> bool:
    return desa == area or kecamatan(desa) == area


def expected_area(area: str) -> dict[str, float | int]:
    """The figures of a kecamatan or desa, counted from the lists above."""
    now_cases = [c for c in CASES if in_area(c.desa, area)]
    open_ = [c for c in now_cases if c.state != "closed"]
    overdue = [c for c in open_ if c.answered_after is None and c.due_after < c.created_ago]
    answered = [
        c for c in now_cases
        if c.answered_after is not None and c.created_ago - c.answered_after <= 30 * DAY
    ]  # fmt: skip
    hours = sum(c.answered_after.total_seconds() / 3600 for c in answered if c.answered_after)
    recipients = [(n, got) for n, got in HELD if in_area(HOUSEHOLDS[n][0], area)]

    def here(name: str) -> bool:
        return in_area(HOUSEHOLDS[name][0], area)

    def dated(source: str, days: int) -> int:
        return sum(1 for n, s, d, _e, _w in FINDINGS if s == source and d <= days and here(n))

    return {
        "households": sum(1 for n in HOUSEHOLDS if counted(n) and here(n)),
        "linked": len({n for n in LINKED if counted(n) and here(n)}),
        "reports_7": dated("report", 7),
        "reports_30": dated("report", 30),
        "visits_7": dated("visit", 7),
        "visits_30": dated("visit", 30),
        "trainings": sum(1 for n, status in SIGN_UPS if status != "cancelled" and here(n)),
        "extreme_poor": sum(1 for n in extreme_poor_households() if here(n)),
        "cases_open": len(open_),
        "cases_overdue": len(overdue),
        "answered_30": len(answered),
        "answer_hours": hours,
        "recipients": len(recipients),
        "collected": sum(1 for _n, got in recipients if got),
    }


def expected_volunteer(name: str) -> dict[str, float | int]:
    """A volunteer's line: visits and closings in 30 days, the cases that were theirs (held,
    else closed by them) answered in 30 days, and their area's open and overdue cases."""
    _role, area, _first_name = VOLUNTEERS[name]
    theirs = [
        c for c in CASES
        if (c.holder or c.closed_by) == name and c.answered_after is not None
        and c.created_ago - c.answered_after <= 30 * DAY
    ]  # fmt: skip
    whole = expected_area(area)
    return {
        "visits_30": sum(1 for *_x, days, _e, who in FINDINGS if who == name and days <= 30),
        "closed_30": sum(
            1 for c in CASES if c.closed_by == name and c.closed_ago and c.closed_ago <= 30 * DAY
        ),
        "answered_30": len(theirs),
        "answer_hours": sum(
            c.answered_after.total_seconds() / 3600 for c in theirs if c.answered_after
        ),
        "area_open": whole["cases_open"],
        "area_overdue": whole["cases_overdue"],
    }
