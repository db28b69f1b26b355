"""Link the household (`/daftar`); when it is not found, the resident may propose it
(handlers/residents/proposal.py).

NIK and KK are asked one at a time; the message that carried either is deleted as soon as it
is read (also when it was wrong), and between the two steps the NIK waits in the conversation
state encrypted with the protector (the state itself is encrypted at rest too). Neither ever
goes into a reply, a button, a log line or the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.usulan import KK_KEY, NIK_KEY, SPLIT_KEY
from conversations.validators import ValidationError, format_datetime_id, parse_kk, parse_nik
from db.models.accounts import Account
from db.protect import Protector
from domain.identity import is_kota_bekasi, mask_number
from domain.roles import WARGA
from handlers.chat import delete_secret, remove_buttons
from handlers.form_parking import on_drop
from handlers.keyboards import MenuButton, consent_keyboard, is_menu_label, show_menu
from handlers.office import office_contact
from handlers.residents.keyboards import (
    LinkCallback,
    cancel_keyboard,
    confirm_keyboard,
    kk_step_keyboard,
    link_start_keyboard,
    retry_keyboard,
)
from handlers.residents.proposal import propose_button
from services import linking

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher

MATCH_KEY = "link_match"


class LinkFlow(StatesGroup):
    nik = State()
    kk = State()
    birth = State()  # no KK number: the date of birth instead (handlers.residents.link_no_kk)
    confirm = State()


# --------------------------------------------------------------------------- texts


def kota_bekasi_text(settings: Settings) -> str:
    return _(
        "This KK number is from Kota Bekasi (32.75). This service is run by Kabupaten Bekasi, "
        "so we cannot find your family here. Please contact Dinas Sosial Kota Bekasi, or ask "
        "your RT/RW or kelurahan office. Questions: {contact}."
    ).format(contact=office_contact(settings))


def locked_text(retry_at: Any, settings: Settings) -> str:
    return _(
        "The numbers did not match too many times (5 times in 24 hours). To protect families' "
        "data, please try again after {when}. If you are sure the numbers are right, ask the "
        "PSM volunteer of your desa or contact {contact}: they can check your data."
    ).format(when=format_datetime_id(retry_at), contact=office_contact(settings))


def household_lines(view: linking.HouseholdView) -> str:
    return _("KK {kk}, Head of family: {head}, Desa {desa}, Kecamatan {kecamatan}").format(
        kk=view.kk_masked or "—",
        head=view.head_masked or "—",
        desa=view.desa,
        kecamatan=view.kecamatan,
    )


def _left(failures: int) -> str:
    left = max(linking.MAX_FAILED - failures, 0)
    return _("You can try {count} more times today.").format(count=left)


# --------------------------------------------------------------------------- helpers


async def _typed_number(
    message: Message, parse: Callable[[str], str], *, missing: str, again: str
) -> str | None:
    """A NIK or KK from the message (deleted at once, also when wrong), or None after asking
    again: `missing` when the message has no text, the error and `again` when it is wrong."""
    if message.text is None:
        await message.answer(missing, reply_markup=cancel_keyboard())
        return None
    await delete_secret(message)
    try:
        return parse(message.text)
    except ValidationError as exc:
        await message.answer(exc.render() + "\n\n" + again, reply_markup=cancel_keyboard())
        return None


async def _forget_numbers(state: FSMContext) -> None:
    data = await state.get_data()
    if any(key in data for key in (NIK_KEY, KK_KEY, MATCH_KEY)):
        for key in (NIK_KEY, KK_KEY, MATCH_KEY):
            data.pop(key, None)
        await state.set_data(data)


# Another command or menu button ends /daftar (handlers.form_parking): the numbers go with it.
on_drop(_forget_numbers, LinkFlow.nik, LinkFlow.kk, LinkFlow.birth, LinkFlow.confirm)


async def typed_answer(message: Message) -> bool:
    """A typed answer, not a command or a main-menu button (those go to their own handlers)."""
    text = message.text
    if text is None:
        return True  # a photo or sticker: answered with "please type the number"
    if text.startswith("/"):
        return False
    return not is_menu_label(text)


# --------------------------------------------------------------------------- /daftar


async def start_link(
    message: Message,
    account: Account,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
) -> None:
    if account.consent != "given":
        await message.answer(
            _("Before linking your household, please agree to the privacy notice."),
            reply_markup=consent_keyboard(),
        )
        return
    household = await linking.linked_household(session, account)
    if household is not None:
        view = await linking.household_view(session, household)
        await show_menu(
            message,
            _(
                "Your account is already linked to this household:\n{household}\n\n"
                "To see your data, send /dataku. To link another household, first withdraw "
                "and unlink in /dataku."
            ).format(household=household_lines(view)),
            account,
        )
        return
    until = await linking.lock_until(session, account)
    if until is not None:
        await show_menu(message, locked_text(until, settings), account)
        return
    await _forget_numbers(state)
    await state.set_state(LinkFlow.nik)
    await message.answer(
        _(
            "Link your household (step 1 of 2).\n\n"
            "Please type your NIK: the 16 digits on your KTP or on the family card (KK). "
            "Spaces and dots are fine. For your safety, the message is deleted right after "
            "we read it."
        ),
        reply_markup=cancel_keyboard(),
    )


async def start_link_button(
    query: CallbackQuery,
    account: Account,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
        await start_link(query.message, account, state, session, settings)


async def got_nik(message: Message, state: FSMContext, protector: Protector) -> None:
    nik = await _typed_number(
        message,
        parse_nik,
        missing=_("Please type the NIK (16 digits)."),
        again=_("Please type your NIK again (16 digits)."),
    )
    if nik is None:
        return
    await state.update_data({NIK_KEY: protector.encrypt(nik)})
    await state.set_state(LinkFlow.kk)
    await message.answer(
        _(
            "Thank you, NIK {masked} received (the message was deleted).\n\n"
            "Step 2 of 2: please type the number of your family card (No. KK), 16 digits, "
            "at the top of the Kartu Keluarga."
        ).format(masked=mask_number(nik)),
        reply_markup=kk_step_keyboard(),
    )


async def got_kk(
    message: Message,
    account: Account,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    protector: Protector,
) -> None:
    kk = await _typed_number(
        message,
        _kk_or_nik,
        missing=_("Please type the KK number (16 digits)."),
        again=_("Please type the KK number again (16 digits)."),
    )
    if kk is None:
        return
    data = await state.get_data()
    if NIK_KEY not in data:  # e.g. the state was left over from an older version
        await state.set_state(None)
        await message.answer(_("Sorry, please start again with /daftar."))
        return
    if is_kota_bekasi(kk):
        await _forget_numbers(state)
        await state.set_state(None)
        await show_menu(message, kota_bekasi_text(settings), account)
        return
    nik = protector.decrypt(data[NIK_KEY])
    result = await linking.match(session, protector, account, nik, kk)
    if not result.swapped and result.outcome != linking.LOCKED and not _is_kk(kk):
        # A woman's NIK (day + 40) typed as the KK, and not the two numbers swapped: say so.
        await message.answer(
            _(
                "This looks like a NIK, not a KK number. The KK number is at the top of the "
                "Kartu Keluarga. Please type the KK number."
            ),
            reply_markup=cancel_keyboard(),
        )
        return
    await show_result(message, account, state, settings, protector, result, kk)


def _kk_or_nik(text: str) -> str:
    """A KK number, or a NIK typed in its place (the two may be swapped: linking.match tells)."""
    try:
        return parse_kk(text)
    except ValidationError:
        try:
            return parse_nik(text)
        except ValidationError:
            pass
        raise


def _is_kk(number: str) -> bool:
    try:
        parse_kk(number)
    except ValidationError:
        return False
    return True


async def show_result(
    message: Message,
    account: Account,
    state: FSMContext,
    settings: Settings,
    protector: Protector,
    result: linking.MatchResult,
    kk: str,
) -> None:
    if result.outcome == linking.MATCHED:
        assert result.household is not None and result.member_id is not None
        await state.update_data(
            {MATCH_KEY: [result.household.household_id, result.member_id], NIK_KEY: None}
        )
        await state.set_state(LinkFlow.confirm)
        found = _("We found this household:\n{household}\n\nIs this your family?").format(
            household=household_lines(result.household)
        )
        if result.swapped:
            found = (
                _("The KK number and the NIK were typed the other way round; we recognised them.")
                + "\n\n"
                + found
            )
        await message.answer(found, reply_markup=confirm_keyboard())
        return
    await state.set_state(None)
    if result.outcome == linking.LOCKED:
        await _forget_numbers(state)
        await show_menu(message, locked_text(result.retry_at, settings), account)
        return
    locked = result.retry_at is not None
    if result.outcome == linking.NIK_NOT_IN_KK:
        await _forget_numbers(state)
        text = _(
            "This KK is on the list, but the NIK you typed is not one of its members. "
            "Please check both numbers on your Kartu Keluarga. If a family member is "
            "missing from the KK data, ask the PSM volunteer of your desa."
        )
        can_propose = False
    elif result.outcome == linking.NOT_LISTED_NO_KK:
        await _forget_numbers(state)
        text = _(
            "We could not find this NIK with this date of birth among the families on the "
            "list without a KK number. Please check both, or link with your KK number."
        )
        can_propose = False
    elif result.outcome == linking.NIK_ELSEWHERE:
        # Kept (encrypted) only until the proposal is saved or the resident starts again.
        await state.update_data({KK_KEY: protector.encrypt(kk), SPLIT_KEY: True})
        text = _(
            "Your NIK is on the list, but under another KK (for example, the family split: "
            "pecah KK). You can propose this new KK with your NIK: the PSM volunteer of your "
            "desa will check it."
        )
        can_propose = True
    else:
        # Kept (encrypted) only until the proposal is saved or the resident starts again.
        await state.update_data({KK_KEY: protector.encrypt(kk)})
        text = _(
            "We could not find this KK and NIK on the list of Dinas Sosial. Please check the "
            "numbers and try again. If your family is really not on the list, you can propose "
            "it (usulan): a volunteer will come and verify it."
        )
        can_propose = True
    if locked:
        text += "\n\n" + locked_text(result.retry_at, settings)
    else:
        text += "\n\n" + _left(result.failures)
    await message.answer(text, reply_markup=retry_keyboard(not locked, can_propose))


async def confirm_link(
    query: CallbackQuery,
    callback_data: LinkCallback,
    account: Account,
    state: FSMContext,
    session: AsyncSession,
) -> None:
    await query.answer()
    data = await state.get_data()
    match = data.get(MATCH_KEY)
    await _forget_numbers(state)
    await state.set_state(None)
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        await remove_buttons(message)
    if not match or message is None:
        if message is not None:
            await message.answer(_("This question has ended. Send /daftar to start again."))
        return
    if callback_data.a == "no":
        await show_menu(
            message,
            _(
                "All right, nothing was linked. Check the numbers and send /daftar to try "
                "again, or ask the PSM volunteer of your desa for help."
            ),
            account,
        )
        return
    try:
        household = await linking.link(session, account, int(match[0]), int(match[1]))
    except linking.LinkError:
        await show_menu(
            message,
            _("Sorry, this household's data changed meanwhile. Please send /daftar again."),
            account,
        )
        return
    view = await linking.household_view(session, household)
    await show_menu(
        message,
        _(
            "Done: your account is linked to KK {kk}. You will get notices about aid for your "
            "family here. Choose what you need from the menu: report your condition, the aid "
            "schedule, trainings, or your data."
        ).format(kk=view.kk_masked),
        account,
    )


async def cancel_link(query: CallbackQuery, account: Account, state: FSMContext) -> None:
    await query.answer()
    await _forget_numbers(state)
    current = await state.get_state() or ""
    # The same button cancels /daftar and /cek; a form of another feature is left alone.
    if current.startswith(("LinkFlow:", "CheckFlow:")):
        await state.set_state(None)
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
        await show_menu(
            query.message, _("Cancelled. Nothing was saved. Here is the main menu."), account
        )


async def offer_after_consent(message: Message, account: Account) -> None:
    """Right after consent: a resident not linked yet is offered /daftar (one tap)."""
    if account.role != WARGA or account.household_id is not None:
        return
    await message.answer(
        _(
            "Next step: link your household with your NIK and KK number, so that we can tell "
            "you about aid for your family. Tap the button, or send /daftar later."
        ),
        reply_markup=link_start_keyboard(),
    )


# --------------------------------------------------------------------------- routers


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="resident_link")
    router.message.register(start_link, Command("daftar"))
    router.message.register(start_link, MenuButton("link"))
    router.callback_query.register(start_link_button, LinkCallback.filter(F.a == "start"))
    router.callback_query.register(confirm_link, LinkCallback.filter(F.a.in_({"yes", "no"})))
    router.callback_query.register(propose_button, LinkCallback.filter(F.a == "propose"))
    router.callback_query.register(cancel_link, LinkCallback.filter(F.a == "cancel"))
    router.message.register(got_nik, StateFilter(LinkFlow.nik), typed_answer)
    router.message.register(got_kk, StateFilter(LinkFlow.kk), typed_answer)
    return router
