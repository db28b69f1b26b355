"""Staff on the payout day: marking a family collected by its name or KK (the name is echoed
back, with an undo), and adding or removing one family with a reason.

While marking (/daftarjadwal → "Mark collected"), a typed KK or a name finds the family on
the schedule: one match is marked at once, several are offered as buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import remove_buttons
from db.models.accounts import Account
from db.models.aid import Disbursement
from db.protect import Protector
from handlers.chat import delete_secret
from handlers.filters import HasText, NotACommand
from handlers.keyboards import show_menu
from handlers.staff.payout_buttons import PayoutCb
from services import payout, schedules
from services.payout import Line
from services.schedules import ScheduleError

# Reasons offered as buttons (kept in the audit log by code).
ADD_REASONS = {
    "verified": __("Verified after the list was made"),
    "correction": __("Data correction"),
    "other": __("Other reason"),
}
REMOVE_REASONS = {
    "moved": __("Moved away"),
    "died": __("Died"),
    "duplicate": __("Listed twice"),
    "not_eligible": __("Not eligible"),
    "other": __("Other reason"),
}


class PayoutFlow(StatesGroup):
    adding = State()  # waiting for the name or KK of a family to add
    removing = State()  # ... to remove


def who(line: Line) -> str:
    """A family as staff recognise it: name, desa, RT/RW, masked KK (never the full one in a
    chat message)."""
    kk = line.kk_masked or _("no KK yet")
    return _("{name} · {desa} RT {rt}/RW {rw} · KK {kk}").format(
        name=line.head or "-", desa=line.desa, rt=line.rt or "-", rw=line.rw or "-", kk=kk
    )


async def progress(session: AsyncSession, disbursement_id: int) -> str:
    total = await schedules.recipients_count(session, disbursement_id)
    collected = await schedules.collected_count(session, disbursement_id)
    return _("{collected} of {total} households have collected.").format(
        collected=format_decimal(collected, locale="id"), total=format_decimal(total, locale="id")
    )


def _choices(lines: list[Line], action: str, disbursement_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for line in lines:
        builder.button(
            text=who(line)[:60],
            callback_data=PayoutCb(a=action, id=disbursement_id, h=line.household_id),
        )
    builder.adjust(1)
    return builder.as_markup()


async def mark_by_text(
    message: Message,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    disbursement: Disbursement,
    text: str,
) -> None:
    """A name or a KK typed while marking: mark the one family it finds, or offer several."""
    found = await payout.find(session, protector, disbursement.id, text)
    if not found:
        await message.answer(
            _(
                "No family on schedule #{id} matches that. Type another name or KK, or /batal."
            ).format(id=disbursement.id)
        )
        return
    if len(found) > 1:
        await message.answer(
            _("Several families match. Tap the one that came:"),
            reply_markup=_choices(found, "mark", disbursement.id),
        )
        return
    await _mark(message, session, account, disbursement, found[0])


async def _mark(
    message: Message,
    session: AsyncSession,
    account: Account,
    disbursement: Disbursement,
    line: Line,
) -> None:
    changed = await payout.set_collected(session, account, disbursement, line.household_id, True)
    if changed:
        head = _("✔️ Marked as collected: {who}.").format(who=who(line))
    else:
        head = _("Already marked as collected: {who}.").format(who=who(line))
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("↩️ Undo"),
        callback_data=PayoutCb(a="undo", id=disbursement.id, h=line.household_id),
    )
    await message.answer(
        head + "\n" + await progress(session, disbursement.id) + "\n"
        + _("Type the next name or KK number, or /batal."),
        reply_markup=builder.as_markup(),
    )  # fmt: skip


async def _one(
    query: CallbackQuery, session: AsyncSession, protector: Protector, cb: PayoutCb,
    on_schedule: bool = True,
) -> tuple[Disbursement, Line] | None:  # fmt: skip
    disbursement = await schedules.get(session, cb.id)
    found = await payout.lines(
        session, protector, cb.id, household_ids=[cb.h], on_schedule=on_schedule
    )
    if disbursement is None or disbursement.status != "scheduled" or not found:
        await query.answer(_("This schedule is no longer active."), show_alert=True)
        return None
    if not isinstance(query.message, Message):
        await query.answer()
        return None
    await query.answer()
    return disbursement, found[0]


async def mark_tapped(
    query: CallbackQuery, callback_data: PayoutCb, session: AsyncSession, account: Account,
    protector: Protector,
) -> None:  # fmt: skip
    picked = await _one(query, session, protector, callback_data)
    if picked is not None and isinstance(query.message, Message):
        await remove_buttons(query.message)
        await _mark(query.message, session, account, *picked)


async def undo_tapped(
    query: CallbackQuery, callback_data: PayoutCb, session: AsyncSession, account: Account,
    protector: Protector,
) -> None:  # fmt: skip
    picked = await _one(query, session, protector, callback_data)
    if picked is None or not isinstance(query.message, Message):
        return
    disbursement, line = picked
    await remove_buttons(query.message)
    changed = await payout.set_collected(session, account, disbursement, line.household_id, False)
    text = (
        _("↩️ Undone: {who} is not marked as collected any more.")
        if changed
        else _("{who} was not marked as collected.")
    ).format(who=who(line))
    await query.message.answer(text + "\n" + await progress(session, disbursement.id))


# --------------------------------------------------------------------------- add or remove


async def ask_family(
    query: CallbackQuery, callback_data: PayoutCb, state: FSMContext, session: AsyncSession
) -> None:
    disbursement = await schedules.get(session, callback_data.id)
    if disbursement is None or disbursement.status != "scheduled":
        await query.answer(_("This schedule is no longer active."), show_alert=True)
        return
    await query.answer()
    adding = callback_data.a == "add"
    await state.set_state(PayoutFlow.adding if adding else PayoutFlow.removing)
    await state.set_data({"payout_id": disbursement.id})
    if isinstance(query.message, Message):
        text = (
            _("Schedule #{id}: type the name or the KK number of the family to add (or /batal).")
            if adding
            else _(
                "Schedule #{id}: type the name or the KK number of the family to remove "
                "(or /batal)."
            )
        )
        await query.message.answer(text.format(id=disbursement.id))


async def family_typed(
    message: Message, state: FSMContext, session: AsyncSession, account: Account,
    protector: Protector,
) -> None:  # fmt: skip
    text = message.text or ""
    await delete_secret(message)  # it may hold a KK number
    adding = await state.get_state() == PayoutFlow.adding.state
    disbursement = await schedules.get(session, int((await state.get_data()).get("payout_id") or 0))
    if disbursement is None or disbursement.status != "scheduled":
        await state.clear()
        await show_menu(message, _("This schedule is no longer active."), account)
        return
    found = await payout.find(session, protector, disbursement.id, text, on_schedule=not adding)
    if adding:
        found = [line for line in found if line.collected_at is None]
    if not found:
        await message.answer(_("No family matches that. Type another name or KK, or /batal."))
        return
    await state.clear()
    await message.answer(
        _("Which family?"),
        reply_markup=_choices(found, "pick_add" if adding else "pick_rm", disbursement.id),
    )


async def family_picked(
    query: CallbackQuery, callback_data: PayoutCb, session: AsyncSession, protector: Protector
) -> None:
    adding = callback_data.a == "pick_add"
    picked = await _one(query, session, protector, callback_data, on_schedule=not adding)
    if picked is None or not isinstance(query.message, Message):
        return
    disbursement, line = picked
    reasons = ADD_REASONS if adding else REMOVE_REASONS
    builder = InlineKeyboardBuilder()
    for code, label in reasons.items():
        builder.button(text=str(label), callback_data=PayoutCb(
            a="why_add" if adding else "why_rm", id=disbursement.id, h=line.household_id, d=code
        ))  # fmt: skip
    builder.adjust(1)
    question = _("Why add {who}?") if adding else _("Why remove {who}?")
    await remove_buttons(query.message)
    await query.message.answer(question.format(who=who(line)), reply_markup=builder.as_markup())


async def reason_given(
    query: CallbackQuery, callback_data: PayoutCb, session: AsyncSession, account: Account,
    protector: Protector,
) -> None:  # fmt: skip
    adding = callback_data.a == "why_add"
    reasons = ADD_REASONS if adding else REMOVE_REASONS
    picked = await _one(query, session, protector, callback_data, on_schedule=not adding)
    if picked is None or callback_data.d not in reasons or not isinstance(query.message, Message):
        return
    disbursement, line = picked
    await remove_buttons(query.message)
    try:
        if adding:
            changed = await payout.add_family(
                session, account, disbursement, line.household_id, callback_data.d
            )
            text = (
                _("➕ Added to schedule #{id}: {who}.")
                if changed
                else _("{who} is already on schedule #{id}.")
            )
        else:
            changed = await payout.remove_family(
                session, account, disbursement, line.household_id, callback_data.d
            )
            text = (
                _("➖ Removed from schedule #{id}: {who}.")
                if changed
                else _(
                    "{who} could not be removed from schedule #{id}: not on it, or already "
                    "collected."
                )
            )
    except ScheduleError:
        text = _("{who} cannot receive aid now (rejected, or a proposal still being checked).")
    await query.message.answer(text.format(id=disbursement.id, who=who(line)))


def register(router: Router) -> None:
    router.callback_query.register(mark_tapped, PayoutCb.filter(F.a == "mark"))
    router.callback_query.register(undo_tapped, PayoutCb.filter(F.a == "undo"))
    router.callback_query.register(ask_family, PayoutCb.filter(F.a.in_({"add", "remove"})))
    router.callback_query.register(family_picked, PayoutCb.filter(F.a.in_({"pick_add", "pick_rm"})))
    router.callback_query.register(reason_given, PayoutCb.filter(F.a.in_({"why_add", "why_rm"})))
    router.message.register(
        family_typed,
        StateFilter(PayoutFlow.adding, PayoutFlow.removing),
        HasText(),
        NotACommand(),
    )
