"""/daftar for a family on a list without a No. KK (a P3KE household known by the list's id):
at the KK step, "I have no KK number" asks the date of birth instead; NIK + date of birth are
matched under the same limits on failed tries (services.linking.match_without_kk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.usulan import NIK_KEY
from conversations.validators import ValidationError, parse_date
from db.models.accounts import Account
from db.protect import Protector
from handlers.residents.keyboards import LinkCallback, cancel_keyboard
from handlers.residents.link import LinkFlow, show_result, typed_answer
from services import linking

if TYPE_CHECKING:
    from bot.settings import Settings


async def no_kk(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    if await state.get_state() != LinkFlow.kk.state or not isinstance(query.message, Message):
        return
    await state.set_state(LinkFlow.birth)
    await query.message.answer(
        _(
            "No KK number? Then please type your date of birth as on your KTP, for example "
            "17-08-1980."
        ),
        reply_markup=cancel_keyboard(),
    )


async def got_birth(
    message: Message,
    account: Account,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    protector: Protector,
) -> None:
    try:
        born = parse_date(message.text or "", max=lambda today: today)
    except ValidationError as exc:
        await message.answer(exc.render(), reply_markup=cancel_keyboard())
        return
    data = await state.get_data()
    if NIK_KEY not in data:
        await state.set_state(None)
        await message.answer(_("Sorry, please start again with /daftar."))
        return
    nik = protector.decrypt(data[NIK_KEY])
    result = await linking.match_without_kk(session, protector, account, nik, born)
    await show_result(message, account, state, settings, protector, result, "")


def create_router() -> Router:
    router = Router(name="resident_link_no_kk")
    router.callback_query.register(no_kk, LinkCallback.filter(F.a == "nokk"))
    router.message.register(got_birth, StateFilter(LinkFlow.birth), typed_answer)
    return router
