"""`/lapor` and the "Lapor Kondisi" button: a household's self-report (the questions are in
conversations.lapor); on confirmation it is saved and, when urgent, the area's volunteers are
told at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin
from conversations.lapor import FOOD, FORM, FORM_NAME, HOUSE_SAFETY, SICKNESS
from db.models.accounts import Account
from db.models.households import Household, Member
from domain.dates import today_wib
from domain.money import format_rupiah
from domain.roles import PETUGAS, PSM, TKSK, WARGA
from handlers.case_relay import family_words, tell_officers
from handlers.commands import COMMANDS, CommandInfo
from handlers.forms import on_submit
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry
from handlers.office import office_lines
from handlers.residents.household import linked_household
from services import cases, tasks
from services.reports import save_report, urgent_reasons

RESIDENTS = frozenset({WARGA})
MENU_ENTRIES.append(MenuEntry("lapor", __("📝 Report condition"), roles=RESIDENTS))
COMMANDS.append(
    CommandInfo(
        "lapor",
        __("Report your household's condition"),
        __("report your household's condition now (work, income, house, urgent needs)."),
        roles=RESIDENTS,
    )
)


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


async def member_counts(session: AsyncSession, household_id: int) -> dict[str, int]:
    """Counts from the members on record, offered as answers to keep."""
    members = list(await session.scalars(select(Member).where(Member.household_id == household_id)))
    today = today_wib()
    ages = [_age(m.birth_date, today) if m.birth_date else None for m in members]
    return {
        "members": len(members),
        "elderly": sum(1 for age in ages if age is not None and age >= 60),
        "disabled": sum(1 for m in members if m.severe_disability),
        "out_of_school": sum(
            1
            for m, age in zip(members, ages, strict=True)
            if age is not None and 7 <= age <= 18 and m.in_school is False
        ),
    }


async def start_report(
    message: Message, account: Account, session: AsyncSession, state: FSMContext
) -> None:
    household = await linked_household(message, account, session)
    if household is None:
        return
    counts = await member_counts(session, household.id)
    if not counts["members"]:  # nothing on record: let the person type every count
        counts = {}
    await begin(FORM.name, message, state, context=counts)


@on_submit(FORM_NAME)
async def submit(answers: dict[str, Any], data: dict[str, Any]) -> str:
    """Save the report (services.reports) and say thank you and what happens next."""
    session = data["session"]
    account = data["account"]
    household = await session.get(Household, account.household_id) if account.household_id else None
    if household is None:
        return _(
            "Your account is no longer linked to a household, so the report was not saved. "
            "Please link it again with /daftar."
        )
    report = await save_report(
        session, household, account, answers, poverty_line=data["settings"].extreme_poverty_line
    )
    lines = [_("Thank you, Bapak/Ibu. Your report is saved.")]
    if report.income_per_person_day is not None:
        lines.append(
            _("Income per person per day: {amount}.").format(
                amount=format_rupiah(report.income_per_person_day)
            )
        )
    if report.urgent:
        await _alert_volunteers(data, household, urgent_reasons(answers))
        lines.append(
            _(
                "Your report says you need help urgently. A volunteer (PSM/TKSK) of your area "
                "has been asked to visit you soon."
            )
        )
        # What to do now, before anyone comes.
        lines.append(
            "\n".join(
                [_("If someone's life is in danger, call 112 now (free)."),
                 _("You can also contact the office:"), *office_lines(data["settings"])]
            )
        )  # fmt: skip
    else:
        lines.append(
            _(
                "Dinas Sosial staff will use it to check which aid fits your household. "
                "You can send a new report any time with /lapor."
            )
        )
    return "\n\n".join(lines)


URGENT_LABELS = {
    "food": FOOD[-1].label,
    "sickness": SICKNESS[-1].label,
    "house_safety": HOUSE_SAFETY[-1].label,
}


async def _alert_volunteers(data: dict[str, Any], household: Any, reasons: list[str]) -> None:
    """Tell the PSM of the desa, the TKSK of the kecamatan and staff at once (the task waits
    in the volunteers' /tugas too): no food today cannot wait for the next look at the list."""
    session = data["session"]
    for case in await tasks.open_cases_of(session, household.id, [tasks.URGENT_REPORT]):
        text = _("⚠️ Urgent report {number}: {family}. {reasons}. Please visit soon.").format(
            number=cases.number(case),
            family=await family_words(session, case),
            reasons=", ".join(str(URGENT_LABELS[r]) for r in reasons),
        )
        await tell_officers(session, data["bot"], case, text, roles=(PSM, TKSK, PETUGAS))


def create_router() -> Router:
    router = Router(name="resident_report")
    router.message.register(start_report, Command("lapor"))
    router.message.register(start_report, MenuButton("lapor"))
    return router
