"""Staff: marking the households of a schedule as having collected their aid, from
/daftarjadwal: a typed name or No. KK (the message is deleted once read; the family found is
echoed back with an undo: handlers/staff/payout_mark.py) or a file of KK numbers."""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.parking import clear_but_keep_form
from conversations.validators import ValidationError, parse_kk
from db.models.accounts import Account
from db.models.aid import Disbursement
from db.protect import Protector
from domain.identity import mask_number
from handlers.chat import delete_secret, download
from handlers.keyboards import is_menu_label, show_menu
from handlers.staff.payout_mark import mark_by_text
from handlers.staff.schedule_target import MAX_FILE_BYTES, file_name, file_problem
from services import kk_list, payout, schedules
from services.bnba_file import FileProblem


def collect_prompt(disbursement_id: int) -> str:
    return _(
        "Schedule #{id}: type the name or the KK number of a family that collected (the "
        "message is deleted once read), or send a file of KK numbers. Send /batal when you "
        "are done."
    ).format(id=disbursement_id)


async def _collecting(session: AsyncSession, state: FSMContext) -> Disbursement | None:
    disbursement_id = (await state.get_data()).get("collect_id")
    disbursement = await schedules.get(session, int(disbursement_id or 0))
    if disbursement is None or disbursement.status != "scheduled":
        await clear_but_keep_form(state)
        return None
    return disbursement


async def _progress(session: AsyncSession, disbursement: Disbursement) -> str:
    total = await schedules.recipients_count(session, disbursement.id)
    collected = await schedules.collected_count(session, disbursement.id)
    return _("{collected} of {total} households have collected.").format(
        collected=format_decimal(collected, locale="id"), total=format_decimal(total, locale="id")
    )


async def collect_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
) -> None:
    text = message.text or ""
    await delete_secret(message)
    disbursement = await _collecting(session, state)
    if disbursement is None:
        await show_menu(message, _("This schedule is no longer active."), account)
        return
    if is_menu_label(text):
        # A menu button: stop marking rather than insist.
        await clear_but_keep_form(state)
        await show_menu(
            message,
            _("Stopped marking schedule #{id}. Choose from the menu.").format(id=disbursement.id),
            account,
        )
        return
    if not any(char.isdigit() for char in text):  # a name
        await mark_by_text(message, session, account, protector, disbursement, text)
        return
    try:
        number = parse_kk(text)
    except ValidationError as exc:
        await message.answer(exc.render() + "\n\n" + collect_prompt(disbursement.id))
        return
    if await payout.find(session, protector, disbursement.id, number):
        await mark_by_text(message, session, account, protector, disbursement, number)
        return
    masked = mask_number(number)
    if await payout.find(session, protector, disbursement.id, number, on_schedule=False):
        head = _("{kk} is on our list but not on this schedule.").format(kk=masked)
    else:
        head = _("{kk} is not on our list.").format(kk=masked)
    await message.answer(
        head + " " + await _progress(session, disbursement) + "\n"
        + _("Send the next KK number, a file, or /batal.")
    )  # fmt: skip


async def collect_file(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    bot: Bot,
) -> None:
    document = message.document
    assert document is not None
    disbursement = await _collecting(session, state)
    if disbursement is None:
        await show_menu(message, _("This schedule is no longer active."), account)
        return
    if (document.file_size or 0) > MAX_FILE_BYTES:
        await message.answer(_("That file is too large (more than 5 MB). Please split it."))
        return
    try:
        parsed = kk_list.read_kk_file(await download(bot, document.file_id), file_name(document))
    except FileProblem as exc:
        await message.answer(file_problem(exc))
        return
    hashes = [protector.lookup_hash(number) for number in parsed.numbers]
    result = await schedules.mark_collected(session, account, disbursement, hashes, via="file")
    lines = [
        _(
            "From the file: {marked} marked as collected, {already} already marked, "
            "{other} not on this schedule, {unknown} not on our list, {invalid} lines without a "
            "16-digit number."
        ).format(
            marked=result.marked,
            already=result.already,
            other=result.not_recipient,
            unknown=result.unknown,
            invalid=parsed.invalid_rows,
        ),
        await _progress(session, disbursement),
    ]
    await message.answer("\n".join(lines))
